/**
 * Layer modules against PyTorch 1.13.1 (test/fixtures/nn_layers.json): Linear (seeded init,
 * forward, input/weight/bias gradients for 1-D, 2-D and 3-D inputs), the activation modules,
 * Flatten/Unflatten, Embedding (padding_idx, scale_grad_by_freq, max_norm), Dropout's seeded
 * masks and generator consumption, reprs, parameter and state-dict names; plus gradchecks and
 * the bad-input messages.
 */
import { describe, expect, it } from "vitest";
import { gradcheck, manualSeed, nn, noGrad, rand, randn, tensor, zeros, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose, fromFixture } from "../helpers/compare.js";

type T = FixtureTensor;
interface Fixture {
  linear: { name: string; dtype: "float32" | "float64"; seed: number; in: number; out: number; bias: boolean; x: T; gy: T; y: T; gx: T; gw: T; gb: T | null }[];
  activation: { name: string; dtype: string; x: T; gy: T; y: T; gx: T }[];
  embedding: { name: string; dtype: string; weight: T; idx: T; options: nn.EmbeddingModuleOptions; gy: T; y: T; gw: T; weight_after: T }[];
  dropout: { seed: number; p: number; shape: number[]; dtype: string; x: T; gy: T; y: T; gx: T; after: T }[];
  convModes: { name: string; dtype: "float32" | "float64"; seed: number; padding: [number, number] | "same"; mode: nn.PaddingMode; kernel: number | [number, number]; x: T; gy: T; y: T; gx: T; gw: T; gb: T }[];
  repr: Record<string, string>;
  names: { parameters: string[]; state: string[]; buffers: string[] };
}

const fx = loadFixture<Fixture>("nn_layers");

describe("nn.Linear matches PyTorch", () => {
  for (const c of fx.linear) {
    it(`${c.name} ${c.dtype}`, () => {
      manualSeed(c.seed);
      const m = new nn.Linear(c.in, c.out, { bias: c.bias, dtype: c.dtype });
      const x = randn(c.x.shape, { dtype: c.dtype, requiresGrad: true });
      expect([...x.dataSync()]).toEqual(c.x.data); // the same stream continues after the init
      const y = m.forward(x);
      expectClose(y, c.y, {}, "y");
      y.backward(fromFixture(c.gy));
      expectClose(x.grad, c.gx, {}, "grad input");
      expectClose(m.weight.grad, c.gw, {}, "grad weight");
      if (c.gb) expectClose(m.bias!.grad, c.gb, {}, "grad bias");
      else expect(m.bias).toBeNull();
    });
  }

  it("names the layer and both shapes on a wrong input", () => {
    const m = new nn.Linear(784, 10);
    expect(() => m.forward(zeros([32, 100]))).toThrow(
      "Linear: expected input with last dimension 784 (in_features), but got shape [32, 100]",
    );
    expect(() => m.forward(zeros([]))).toThrow("Linear: expected input with last dimension 784 (in_features), but got shape []");
    // the functional form keeps PyTorch's matmul message
    expect(() => nn.functional.linear(zeros([32, 100]), m.weight)).toThrow("mat1 and mat2 shapes cannot be multiplied (32x100 and 784x10)");
  });

  it("passes gradcheck (float64)", () => {
    const m = new nn.Linear(4, 3, { dtype: "float64" });
    const x = randn([2, 5, 4], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((a: Tensor, w: Tensor, b: Tensor) => nn.functional.linear(a, w, b), [x, m.weight, m.bias!])).toBe(true);
  });
});

const ACTS: Record<string, () => nn.Module & { forward(x: Tensor): Tensor }> = {
  ReLU: () => new nn.ReLU(),
  "LeakyReLU_0.2": () => new nn.LeakyReLU(0.2),
  ELU: () => new nn.ELU(),
  GELU: () => new nn.GELU(),
  GELU_tanh: () => new nn.GELU({ approximate: "tanh" }),
  SiLU: () => new nn.SiLU(),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  Softplus_2_1: () => new nn.Softplus({ beta: 2, threshold: 1 }),
  Softmax_1: () => new nn.Softmax(1),
  "Softmax_-1": () => new nn.Softmax(-1),
  Softmax_None: () => new nn.Softmax(),
  LogSoftmax_1: () => new nn.LogSoftmax(1),
  LogSoftmax_0: () => new nn.LogSoftmax(0),
  Flatten: () => new nn.Flatten(),
  Flatten_0_1: () => new nn.Flatten(0, 1),
  Unflatten: () => new nn.Unflatten(1, [2, 2]),
  Identity: () => new nn.Identity(),
};

