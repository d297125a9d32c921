/**
 * `SequentialLR`: hand the optimizer from one scheduler to the next at given milestones — the
 * way to write "warm up, then decay".
 *
 * Epochs before `milestones[0]` belong to `schedulers[0]`, epochs from `milestones[i−1]` to
 * `milestones[i]` to `schedulers[i]`. At its milestone a scheduler restarts at its own epoch 0
 * (`step(0)`: the closed form, from the groups' `initialLr`), then steps normally.
 *
 * Beyond PyTorch: a `ReduceLROnPlateau` may be one of the schedulers (warm-up, then
 * reduce-on-plateau is the common recipe). `step(metric)` passes the metric to it while it is
 * the active scheduler (the metric is ignored otherwise, and required then). At its milestone it
 * restarts too: the groups' lrs return to `initialLr`, its best metric and counters are
 * forgotten, and the metric of that step becomes its first observation (`step(metric, 0)`).
 * Milestones must be integers in increasing order.
 *
 * PyTorch parity: torch.optim.lr_scheduler.SequentialLR — construction resets the lrs to
 * `initialLr`, undoes the other schedulers' initial steps and redoes the first one's; the same
 * checks and messages, the same state-dict keys (`_schedulers`, `_milestones`, `last_epoch`,
 * `_last_lr`).
 *
 * @example
 *   const warmup = new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 *   const cosine = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 95 });
 *   const sched = new optim.lrScheduler.SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [5] });
 */
import { bisectRight, resetLrs, type SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { ReduceLROnPlateau, type Metric } from "./reduce_lr_on_plateau.js";
import { checkSchedulers, prepareComposite, readMetric, type Scheduler } from "./scheduler.js";
import { field, type SchedulerStateDict, type StateField } from "./state.js";
import { checkMilestones } from "./validate.js";

export interface SequentialLROptions {
  /** The schedulers, in order; all must drive `optimizer`. */
  schedulers: readonly Scheduler[];
  /** The epochs at which each next scheduler takes over (one fewer than the schedulers). */
  milestones: readonly number[];
  /** The index of the last epoch. Default −1 (start). */
  lastEpoch?: number;
  /** Unused, as in PyTorch. */
  verbose?: boolean;
}

export class SequentialLR extends LRScheduler {
  /** @internal The schedulers (torch's `_schedulers`). */
  _schedulers: Scheduler[];
  /** @internal The milestones (torch's `_milestones`). */
  _milestones: number[];

  constructor(optimizer: SchedulerOptimizer, options: SequentialLROptions) {
    const { schedulers, milestones, lastEpoch = -1, verbose = false } = options ?? ({} as SequentialLROptions);
    checkSchedulers("SequentialLR", schedulers);
    for (let i = 0; i < schedulers.length; i++) {
      if (schedulers[i]!.optimizer !== optimizer) {
        throw new RangeError(
          "Sequential Schedulers expects all schedulers to belong to the same optimizer, but " +
            `got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
      }
    }
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        "Sequential Schedulers expects number of schedulers provided to be one more " +
          "than the number of milestone points, but got number of schedulers " +
          `${schedulers.length} and the number of milestones to be equal to ${Array.isArray(milestones) ? milestones.length : milestones}`,
      );
    }
    checkMilestones("SequentialLR", milestones);
    super(optimizer, -1, verbose); // records initialLr where no scheduler has (ReduceLROnPlateau alone)
    this._schedulers = [...schedulers];
    this._milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;

    // Reset learning rates back to initial values, "undo" the step performed by the other
    // schedulers, and perform the initial step of the first one only.
    resetLrs(this.optimizer);
    for (const s of this._schedulers) s.lastEpoch -= 1;
    const first = this._schedulers[0]!;
    if (first instanceof ReduceLROnPlateau) {
      first._reset();
      first.lastEpoch = 0;
      first._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
    } else {
      first._initialStep();
    }
    this._lastLr = first.getLastLr();
  }

  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Advance one epoch: step the active scheduler (restarting it at its milestone). `metric` is
   * passed to an active ReduceLROnPlateau, and required then.
   */
  override step(metric?: Metric): void {
    const epoch = this.lastEpoch + 1;
    const idx = bisectRight(this._milestones, epoch);
    const scheduler = this._schedulers[idx]!;
    const value = readMetric(metric, scheduler._needsMetric());
    scheduler._stepWith(value, idx > 0 && this._milestones[idx - 1] === epoch);
    this.lastEpoch = epoch;
    this._lastLr = scheduler.getLastLr();
  }

  override _needsMetric(): boolean {
    return this._schedulers.some((s) => s._needsMetric());
  }

  override _stepWith(metric: number | undefined): void {
    this.step(metric);
  }

  protected override stateFields(): StateField[] {
    return [
      field("_milestones", "_milestones", "numbers"),
      field("last_epoch", "lastEpoch", "number"),
      field("_last_lr", "_lastLr", "numbers"),
    ];
  }

  /** The state, with each scheduler's own state dict under `_schedulers`. */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  override _prepareLoad(stateDict: SchedulerStateDict): () => void {
    return prepareComposite(this._schedulers, stateDict, super._prepareLoad(stateDict), "SequentialLR");
  }
}
