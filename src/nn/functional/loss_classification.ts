/**
 * Classification losses: the negative log-likelihood of the true class under the model's
 * predicted distribution. Minimising it raises the probability given to the right answer.
 *
 * - `binaryCrossEntropy`: for a sigmoid output p ∈ [0, 1] and a label y ∈ {0, 1} (or a soft label),
 *   ℓ = −w·(y·log p + (1 − y)·log(1 − p)). Minimising it pushes p up where y = 1 and down where
 *   y = 0; it pairs with the sigmoid because then ∂ℓ/∂logit = p − y, a gradient that does not
 *   vanish when the prediction is confidently wrong (MSE on a sigmoid would).
 *   PyTorch parity: each log is clamped at −100, so p = 0 or 1 gives finite values; the input
 *   gradient is w·(p − y)/max(p(1 − p), 1e−12); the target gradient is −w·logit(p); inputs outside
 *   [0, 1] are rejected, and so are targets outside [0, 1] (PyTorch 1.13 does not check targets and
 *   returns a meaningless loss for them; descent refuses them with the same wording).
 * - `binaryCrossEntropyWithLogits`: the same on the logit x (p = σ(x)), computed stably as
 *   (1 − y)·x + l·(log(e^−m + e^(−x−m)) + m), m = max(−x, 0), l = 1 + (posWeight − 1)·y; finite at
 *   x = ±1e4. `posWeight` (per class, broadcast along the last dim) weighs the positive term to
 *   trade recall against precision.
 * - `crossEntropy`: for logits x over C classes, the softmax pₖ = e^xₖ / Σⱼ e^xⱼ and a class index t
 *   (a one-hot label), ℓ = −w_t·log p_t = −w_t·(x_t − log Σⱼ e^xⱼ): log-softmax followed by NLL,
 *   never forming p, so logits of ±1e4 stay finite. ∂ℓ/∂x = w_t·(p − onehot(t)). Targets may also
 *   be class probabilities q (same shape as x): ℓ = −Σₖ wₖ·qₖ·log pₖ. `labelSmoothing` ε mixes the
 *   target with the uniform distribution: q = (1 − ε)·onehot + ε/C.
 * - `nllLoss`: ℓ = −w_t·x_t for log-probabilities x (the output of logSoftmax).
 * - `softMarginLoss`: ℓ = log(1 + e^(−y·x)) for labels y = ±1 (logistic loss).
 * - `multilabelSoftMarginLoss`: per-class binary cross-entropy on logits, averaged over the C classes:
 *   ℓₙ = −(1/C)·Σ_c w_c·(y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)).
 *
 * `weight`, `ignoreIndex`, `reduction` follow PyTorch: a weighted mean divides by the sum of the
 * weights of the targets used; ignored targets contribute neither loss, gradient nor weight; a
 * mean over only ignored targets is NaN (0/0) with a zero gradient. Class indices are int32 tensors
 * (descent's int32 plays torch's int64: errors say int32 where torch says Long).
 * Inputs are (C), (N, C) or (N, C, d1, …, dk) with targets (), (N) or (N, d1, …, dk).
 */
