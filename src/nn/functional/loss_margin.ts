/**
 * Margin (hinge) losses: zero once the right answer wins by at least a margin, linear (or
 * quadratic) in the shortfall otherwise. Minimising them separates scores or embeddings rather
 * than modelling probabilities, as a support-vector machine does.
 *
 * - `marginRankingLoss`: ℓ = max(0, −y·(x₁ − x₂) + margin), y = ±1 says which of x₁, x₂ should rank higher.
 * - `hingeEmbeddingLoss`: ℓ = x for y = 1, max(0, margin − x) for y = −1 (x usually a distance).
 * - `multiMarginLoss`: ℓₙ = (1/C)·Σ_{i≠t} w_t·max(0, margin − x_t + x_i)^p (p = 1 or 2), the
 *   multi-class SVM (Weston–Watkins) loss on scores x and class index t.
 * - `multilabelMarginLoss`: ℓₙ = (1/C)·Σ_{j ∈ targets} Σ_{i ∉ targets} max(0, 1 − (x_j − x_i)), the
 *   targets listed as class indices ended by −1.
 * - `cosineEmbeddingLoss`: ℓ = 1 − cos(x₁, x₂) for y = 1, max(0, cos(x₁, x₂) − margin) for y = −1.
 * - `tripletMarginLoss`: ℓ = max(0, d(a, p) − d(a, n) + margin) with d the p-norm distance
 *   ‖a − p + ε‖ₚ (FaceNet); `swap` uses min(d(a, n), d(p, n)) (Balntas et al., 2016).
 * - `tripletMarginWithDistanceLoss`: the same with any distance function.
 *
 * PyTorch parity: at the hinge (shortfall exactly 0) the gradient is PyTorch's — 0 for the
 * multi-class losses (their kernels test z > 0), the clamp's pass-through for the others;
 * the cosine uses ‖x‖² + 1e−12 in its denominator; the pairwise distance adds ε to the
 * difference before the norm.
 */
import { noGrad } from "../../autograd/grad_mode.js";
import { backend } from "../../backend/registry.js";
import { arange } from "../../tensor/creation.js";
import { fmtShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { empty } from "../../ops/helpers.js";
import { add, clamp, div, eq, logicalAnd, logicalNot, minimum, mul, ne, neg, sqrt, sub, where } from "../../ops/elementwise.js";
import { relu } from "../../ops/activation.js";
import { amax, amin, norm, sum } from "../../ops/reduce.js";
import { reshape, unsqueeze } from "../../ops/movement.js";
import { gather, indexSelect } from "../../ops/indexing.js";
import {
  applyReduction, checkIndexTarget, checkTensor, reductionOf, type ReductionOptions, type WeightOptions,
} from "./loss_common.js";

export interface MarginRankingLossOptions extends ReductionOptions {
  /** Default 0. */
  margin?: number;
}
export interface HingeEmbeddingLossOptions extends ReductionOptions {
  /** Default 1. */
  margin?: number;
}
export interface MultiMarginLossOptions extends ReductionOptions, WeightOptions {
  /** 1 (default) or 2. */
  p?: number;
  /** Default 1. */
  margin?: number;
}
export type MultiLabelMarginLossOptions = ReductionOptions;
export interface CosineEmbeddingLossOptions extends ReductionOptions {
  /** Default 0 (−1 to 1; 0 to 0.5 suggested). */
  margin?: number;
}
export interface TripletMarginLossOptions extends ReductionOptions {
  /** Default 1. */
  margin?: number;
  /** The norm degree of the distance (default 2). */
  p?: number;
  /** Added to the difference before the norm (default 1e-6). */
  eps?: number;
  /** Use the distance swap (default false). */
  swap?: boolean;
}
export interface TripletMarginWithDistanceLossOptions extends ReductionOptions {
  /** (x₁, x₂) → distances; default `pairwiseDistance` with p = 2. */
  distanceFunction?: ((x1: Tensor, x2: Tensor) => Tensor) | null;
  /** Default 1, must be positive. */
  margin?: number;
  /** Default false. */
  swap?: boolean;
}

/** ‖x₁ − x₂ + ε‖ₚ over the last dim, like `torch.nn.functional.pairwise_distance`. */
export function pairwiseDistanceForLoss(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6, keepdim = false): Tensor {
  const outDim = Math.max(x1.ndim, x2.ndim);
  return norm(add(sub(x1, x2), eps), p, outDim - 1, keepdim);
}

/** max(0, −y·(x₁ − x₂) + margin). */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: MarginRankingLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input1, "margin_ranking_loss", "input1");
  checkTensor(input2, "margin_ranking_loss", "input2");
  checkTensor(target, "margin_ranking_loss", "target");
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim)
    throw new RangeError(
      `margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${fmtShape(input1.shape)}, input2: ${fmtShape(input2.shape)}, target: ${fmtShape(target.shape)} `,
    );
  const out = clamp(add(mul(neg(target), sub(input1, input2)), options.margin ?? 0), 0, null);
  return applyReduction(out, reduction);
}

