/**
 * `ChainedScheduler`: step several schedulers together, each acting on the lr the previous one
 * left — for chainable schedulers the factors multiply (ConstantLR(0.1) with ExponentialLR(0.9)
 * gives 0.09, 0.081, 0.729, …).
 *
 * Beyond PyTorch: a `ReduceLROnPlateau` may be in the chain; `step(metric)` passes the metric to
 * it (and requires one then), so a plateau cut composes with a warm-up or a decay.
 *
 * PyTorch parity: torch.optim.lr_scheduler.ChainedScheduler(schedulers): the same check and
 * message, `getLastLr()` from the groups after the last scheduler, and the state-dict keys
 * `_schedulers` and `_last_lr`. If a scheduler in the chain throws, the ones stepped before it
 * and the groups are put back, so nothing is half-applied.
 *
 * @example
 *   const sched = new optim.lrScheduler.ChainedScheduler([
 *     new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 }),
 *     new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 3 }),
 *   ]);
 *   sched.step(valLoss);
 */
import { groupRecord } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import type { Metric } from "./reduce_lr_on_plateau.js";
import { checkSchedulers, prepareComposite, readMetric, type Scheduler } from "./scheduler.js";
import { field, type SchedulerStateDict, type StateField } from "./state.js";

export class ChainedScheduler extends LRScheduler {
  /** @internal The schedulers (torch's `_schedulers`). */
  _schedulers: Scheduler[];

  constructor(schedulers: readonly Scheduler[]) {
    checkSchedulers("ChainedScheduler", schedulers);
    if (schedulers.length === 0) throw new RangeError("ChainedScheduler expects at least one scheduler");
    for (let i = 1; i < schedulers.length; i++) {
      if (schedulers[i]!.optimizer !== schedulers[0]!.optimizer) {
        throw new RangeError(
          "ChainedScheduler expects all schedulers to belong to the same optimizer, but " +
            `got schedulers at index 0 and ${i} to be different`,
        );
      }
    }
    super(schedulers[0]!.optimizer, -1, false);
    this._schedulers = [...schedulers];
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Step every scheduler in order; `metric` goes to the ReduceLROnPlateau ones. */
  override step(metric?: Metric): void {
    const value = readMetric(metric, this._needsMetric());
    const groups = this.optimizer.paramGroups;
    const savedGroups = groups.map((g) => ({ ...groupRecord(g) }));
    const savedStates = this._schedulers.map((s) => s.stateDict());
    try {
      for (const s of this._schedulers) s._stepWith(value, false);
    } catch (e) {
      groups.forEach((g, i) => Object.assign(groupRecord(g), savedGroups[i]));
      this._schedulers.forEach((s, i) => s.loadStateDict(savedStates[i]!));
      throw e;
    }
    this._lastLr = groups.map((g) => g.lr);
  }

  override _needsMetric(): boolean {
    return this._schedulers.some((s) => s._needsMetric());
  }

  override _stepWith(metric: number | undefined): void {
    this.step(metric);
  }

  protected override stateFields(): StateField[] {
    return [field("_last_lr", "_lastLr", "numbers")];
  }

  /** The state, with each scheduler's own state dict under `_schedulers`. */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  override _prepareLoad(stateDict: SchedulerStateDict): () => void {
    return prepareComposite(this._schedulers, stateDict, super._prepareLoad(stateDict), "ChainedScheduler");
  }
}