describe("activation and shape modules match PyTorch", () => {
  for (const c of fx.activation) {
    it(`${c.name} ${c.dtype}`, () => {
      const x = fromFixture(c.x, { requiresGrad: true });
      const y = ACTS[c.name]!().forward(x);
      expectClose(y, c.y, {}, "y");
      y.backward(fromFixture(c.gy));
      expectClose(x.grad, c.gx, {}, "grad input");
    });
  }

  it("in-place ReLU and LeakyReLU overwrite their input", () => {
    const x = tensor([-2, 0.5, 3]);
    expect(new nn.ReLU({ inplace: true }).forward(x)).toBe(x);
    expect(x.tolist()).toEqual([0, 0.5, 3]);
    const z = tensor([-2, 4]);
    new nn.LeakyReLU(0.5, { inplace: true }).forward(z);
    expect(z.tolist()).toEqual([-1, 4]); // −2·0.5 = −1
  });
});

describe("nn.Embedding matches PyTorch", () => {
  for (const c of fx.embedding) {
    it(`${c.name} ${c.dtype}`, () => {
      const m = new nn.Embedding(5, 3, { ...c.options, weight: fromFixture(c.weight) });
      const y = m.forward(fromFixture(c.idx));
      expectClose(y, c.y, {}, "y");
      y.backward(fromFixture(c.gy));
      expectClose(m.weight.grad, c.gw, {}, "grad weight");
      expectClose(m.weight, c.weight_after, {}, "weight after max_norm");
      expect(y.gradFn?.name).toBe("EmbeddingBackward0");
    });
  }

  it("passes gradcheck with repeated indices (float64)", () => {
    // (paddingIdx and scaleGradByFreq change the gradient on purpose; the fixtures cover them)
    const w = randn([6, 2], { dtype: "float64", requiresGrad: true });
    const idx = tensor([[0, 2, 2], [5, 0, 1]], { dtype: "int32" });
    expect(gradcheck((a: Tensor) => nn.functional.embedding(idx, a), [w])).toBe(true);
  });

  it("refuses bad indices and options with PyTorch's messages", () => {
    const m = new nn.Embedding(10, 3);
    expect(() => m.forward(tensor([10], { dtype: "int32" }))).toThrow("index out of range in self");
    expect(() => m.forward(tensor([-1], { dtype: "int32" }))).toThrow("index out of range in self");
    expect(() => m.forward(tensor([1.0]))).toThrow(
      "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)",
    );
    expect(() => new nn.Embedding(10, 3, { paddingIdx: 10 })).toThrow("Padding_idx must be within num_embeddings");
    expect(() => new nn.Embedding(10, 3, { paddingIdx: -11 })).toThrow("Padding_idx must be within num_embeddings");
  });

  it("zeroes the padding row at initialisation and stores a negative paddingIdx normalised", () => {
    const m = new nn.Embedding(4, 2, { paddingIdx: -1 });
    expect(m.paddingIdx).toBe(3);
    expect(m.weight.select(0, 3).tolist()).toEqual([0, 0]);
  });
});

