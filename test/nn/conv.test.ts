/**
 * conv2d (src/ops/conv.ts, backend conv kernels) against PyTorch 1.13.1: forward values and the
 * input, weight and bias gradients for stride/padding/dilation/groups/"same"/"valid"/unbatched
 * cases in float32 and float64 (test/fixtures/nn_conv.json), finite-difference gradchecks, and
 * PyTorch's error messages.
 */
import { describe, expect, it } from "vitest";
import { gradcheck, nn, randn, zeros, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose, fromFixture } from "../helpers/compare.js";

const F = nn.functional;

interface ConvCase {
  name: string;
  dtype: string;
  options: nn.functional.Conv2dOptions;
  x: FixtureTensor;
  w: FixtureTensor;
  b: FixtureTensor | null;
  gy: FixtureTensor;
  out: FixtureTensor;
  gx: FixtureTensor;
  gw: FixtureTensor;
  gb: FixtureTensor | null;
}

const { cases } = loadFixture<{ cases: ConvCase[] }>("nn_conv");

describe("conv2d matches PyTorch", () => {
  for (const c of cases) {
    it(`${c.name} ${c.dtype}`, () => {
      const x = fromFixture(c.x, { requiresGrad: true });
      const w = fromFixture(c.w, { requiresGrad: true });
      const b = c.b ? fromFixture(c.b, { requiresGrad: true }) : null;
      const out = F.conv2d(x, w, b, c.options);
      expectClose(out, c.out, {}, "out");
      if (c.x.shape.length === 4) expect(out.gradFn?.name).toBe("ConvolutionBackward0");
      out.backward(fromFixture(c.gy));
      expectClose(x.grad, c.gx, {}, "grad input");
      expectClose(w.grad, c.gw, {}, "grad weight");
      if (c.gb) expectClose(b!.grad, c.gb, {}, "grad bias");
    });
  }

  it("gives the bias gradient alone when only the bias requires grad", () => {
    const c = cases.find((k) => k.name === "groups2" && k.dtype === "float64")!;
    const b = fromFixture(c.b!, { requiresGrad: true });
    F.conv2d(fromFixture(c.x), fromFixture(c.w), b, c.options).backward(fromFixture(c.gy));
    expectClose(b.grad, c.gb!, {}, "grad bias");
  });

  it("accepts non-contiguous operands", () => {
    const c = cases.find((k) => k.name === "basic" && k.dtype === "float64")!;
    // the same values seen through transposed views
    const x = fromFixture(c.x).transpose(2, 3).contiguous().transpose(2, 3);
    const w = fromFixture(c.w).transpose(0, 1).contiguous().transpose(0, 1);
    expect(x.isContiguous()).toBe(false);
    expect(w.isContiguous()).toBe(false);
    x.requiresGrad = true;
    w.requiresGrad = true;
    const out = F.conv2d(x, w, fromFixture(c.b!), c.options);
    expectClose(out, c.out, {}, "out");
    // an expanded upstream gradient (stride 0): the gradient of out.sum()
    out.sum().backward();
    const ones = F.conv2d(fromFixture(c.x), fromFixture(c.w), null, c.options).mul(0).add(1);
    const x2 = fromFixture(c.x, { requiresGrad: true });
    F.conv2d(x2, fromFixture(c.w), null, c.options).backward(ones);
    expectClose(x.grad, { dtype: "float64", shape: c.x.shape, data: [...x2.grad!.dataSync()] }, {}, "grad input");
  });
});

describe("conv2d gradients pass finite-difference checks (float64)", () => {
  const configs: [string, number[], number[], nn.functional.Conv2dOptions][] = [
    ["stride/pad", [2, 2, 5, 4], [3, 2, 3, 2], { stride: [2, 1], padding: [1, 1] }],
    ["dilation/groups", [1, 4, 6, 5], [4, 2, 2, 2], { dilation: 2, groups: 2, padding: [1, 0] }],
    ["same even kernel", [1, 2, 4, 5], [2, 2, 2, 2], { padding: "same" }],
  ];
  for (const [name, xs, ws, opts] of configs) {
    it(name, () => {
      const x = randn(xs, { dtype: "float64", requiresGrad: true });
      const w = randn(ws, { dtype: "float64", requiresGrad: true });
      const b = randn([ws[0]!], { dtype: "float64", requiresGrad: true });
      expect(gradcheck((a: Tensor, k: Tensor, c: Tensor) => F.conv2d(a, k, c, opts), [x, w, b])).toBe(true);
    });
  }
});

describe("conv2d errors (PyTorch's messages)", () => {
  const w = zeros([8, 3, 3, 3]);
  it.each([
    [() => F.conv2d(zeros([2, 3]), w), "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]"],
    [
      () => F.conv2d(zeros([2, 4, 10, 10]), w),
      "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 10, 10] to have 3 channels, but got 4 channels instead",
    ],
    [
      () => F.conv2d(zeros([2, 3, 2, 2]), w),
      "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
    ],
    [() => F.conv2d(zeros([2, 3, 5, 5]), w, null, { stride: 2, padding: "same" }), "padding='same' is not supported for strided convolutions"],
    [
      () => F.conv2d(zeros([2, 3, 5, 5]), w, zeros([7])),
      "Given weight of size [8, 3, 3, 3], expected bias to be 1-dimensional with 8 elements, but got bias of size [7] instead",
    ],
    [
      () => F.conv2d(zeros([2, 4, 5, 5]), zeros([8, 2, 3, 3]), null, { groups: 3 }),
      "Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size [[8, 2, 3, 3]] instead",
    ],
    [() => F.conv2d(zeros([2, 3, 5, 5]), w, null, { stride: 0 }), "non-positive stride is not supported"],
    [() => F.conv2d(zeros([2, 3, 5, 5]), w, null, { padding: -1 }), "negative padding is not supported"],
    [() => F.conv2d(zeros([1, 3, 5, 6]), zeros([2, 3, 3, 3]), null, { groups: 0 }), "non-positive groups is not supported"],
    [
      () => F.conv2d(zeros([2, 3, 5, 5]), w.double()),
      "Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) should be the same or input should be a MKLDNN tensor and weight is a dense tensor",
    ],
    [() => F.conv2d(zeros([1, 3, 5, 6]), zeros([2, 3, 3, 3]), zeros([2], { dtype: "float64" })), "Input type (float) and bias type (double) should be the same"],
  ])("%#", (fn, message) => {
    expect(fn).toThrow(message);
  });

  it("rejects an unknown padding string", () => {
    expect(() => F.conv2d(zeros([2, 3, 5, 5]), w, null, { padding: "foo" as "same" })).toThrow("Invalid padding string: 'foo'");
  });
});
