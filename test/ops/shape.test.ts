/**
 * Shape, join and indexing ops vs PyTorch 1.13.1 (fixtures from scripts/fixtures/ops_shape.py):
 * reshape/view/flatten/transpose/t/permute/squeeze/unsqueeze/expand/contiguous/clone/narrow/select/
 * slice/split/chunk/unbind/to, cat/stack, gather/indexSelect/scatterAdd/indexAdd/maskedFill, on
 * contiguous and non-contiguous inputs. Outputs and gradients of Σ (out · w).sum() (summed over every
 * output for split/chunk/unbind). Default tolerances: float64 relative 1e-10, float32 relative 1e-5.
 */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { runCase, type OpCase } from "./harness.js";

const { cases } = loadFixture<{ cases: OpCase[] }>("ops_shape");

describe("shape, join and indexing ops match PyTorch", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => runCase(c));
});