describe("nn.Dropout matches PyTorch's seeded masks", () => {
  for (const c of fx.dropout) {
    it(`seed ${c.seed}, p = ${c.p}, ${c.dtype} ${JSON.stringify(c.shape)}`, () => {
      const x = fromFixture(c.x, { requiresGrad: true });
      manualSeed(c.seed);
      const y = new nn.Dropout(c.p).forward(x);
      expectClose(y, c.y, { rtol: 0 }, "y"); // exact: same mask, same scaling
      y.backward(fromFixture(c.gy));
      expectClose(x.grad, c.gx, { rtol: 0 }, "grad input");
      expectClose(rand([3]), c.after, { rtol: 0 }, "generator state after the mask");
    });
  }

  it("is the identity in eval mode and on p = 0", () => {
    const x = randn([3, 4]);
    const d = new nn.Dropout(0.5).eval();
    expect(d.forward(x)).toBe(x);
    expect(new nn.Dropout(0).forward(x)).toBe(x);
  });

  it("refuses p outside [0, 1]", () => {
    expect(() => new nn.Dropout(1.5)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
    expect(() => nn.functional.dropout(zeros([2]), { p: -0.1 })).toThrow("dropout probability has to be between 0 and 1, but got -0.1");
  });
});

describe("module reprs equal PyTorch's", () => {
  const mods: Record<string, () => nn.Module> = {
    linear: () => new nn.Linear(3, 2),
    linear_nobias: () => new nn.Linear(3, 2, { bias: false }),
    conv: () => new nn.Conv2d(1, 8, 3),
    conv_full: () => new nn.Conv2d(2, 8, [3, 5], { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false }),
    conv_same: () => new nn.Conv2d(2, 4, 3, { padding: "same" }),
    conv_reflect: () => new nn.Conv2d(2, 4, 3, { padding: 1, paddingMode: "reflect" }),
    maxpool: () => new nn.MaxPool2d(2),
    maxpool_full: () => new nn.MaxPool2d([2, 3], { stride: 1, padding: 1, dilation: 2, ceilMode: true }),
    avgpool: () => new nn.AvgPool2d(3, { stride: 2, padding: 1 }),
    bn1d: () => new nn.BatchNorm1d(3),
    bn2d: () => new nn.BatchNorm2d(4, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }),
    embedding: () => new nn.Embedding(10, 3, { paddingIdx: 0, maxNorm: 1.0, normType: 1.0, scaleGradByFreq: true }),
    dropout: () => new nn.Dropout(),
    dropout_inplace: () => new nn.Dropout(0.25, { inplace: true }),
    acts: () =>
      new nn.Sequential(
        new nn.ReLU(), new nn.ReLU({ inplace: true }), new nn.LeakyReLU(0.2), new nn.ELU(), new nn.GELU({ approximate: "tanh" }),
        new nn.SiLU(), new nn.Sigmoid(), new nn.Tanh(), new nn.Softplus(), new nn.Softmax(), new nn.Softmax(1),
        new nn.LogSoftmax(-1), new nn.Flatten(), new nn.Unflatten(1, [2, 3]), new nn.Identity(),
      ),
    nested: () =>
      new nn.Sequential(new nn.Linear(3, 2), new nn.Sequential(new nn.ReLU(), new nn.Linear(2, 1)), new nn.ModuleList([new nn.Tanh()])),
    empty_seq: () => new nn.Sequential(),
    empty_list: () => new nn.ModuleList(),
  };
  for (const [name, make] of Object.entries(mods)) {
    it(name, () => {
      expect(make().toString()).toBe(fx.repr[name]);
    });
  }
});

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 2, 3);
  bn = new nn.BatchNorm2d(2);
  blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 2, { bias: false })]);
  head = new nn.Sequential(new nn.Flatten(), new nn.Linear(2, 1));
  emb = new nn.Embedding(3, 2);
  forward(x: Tensor): Tensor {
    return this.head.forward(x);
  }
}

describe("parameter and state-dict names are PyTorch's dotted names", () => {
  it("for a nested model", () => {
    const n = new Net();
    expect(n.namedParameters().map(([k]) => k)).toEqual(fx.names.parameters);
    expect(Object.keys(n.stateDict())).toEqual(fx.names.state);
    expect(n.namedBuffers().map(([k]) => k)).toEqual(fx.names.buffers);
  });

  it("round-trips a state dict into a fresh model", () => {
    manualSeed(1);
    const a = new Net();
    manualSeed(2);
    const b = new Net();
    b.loadStateDict(a.stateDict());
    for (const [k, v] of Object.entries(a.stateDict())) expect([...b.stateDict()[k]!.dataSync()], k).toEqual([...v.dataSync()]);
  });

  it("train() and eval() reach every sub-module", () => {
    const n = new Net().eval();
    expect([...n.modules()].every((m) => !m.training)).toBe(true);
    n.train();
    expect([...n.modules()].every((m) => m.training)).toBe(true);
  });
});

