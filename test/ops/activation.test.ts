/**
 * Activations and softmax vs PyTorch 1.13.1 (fixtures from scripts/fixtures/ops_activation.py):
 * relu, sigmoid, tanh, gelu (exact and tanh), leakyRelu, elu, softplus, logsigmoid, silu, hardtanh,
 * relu6, softmax and logSoftmax (every dim, ±1e4 logits, -inf entries), including the kinks, NaN and
 * ±inf, on contiguous and transposed inputs. Outputs and gradients of Σ (out · w).sum().
 * Default tolerances: float64 relative 1e-10, float32 relative 1e-5.
 */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { runCase, type OpCase } from "./harness.js";

const { cases } = loadFixture<{ cases: OpCase[] }>("ops_activation");

describe("activations and softmax match PyTorch", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => runCase(c));
});
