/**
 * matmul vs PyTorch 1.13.1 (fixtures from scripts/fixtures/ops_matmul.py): 1-D/2-D/batched operands,
 * batch broadcasting, transposed/sliced/expanded operands, empty sizes, NaN/Inf, and products that
 * cross the CPU kernel's blocking. Outputs and gradients of Σ (out · w).sum().
 * Default tolerances: float64 relative 1e-10, float32 relative 1e-5 (descent accumulates float32
 * products in float64 and rounds once; PyTorch's sgemm accumulates in float32, which the relative
 * 1e-5 with compare.ts's absolute floor covers for these sizes).
 */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { runCase, type OpCase } from "./harness.js";

const { cases } = loadFixture<{ cases: OpCase[] }>("ops_matmul");

describe("matmul matches PyTorch", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => runCase(c));
});
