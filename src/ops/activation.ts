/**
 * Activation functions with their PyTorch gradients: relu, leakyRelu, elu, gelu (exact and
 * tanh-approximate), sigmoid, tanh, silu, softplus, logsigmoid, hardtanh.
 */
import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { DEFAULT_DTYPE, isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { empty } from "./helpers.js";
import { add, div, exp, ge, gt, le, logicalOr, mul, neg, pow, sub, where } from "./elementwise.js";
import { noGrad } from "../autograd/grad_mode.js";

function apply(op: UnaryOp, x: Tensor, p0 = 0, p1 = 0): Tensor {
  const out = empty(x.shape, isFloating(x.dtype) ? x.dtype : DEFAULT_DTYPE);
  backend().unary(op, x, out, p0, p1);
  return out;
}

function fusedBackward(op: BinaryOp, g: Tensor, saved: Tensor): Tensor {
  const out = empty(g.shape, g.dtype);
  backend().binary(op, g, saved, out);
  return out;
}

export function relu(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  backend().unary("relu", x, out);
  return record(out, "ReluBackward0", [x], (g) => [fusedBackward("reluBackward", g, out)], [out]);
}

export function sigmoid(x: Tensor): Tensor {
  const out = apply("sigmoid", x);
  return record(out, "SigmoidBackward0", [x], (g) => [fusedBackward("sigmoidBackward", g, out)], [out]);
}

export function tanh(x: Tensor): Tensor {
  const out = apply("tanh", x);
  return record(out, "TanhBackward0", [x], (g) => [fusedBackward("tanhBackward", g, out)], [out]);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const out = apply("leakyRelu", x, negativeSlope);
  return record(out, "LeakyReluBackward0", [x], (g) => [where(gt(x, 0), g, mul(g, negativeSlope))], [x]);
}

export function elu(x: Tensor, alpha = 1): Tensor {
  const out = apply("elu", x, alpha);
  // d/dx = out + alpha for x <= 0, else 1 (so a NaN input passes g through, like PyTorch's scalar kernel)
  return record(out, "EluBackward0", [x], (g) => [where(le(x, 0), mul(g, add(out, alpha)), g)], [x, out]);
}

export type GeluApproximate = "none" | "tanh";

export function gelu(x: Tensor, approximate: GeluApproximate = "none"): Tensor {
  if (approximate === "none") {
    const out = apply("gelu", x);
    return record(out, "GeluBackward0", [x], (g) => [fusedBackward("geluBackward", g, x)], [x]);
  }
  if (approximate !== "tanh") throw new RangeError(`approximate argument must be either none or tanh. Got: ${String(approximate)}`);
  // 0.5·x·(1 + tanh(β·(x + κ·x³))), β = √(2/π), κ = 0.044715; the backward is PyTorch's
  // gelu_backward: g·(½(1 + t) + ½x·(1 − t²)·β·(1 + 3κx²)) with t = tanh(β·(x + κx³))
  const beta = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
  const kappa = 0.044715;
  const out = noGrad(() => mul(mul(x, 0.5), add(tanh(mul(add(x, mul(pow(x, 3), kappa)), beta)), 1)));
  return record(
    out,
    "GeluBackward0",
    [x],
    (g) => {
      const xSq = mul(x, x);
      const t = tanh(mul(add(x, mul(mul(xSq, x), kappa)), beta));
      const left = mul(add(t, 1), 0.5);
      const right = mul(mul(mul(x, 0.5), sub(1, mul(t, t))), mul(add(mul(xSq, 3 * kappa), 1), beta));
      return [mul(g, add(left, right))];
    },
    [x],
  );
}

/** x·σ(x), computed as x / (1 + e⁻ˣ) like PyTorch's kernel; backward g·σ(x)·(1 + x·(1 − σ(x))). */
export function silu(x: Tensor): Tensor {
  const out = noGrad(() => div(x, add(exp(neg(x)), 1)));
  return record(
    out,
    "SiluBackward0",
    [x],
    (g) => {
      const s = sigmoid(x);
      return [mul(g, mul(s, add(mul(x, sub(1, s)), 1)))];
    },
    [x],
  );
}

export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const out = apply("softplus", x, beta, threshold);
  // d/dx = σ(βx) below the threshold, 1 above
  return record(
    out,
    "SoftplusBackward0",
    [x],
    (g) => {
      const z = exp(mul(x, beta));
      return [where(gt(mul(x, beta), threshold), g, mul(g, div(z, add(z, 1))))];
    },
    [x],
  );
}

export function logsigmoid(x: Tensor): Tensor {
  const out = apply("logsigmoid", x);
  return record(out, "LogSigmoidBackward0", [x], (g) => [fusedBackward("logsigmoidBackward", g, x)], [x]);
}

export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  const out = apply("clamp", x, minVal, maxVal);
  return record(
    out,
    "HardtanhBackward0",
    [x],
    // zero at and beyond the bounds; a NaN input passes g through, like PyTorch's scalar kernel
    (g) => [where(logicalOr(le(x, minVal), ge(x, maxVal)), 0, g)],
    [x],
  );
}

export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

