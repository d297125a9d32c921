/**
 * `OneCycleLR`: the 1cycle policy (Smith & Topin, "Super-Convergence: Very Fast Training of
 * Neural Networks Using Large Learning Rates", 2017), stepped after every batch.
 *
 * The lr rises from η_init = maxLr / divFactor to maxLr over the first pctStart·totalSteps steps,
 * then falls to η_min = η_init / finalDivFactor at step totalSteps − 1; momentum (or `betas[0]`
 * for Adam-like optimizers) moves the opposite way between maxMomentum and baseMomentum. Within a
 * phase from step s₀ to s₁, with p = (t − s₀) / (s₁ − s₀):
 *
 *   cos      value = end + (start − end) / 2 · (1 + cos(π p))
 *   linear   value = (end − start) · p + start
 *
 * Phases (two by default, like fastai; `threePhase` for the paper's three):
 *
 *   two    0 → pct·N − 1: η_init → maxLr, maxMomentum → baseMomentum
 *          → N − 1:       maxLr → η_min,  baseMomentum → maxMomentum
 *   three  0 → pct·N − 1: η_init → maxLr, maxMomentum → baseMomentum
 *          → 2·pct·N − 2: maxLr → η_init, baseMomentum → maxMomentum
 *          → N − 1:       η_init → η_min, maxMomentum
 *
 * The schedule is not chainable: every value comes from these formulas. The groups receive
 * `initialLr`, `maxLr`, `minLr`, `maxMomentum` and `baseMomentum` entries (torch's `initial_lr`,
 * …), and stepping more than `totalSteps` times raises torch's error.
 *
 * PyTorch parity: torch.optim.lr_scheduler.OneCycleLR, its defaults (pctStart 0.3, "cos",
 * cycleMomentum true, baseMomentum 0.85, maxMomentum 0.95, divFactor 25, finalDivFactor 1e4),
 * checks and messages. The strategy is not in the state dict (torch stores a bound method there);
 * it comes from the options. A step past the end leaves the scheduler as it was.
 *
 * @example
 *   const sched = new optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.01, epochs: 10, stepsPerEpoch: loader.length });
 *   for (let epoch = 0; epoch < 10; epoch++) for (const batch of loader) { trainBatch(batch); sched.step(); }
 */
import {
  checkOptimizer,
  formatParam,
  groupNumber,
  groupRecord,
  optimizerHas,
  pyDiv,
  pyRepr,
  type SchedulerOptimizer,
} from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkNumber } from "./validate.js";

