/**
 * `ReduceLROnPlateau`: cut the learning rate when a metric stops improving.
 *
 * Each `step(metric)` compares the metric with the best seen so far. It is an improvement when
 *
 *   mode "min", thresholdMode "rel":  metric < best · (1 − threshold)
 *   mode "min", thresholdMode "abs":  metric < best − threshold
 *   mode "max", thresholdMode "rel":  metric > best · (1 + threshold)
 *   mode "max", thresholdMode "abs":  metric > best + threshold
 *
 * After more than `patience` steps without improvement, every group's lr becomes
 * max(lr · factor, minLr) (unless that changes it by `eps` or less), and the next `cooldown` steps
 * do not count as bad.
 *
 * PyTorch parity: torch.optim.lr_scheduler.ReduceLROnPlateau, its defaults (mode "min", factor
 * 0.1, patience 10, threshold 1e-4, thresholdMode "rel", cooldown 0, minLr 0, eps 1e-8), checks,
 * messages and state-dict keys. `getLastLr()` works before the first step (torch 1.13 raises
 * there), so the state dict always has `_last_lr`. Beyond PyTorch: it composes —
 * `SequentialLR` and `ChainedScheduler` accept it and pass their `step(metric)` on to it.
 *
 * @example
 *   const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { mode: "min", factor: 0.5, patience: 3 });
 *   for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(validate()); }
 */
import { checkOptimizer, formatE4, pyRepr, resetLrs, type SchedulerOptimizer } from "./internal.js";
import { field, prepareState, writeState, type SchedulerStateDict, type StateField } from "./state.js";
import { checkNumber } from "./validate.js";

export interface ReduceLROnPlateauOptions {
  /** "min" (default): reduce when the metric stops decreasing; "max": when it stops increasing. */
  mode?: "min" | "max";
  /** new lr = lr · factor; must be < 1. Default 0.1. */
  factor?: number;
  /** The number of bad steps tolerated before reducing. Default 10. */
  patience?: number;
  /** How much better counts as better. Default 1e-4. */
  threshold?: number;
  /** "rel" (default, relative to the best) or "abs". */
  thresholdMode?: "rel" | "abs";
  /** Steps to wait after a reduction before counting bad steps again. Default 0. */
  cooldown?: number;
  /** A lower bound on the lr, or one per group. Default 0. */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
  /** Print each reduction. Default false. */
  verbose?: boolean;
}

/** A metric: a number, or a one-element tensor (anything with `item()`). */
export type Metric = number | { item(): number };

export class ReduceLROnPlateau {
  readonly optimizer: SchedulerOptimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max";
  threshold: number;
  thresholdMode: "rel" | "abs";
  /** The best metric so far (±∞ before the first). */
  best: number;
  /** Consecutive steps without improvement. */
  numBadEpochs = 0;
  /** The worst value for `mode` (+∞ for "min", −∞ for "max"). */
  modeWorse: number;
  eps: number;
  /** The number of steps taken. */
  lastEpoch = 0;
  /** @internal The lrs after the last step. */
  _lastLr: number[];

  constructor(optimizer: SchedulerOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const {
      mode = "min",
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = "rel",
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
      verbose = false,
    } = options;
    checkNumber("ReduceLROnPlateau", "factor", factor);
    if (factor >= 1.0) throw new RangeError("Factor should be < 1.0.");
    const opt = checkOptimizer(optimizer);
    let minLrs: number[];
    if (Array.isArray(minLr)) {
      if (minLr.length !== opt.paramGroups.length) {
        throw new RangeError(`expected ${opt.paramGroups.length} min_lrs, got ${minLr.length}`);
      }
      minLrs = [...(minLr as readonly number[])];
    } else {
      checkNumber("ReduceLROnPlateau", "minLr", minLr);
      minLrs = new Array<number>(opt.paramGroups.length).fill(minLr as number);
    }
    checkNumber("ReduceLROnPlateau", "patience", patience);
    checkNumber("ReduceLROnPlateau", "threshold", threshold);
    checkNumber("ReduceLROnPlateau", "cooldown", cooldown);
    checkNumber("ReduceLROnPlateau", "eps", eps);
    checkModes(mode, thresholdMode);
    this.optimizer = opt;
    this.factor = factor;
    this.minLrs = minLrs;
    this.patience = patience;
    this.verbose = verbose;
    this.cooldown = cooldown;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.modeWorse = mode === "min" ? Infinity : -Infinity;
    this.best = this.modeWorse;
    this.eps = eps;
    this._lastLr = opt.paramGroups.map((g) => g.lr);
  }

