/**
 * Regression and distribution losses: the output layer is linear (identity activation) and the
 * loss measures how far the prediction x lies from the target y.
 *
 * - `mseLoss`: ℓ = (x − y)². Mean squared error, the negative log-likelihood of a Gaussian with
 *   fixed variance; minimising it pulls x towards the conditional mean of y. Its gradient
 *   2(x − y) shrinks as x approaches y.
 * - `l1Loss`: ℓ = |x − y|. Pulls x towards the conditional median; gradient ±1 (0 at x = y).
 * - `smoothL1Loss` (β): ℓ = ½(x − y)²/β for |x − y| < β, |x − y| − ½β otherwise (Fast R-CNN):
 *   quadratic near the target, linear (robust to outliers) far from it.
 * - `huberLoss` (δ): ℓ = ½(x − y)² for |x − y| < δ, δ(|x − y| − ½δ) otherwise (= δ·smoothL1 with β = δ).
 * - `poissonNllLoss`: ℓ = eˣ − y·x (logInput) or x − y·log(x + ε), the negative log-likelihood of
 *   a Poisson count y with rate eˣ (or x); `full` adds Stirling's y·log y − y + ½log(2πy) for y > 1.
 * - `gaussianNllLoss`: ℓ = ½(log max(σ², ε) + (x − y)²/max(σ², ε)) (+ ½log 2π when `full`),
 *   the negative log-likelihood of y under N(x, σ²) with a predicted variance.
 * - `klDiv`: ℓ = y·(log y − x) (x holds log-probabilities; y probabilities, or log-probabilities
 *   with `logTarget`), the Kullback–Leibler divergence KL(y ‖ eˣ) pointwise.
 *
 * PyTorch parity: differently shaped input and target broadcast (PyTorch warns); the gradients at
 * the kinks (|x − y| = β or δ, x = y) are PyTorch's; `klDiv`'s `"mean"` averages over every
 * element (PyTorch's warning recommends `"batchmean"`, which divides the sum by the batch size);
 * `gaussianNllLoss`'s clamp of the variance passes the gradient through unchanged, as PyTorch's
 * `no_grad` clamp does.
 */
import { noGrad } from "../../autograd/grad_mode.js";
import type { Tensor } from "../../tensor/tensor.js";
import { abs, add, exp, le, log, lt, mul, pow, sub, where } from "../../ops/elementwise.js";
import { any, sum } from "../../ops/reduce.js";
import { unsqueeze } from "../../ops/movement.js";
import { div } from "../../ops/elementwise.js";
import {
  applyReduction, broadcastPair, checkTensor, clampMinStraightThrough, reductionOf, xlogy,
  type Reduction, type ReductionOptions,
} from "./loss_common.js";

export type MSELossOptions = ReductionOptions;
export type L1LossOptions = ReductionOptions;

export interface SmoothL1LossOptions extends ReductionOptions {
  /** Where the loss changes from quadratic to linear (default 1; 0 gives the L1 loss). */
  beta?: number;
}

export interface HuberLossOptions extends ReductionOptions {
  /** Where the loss changes from quadratic to linear (default 1, must be positive). */
  delta?: number;
}

export interface KLDivOptions {
  /** `"mean"` (default), `"batchmean"` (sum / batch size, the true KL divergence), `"sum"` or `"none"`. */
  reduction?: Reduction | "batchmean";
  /** The target holds log-probabilities (default false). */
  logTarget?: boolean;
}

export interface PoissonNLLLossOptions extends ReductionOptions {
  /** The input is the log of the rate (default true). */
  logInput?: boolean;
  /** Add the Stirling approximation term (default false). */
  full?: boolean;
  /** Added to the rate before its log when `logInput` is false (default 1e-8). */
  eps?: number;
}

export interface GaussianNLLLossOptions extends ReductionOptions {
  /** Add the constant ½log 2π (default false). */
  full?: boolean;
  /** Lower clamp of the variance (default 1e-6). */
  eps?: number;
}

function pair(fn: string, input: Tensor, target: Tensor): [Tensor, Tensor] {
  checkTensor(input, fn, "input");
  checkTensor(target, fn, "target");
  const shape = broadcastPair(input.shape, target.shape);
  const same = (t: Tensor): boolean => t.ndim === shape.length && t.shape.every((s, i) => s === shape[i]);
  return [same(input) ? input : input.expand(shape), same(target) ? target : target.expand(shape)];
}

