/**
 * `ExponentialLR`: multiply the learning rate by `gamma` every epoch.
 *
 *   closed form   η_t = η_0 · γ^t
 *   chainable     η_t = γ · η_{t−1}   (t > 0)
 *
 * PyTorch parity: torch.optim.lr_scheduler.ExponentialLR (`gamma` is required). Beyond PyTorch:
 * `gamma` ≤ 0 is rejected.
 *
 * @example
 *   const sched = new optim.lrScheduler.ExponentialLR(opt, { gamma: 0.95 });
 */
import type { SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkGamma } from "./validate.js";

export interface ExponentialLROptions {
  /** Multiplicative factor of the decay, applied every epoch. */
  gamma: number;
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulerOptimizer, options: ExponentialLROptions) {
    const { gamma, lastEpoch = -1, verbose = false } = options ?? ({} as ExponentialLROptions);
    checkGamma("ExponentialLR", gamma);
    super(optimizer, lastEpoch, verbose);
    this.gamma = gamma;
    this._initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  override getClosedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected override stateFields(): StateField[] {
    return [field("gamma", "gamma", "number"), ...super.stateFields()];
  }
}