export interface OneCycleLROptions {
  /** The peak learning rate, or one per group. */
  maxLr: number | readonly number[];
  /** The number of steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** With `stepsPerEpoch`, gives totalSteps = epochs · stepsPerEpoch. */
  epochs?: number;
  /** With `epochs`, gives totalSteps = epochs · stepsPerEpoch. */
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent raising the lr. Default 0.3. */
  pctStart?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or betas[0]) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak, or one per group. Default 0.85. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the start and end, or one per group. Default 0.95. */
  maxMomentum?: number | readonly number[];
  /** η_init = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** η_min = η_init / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Use the paper's three phases instead of two. Default false. */
  threePhase?: boolean;
  /** The index of the last batch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

/** A phase of the cycle, as in torch's `_schedule_phases` (group entries by PyTorch's names). */
export interface OneCyclePhase {
  [key: string]: number | string;
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

/** PyTorch's group keys → descent's group keys. */
const GROUP_KEY: { readonly [k: string]: string } = {
  initial_lr: "initialLr",
  max_lr: "maxLr",
  min_lr: "minLr",
  max_momentum: "maxMomentum",
  base_momentum: "baseMomentum",
};

function isPositiveInt(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x > 0;
}

/** torch's `_annealing_cos`: cosine from `start` to `end` as `pct` goes from 0 to 1. */
export function annealingCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

/** torch's `_annealing_linear`: straight line from `start` to `end` as `pct` goes from 0 to 1. */
export function annealingLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/** The phases of the cycle for `totalSteps` steps (torch's `_schedule_phases`). */
export function oneCyclePhases(totalSteps: number, pctStart: number, threePhase: boolean): OneCyclePhase[] {
  if (threePhase) {
    return [
      { end_step: pctStart * totalSteps - 1, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
      { end_step: 2 * pctStart * totalSteps - 2, start_lr: "max_lr", end_lr: "initial_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
      { end_step: totalSteps - 1, start_lr: "initial_lr", end_lr: "min_lr", start_momentum: "max_momentum", end_momentum: "max_momentum" },
    ];
  }
  return [
    { end_step: pctStart * totalSteps - 1, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
    { end_step: totalSteps - 1, start_lr: "max_lr", end_lr: "min_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
  ];
}

export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  /** The phases (torch's `_schedule_phases`). */
  schedulePhases: OneCyclePhase[];
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  /** Whether momentum lives in `betas[0]` (Adam-like optimizers). */
  useBeta1: boolean;

  constructor(optimizer: SchedulerOptimizer, options: OneCycleLROptions) {
    const {
      maxLr,
      totalSteps,
      epochs,
      stepsPerEpoch,
      pctStart = 0.3,
      annealStrategy = "cos",
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25.0,
      finalDivFactor = 1e4,
      threePhase = false,
      lastEpoch = -1,
      verbose = false,
    } = options ?? ({} as OneCycleLROptions);
    const opt = checkOptimizer(optimizer);

    let total: number;
    if (totalSteps === undefined && epochs === undefined && stepsPerEpoch === undefined) {
      throw new RangeError("You must define either total_steps OR (epochs AND steps_per_epoch)");
    } else if (totalSteps !== undefined) {
      if (!isPositiveInt(totalSteps)) {
        throw new RangeError(`Expected positive integer total_steps, but got ${pyRepr(totalSteps)}`);
      }
      total = totalSteps;
    } else {
      if (!isPositiveInt(epochs)) throw new RangeError(`Expected positive integer epochs, but got ${pyRepr(epochs)}`);
      if (!isPositiveInt(stepsPerEpoch)) {
        throw new RangeError(`Expected positive integer steps_per_epoch, but got ${pyRepr(stepsPerEpoch)}`);
      }
      total = epochs * stepsPerEpoch;
    }
    checkNumber("OneCycleLR", "pctStart", pctStart);
    checkNumber("OneCycleLR", "divFactor", divFactor);
    checkNumber("OneCycleLR", "finalDivFactor", finalDivFactor);
    const phases = oneCyclePhases(total, pctStart, threePhase);
    if (pctStart < 0 || pctStart > 1) {
      throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${pyRepr(pctStart)}`);
    }
    if (annealStrategy !== "cos" && annealStrategy !== "linear") {
      throw new RangeError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${pyRepr(annealStrategy)}`);
    }
    const maxLrs = formatParam("max_lr", opt, maxLr);
    if (divFactor === 0 || finalDivFactor === 0) throw new RangeError("float division by zero");
    let useBeta1 = false;
    let maxMomentums: number[] = [];
    let baseMomentums: number[] = [];
    if (cycleMomentum) {
      if (!optimizerHas(opt, "momentum") && !optimizerHas(opt, "betas")) {
        throw new TypeError("optimizer must support momentum with `cycle_momentum` option enabled");
      }
      useBeta1 = optimizerHas(opt, "betas");
      maxMomentums = formatParam("max_momentum", opt, maxMomentum);
      baseMomentums = formatParam("base_momentum", opt, baseMomentum);
    }

    // All checks done: now write the groups (only when starting, as torch does).
    if (lastEpoch === -1) {
      opt.paramGroups.forEach((g, i) => {
        const r = groupRecord(g);
        r["initialLr"] = maxLrs[i]! / divFactor;
        r["maxLr"] = maxLrs[i]!;
        r["minLr"] = (r["initialLr"] as number) / finalDivFactor;
        if (cycleMomentum) {
          if (useBeta1) r["betas"] = [maxMomentums[i]!, ...((r["betas"] as number[] | undefined) ?? []).slice(1)];
          else r["momentum"] = maxMomentums[i]!;
          r["maxMomentum"] = maxMomentums[i]!;
          r["baseMomentum"] = baseMomentums[i]!;
        }
      });
    }
    super(opt, lastEpoch, verbose);
    this.totalSteps = total;
    this.schedulePhases = phases;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this._initialStep();
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const anneal = this.annealStrategy === "cos" ? annealingCos : annealingLinear;
    const phases = this.schedulePhases;
    const groups = this.optimizer.paramGroups;
    const values = groups.map((g, gi) => {
      let startStep = 0;
      let lr = NaN;
      let momentum = NaN;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i]!;
        const endStep = phase.end_step;
        if (stepNum <= endStep || i === phases.length - 1) {
          const pct = pyDiv(stepNum - startStep, endStep - startStep);
          const get = (k: string): number => groupNumber(g, GROUP_KEY[k] ?? k, gi);
          lr = anneal(get(phase.start_lr), get(phase.end_lr), pct);
          if (this.cycleMomentum) momentum = anneal(get(phase.start_momentum), get(phase.end_momentum), pct);
          break;
        }
        startStep = phase.end_step;
      }
      return { lr, momentum };
    });
    if (this.cycleMomentum) {
      groups.forEach((g, i) => {
        const r = groupRecord(g);
        const m = values[i]!.momentum;
        if (this.useBeta1) r["betas"] = [m, ...((r["betas"] as number[] | undefined) ?? []).slice(1)];
        else r["momentum"] = m;
      });
    }
    return values.map((v) => v.lr);
  }

  protected override stateFields(): StateField[] {
    return [
      field("total_steps", "totalSteps", "number"),
      field("_schedule_phases", "schedulePhases", "json"),
      field("cycle_momentum", "cycleMomentum", "boolean"),
      ...(this.cycleMomentum ? [field("use_beta1", "useBeta1", "boolean")] : []),
      ...super.stateFields(),
    ];
  }
}
