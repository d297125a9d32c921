/**
 * Comparing descent tensors with PyTorch fixtures.
 *
 * Tolerances follow the project's rule: float64 results agree with PyTorch to a relative 1e-10,
 * float32 results to 1e-5. "Relative" is measured against the scale of the expected tensor:
 * |actual − expected| ≤ rtol·(|expected| + max|expected|·1e-3 … ) would hide errors, so we use
 * |actual − expected| ≤ rtol·|expected| + atol with atol = rtol·max(1, max|expected|)·0.01 by
 * default — elementwise relative error, with a small absolute floor for values near zero where
 * a relative error is meaningless (cancellation in sums and matmuls). Callers may override both.
 * NaN must match NaN and infinities must match exactly.
 */
import { expect } from "vitest";
import { tensor, type Tensor } from "../../src/index.js";
import type { FixtureTensor } from "./fixtures.js";

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Default relative tolerance for a dtype: 1e-10 for float64, 1e-5 for float32, exact otherwise. */
export function defaultRtol(dtype: string): number {
  return dtype === "float64" ? 1e-10 : dtype === "float32" ? 1e-5 : 0;
}

/** A descent tensor holding a fixture's values, dtype and shape. */
export function fromFixture(f: FixtureTensor, options: { requiresGrad?: boolean } = {}): Tensor {
  const data =
    f.dtype === "float64"
      ? Float64Array.from(f.data)
      : f.dtype === "float32"
        ? Float32Array.from(f.data)
        : Int32Array.from(f.data);
  const t = tensor(data, { shape: f.shape, dtype: f.dtype });
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Assert `actual` matches the fixture `expected` in dtype, shape and values. */
export function expectClose(actual: Tensor | null, expected: FixtureTensor, tol: Tolerance = {}, label = ""): void {
  expect(actual, `${label}: tensor missing`).not.toBeNull();
  const a = actual!;
  expect(a.dtype, `${label}: dtype`).toBe(expected.dtype);
  expect([...a.shape], `${label}: shape`).toEqual(expected.shape);
  const rtol = tol.rtol ?? defaultRtol(expected.dtype);
  let scale = 0;
  for (const v of expected.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const atol = tol.atol ?? rtol * Math.max(1, scale) * 0.01;
  const got = a.dataSync();
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!;
    const g = got[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!(Object.is(e, g) || (Number.isNaN(e) && Number.isNaN(g)))) {
        worst = i;
        worstErr = Infinity;
        break;
      }
      continue;
    }
    const err = Math.abs(g - e) - (atol + rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = Number.isNaN(err) ? Infinity : err;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${label}: element ${worst} is ${got[worst]}, PyTorch gives ${expected.data[worst]} (rtol ${rtol}, atol ${atol.toExponential(2)})`,
    );
  }
}