/** Mean squared error: (x − y)², reduced. */
export function mseLoss(input: Tensor, target: Tensor, options: MSELossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const [x, y] = pair("mse_loss", input, target);
  return applyReduction(pow(sub(x, y), 2), reduction);
}

/** Mean absolute error: |x − y|, reduced. */
export function l1Loss(input: Tensor, target: Tensor, options: L1LossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const [x, y] = pair("l1_loss", input, target);
  return applyReduction(abs(sub(x, y)), reduction);
}

/** ½(x − y)²/β where |x − y| < β, else |x − y| − ½β. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const beta = options.beta ?? 1;
  if (beta < 0) throw new RangeError("smooth_l1_loss does not support negative values for beta.");
  const [x, y] = pair("smooth_l1_loss", input, target);
  const d = sub(x, y);
  if (beta === 0) return applyReduction(abs(d), reduction);
  const z = abs(d);
  const quad = div(mul(mul(d, 0.5), d), beta);
  return applyReduction(where(lt(z, beta), quad, sub(z, 0.5 * beta)), reduction);
}

/** ½(x − y)² where |x − y| < δ, else δ(|x − y| − ½δ). */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new RangeError("huber_loss does not support non-positive values for delta.");
  const [x, y] = pair("huber_loss", input, target);
  const d = sub(x, y);
  const z = abs(d);
  const quad = mul(mul(d, 0.5), d);
  return applyReduction(where(lt(z, delta), quad, mul(sub(z, 0.5 * delta), delta)), reduction);
}

/** Kullback–Leibler divergence y·(log y − x) with x = log-probabilities. */
export function klDiv(input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor {
  const reduction = reductionOf(options, ["mean", "batchmean", "sum", "none"]);
  checkTensor(input, "kl_div", "input");
  checkTensor(target, "kl_div", "target");
  const out = options.logTarget ? mul(exp(target), sub(target, input)) : sub(xlogy(target, target), mul(target, input));
  if (reduction === "batchmean") {
    const s = sum(out);
    return input.ndim !== 0 ? div(s, input.shape[0]!) : s;
  }
  return applyReduction(out, reduction);
}

/** Poisson negative log-likelihood: eˣ − y·x (or x − y·log(x + ε)), plus Stirling's term when `full`. */
export function poissonNllLoss(input: Tensor, target: Tensor, options: PoissonNLLLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "poisson_nll_loss", "input");
  checkTensor(target, "poisson_nll_loss", "target");
  const logInput = options.logInput ?? true;
  const eps = options.eps ?? 1e-8;
  let loss = logInput ? sub(exp(input), mul(target, input)) : sub(input, mul(target, log(add(input, eps))));
  if (options.full) {
    const stirling = add(sub(mul(target, log(target)), target), mul(log(mul(target, 2 * Math.PI)), 0.5));
    loss = add(loss, where(le(target, 1), 0, stirling));
  }
  return applyReduction(loss, reduction);
}

/** Gaussian negative log-likelihood ½(log σ² + (x − y)²/σ²) with σ² clamped below at ε. */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, options: GaussianNLLLossOptions = {}): Tensor {
  checkTensor(input, "gaussian_nll_loss", "input");
  checkTensor(target, "gaussian_nll_loss", "target");
  checkTensor(variance, "gaussian_nll_loss", "var");
  const eps = options.eps ?? 1e-6;
  let v = variance;
  const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
  if (!sameShape(v.shape, input.shape)) {
    if (sameShape(input.shape.slice(0, -1), v.shape)) v = unsqueeze(v, -1);
    else if (v.ndim > 0 && sameShape(input.shape.slice(0, -1), v.shape.slice(0, -1)) && v.shape[v.ndim - 1] === 1) {
      // homoscedastic with a trailing 1: broadcasts as it is
    } else throw new RangeError("var is of incorrect size");
  }
  const r = options.reduction ?? "mean";
  if (r !== "none" && r !== "mean" && r !== "sum") throw new RangeError(`${String(r)} is not valid`);
  if (noGrad(() => any(lt(v, 0)).item()) !== 0) throw new RangeError("var has negative entry/entries");
  const vc = clampMinStraightThrough(v, eps);
  let loss = mul(add(log(vc), div(pow(sub(input, target), 2), vc)), 0.5);
  if (options.full) loss = add(loss, 0.5 * Math.log(2 * Math.PI));
  return applyReduction(loss, r);
}