import { record } from "../../autograd/node.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { backend } from "../../backend/registry.js";
import { broadcastShapes, fmtShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { empty, scalarTensor } from "../../ops/helpers.js";
import { add, clamp, div, eq, exp, gt, log, log1p, lt, mul, neg, sub, where, logicalOr, maximum } from "../../ops/elementwise.js";
import { logsigmoid, sigmoid } from "../../ops/activation.js";
import { logSoftmax } from "../../ops/softmax.js";
import { any, sum } from "../../ops/reduce.js";
import { contiguous, expand, reshape, view } from "../../ops/movement.js";
import { indexSelect } from "../../ops/indexing.js";
import {
  applyReduction, checkFloat, checkIndexTarget, checkNotDifferentiable, checkTensor, reductionOf,
  sameShapeOrThrow, type ReductionOptions, type WeightOptions,
} from "./loss_common.js";


export interface BCELossOptions extends ReductionOptions, WeightOptions {}

export interface BCEWithLogitsLossOptions extends ReductionOptions, WeightOptions {
  /** Weight of the positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

export interface NLLLossOptions extends ReductionOptions, WeightOptions {
  /** A target value that is ignored (no loss, no gradient, no weight); default −100. */
  ignoreIndex?: number;
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** Mix the target with the uniform distribution: (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}
/** Alias in the naming. */
export type CrossEntropyOptions = CrossEntropyLossOptions;

export type SoftMarginLossOptions = ReductionOptions;
export interface MultiLabelSoftMarginLossOptions extends ReductionOptions, WeightOptions {}

// ---- binary cross-entropy ---------------------------------------------------------------------

function expandWeight(weight: Tensor, target: Tensor): Tensor {
  // PyTorch: weight.expand(_infer_size(target.size(), weight.size()))
  return expand(weight, broadcastShapes(target.shape, weight.shape));
}

/** PyTorch's `EPSILON` of the BCE backward, a float constant (1e-12 rounded to float32). */
const BCE_EPSILON = Math.fround(1e-12);

/** −w·(y·log p + (1 − y)·log(1 − p)), logs clamped at −100. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCELossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "binary_cross_entropy", "input");
  checkTensor(target, "binary_cross_entropy", "target");
  sameShapeOrThrow(input, target, (t, i) =>
    `Using a target size (${t}) that is different to the input size (${i}) is deprecated. Please ensure they have the same size.`,
  );
  const weight = options.weight ? expandWeight(options.weight, target) : null;
  const n = input.numel();
  const x = input.detach();
  const y = target.detach();
  const out = noGrad(() => {
    if (any(logicalOr(lt(x, 0), gt(x, 1))).item() !== 0) throw new RangeError("all elements of input should be between 0 and 1");
    // Beyond PyTorch 1.13 (which computes a meaningless loss): a BCE target is a probability.
    if (any(logicalOr(lt(y, 0), gt(y, 1))).item() !== 0) throw new RangeError("all elements of target should be between 0 and 1");
    const logX = clamp(log(x), -100, null);
    const log1mX = clamp(log1p(neg(x)), -100, null);
    let l = sub(mul(sub(y, 1), log1mX), mul(y, logX));
    if (weight) l = mul(l, weight);
    return applyReduction(l, reduction);
  });
  return record(
    out,
    "BinaryCrossEntropyBackward0",
    [input, target],
    (g) => {
      return noGrad(() => {
        let gg = reduction === "none" ? g : expand(reduction === "mean" ? div(g, n) : g, input.shape);
        if (weight) gg = mul(gg, weight);
        const gx = input.requiresGrad ? div(mul(gg, sub(x, y)), maximum(mul(sub(1, x), x), scalarTensor(BCE_EPSILON, x.dtype))) : null;
        const gt = target.requiresGrad ? mul(neg(log(div(x, sub(1, x)))), gg) : null;
        return [gx, gt];
      });
    },
    [input, target],
  );
}

/** Binary cross-entropy on logits, stably: (1 − y)·x + l·(log(e^−m + e^(−x−m)) + m). */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "binary_cross_entropy_with_logits", "input");
  checkTensor(target, "binary_cross_entropy_with_logits", "target");
  sameShapeOrThrow(input, target, (t, i) => `Target size (${t}) must be the same as input size (${i})`);
  const weight = options.weight ?? null;
  const posWeight = options.posWeight ?? null;
  const x = input.detach();
  const y = target.detach();
  const n = input.numel();
  const out = noGrad(() => {
    const m = clamp(neg(x), 0, null);
    const lse = add(log(add(exp(neg(m)), exp(sub(neg(x), m)))), m);
    let l: Tensor;
    if (posWeight) {
      const logWeight = add(mul(sub(posWeight, 1), y), 1);
      l = add(mul(sub(1, y), x), mul(logWeight, lse));
    } else {
      l = add(add(mul(sub(1, y), x), m), log(add(exp(neg(m)), exp(sub(neg(x), m)))));
    }
    if (weight) l = mul(l, weight);
    return applyReduction(l, reduction);
  });
  return record(
    out,
    "BinaryCrossEntropyWithLogitsBackward0",
    [input, target],
    (g) =>
      noGrad(() => {
        const gg = reduction === "none" ? g : expand(g, input.shape);
        let gx: Tensor | null = null;
        let gt: Tensor | null = null;
        if (input.requiresGrad) {
          if (posWeight) {
            const t = mul(posWeight, y);
            gx = mul(sub(mul(sub(add(t, 1), y), sigmoid(x)), t), gg);
          } else gx = mul(sub(sigmoid(x), y), gg);
          if (weight) gx = mul(gx, weight);
          if (reduction === "mean") gx = div(gx, n);
        }
        if (target.requiresGrad) {
          if (posWeight) gt = mul(sub(logsigmoid(neg(x)), mul(logsigmoid(x), posWeight)), gg);
          else gt = mul(neg(x), gg);
          if (weight) gt = mul(gt, weight);
          if (reduction === "mean") gt = div(gt, n);
        }
        return [gx, gt];
      }),
    [input, target],
  );
}

// ---- negative log-likelihood and cross-entropy ------------------------------------------------

