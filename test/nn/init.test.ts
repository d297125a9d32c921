/**
 * nn.init and the layers' default initialisation against PyTorch 1.13.1
 * (test/fixtures/nn_init.json): after the same seed, every layer's state dict and every
 * initialiser's output equal torch's bit for bit (truncNormal_ and orthogonal_ to rounding, as
 * documented in src/nn/init.ts), and calculateGain returns torch's gains.
 */
import { describe, expect, it } from "vitest";
import { manualSeed, nn, zeros, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose } from "../helpers/compare.js";

const init = nn.init;

interface Fixture {
  layers: { seed: number; name: string; state: Record<string, FixtureTensor> }[];
  init: { seed: number; steps: { fn: string; shape: number[]; dtype: "float32" | "float64"; args: Record<string, number | string>; out: FixtureTensor }[] }[];
  gains: [nn.init.Nonlinearity, number | null, number][];
}

const fixture = loadFixture<Fixture>("nn_init");

const LAYERS: Record<string, () => nn.Module> = {
  linear_3_2: () => new nn.Linear(3, 2),
  linear_20_7_nobias: () => new nn.Linear(20, 7, { bias: false }),
  linear_4_3_f64: () => new nn.Linear(4, 3, { dtype: "float64" }),
  conv_3_4_k3: () => new nn.Conv2d(3, 4, 3),
  conv_4_6_k23_g2: () => new nn.Conv2d(4, 6, [2, 3], { groups: 2 }),
  embedding_6_4_pad2: () => new nn.Embedding(6, 4, { paddingIdx: 2 }),
  embedding_5_3_f64: () => new nn.Embedding(5, 3, { dtype: "float64" }),
  batchnorm2d_3: () => new nn.BatchNorm2d(3),
  cnn: () =>
    new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.BatchNorm2d(4),
      new nn.Flatten(), new nn.Dropout(0.25), new nn.Linear(4 * 3 * 3, 10),
    ),
  mlp: () => new nn.Sequential(new nn.Linear(8, 16), new nn.Tanh(), new nn.Linear(16, 16), new nn.ReLU(), new nn.Linear(16, 3)),
};

function expectExact(actual: Tensor, expected: FixtureTensor, label: string): void {
  expect(actual.dtype, label).toBe(expected.dtype);
  expect([...actual.shape], label).toEqual(expected.shape);
  expect([...actual.dataSync()], label).toEqual(expected.data);
}

describe("default layer initialisation equals PyTorch's bit for bit", () => {
  for (const { seed, name, state } of fixture.layers) {
    it(`${name}, seed ${seed}`, () => {
      manualSeed(seed);
      const sd = LAYERS[name]!().stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(state));
      for (const [k, v] of Object.entries(state)) expectExact(sd[k]!, v, k);
    });
  }
});

function apply(fn: string, t: Tensor, args: Record<string, number | string>): void {
  const n = (k: string) => args[k] as number | undefined;
  switch (fn) {
    case "uniform_": init.uniform_(t, n("a"), n("b")); break;
    case "normal_": init.normal_(t, n("mean"), n("std")); break;
    case "constant_": init.constant_(t, n("val")!); break;
    case "ones_": init.ones_(t); break;
    case "zeros_": init.zeros_(t); break;
    case "eye_": init.eye_(t); break;
    case "dirac_": init.dirac_(t, n("groups")); break;
    case "xavier_uniform_": init.xavierUniform_(t, n("gain")); break;
    case "xavier_normal_": init.xavierNormal_(t, n("gain")); break;
    case "kaiming_uniform_": init.kaimingUniform_(t, args as nn.init.KaimingOptions); break;
    case "kaiming_normal_": init.kaimingNormal_(t, args as nn.init.KaimingOptions); break;
    case "trunc_normal_": init.truncNormal_(t, args as nn.init.TruncNormalOptions); break;
    case "orthogonal_": init.orthogonal_(t, n("gain")); break;
    case "sparse_": init.sparse_(t, n("sparsity")!, n("std")); break;
    default: throw new Error(fn);
  }
}

describe("nn.init functions equal PyTorch's", () => {
  for (const { seed, steps } of fixture.init) {
    it(`the sequence of ${steps.length} initialisers after seed ${seed}`, () => {
      manualSeed(seed);
      for (const [i, s] of steps.entries()) {
        const t = zeros(s.shape, { dtype: s.dtype });
        apply(s.fn, t, s.args);
        const label = `step ${i} ${s.fn}`;
        if (s.fn === "trunc_normal_") expectClose(t, s.out, { rtol: s.dtype === "float32" ? 1e-5 : 1e-12, atol: 1e-6 }, label); // erfinv in float64, see init.ts
        else if (s.fn === "orthogonal_") expectClose(t, s.out, { rtol: s.dtype === "float32" ? 1e-5 : 1e-10, atol: 1e-6 }, label); // Gram–Schmidt vs Householder QR
        else expectExact(t, s.out, label);
      }
    });
  }

  it("orthogonal_ gives orthonormal rows (rows < cols) and columns (rows > cols)", () => {
    manualSeed(3);
    const a = init.orthogonal_(zeros([3, 5], { dtype: "float64" }));
    const b = init.orthogonal_(zeros([5, 3], { dtype: "float64" }));
    const eye3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const close = (m: number[][]) => m.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(eye3[i]![j]!, 12)));
    close(a.matmul(a.t()).tolist() as number[][]);
    close(b.t().matmul(b).tolist() as number[][]);
  });
});

describe("calculateGain and fans", () => {
  it("matches torch.nn.init.calculate_gain", () => {
    for (const [name, param, gain] of fixture.gains) expect(init.calculateGain(name, param)).toBe(gain);
  });
  it("computes fan_in and fan_out with the receptive field", () => {
    // weight [8, 4, 3, 3]: fan_in = 4·9 = 36, fan_out = 8·9 = 72
    expect(init.calculateFanInAndFanOut(zeros([8, 4, 3, 3]))).toEqual([36, 72]);
    expect(() => init.calculateFanInAndFanOut(zeros([3]))).toThrow(
      "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
    );
  });
  it("refuses bad arguments with PyTorch's messages", () => {
    expect(() => init.calculateGain("softmax" as nn.init.Nonlinearity)).toThrow("Unsupported nonlinearity softmax");
    expect(() => init.kaimingUniform_(zeros([2, 2]), { mode: "fan_avg" as nn.init.FanMode })).toThrow(
      "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']",
    );
    expect(() => init.eye_(zeros([2, 2, 2]))).toThrow("Only tensors with 2 dimensions are supported");
    expect(() => init.dirac_(zeros([2, 2]))).toThrow("Only tensors with 3, 4, or 5 dimensions are supported");
  });
  it("leaves zero-element tensors alone in kaiming_*", () => {
    const t = zeros([0, 3]);
    expect(init.kaimingUniform_(t)).toBe(t);
  });
});
