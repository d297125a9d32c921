/**
 * nn.utils.clipGradNorm / clipGradValue against PyTorch 1.13.1
 * (test/fixtures/optim_clip_grad.json, made by scripts/fixtures/optim_clip_grad.py): the returned
 * total norm and the clipped gradients for norm types 2, 1, ∞, 3 and 0.5, above and below
 * maxNorm, non-finite gradients, errorIfNonfinite (PyTorch's message, gradients unchanged), and
 * clamping by value. Default tolerances (float32 1e-5, float64 1e-10).
 */
import { describe, expect, it } from "vitest";
import { nn, tensor, zeros, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose, fromFixture } from "../helpers/compare.js";

interface ClipCase {
  name: string;
  fn: "norm" | "value";
  dtype: "float32" | "float64";
  norm_type: number;
  max_norm?: number;
  clip_value?: number;
  error_if_nonfinite?: boolean;
  grads: (FixtureTensor | null)[];
  clipped: (FixtureTensor | null)[];
  total?: FixtureTensor;
  error: string | null;
}

const { cases } = loadFixture<{ cases: ClipCase[] }>("optim_clip_grad");

function paramsOf(c: ClipCase): Tensor[] {
  return c.grads.map((g) => {
    const p = zeros(g ? g.shape : [2], { dtype: c.dtype, requiresGrad: true });
    p.grad = g ? fromFixture(g) : null;
    return p;
  });
}

describe("clipGradNorm and clipGradValue match PyTorch", () => {
  for (const c of cases) {
    it(`${c.name} ${c.dtype}`, () => {
      const params = paramsOf(c);
      if (c.fn === "norm") {
        const run = (): Tensor => nn.utils.clipGradNorm(params, c.max_norm!, c.norm_type, { errorIfNonfinite: c.error_if_nonfinite! });
        if (c.error !== null) {
          expect(run).toThrow(new RangeError(c.error));
        } else {
          const total = run();
          expect(total.ndim).toBe(0);
          expectClose(total, c.total!, {}, "total norm");
        }
      } else {
        expect(nn.utils.clipGradValue(params, c.clip_value!)).toBeUndefined();
      }
      c.clipped.forEach((g, i) => {
        if (g === null) expect(params[i]!.grad).toBeNull();
        else expectClose(params[i]!.grad, g, {}, `grad ${i}`);
      });
    });
  }

  it("returns tensor(0.) when no parameter has a gradient, and accepts a single tensor", () => {
    const p = zeros([3], { requiresGrad: true });
    const total = nn.utils.clipGradNorm([p], 1);
    expect([total.dtype, total.ndim, total.item()]).toEqual(["float32", 0, 0]);
    p.grad = tensor([3, 4, 0]);
    // ‖(3, 4, 0)‖ = 5 > 1: scaled by 1/(5 + 1e-6) in float32
    expect(nn.utils.clipGradNorm(p, 1).item()).toBe(5);
    const coef = Math.fround(Math.fround(1 / Math.fround(5 + Math.fround(1e-6))) * 1);
    expect(Array.from(p.grad.dataSync())).toEqual([Math.fround(3 * coef), Math.fround(4 * coef), 0]);
  });
});
