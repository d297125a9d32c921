/**
 * `LinearLR`: scale the learning rate by a factor that moves linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs, then stays (the usual warm-up).
 *
 *   closed form   η_t = η_0 · (s + (e − s) · min(T, t) / T)        s = startFactor, e = endFactor, T = totalIters
 *   chainable     η_0 = s · η;  η_t = η_{t−1} · (1 + (e − s) / (T·s + (t − 1)·(e − s)))  for 0 < t ≤ T
 *
 * PyTorch parity: torch.optim.lr_scheduler.LinearLR (defaults s = 1/3, e = 1, T = 5); factors
 * outside [0, 1] are rejected with torch's messages. With `startFactor` 0 the chainable form
 * divides by zero at the first step, and raises Python's "float division by zero" like torch 1.13.
 *
 * @example
 *   // warm-up: 0.025, 0.03125, 0.0375, 0.04375, then 0.05 (base lr 0.05)
 *   const sched = new optim.lrScheduler.LinearLR(opt, { startFactor: 0.5, totalIters: 4 });
 */
import { pyDiv, type SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkNumber } from "./validate.js";

export interface LinearLROptions {
  /** The factor at epoch 0, in [0, 1]. Default 1/3. */
  startFactor?: number;
  /** The factor from `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** The number of epochs of the linear change. Default 5. */
  totalIters?: number;
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: SchedulerOptimizer, options: LinearLROptions = {}) {
    const { startFactor = 1.0 / 3, endFactor = 1.0, totalIters = 5, lastEpoch = -1, verbose = false } = options;
    checkNumber("LinearLR", "startFactor", startFactor);
    checkNumber("LinearLR", "endFactor", endFactor);
    checkNumber("LinearLR", "totalIters", totalIters);
    if (startFactor > 1.0 || startFactor < 0) {
      throw new RangeError("Starting multiplicative factor expected to be between 0 and 1.");
    }
    if (endFactor > 1.0 || endFactor < 0) {
      throw new RangeError("Ending multiplicative factor expected to be between 0 and 1.");
    }
    super(optimizer, lastEpoch, verbose);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this._initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const d = this.endFactor - this.startFactor;
    const ratio = 1 + pyDiv(d, this.totalIters * this.startFactor + (this.lastEpoch - 1) * d);
    return groups.map((g) => g.lr * ratio);
  }

  override getClosedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    const frac = pyDiv(d * Math.min(this.totalIters, this.lastEpoch), this.totalIters);
    return this.baseLrs.map((b) => b * (this.startFactor + frac));
  }

  protected override stateFields(): StateField[] {
    return [
      field("start_factor", "startFactor", "number"),
      field("end_factor", "endFactor", "number"),
      field("total_iters", "totalIters", "number"),
      ...super.stateFields(),
    ];
  }
}
