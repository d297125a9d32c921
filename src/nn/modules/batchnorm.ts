/**
 * `nn.BatchNorm1d` and `nn.BatchNorm2d` (Ioffe & Szegedy 2015):
 *
 *   y = (x − E[x]) / √(Var[x] + eps) · γ + β      per channel (dim 1)
 *
 * In training the statistics are the batch's (biased variance to normalise) and, with
 * `trackRunningStats`, `running_mean`/`running_var` move by
 * r ← (1 − momentum)·r + momentum·stat (unbiased variance), `num_batches_tracked` counts the
 * batches, and momentum null means a cumulative average (factor 1/num_batches_tracked). In
 * evaluation the running statistics normalise (batch statistics when not tracked).
 *
 * PyTorch parity: state-dict keys are PyTorch's (`weight`, `bias`, `running_mean`, `running_var`,
 * `num_batches_tracked`, the last an int32 scalar here, int64 in PyTorch); the input checks and
 * messages are PyTorch's. Unlike PyTorch, a rejected input leaves `num_batches_tracked` untouched.
 */
import type { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { zeros, ones, fromTypedArray } from "../../tensor/creation.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { ones_, zeros_ } from "../init.js";
import { batchNorm } from "../functional/layers.js";
import { fmtShape } from "../../tensor/shape.js";
import { pyBool, pyFloat } from "./repr.js";

export interface BatchNormModuleOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-average factor (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn γ and β (default true). */
  affine?: boolean;
  /** Keep running statistics (default true). */
  trackRunningStats?: boolean;
  /** Parameter and buffer dtype (default float32). */
  dtype?: FloatDType;
}

abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  running_mean: Tensor | null = null;
  running_var: Tensor | null = null;
  num_batches_tracked: Tensor | null = null;

  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 0)
      throw new RangeError(`num_features must be a non-negative integer, but got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const dtype = options.dtype ?? "float32";
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", fromTypedArray(new Int32Array(1), []));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
    this.resetParameters();
  }

  /** `running_mean` (camelCase alias). */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** `running_var` (camelCase alias). */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** `num_batches_tracked` (camelCase alias). */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Zero the running mean and batch count, set the running variance to 1. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      ones_(this.weight!);
      zeros_(this.bias!);
    }
  }

  protected abstract checkInputDim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    const C = input.shape[1]!;
    let count = 1;
    input.shape.forEach((d, i) => {
      if (i !== 1) count *= d;
    });
    // checked here as well as in batchNorm so that nothing (num_batches_tracked) changes on bad input
    if (this.training && count === 1)
      throw new RangeError(
        `Expected more than 1 value per channel when training, got input size torch.Size(${fmtShape(input.shape)})`,
      );
    if (C !== this.numFeatures) {
      const what = this.trackRunningStats ? "running_mean" : this.affine ? "weight" : null;
      if (what !== null) throw new RangeError(`${what} should contain ${C} elements not ${this.numFeatures}`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      const n = this.num_batches_tracked!;
      noGrad(() => n.add_(1));
      factor = this.momentum === null ? 1 / n.item() : this.momentum;
    }
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const track = !this.training || this.trackRunningStats;
    return batchNorm(input, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? "None" : pyFloat(this.momentum);
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyBool(this.affine)}, ` +
      `track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }
}

/** Batch normalisation over (N, C) or (N, C, L) inputs. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

/** Batch normalisation over (N, C, H, W) inputs. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new RangeError(`expected 4D input (got ${input.ndim}D input)`);
  }
}
