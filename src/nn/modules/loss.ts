/**
 * Loss modules: thin classes over `nn.functional`'s losses, built with PyTorch's options
 * (`new nn.CrossEntropyLoss({ weight, ignoreIndex, labelSmoothing, reduction })`) and called with
 * `forward(input, target)`. The formulas are documented with the functions
 * (src/nn/functional/loss_*.ts, ctc.ts).
 *
 * PyTorch parity: like `_WeightedLoss`, a class weight is a buffer named `weight` (and
 * BCEWithLogitsLoss's positive weight a buffer named `pos_weight`), so `stateDict()` has PyTorch's keys.
 */
import { Module } from "../module.js";
import type { Tensor } from "../../tensor/tensor.js";
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, multilabelSoftMarginLoss, nllLoss, softMarginLoss,
  type BCELossOptions, type BCEWithLogitsLossOptions, type CrossEntropyLossOptions, type MultiLabelSoftMarginLossOptions,
  type NLLLossOptions, type SoftMarginLossOptions,
} from "../functional/loss_classification.js";
import {
  gaussianNllLoss, huberLoss, klDiv, l1Loss, mseLoss, poissonNllLoss, smoothL1Loss,
  type GaussianNLLLossOptions, type HuberLossOptions, type KLDivOptions, type L1LossOptions, type MSELossOptions,
  type PoissonNLLLossOptions, type SmoothL1LossOptions,
} from "../functional/loss_regression.js";
import {
  cosineEmbeddingLoss, hingeEmbeddingLoss, marginRankingLoss, multilabelMarginLoss, multiMarginLoss, tripletMarginLoss,
  tripletMarginWithDistanceLoss,
  type CosineEmbeddingLossOptions, type HingeEmbeddingLossOptions, type MarginRankingLossOptions,
  type MultiLabelMarginLossOptions, type MultiMarginLossOptions, type TripletMarginLossOptions,
  type TripletMarginWithDistanceLossOptions,
} from "../functional/loss_margin.js";
import { ctcLoss, type CTCLossOptions } from "../functional/ctc.js";
import { reductionOf, type Reduction } from "../functional/loss_common.js";

/** Base of the loss modules: holds `reduction` (validated at construction). */
abstract class Loss extends Module {
  reduction: Reduction;
  constructor(reduction: string | undefined) {
    super();
    this.reduction = reductionOf({ reduction }) as Reduction;
  }
}

/** A loss with an optional per-class `weight` buffer (PyTorch's `_WeightedLoss`). */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(weight: Tensor | null | undefined, reduction: string | undefined) {
    super(reduction);
    this.registerBuffer("weight", weight ?? null);
  }
}

