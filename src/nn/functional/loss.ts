/**
 * Every loss of `torch.nn.functional`, in functional form: `nn.functional.NAME(input, target, options?)`.
 * The definitions live by family: loss_regression.ts (MSE, L1, smooth L1, Huber, KL, Poisson,
 * Gaussian), loss_classification.ts (BCE, BCE with logits, cross-entropy, NLL, soft margin,
 * multi-label soft margin), loss_margin.ts (ranking, hinge, multi-class and multi-label margin,
 * cosine embedding, triplet) and ctc.ts (CTC). Each file states its formulas.
 */
export type { Reduction, ReductionOptions, WeightOptions } from "./loss_common.js";
export * from "./loss_regression.js";
export * from "./loss_classification.js";
export {
  marginRankingLoss, hingeEmbeddingLoss, multiMarginLoss, multilabelMarginLoss, cosineEmbeddingLoss,
  tripletMarginLoss, tripletMarginWithDistanceLoss,
} from "./loss_margin.js";
export type {
  MarginRankingLossOptions, HingeEmbeddingLossOptions, MultiMarginLossOptions, MultiLabelMarginLossOptions,
  CosineEmbeddingLossOptions, TripletMarginLossOptions, TripletMarginWithDistanceLossOptions,
} from "./loss_margin.js";
export { ctcLoss } from "./ctc.js";
export type { CTCLossOptions } from "./ctc.js";