  /** @internal Forget the best metric and the bad-step and cooldown counters (torch's `_reset`). */
  _reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /** @internal A ReduceLROnPlateau always needs a metric. */
  _needsMetric(): boolean {
    return true;
  }

  /**
   * @internal How a composite scheduler steps this one. With `restart` (its SequentialLR
   * milestone) it starts afresh: the groups' lrs return to `initialLr`, the best metric and the
   * counters are forgotten, and `metric` becomes the first observation, at epoch 0.
   */
  _stepWith(metric: number | undefined, restart: boolean): void {
    if (metric === undefined) throw new TypeError("step() missing 1 required positional argument: 'metrics'");
    if (restart) {
      this._reset();
      resetLrs(this.optimizer);
      this.step(metric, 0);
    } else {
      this.step(metric);
    }
  }

  /** Record the metric of the epoch just finished, and reduce the lrs if it has plateaued. */
  step(metrics: Metric, epoch?: number): void {
    if (metrics === undefined || metrics === null) {
      throw new TypeError("step() missing 1 required positional argument: 'metrics'");
    }
    const current = typeof metrics === "number" ? metrics : Number(metrics.item());
    const e = epoch ?? this.lastEpoch + 1;
    this.lastEpoch = e;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown are ignored
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr(e);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(epoch: number): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
      if (oldLr - newLr > this.eps) {
        g.lr = newLr;
        if (this.verbose) {
          const epochStr = Number.isInteger(epoch) ? String(epoch).padStart(5, "0") : epoch.toFixed(2);
          console.log(`Epoch ${epochStr}: reducing learning rate of group ${i} to ${formatE4(newLr)}.`);
        }
      }
    });
  }

  /** Whether a reduction happened less than `cooldown` steps ago. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Is `a` an improvement on `best` (per `mode`, `threshold`, `thresholdMode`)? */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1.0 - this.threshold);
    if (this.mode === "min" && this.thresholdMode === "abs") return a < best - this.threshold;
    if (this.mode === "max" && this.thresholdMode === "rel") return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  /** The lrs after the last step, one per group. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  private stateFields(): StateField[] {
    return [
      field("factor", "factor", "number"),
      field("min_lrs", "minLrs", "numbers"),
      field("patience", "patience", "number"),
      field("verbose", "verbose", "boolean"),
      field("cooldown", "cooldown", "number"),
      field("cooldown_counter", "cooldownCounter", "number"),
      field("mode", "mode", "string"),
      field("threshold", "threshold", "number"),
      field("threshold_mode", "thresholdMode", "string"),
      field("best", "best", "number"),
      field("num_bad_epochs", "numBadEpochs", "number"),
      field("mode_worse", "modeWorse", "number"),
      field("eps", "eps", "number"),
      field("last_epoch", "lastEpoch", "number"),
      field("_last_lr", "_lastLr", "numbers"),
    ];
  }

  /** The scheduler's state with PyTorch's keys (everything but the optimizer). */
  stateDict(): SchedulerStateDict {
    return writeState(this, this.stateFields());
  }

  /** @internal Check a state dict and return the assignment that loads it. */
  _prepareLoad(stateDict: SchedulerStateDict): () => void {
    const sd = stateDict as Record<string, unknown>;
    const mode = "mode" in sd ? sd["mode"] : this.mode;
    const thresholdMode = "threshold_mode" in sd ? sd["threshold_mode"] : this.thresholdMode;
    const apply = prepareState(this, this.stateFields(), stateDict, "ReduceLROnPlateau");
    checkModes(mode, thresholdMode);
    return () => {
      apply();
      // torch's load_state_dict re-runs _init_is_better, which resets mode_worse from the mode
      this.modeWorse = this.mode === "min" ? Infinity : -Infinity;
    };
  }

  /** Restore the state from `stateDict()`. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    this._prepareLoad(stateDict)();
  }
}

function checkModes(mode: unknown, thresholdMode: unknown): void {
  if (mode !== "min" && mode !== "max") throw new RangeError(`mode ${pyRepr(mode)} is unknown!`);
  if (thresholdMode !== "rel" && thresholdMode !== "abs") {
    throw new RangeError(`threshold mode ${pyRepr(thresholdMode)} is unknown!`);
  }
}
