/**
 * `PolynomialLR`: decay the learning rate to 0 along a polynomial over `totalIters` epochs.
 *
 *   closed form   η_t = η_0 · (1 − min(T, t) / T)^p                  T = totalIters, p = power
 *   chainable     η_t = η_{t−1} · ((1 − t/T) / (1 − (t − 1)/T))^p    for 0 < t ≤ T;  η_{t−1} otherwise
 *
 * PyTorch parity: torch.optim.lr_scheduler.PolynomialLR (new in 1.13; defaults T = 5, p = 1).
 *
 * @example
 *   // 0.001, 0.00075, 0.0005, 0.00025, then 0 (base lr 0.001)
 *   const sched = new optim.lrScheduler.PolynomialLR(opt, { totalIters: 4, power: 1 });
 */
import { pyDiv, type SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkNumber } from "./validate.js";

export interface PolynomialLROptions {
  /** The number of epochs of the decay. Default 5. */
  totalIters?: number;
  /** The power of the polynomial. Default 1. */
  power?: number;
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(optimizer: SchedulerOptimizer, options: PolynomialLROptions = {}) {
    const { totalIters = 5, power = 1.0, lastEpoch = -1, verbose = false } = options;
    checkNumber("PolynomialLR", "totalIters", totalIters);
    checkNumber("PolynomialLR", "power", power);
    super(optimizer, lastEpoch, verbose);
    this.totalIters = totalIters;
    this.power = power;
    this._initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const t = this.lastEpoch;
    const T = this.totalIters;
    if (t === 0 || t > T) return groups.map((g) => g.lr);
    const decay = pyDiv(1.0 - t / T, 1.0 - (t - 1) / T) ** this.power;
    return groups.map((g) => g.lr * decay);
  }

  override getClosedFormLr(): number[] {
    const T = this.totalIters;
    const f = (1.0 - pyDiv(Math.min(T, this.lastEpoch), T)) ** this.power;
    return this.baseLrs.map((b) => b * f);
  }

  protected override stateFields(): StateField[] {
    return [field("total_iters", "totalIters", "number"), field("power", "power", "number"), ...super.stateFields()];
  }
}
