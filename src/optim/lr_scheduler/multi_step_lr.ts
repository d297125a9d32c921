/**
 * `MultiStepLR`: multiply the learning rate by `gamma` each time the epoch reaches a milestone.
 *
 *   closed form   η_t = η_0 · γ^(number of milestones ≤ t)
 *   chainable     η_t = η_{t−1} · γ^(times t appears in milestones)
 *
 * PyTorch parity: torch.optim.lr_scheduler.MultiStepLR; milestones are kept as torch's `Counter`
 * (in the state dict: `{ "30": 1, "80": 1 }`), so a milestone listed twice decays twice. Beyond
 * PyTorch: milestones must be integers in increasing order ("Must be increasing", say torch's
 * docs, without checking) and `gamma` must be > 0.
 *
 * @example
 *   // lr = 0.05 for epochs < 30, 0.005 for 30 ≤ epoch < 80, 0.0005 after
 *   const sched = new optim.lrScheduler.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 */
import { bisectRight, type SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkGamma, checkMilestones } from "./validate.js";

export interface MultiStepLROptions {
  /** Epoch indices, increasing. */
  milestones: readonly number[];
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class MultiStepLR extends LRScheduler {
  /** How many times each milestone was given (torch's `Counter`), keyed by the epoch. */
  milestones: { [epoch: string]: number };
  gamma: number;

  constructor(optimizer: SchedulerOptimizer, options: MultiStepLROptions) {
    const { milestones, gamma = 0.1, lastEpoch = -1, verbose = false } = options ?? ({} as MultiStepLROptions);
    checkMilestones("MultiStepLR", milestones);
    checkGamma("MultiStepLR", gamma);
    super(optimizer, lastEpoch, verbose);
    const counts: { [epoch: string]: number } = {};
    for (const m of milestones) counts[String(m)] = (counts[String(m)] ?? 0) + 1;
    this.milestones = counts;
    this.gamma = gamma;
    this._initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count = this.milestones[String(this.lastEpoch)];
    if (count === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  override getClosedFormLr(): number[] {
    const sorted: number[] = [];
    for (const [m, c] of Object.entries(this.milestones)) for (let i = 0; i < c; i++) sorted.push(Number(m));
    sorted.sort((a, b) => a - b);
    const k = bisectRight(sorted, this.lastEpoch);
    return this.baseLrs.map((b) => b * this.gamma ** k);
  }

  protected override stateFields(): StateField[] {
    return [field("milestones", "milestones", "counter"), field("gamma", "gamma", "number"), ...super.stateFields()];
  }
}