/** A view of `t` with dims [from, to) merged into one (a contiguous copy when they cannot merge). */
function mergeDims(t: Tensor, from: number, shape: readonly number[]): Tensor {
  void from;
  try {
    return view(t, shape);
  } catch {
    return reshape(contiguous(t), shape);
  }
}

interface NllLayout {
  x3: Tensor; // [N, C, K]
  t2: Tensor; // [N, K]
  outShape: number[]; // shape of the unreduced loss
}

/** PyTorch's `nll_loss_nd` checks and the [N, C, K] / [N, K] views of input and target. */
function nllLayout(input: Tensor, target: Tensor, weight: Tensor | null): NllLayout {
  if (input.ndim < 1) throw new RangeError(`Expected 1 or more dimensions (got ${input.ndim})`);
  if (input.ndim !== 1 && input.shape[0] !== target.shape[0])
    throw new RangeError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  const x = input.detach();
  const t = target.detach();
  let x3: Tensor;
  let t2: Tensor;
  let outShape: number[];
  if (input.ndim <= 2) {
    if (target.ndim > 1) throw new RangeError("0D or 1D target tensor expected, multi-target not supported");
    const noBatch = input.ndim === 1 && target.ndim === 0;
    if (!noBatch && input.shape[0] !== target.shape[0])
      throw new RangeError(`size mismatch (got input: ${fmtShape(input.shape)}, target: ${fmtShape(target.shape)})`);
    const C = input.shape[input.ndim - 1]!;
    const N = input.ndim === 1 ? 1 : input.shape[0]!;
    x3 = (input.ndim === 1 ? x.unsqueeze(0) : x).unsqueeze(2);
    void C;
    t2 = reshape(t, [N, 1]);
    outShape = input.ndim === 1 ? [] : [N];
  } else {
    const N = input.shape[0]!;
    const C = input.shape[1]!;
    const spatial = input.shape.slice(2);
    if (input.ndim === 4) {
      if (target.ndim !== 3)
        throw new RangeError(`only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.ndim}`);
      if (target.shape[1] !== input.shape[2] || target.shape[2] !== input.shape[3])
        throw new RangeError(`size mismatch (got input: ${fmtShape(input.shape)} , target: ${fmtShape(target.shape)}`);
    } else if (target.ndim !== input.ndim - 1 || target.shape.slice(1).some((s, i) => s !== spatial[i]))
      throw new RangeError(`Expected target size ${fmtShape([N, ...spatial])}, got ${fmtShape(target.shape)}`);
    let K = 1;
    for (const s of spatial) K *= s;
    x3 = mergeDims(x, 2, [N, C, K]);
    t2 = mergeDims(t, 1, [N, K]);
    outShape = [N, ...spatial];
  }
  const C = x3.shape[1]!;
  if (weight && (weight.ndim !== 1 || weight.numel() !== C))
    throw new RangeError(
      `weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`,
    );
  checkIndexTarget(target);
  return { x3, t2, outShape };
}

/**
 * The NLL node (fused with log-softmax when `fused`): one backend pass forward, one backward.
 * Returns the reduced loss (mean: Σ loss / Σ w) or the unreduced one.
 */
function nllCore(input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: string, fused: boolean): Tensor {
  const { x3, t2, outShape } = nllLayout(input, target, weight);
  const [N, C, K] = x3.shape as [number, number, number];
  const per = empty([N * K], input.dtype);
  const lse = fused ? backend().alloc("float64", N * K) : null;
  const w = weight ? weight.detach() : null;
  const total = backend().nllLoss(x3, t2, w, ignoreIndex, per.storage, lse);
  let out: Tensor;
  let scale = 1;
  if (reduction === "none") out = view(per, outShape);
  else {
    const s = sum(per);
    if (reduction === "sum") out = s;
    else {
      out = div(s, scalarTensor(total, input.dtype));
      scale = 1 / (input.dtype === "float32" ? Math.fround(total) : total);
    }
  }
  return record(
    out,
    "NllLossBackward0",
    [input],
    (g) => {
      const gx = empty(input.shape, g.dtype);
      const gOut = reduction === "none" ? reshape(contiguous(g), [N, K]) : expand(reshape(g, [1, 1]), [N, K]);
      backend().nllLossBackward(x3, t2, w, ignoreIndex, gOut, scale, lse, gx.storage);
      return [gx];
    },
    // the backward reads the input again: an in-place change to it before backward is an error
    // (stricter than PyTorch for the fused form, whose saved tensor is the log-softmax)
    [input],
  );
}

/** −w_t·x_t over log-probabilities x, with PyTorch's weight / ignoreIndex / reduction rules. */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "nll_loss", "input");
  checkTensor(target, "nll_loss", "target");
  checkFloat(input, "nll_loss", "input");
  return nllCore(input, target, options.weight ?? null, options.ignoreIndex ?? -100, reduction, false);
}

