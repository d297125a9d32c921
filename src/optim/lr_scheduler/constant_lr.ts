/**
 * `ConstantLR`: scale the learning rate by a constant `factor` for the first `totalIters` epochs,
 * then restore it.
 *
 *   closed form   η_t = η_0 · (factor + [t ≥ totalIters] · (1 − factor))
 *   chainable     η_0 = factor · η;  η_t = η_{t−1} / factor at t = totalIters;  η_{t−1} otherwise
 *
 * PyTorch parity: torch.optim.lr_scheduler.ConstantLR (defaults `factor` 1/3, `totalIters` 5);
 * `factor` outside [0, 1] is rejected with torch's message; with `factor` 0, reaching
 * `totalIters` raises Python's "float division by zero" like torch.
 *
 * @example
 *   // lr = 0.025 for epochs 0..3, 0.05 from epoch 4 on (base lr 0.05)
 *   const sched = new optim.lrScheduler.ConstantLR(opt, { factor: 0.5, totalIters: 4 });
 */
import { pyDiv, type SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkNumber } from "./validate.js";

export interface ConstantLROptions {
  /** The factor applied until `totalIters`, in [0, 1]. Default 1/3. */
  factor?: number;
  /** The number of epochs the factor applies. Default 5. */
  totalIters?: number;
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: SchedulerOptimizer, options: ConstantLROptions = {}) {
    const { factor = 1.0 / 3, totalIters = 5, lastEpoch = -1, verbose = false } = options;
    checkNumber("ConstantLR", "factor", factor);
    checkNumber("ConstantLR", "totalIters", totalIters);
    if (factor > 1.0 || factor < 0) {
      throw new RangeError("Constant multiplicative factor expected to be between 0 and 1.");
    }
    super(optimizer, lastEpoch, verbose);
    this.factor = factor;
    this.totalIters = totalIters;
    this._initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    const inv = pyDiv(1.0, this.factor);
    return groups.map((g) => g.lr * inv);
  }

  override getClosedFormLr(): number[] {
    const after = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((b) => b * (this.factor + after * (1 - this.factor)));
  }

  protected override stateFields(): StateField[] {
    return [field("factor", "factor", "number"), field("total_iters", "totalIters", "number"), ...super.stateFields()];
  }
}