/** x where y = 1, max(0, margin − x) where y = −1. */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, options: HingeEmbeddingLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "hinge_embedding_loss", "input");
  checkTensor(target, "hinge_embedding_loss", "target");
  const marginClamp = clamp(sub(options.margin ?? 1, input), 0, null);
  const outMargin = where(ne(target, 1), marginClamp, 0);
  const outSelf = where(ne(target, -1), input, 0);
  return applyReduction(add(outMargin, outSelf), reduction);
}

/** Multi-class hinge loss (1/C)·Σ_{i≠t} w_t·max(0, margin − x_t + x_i)^p. */
export function multiMarginLoss(input: Tensor, target: Tensor, options: MultiMarginLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "multi_margin_loss", "input");
  checkTensor(target, "multi_margin_loss", "target");
  const p = options.p ?? 1;
  const margin = options.margin ?? 1;
  const weight = options.weight ?? null;
  if (p !== 1 && p !== 2) throw new RangeError("only p == 1 and p == 2 supported");
  if (weight && weight.ndim > 1) throw new RangeError("weight must either be undefined or 1D");
  const nd = input.ndim;
  if (!((nd === 2 && input.shape[1] !== 0) || (nd === 1 && input.shape[0] !== 0) || nd === 0))
    throw new RangeError(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${fmtShape(input.shape)}`);
  const N = nd <= 1 ? 1 : input.shape[0]!;
  const C = nd === 0 ? 1 : input.shape[nd - 1]!;
  if (!(target.ndim <= 1 && target.numel() === N))
    throw new RangeError(`inconsistent target size, got: ${fmtShape(target.shape)}`);
  checkIndexTarget(target);
  const t = reshape(target, [N, 1]);
  if (noGrad(() => amin(t).item() < 0 || amax(t).item() >= C)) throw new RangeError("target out of range");
  const x = reshape(input, [N, C]);
  const xt = gather(x, 1, t);
  const z = relu(add(sub(margin, xt), x));
  let h = p === 1 ? z : mul(z, z);
  if (weight) h = mul(h, reshape(indexSelect(weight, 0, reshape(t, [N])), [N, 1]));
  h = where(eq(arange(0, C, 1, { dtype: "int32" }), t), 0, h);
  const perSample = div(sum(h, 1), C);
  // PyTorch: the unreduced loss has shape (N) unless the target is 0-d
  if (reduction === "none") return target.ndim === 0 ? reshape(perSample, []) : perSample;
  return applyReduction(perSample, reduction);
}

/** (1/C)·Σ_{j ∈ targets} Σ_{i ∉ targets} max(0, 1 − (x_j − x_i)); targets end at the first −1. */
export function multilabelMarginLoss(input: Tensor, target: Tensor, options: MultiLabelMarginLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input, "multilabel_margin_loss", "input");
  checkTensor(target, "multilabel_margin_loss", "target");
  const nd = input.ndim;
  const validInputs = (nd === 2 && input.shape[1] !== 0) || (nd === 1 && input.shape[0] !== 0) || nd === 0;
  if (!validInputs)
    throw new RangeError(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${fmtShape(input.shape)}`);
  const N = nd <= 1 ? 1 : input.shape[0]!;
  const C = nd === 0 ? 1 : input.shape[nd - 1]!;
  const ok =
    nd <= 1
      ? target.ndim <= 1 && target.numel() === C
      : target.ndim === 2 && target.shape[0] === N && target.shape[1] === C;
  if (!ok) throw new RangeError(`inconsistent size ${fmtShape(target.shape)} for argument #2 'target'`);
  checkIndexTarget(target);
  const t = reshape(target, [N, C]);
  const isTarget = empty([N, C], "bool");
  const valid = empty([N, C], "bool");
  backend().multilabelMarginMask(t, isTarget.storage, valid.storage);
  const x = reshape(input, [N, C]);
  const xt = gather(x, 1, where(valid, t, 0)); // [N, Cj]
  const z = relu(add(sub(1, unsqueeze(xt, 2)), unsqueeze(x, 1))); // [N, Cj, Ci]
  const mask = logicalAnd(unsqueeze(valid, 2), unsqueeze(logicalNot(isTarget), 1));
  const perSample = div(sum(where(mask, z, 0), [1, 2]), C);
  if (reduction === "none") return nd <= 1 ? reshape(perSample, []) : perSample;
  return applyReduction(perSample, reduction);
}