export class L1Loss extends Loss {
  constructor(options: L1LossOptions = {}) {
    super(options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

export class MSELoss extends Loss {
  constructor(options: MSELossOptions = {}) {
    super(options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Loss {
  beta: number;
  constructor(options: SmoothL1LossOptions = {}) {
    super(options.reduction);
    this.beta = options.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Loss {
  delta: number;
  constructor(options: HuberLossOptions = {}) {
    super(options.reduction);
    this.delta = options.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export class BCELoss extends WeightedLoss {
  constructor(options: BCELossOptions = {}) {
    super(options.weight, options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends WeightedLoss {
  declare pos_weight: Tensor | null;
  constructor(options: BCEWithLogitsLossOptions = {}) {
    super(options.weight, options.reduction);
    this.registerBuffer("pos_weight", options.posWeight ?? null);
  }
  /** The positive-class weight (PyTorch's `pos_weight` buffer). */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}

export class NLLLoss extends WeightedLoss {
  ignoreIndex: number;
  constructor(options: NLLLossOptions = {}) {
    super(options.weight, options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  ignoreIndex: number;
  labelSmoothing: number;
  constructor(options: CrossEntropyLossOptions = {}) {
    super(options.weight, options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing, reduction: this.reduction,
    });
  }
}

export class KLDivLoss extends Module {
  reduction: Reduction | "batchmean";
  logTarget: boolean;
  constructor(options: KLDivOptions = {}) {
    super();
    this.reduction = reductionOf(options, ["mean", "batchmean", "sum", "none"]) as Reduction | "batchmean";
    this.logTarget = options.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

export class PoissonNLLLoss extends Loss {
  logInput: boolean;
  full: boolean;
  eps: number;
  constructor(options: PoissonNLLLossOptions = {}) {
    super(options.reduction);
    this.logInput = options.logInput ?? true;
    this.full = options.full ?? false;
    this.eps = options.eps ?? 1e-8;
  }
  forward(logInput: Tensor, target: Tensor): Tensor {
    return poissonNllLoss(logInput, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

export class GaussianNLLLoss extends Loss {
  full: boolean;
  eps: number;
  constructor(options: GaussianNLLLossOptions = {}) {
    super(options.reduction);
    this.full = options.full ?? false;
    this.eps = options.eps ?? 1e-6;
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

export class MarginRankingLoss extends Loss {
  margin: number;
  constructor(options: MarginRankingLossOptions = {}) {
    super(options.reduction);
    this.margin = options.margin ?? 0;
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

export class HingeEmbeddingLoss extends Loss {
  margin: number;
  constructor(options: HingeEmbeddingLossOptions = {}) {
    super(options.reduction);
    this.margin = options.margin ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

export class SoftMarginLoss extends Loss {
  constructor(options: SoftMarginLossOptions = {}) {
    super(options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return softMarginLoss(input, target, { reduction: this.reduction });
  }
}

export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(options: MultiLabelSoftMarginLossOptions = {}) {
    super(options.weight, options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class MultiLabelMarginLoss extends Loss {
  constructor(options: MultiLabelMarginLossOptions = {}) {
    super(options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return multilabelMarginLoss(input, target, { reduction: this.reduction });
  }
}

export class MultiMarginLoss extends WeightedLoss {
  p: number;
  margin: number;
  constructor(options: MultiMarginLossOptions = {}) {
    super(options.weight, options.reduction);
    this.p = options.p ?? 1;
    this.margin = options.margin ?? 1;
    if (this.p !== 1 && this.p !== 2) throw new RangeError("only p == 1 and p == 2 supported");
    if (options.weight && options.weight.ndim !== 1) throw new RangeError("weight must either be undefined or 1D");
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction });
  }
}

export class CosineEmbeddingLoss extends Loss {
  margin: number;
  constructor(options: CosineEmbeddingLossOptions = {}) {
    super(options.reduction);
    this.margin = options.margin ?? 0;
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

export class TripletMarginLoss extends Loss {
  margin: number;
  p: number;
  eps: number;
  swap: boolean;
  constructor(options: TripletMarginLossOptions = {}) {
    super(options.reduction);
    this.margin = options.margin ?? 1;
    this.p = options.p ?? 2;
    this.eps = options.eps ?? 1e-6;
    this.swap = options.swap ?? false;
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMarginLoss(anchor, positive, negative, {
      margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction,
    });
  }
}

export class TripletMarginWithDistanceLoss extends Loss {
  distanceFunction: ((x1: Tensor, x2: Tensor) => Tensor) | null;
  margin: number;
  swap: boolean;
  constructor(options: TripletMarginWithDistanceLossOptions = {}) {
    super(options.reduction);
    this.distanceFunction = options.distanceFunction ?? null;
    this.margin = options.margin ?? 1;
    this.swap = options.swap ?? false;
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMarginWithDistanceLoss(anchor, positive, negative, {
      distanceFunction: this.distanceFunction, margin: this.margin, swap: this.swap, reduction: this.reduction,
    });
  }
}

export class CTCLoss extends Loss {
  blank: number;
  zeroInfinity: boolean;
  constructor(options: CTCLossOptions = {}) {
    super(options.reduction);
    this.blank = options.blank ?? 0;
    this.zeroInfinity = options.zeroInfinity ?? false;
  }
  forward(
    logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[], targetLengths: Tensor | readonly number[],
  ): Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, {
      blank: this.blank, reduction: this.reduction, zeroInfinity: this.zeroInfinity,
    });
  }
}
