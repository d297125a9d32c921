/**
 * `MultiplicativeLR`: multiply the learning rate by a function of the epoch at every step.
 *
 *   η_0 = η,   η_t = η_{t−1} · λ(t)   (t > 0)
 *
 * PyTorch parity: torch.optim.lr_scheduler.MultiplicativeLR (`lr_lambda` → `lrLambda`, a function
 * or one per group); the state dict holds `lr_lambdas: [null, …]` like torch's.
 *
 * @example
 *   const sched = new optim.lrScheduler.MultiplicativeLR(opt, { lrLambda: () => 0.95 });
 */
import type { SchedulerOptimizer } from "./internal.js";
import { lrLambdas, type LrLambda } from "./lambda_lr.js";
import { LRScheduler } from "./lr_scheduler.js";
import type { SchedulerStateDict } from "./state.js";

export interface MultiplicativeLROptions {
  /** The factor applied at epoch t, or one such function per parameter group. */
  lrLambda: LrLambda | readonly LrLambda[];
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class MultiplicativeLR extends LRScheduler {
  /** The functions, one per group. */
  lrLambdas: LrLambda[];

  constructor(optimizer: SchedulerOptimizer, options: MultiplicativeLROptions) {
    const { lrLambda, lastEpoch = -1, verbose = false } = options ?? ({} as MultiplicativeLROptions);
    const fns = lrLambdas("MultiplicativeLR", optimizer, lrLambda);
    super(optimizer, lastEpoch, verbose);
    this.lrLambdas = fns;
    this._initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch > 0) return groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
    return groups.map((g) => g.lr);
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}
