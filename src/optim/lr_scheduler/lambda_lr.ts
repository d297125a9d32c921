/**
 * `LambdaLR`: set the learning rate to the initial lr times a function of the epoch.
 *
 *   η_t = η_0 · λ(t)
 *
 * with one function for all groups or one per group.
 *
 * PyTorch parity: torch.optim.lr_scheduler.LambdaLR (`lr_lambda` → `lrLambda`, a function or a
 * list of one per group, with torch's message when the count is wrong). As in torch, the state
 * dict holds `lr_lambdas: [null, …]`: functions are not state, and the scheduler keeps the ones
 * it was built with when a state dict is loaded.
 *
 * @example
 *   const sched = new optim.lrScheduler.LambdaLR(opt, { lrLambda: [(e) => Math.floor(e / 30), (e) => 0.95 ** e] });
 */
import { checkOptimizer, pyRepr, type SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import type { SchedulerStateDict } from "./state.js";

/** A multiplicative factor as a function of the epoch. */
export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions {
  /** The factor as a function of the epoch, or one such function per parameter group. */
  lrLambda: LrLambda | readonly LrLambda[];
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

/** One function per group from `lrLambda` (shared by LambdaLR and MultiplicativeLR). */
export function lrLambdas(owner: string, optimizer: SchedulerOptimizer, lrLambda: unknown): LrLambda[] {
  const n = checkOptimizer(optimizer).paramGroups.length;
  if (Array.isArray(lrLambda)) {
    if (lrLambda.length !== n) throw new RangeError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
    if (!lrLambda.every((f) => typeof f === "function")) {
      throw new TypeError(`${owner}: expected lrLambda to be functions, but got ${pyRepr(lrLambda.map((f) => typeof f))}`);
    }
    return [...(lrLambda as LrLambda[])];
  }
  if (typeof lrLambda !== "function") {
    throw new TypeError(`${owner}: expected lrLambda to be a function or a list of functions, but got ${pyRepr(lrLambda)}`);
  }
  return new Array<LrLambda>(n).fill(lrLambda as LrLambda);
}

export class LambdaLR extends LRScheduler {
  /** The functions, one per group. */
  lrLambdas: LrLambda[];

  constructor(optimizer: SchedulerOptimizer, options: LambdaLROptions) {
    const { lrLambda, lastEpoch = -1, verbose = false } = options ?? ({} as LambdaLROptions);
    const fns = lrLambdas("LambdaLR", optimizer, lrLambda);
    super(optimizer, lastEpoch, verbose);
    this.lrLambdas = fns;
    this._initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}
