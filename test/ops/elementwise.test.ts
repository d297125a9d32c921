/**
 * Elementwise ops vs PyTorch 1.13.1 (fixtures from scripts/fixtures/ops_elementwise.py): outputs and
 * gradients of Σ (out · w).sum() for arithmetic, pow, unary math, clamp, maximum/minimum (ties),
 * where, lerp, comparisons and logic, with broadcasting, non-contiguous operands, NaN/Inf and
 * type promotion. Default tolerances: float64 relative 1e-10, float32 relative 1e-5.
 */
import { describe, it } from "vitest";
import type { Tolerance } from "../helpers/compare.js";
import { loadFixture } from "../helpers/fixtures.js";
import { runCase, type OpCase } from "./harness.js";

const { cases } = loadFixture<{ cases: OpCase[] }>("ops_elementwise");

/**
 * Gradient tolerances that deviate from the default. A float64 0-d operand of a float32 op gets
 * its gradient computed in float32 (a float32 sum over the broadcast dims), then cast to float64,
 * in PyTorch as here: the float64 gradient carries float32 rounding, so it is compared at 1e-6.
 */
const GRAD_TOL: Record<string, Tolerance> = {
  "promote f64 0-d + f32": { rtol: 1e-6 },
  "promote f32 pow f64 0-d": { rtol: 1e-6 },
};

describe("elementwise ops match PyTorch", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (name, c) => runCase(c, {}, GRAD_TOL[name] ?? {}));
});
