/**
 * maxPool2d / avgPool2d (src/ops/pool.ts, backend pooling kernels) against PyTorch 1.13.1:
 * values, max indices (ties, NaN, ±inf), gradients, ceil mode, dilation, count_include_pad,
 * divisor_override and unbatched input in float32 and float64 (test/fixtures/nn_pool.json),
 * finite-difference gradchecks, and PyTorch's error messages.
 */
import { describe, expect, it } from "vitest";
import { gradcheck, nn, randn, zeros, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose, fromFixture } from "../helpers/compare.js";

const F = nn.functional;

interface PoolCase {
  name: string;
  dtype: string;
  kernel: number | [number, number];
  options: nn.functional.MaxPool2dOptions & nn.functional.AvgPool2dOptions;
  x: FixtureTensor;
  gy: FixtureTensor;
  out: FixtureTensor;
  indices?: FixtureTensor;
  gx: FixtureTensor;
}

const fixture = loadFixture<{ max: PoolCase[]; avg: PoolCase[] }>("nn_pool");

describe("maxPool2d matches PyTorch", () => {
  for (const c of fixture.max) {
    it(`${c.name} ${c.dtype}`, () => {
      const x = fromFixture(c.x, { requiresGrad: true });
      const [out, indices] = F.maxPool2dWithIndices(x, c.kernel, c.options);
      expectClose(out, c.out, {}, "out");
      expect([...indices.dataSync()]).toEqual(c.indices!.data);
      expect([...indices.shape]).toEqual(c.indices!.shape);
      out.backward(fromFixture(c.gy));
      expectClose(x.grad, c.gx, {}, "grad input");
      // the plain form gives the same values
      expectClose(F.maxPool2d(fromFixture(c.x), c.kernel, c.options), c.out, {}, "maxPool2d");
    });
  }
});

describe("avgPool2d matches PyTorch", () => {
  for (const c of fixture.avg) {
    it(`${c.name} ${c.dtype}`, () => {
      const x = fromFixture(c.x, { requiresGrad: true });
      const out = F.avgPool2d(x, c.kernel, c.options);
      expectClose(out, c.out, {}, "out");
      out.backward(fromFixture(c.gy));
      expectClose(x.grad, c.gx, {}, "grad input");
    });
  }
});

describe("pooling gradients pass finite-difference checks (float64)", () => {
  it("maxPool2d with padding, dilation and ceil mode", () => {
    // distinct values keep every window's maximum unique (finite differences need a smooth max)
    const x = randn([2, 2, 7, 6], { dtype: "float64" }).mul(10).requiresGrad_();
    expect(
      gradcheck((a: Tensor) => F.maxPool2d(a, [3, 2], { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }), [x]),
    ).toBe(true);
  });
  it("avgPool2d with padding, ceil mode and both divisor rules", () => {
    const x = randn([1, 2, 7, 6], { dtype: "float64", requiresGrad: true });
    for (const countIncludePad of [true, false])
      expect(gradcheck((a: Tensor) => F.avgPool2d(a, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad }), [x])).toBe(true);
    expect(gradcheck((a: Tensor) => F.avgPool2d(a, 2, { stride: 1, divisorOverride: 3 }), [x])).toBe(true);
  });
});

describe("pooling errors (PyTorch's messages)", () => {
  it.each([
    [() => F.maxPool2d(zeros([2, 3]), 2), "non-empty 3D or 4D (batch mode) tensor expected for input"],
    [() => F.maxPool2d(zeros([1, 1, 2, 2]), 3), "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small"],
    [() => F.maxPool2d(zeros([1, 1, 5, 5]), 3, { padding: 2 }), "pad should be at most half of kernel size, but got pad=2 and kernel_size=3"],
    [() => F.maxPool2d(zeros([1, 1, 5, 6]), [2, 3], { padding: [0, 2] }), "pad should be at most half of kernel size, but got pad=2 and kernel_size=3"],
    [() => F.maxPool2d(zeros([1, 1, 5, 6]), [2, 3], { padding: [2, 0] }), "pad should be at most half of kernel size, but got pad=2 and kernel_size=2"],
    [() => F.maxPool2d(zeros([1, 1, 5, 5]), 3, { stride: 0 }), "stride should not be zero"],
    [() => F.maxPool2d(zeros([1, 1, 5, 6]), [1, 3], { stride: [-1, 1] }), "stride should be greater than zero, but got dH: -1 dW: 1"],
    [() => F.maxPool2d(zeros([1, 1, 5, 6]), [-1, 3], { stride: 1 }), "kernel size should be greater than zero, but got kH: -1 kW: 3"],
    [() => F.maxPool2d(zeros([1, 1, 5, 5]), 2, { dilation: 0 }), "dilation should be greater than zero, but got dilationH: 0 dilationW: 0"],
    [() => F.maxPool2d(zeros([1, 1, 5, 6]), 3, { padding: -1 }), "pad must be non-negative, but got pad: -1"],
    [() => F.maxPool2d(zeros([1, 1, 5, 6]), 3, { dilation: 3 }), "Given input size: (1x5x6). Calculated output size: (1x0x0). Output size is too small"],
    [
      () => F.maxPool2d(zeros([1, 0, 5, 6]), 2),
      "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 0, 5, 6]",
    ],
    [() => F.avgPool2d(zeros([1, 1, 2, 2]), 3), "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small"],
    [() => F.avgPool2d(zeros([1, 1, 5, 5]), 3, { divisorOverride: 0 }), "divisor must be not zero"],
    [
      () => F.avgPool2d(zeros([1, 1, 1, 5, 6]), 2),
      "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 1, 1, 5, 6]",
    ],
    [() => F.maxPool2d(zeros([1, 1, 5, 6], { dtype: "int32" }), 2), `"max_pool2d" not implemented for 'int32'`],
  ])("%#", (fn, message) => {
    expect(fn).toThrow(message);
  });

  it("pools an empty batch to an empty result", () => {
    // PyTorch: max_pool2d(zeros(0, 1, 5, 6), 2) has shape [0, 1, 2, 3]
    expect([...F.maxPool2d(zeros([0, 1, 5, 6]), 2).shape]).toEqual([0, 1, 2, 3]);
    expect([...F.avgPool2d(zeros([0, 1, 5, 6]), 2).shape]).toEqual([0, 1, 2, 3]);
  });
});