describe("containers", () => {
  it("Sequential runs its children in order and indexes them", () => {
    const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    expect(s.length).toBe(3);
    expect(s.at(-1)).toBe(s[2]);
    expect(s[1]).toBeInstanceOf(nn.ReLU);
    const x = randn([4, 2]);
    const manual = (s[2] as nn.Linear).forward((s[1] as nn.ReLU).forward((s[0] as nn.Linear).forward(x)));
    expect(s.forward(x).tolist()).toEqual(manual.tolist());
    s.append(new nn.Sigmoid());
    expect(Object.keys(s.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect([...s].length).toBe(4);
  });

  it("Sequential accepts named children", () => {
    const s = new nn.Sequential({ fc1: new nn.Linear(2, 2), act: new nn.Tanh(), fc2: new nn.Linear(2, 1) });
    expect(Object.keys(s.stateDict())).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
  });

  it("ModuleList appends, inserts and extends with renumbered keys", () => {
    const a = new nn.Linear(1, 1);
    const b = new nn.Linear(1, 2);
    const c = new nn.Linear(1, 3);
    const l = new nn.ModuleList([a, c]);
    l.insert(1, b);
    expect([...l]).toEqual([a, b, c]);
    expect(l.at(1)).toBe(b);
    expect(Object.keys(l.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"]);
    l.extend([new nn.Tanh()]);
    expect(l.length).toBe(4);
    expect(() => l.forward()).toThrow('Module [ModuleList] is missing the required "forward" function');
  });
});

describe("Conv2d and pooling modules", () => {
  it("Conv2d checks its arguments like PyTorch", () => {
    expect(() => new nn.Conv2d(3, 8, 3, { groups: 2 })).toThrow("in_channels must be divisible by groups");
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 4 })).toThrow("out_channels must be divisible by groups");
    expect(() => new nn.Conv2d(4, 8, 3, { padding: "same", stride: 2 })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new nn.Conv2d(4, 8, 3, { padding: "bad" as "same" })).toThrow("Invalid padding string 'bad', should be one of {'same', 'valid'}");
    expect(() => new nn.Conv2d(4, 8, 3, { paddingMode: "foo" as "zeros" })).toThrow(
      "padding_mode must be one of {'reflect', 'replicate', 'circular', 'zeros'}, but got padding_mode='foo'",
    );
    const m = new nn.Conv2d(3, 8, 3);
    expect(() => m.forward(zeros([2, 4, 10, 10]))).toThrow(
      "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 10, 10] to have 3 channels, but got 4 channels instead",
    );
  });

  it("Conv2d's reflect/replicate/circular padding equals explicit padding (hand-built)", () => {
    // a 1-channel 3×3 input padded by 1; the kernel is a 3×3 of ones, so each output is the sum of a 3×3 window
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    const conv = (mode: nn.PaddingMode) => {
      const m = new nn.Conv2d(1, 1, 3, { padding: 1, paddingMode: mode, bias: false });
      noGrad(() => m.weight.fill_(1));
      return (m.forward(x).tolist() as number[][][][])[0]![0]!;
    };
    // reflect pads row/col 0 with row/col 1: top-left window [[5,4,5],[2,1,2],[5,4,5]] sums to 33
    expect(conv("reflect")[0]![0]).toBe(33);
    // replicate: [[1,1,2],[1,1,2],[4,4,5]] sums to 21
    expect(conv("replicate")[0]![0]).toBe(21);
    // circular: [[9,7,8],[3,1,2],[6,4,5]] sums to 45 (every window of a 3×3 torus holds all nine values)
    expect(conv("circular").flat()).toEqual(Array(9).fill(45));
  });

  for (const c of fx.convModes) {
    it(`Conv2d paddingMode ${c.name} ${c.dtype} matches PyTorch (seeded init, forward, gradients)`, () => {
      manualSeed(c.seed);
      const m = new nn.Conv2d(2, 3, c.kernel, { padding: c.padding, paddingMode: c.mode, dtype: c.dtype });
      const x = randn([2, 2, 5, 6], { dtype: c.dtype, requiresGrad: true });
      expect([...x.dataSync()]).toEqual(c.x.data);
      const y = m.forward(x);
      expectClose(y, c.y, {}, "y");
      y.backward(fromFixture(c.gy));
      expectClose(x.grad, c.gx, {}, "grad input");
      expectClose(m.weight.grad, c.gw, {}, "grad weight");
      expectClose(m.bias!.grad, c.gb, {}, "grad bias");
    });
  }

  it("MaxPool2d.forwardWithIndices returns PyTorch's flat indices", () => {
    const x = tensor([[[[1, 5, 2, 0], [3, 4, 8, 7]]]]);
    const [v, i] = new nn.MaxPool2d(2).forwardWithIndices(x);
    expect(v.tolist()).toEqual([[[[5, 8]]]]);
    expect(i.tolist()).toEqual([[[[1, 6]]]]); // 5 at (0, 1) → 1; 8 at (1, 2) → 1·4 + 2 = 6
  });
});
