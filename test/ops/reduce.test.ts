/**
 * Reductions vs PyTorch 1.13.1 (fixtures from scripts/fixtures/ops_reduce.py): sum, mean, prod
 * (with zeros), var/std (correction), norm (p = 0, 0.5, 1, 2, 3, ±inf), max/min (with indices and
 * ties), amax/amin, argmax/argmin, all/any and logsumexp, over all dims, one dim, several dims and
 * keepdim, on contiguous and non-contiguous inputs. Outputs and gradients of Σ (out · w).sum().
 * Default tolerances: float64 relative 1e-10, float32 relative 1e-5.
 */
import { describe, it } from "vitest";
import type { Tolerance } from "../helpers/compare.js";
import { loadFixture } from "../helpers/fixtures.js";
import { runCase, type OpCase } from "./harness.js";

const { cases } = loadFixture<{ cases: OpCase[] }>("ops_reduce");

/** Output tolerances that deviate from the default, with the reason. */
const TOL: Record<string, Tolerance> = {};

describe("reductions match PyTorch", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (name, c) => runCase(c, TOL[name] ?? {}));
});