/** Softmax cross-entropy over the class dim (1, or 0 for a 1-D input), from logits. */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "cross_entropy", "input");
  checkTensor(target, "cross_entropy", "target");
  checkFloat(input, "cross_entropy", "input");
  const weight = options.weight ?? null;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const ls = options.labelSmoothing ?? 0;
  const classDim = input.ndim === 1 ? 0 : 1;
  const sameShape = input.ndim === target.ndim && input.shape.every((s, i) => s === target.shape[i]);
  if (sameShape) {
    if (target.dtype !== "float32" && target.dtype !== "float64")
      throw new TypeError(`Expected floating point type for target with class probabilities, got ${target.dtype}`);
    if (ignoreIndex >= 0) throw new RangeError("ignore_index is not supported for floating point target");
    if (!(ls >= 0 && ls <= 1)) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
    return crossEntropyProbs(input, target, weight, reduction, ls, classDim);
  }
  if (ls > 0) {
    if (ls > 1) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
    return crossEntropySmoothed(input, target, weight, ignoreIndex, reduction, ls, classDim);
  }
  return nllCore(input, target, weight, ignoreIndex, reduction, true);
}

function classWeightView(weight: Tensor, ndim: number, classDim: number): Tensor {
  const shape = new Array<number>(ndim).fill(1);
  shape[classDim] = weight.shape[0]!;
  return view(weight, shape);
}

function crossEntropyProbs(input: Tensor, target: Tensor, weight: Tensor | null, reduction: string, ls: number, classDim: number): Tensor {
  const C = input.shape[classDim]!;
  if (weight && (weight.ndim !== 1 || weight.numel() !== C))
    throw new RangeError(
      `cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`,
    );
  const lsm = logSoftmax(input, classDim);
  const q = ls > 0 ? add(mul(target, 1 - ls), ls / C) : target;
  let prod = mul(lsm, q);
  if (weight) prod = mul(prod, classWeightView(weight, input.ndim, classDim));
  if (reduction === "mean") {
    if (input.numel() === 0) return mul(neg(sum(prod)), NaN);
    return div(neg(sum(prod)), input.numel() / C);
  }
  if (reduction === "sum") return neg(sum(prod));
  return neg(sum(prod, classDim));
}

function crossEntropySmoothed(
  input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: string, ls: number, classDim: number,
): Tensor {
  const lsm = logSoftmax(input, classDim);
  const nll = nllCore(lsm, target, weight, ignoreIndex, reduction, false);
  const C = lsm.shape[classDim]!;
  let smooth = weight ? neg(sum(mul(lsm, classWeightView(weight, input.ndim, classDim)), classDim)) : neg(sum(lsm, classDim));
  const ignore = eq(target, ignoreIndex);
  smooth = where(ignore, 0, smooth);
  let ret: Tensor;
  if (reduction === "mean") {
    if (weight) {
      const safe = where(ignore, scalarTensor(0, "int32"), target);
      const picked = indexSelect(weight.detach(), 0, reshape(safe, [-1]));
      ret = div(sum(smooth), sum(where(reshape(ignore, [-1]), 0, picked)));
    } else ret = div(sum(smooth), sum(where(ignore, 0, scalarTensor(1, input.dtype))));
  } else if (reduction === "sum") ret = sum(smooth);
  else ret = smooth;
  return add(mul(nll, 1 - ls), mul(ret, ls / C));
}

// ---- margin-style logistic losses -------------------------------------------------------------

/** log(1 + e^(−y·x)) for y = ±1. */
export function softMarginLoss(input: Tensor, target: Tensor, options: SoftMarginLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "soft_margin_loss", "input");
  checkTensor(target, "soft_margin_loss", "target");
  checkNotDifferentiable(target, "soft_margin_loss", "target");
  return applyReduction(log1p(exp(mul(neg(input), target))), reduction);
}

/** −(1/C)·Σ_c w_c·(y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)) per sample. */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, options: MultiLabelSoftMarginLossOptions = {}): Tensor {
  const r = options.reduction ?? "mean";
  checkTensor(input, "multilabel_soft_margin_loss", "input");
  checkTensor(target, "multilabel_soft_margin_loss", "target");
  let loss = neg(add(mul(target, logsigmoid(input)), mul(sub(1, target), logsigmoid(neg(input)))));
  if (options.weight) loss = mul(loss, options.weight);
  const classDim = input.ndim - 1;
  const C = input.shape[classDim]!;
  loss = div(sum(loss, classDim), C);
  if (r === "none") return loss;
  if (r === "mean") return loss.mean();
  if (r === "sum") return sum(loss);
  throw new RangeError(`${String(r)} is not valid`);
}
