/**
 * `StepLR`: multiply the learning rate by `gamma` every `stepSize` epochs.
 *
 *   closed form   η_t = η_0 · γ^⌊t / stepSize⌋
 *   chainable     η_t = γ · η_{t−1}  when t > 0 and t mod stepSize = 0,  η_{t−1} otherwise
 *
 * PyTorch parity: torch.optim.lr_scheduler.StepLR (defaults `gamma` 0.1, `lastEpoch` −1). Beyond
 * PyTorch: a `stepSize` that is not a positive integer and a `gamma` ≤ 0 are rejected (torch
 * accepts them and divides by zero, or flips the sign of the lr, later).
 *
 * @example
 *   const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 *   for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 */
import type { SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkGamma, checkPositiveInt } from "./validate.js";

export interface StepLROptions {
  /** Period of the decay, in epochs (a positive integer). */
  stepSize: number;
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulerOptimizer, options: StepLROptions) {
    const { stepSize, gamma = 0.1, lastEpoch = -1, verbose = false } = options ?? ({} as StepLROptions);
    checkPositiveInt("StepLR", "stepSize", stepSize);
    checkGamma("StepLR", gamma);
    super(optimizer, lastEpoch, verbose);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this._initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  override getClosedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override stateFields(): StateField[] {
    return [field("step_size", "stepSize", "number"), field("gamma", "gamma", "number"), ...super.stateFields()];
  }
}