/** 1 − cos(x₁, x₂) for y = 1, max(0, cos(x₁, x₂) − margin) for y = −1. */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: CosineEmbeddingLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(input1, "cosine_embedding_loss", "input1");
  checkTensor(input2, "cosine_embedding_loss", "input2");
  checkTensor(target, "cosine_embedding_loss", "target");
  const td = target.ndim;
  if (td !== 1 && td !== 0) throw new RangeError("0D or 1D target tensor expected, multi-target not supported");
  if (td === 1) {
    if (input1.ndim !== 2 || input2.ndim !== 2)
      throw new RangeError(
        `1D target tensor expects 2D input tensors, but found inputs with sizes ${fmtShape(input1.shape)} and ${fmtShape(input2.shape)}.`,
      );
  } else if (input1.ndim !== 1 || input2.ndim !== 1)
    throw new RangeError(
      `0D target tensor expects 1D input tensors, but found inputs with sizes ${fmtShape(input1.shape)} and ${fmtShape(input2.shape)}.`,
    );
  const EPSILON = 1e-12;
  const prodSum = sum(mul(input1, input2), td);
  const mag1 = add(sum(mul(input1, input1), td), EPSILON);
  const mag2 = add(sum(mul(input2, input2), td), EPSILON);
  const cos = div(prodSum, sqrt(mul(mag1, mag2)));
  const pos = sub(1, cos);
  const negPart = clamp(sub(cos, options.margin ?? 0), 0, null);
  const out = add(where(eq(target, 1), pos, 0), where(eq(target, -1), negPart, 0));
  return applyReduction(out, reduction);
}

function checkTripletDims(a: Tensor, p: Tensor, n: Tensor): void {
  if (!(a.ndim === p.ndim && p.ndim === n.ndim))
    throw new RangeError(`All inputs should have same dimension but got ${a.ndim}D, ${p.ndim}D and ${n.ndim}D inputs.`);
}

/** max(0, ‖a − p‖ₚ − ‖a − n‖ₚ + margin). */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginLossOptions = {}): Tensor {
  const reduction = reductionOf(options);
  checkTensor(anchor, "triplet_margin_loss", "anchor");
  checkTensor(positive, "triplet_margin_loss", "positive");
  checkTensor(negative, "triplet_margin_loss", "negative");
  checkTripletDims(anchor, positive, negative);
  const p = options.p ?? 2;
  const eps = options.eps ?? 1e-6;
  const dPos = pairwiseDistanceForLoss(anchor, positive, p, eps);
  let dNeg = pairwiseDistanceForLoss(anchor, negative, p, eps);
  if (options.swap) dNeg = minimum(dNeg, pairwiseDistanceForLoss(positive, negative, p, eps));
  return applyReduction(clamp(sub(add(dPos, options.margin ?? 1), dNeg), 0, null), reduction);
}

/**
 * max(0, d(a, p) − d(a, n) + margin) with a user-supplied distance d.
 * PyTorch parity (1.13): neither the margin's sign nor the inputs' dims are checked here.
 */
export function tripletMarginWithDistanceLoss(
  anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginWithDistanceLossOptions = {},
): Tensor {
  const reduction = reductionOf(options);
  const margin = options.margin ?? 1;
  checkTensor(anchor, "triplet_margin_with_distance_loss", "anchor");
  checkTensor(positive, "triplet_margin_with_distance_loss", "positive");
  checkTensor(negative, "triplet_margin_with_distance_loss", "negative");
  const d = options.distanceFunction ?? ((x1: Tensor, x2: Tensor) => pairwiseDistanceForLoss(x1, x2));
  const dPos = d(anchor, positive);
  let dNeg = d(anchor, negative);
  if (options.swap) dNeg = minimum(dNeg, d(positive, negative));
  return applyReduction(clamp(add(sub(dPos, dNeg), margin), 0, null), reduction);
}
