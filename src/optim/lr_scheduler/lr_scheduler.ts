/**
 * `LRScheduler`: the base of the epoch-driven learning-rate schedulers (torch's `_LRScheduler`).
 *
 * A scheduler counts steps in `lastEpoch` and, at each `step()`, sets every parameter group's
 * `lr` to `getLr()`, its *chainable* form: most schedulers compute the next lr from the group's
 * current lr (η_t = f(η_{t−1}, t)), so several schedulers can act on one optimizer and changes
 * made to `lr` from outside carry on. `step(epoch)` (deprecated in PyTorch, still used by
 * `SequentialLR` to restart a scheduler at epoch 0) jumps to `epoch` and uses the closed form
 * η_t = f(η_0, t) when the scheduler has one (`getClosedFormLr()`).
 *
 * Construction stores each group's starting lr as `initialLr` (when `lastEpoch` is −1, keeping
 * one that is already there) and takes `baseLrs` from them, then makes the initial step, so the
 * lr after `new` is the schedule's value at epoch 0. To resume, either pass `lastEpoch` (the
 * groups must then hold `initialLr`) or, as in PyTorch, construct normally and `loadStateDict`
 * the saved state after loading the optimizer's.
 *
 * To write a scheduler: extend `LRScheduler`, call `super(optimizer, lastEpoch, verbose)`, set
 * your fields, implement `getLr()` (and `getClosedFormLr()` if there is one; add your fields to
 * `stateFields()` to have them saved), and end the constructor with `this._initialStep()` —
 * the step PyTorch's base constructor takes, which cannot run before a subclass's fields exist.
 *
 * PyTorch parity: the same fields and state-dict keys (`base_lrs`, `last_epoch`, `_step_count`,
 * `_last_lr`, …), the same order of floating-point operations, so sequences agree with
 * PyTorch 1.13.1 to the last bit or nearly. Not copied: torch wraps `optimizer.step` to warn when
 * the scheduler is stepped first; descent warns about nothing. A step whose `getLr` throws
 * (OneCycleLR past its end) leaves the scheduler unchanged, where torch has already counted it.
 */
import {
  checkOptimizer,
  groupRecord,
  printLr,
  type SchedulerOptimizer,
} from "./internal.js";
import { field, prepareState, writeState, type SchedulerStateDict, type StateField } from "./state.js";

export abstract class LRScheduler {
  /** The optimizer whose groups this scheduler drives. */
  readonly optimizer: SchedulerOptimizer;
  /** Each group's `initialLr` when the scheduler was made: η_0 of the closed forms. */
  baseLrs: number[];
  /** The index of the last step taken (−1 before the initial step, 0 right after `new`). */
  lastEpoch: number;
  /** Print each lr change like PyTorch's `verbose=True`. */
  verbose: boolean;
  /** @internal How many times `step` ran (torch's `_step_count`; CosineAnnealingLR reads it). */
  _stepCount = 0;
  /** @internal Always false outside a step (kept for PyTorch's state-dict keys). */
  _getLrCalledWithinStep = false;
  /** @internal The lrs set by the last step. */
  _lastLr: number[] = [];

  protected constructor(optimizer: SchedulerOptimizer, lastEpoch = -1, verbose = false) {
    const opt = checkOptimizer(optimizer);
    const groups = opt.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) {
        const r = groupRecord(g);
        if (r["initialLr"] === undefined) r["initialLr"] = g.lr;
      }
    } else {
      groups.forEach((g, i) => {
        if (groupRecord(g)["initialLr"] === undefined) {
          throw new TypeError(
            `param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`,
          );
        }
      });
    }
    this.optimizer = opt;
    this.baseLrs = groups.map((g) => groupRecord(g)["initialLr"] as number);
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
  }

  /**
   * Reset the step count and take the first step (torch's `_initial_step`): the last statement of
   * a scheduler's constructor.
   */
  _initialStep(): void {
    this._stepCount = 0;
    this.step();
  }

  /**
   * The chainable form: the lrs for `lastEpoch`, computed from the groups' current lrs where the
   * schedule is recursive. Called by `step()` after it has advanced `lastEpoch`.
   */
  protected abstract getLr(): number[];

  /**
   * The closed form: the lrs at `lastEpoch` computed from `baseLrs` alone, or null when the
   * scheduler has none (then `step(epoch)` uses `getLr`). Pure: reads the state, changes nothing.
   */
  getClosedFormLr(): number[] | null {
    return null;
  }

  /**
   * Advance one step (or, with `epoch`, jump to it using the closed form) and set each group's
   * `lr`. Call it after `optimizer.step()`.
   */
  step(epoch?: number): void {
    const prevEpoch = this.lastEpoch;
    const prevCount = this._stepCount;
    this._stepCount += 1;
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.lastEpoch += 1;
        values = this.getLr();
      } else {
        this.lastEpoch = epoch;
        values = this.getClosedFormLr() ?? this.getLr();
      }
    } catch (e) {
      this.lastEpoch = prevEpoch;
      this._stepCount = prevCount;
      throw e;
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.applyLrs(values, epoch);
  }

  /** Set each group's lr (printing when verbose) and record them as the last lrs. */
  protected applyLrs(values: readonly number[], epoch?: number): void {
    const groups = this.optimizer.paramGroups;
    groups.forEach((g, i) => {
      g.lr = values[i]!;
      printLr(this.verbose, i, g.lr, epoch);
    });
    this._lastLr = groups.map((g) => g.lr);
  }

  /** @internal Whether stepping this scheduler needs a metric (a ReduceLROnPlateau inside). */
  _needsMetric(): boolean {
    return false;
  }

  /**
   * @internal How a composite scheduler steps this one: `restart` at a SequentialLR milestone
   * (`step(0)`: the closed form at epoch 0), a plain `step()` otherwise; no metric is used.
   */
  _stepWith(_metric: number | undefined, restart: boolean): void {
    if (restart) this.step(0);
    else this.step();
  }

  /** The lrs set by the last step, one per group. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** The entries of the state dict: PyTorch's keys and the properties holding them. */
  protected stateFields(): StateField[] {
    return [
      field("base_lrs", "baseLrs", "numbers"),
      field("last_epoch", "lastEpoch", "number"),
      field("verbose", "verbose", "boolean"),
      field("_step_count", "_stepCount", "number"),
      field("_get_lr_called_within_step", "_getLrCalledWithinStep", "boolean"),
      field("_last_lr", "_lastLr", "numbers"),
    ];
  }

  /** The scheduler's state with PyTorch's keys (everything but the optimizer and functions). */
  stateDict(): SchedulerStateDict {
    return writeState(this, this.stateFields());
  }

  /**
   * @internal Check a state dict and return the assignment that loads it (so composite
   * schedulers can check all their parts before changing any).
   */
  _prepareLoad(stateDict: SchedulerStateDict): () => void {
    return prepareState(this, this.stateFields(), stateDict, this.constructor.name);
  }

  /** Restore the state from `stateDict()` (load the optimizer's state first, as in PyTorch). */
  loadStateDict(stateDict: SchedulerStateDict): void {
    this._prepareLoad(stateDict)();
  }
}
