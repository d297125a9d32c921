/**
 * Pure schedules, in the style of optax: factories returning `(step) => value`, for the learning
 * rate or any other hyper-parameter (momentum, weight decay, a loss weight, …). They hold no state
 * and touch no optimizer: `schedule(t)` is the value at step `t` (0, 1, 2, …; fractional steps
 * are accepted where the formula allows).
 *
 * Each shape is the closed form of a PyTorch scheduler, with PyTorch's defaults and its order of
 * floating-point operations, so a schedule reproduces the scheduler's sequence (to rounding, where
 * the scheduler computes a recursive form):
 *
 *   constantSchedule            v
 *   stepSchedule                StepLR            v₀ · γ^⌊t / stepSize⌋
 *   multistepSchedule           MultiStepLR       v₀ · γ^(number of milestones ≤ t)
 *   exponentialSchedule         ExponentialLR     v₀ · γ^t
 *   cosineSchedule              CosineAnnealingLR η_min + (v₀ − η_min)(1 + cos(π t / T_max)) / 2
 *   cosineWarmRestartsSchedule  CosineAnnealingWarmRestarts (SGDR)
 *   linearSchedule              LinearLR          v₀ + (v₁ − v₀) · min(T, t) / T
 *   polynomialSchedule          PolynomialLR      (v₀ − v₁)(1 − min(T, t)/T)^p + v₁
 *   oneCycleSchedule            OneCycleLR        (two or three phases, cosine or linear)
 *   cyclicSchedule              CyclicLR          (triangular, triangular2, exp_range, custom)
 *   joinSchedules               SequentialLR      one schedule after another, each restarted at 0
 *
 * `LambdaLR`'s closed form is the user's function times v₀, and ReduceLROnPlateau depends on a
 * metric, so neither has a pure schedule.
 *
 * @example
 *   // warm up linearly for 5 steps from 0.1·lr, then cosine-anneal over the remaining 95
 *   const lr = joinSchedules(
 *     [linearSchedule({ initValue: 0.01, endValue: 0.1, totalSteps: 5 }), cosineSchedule({ initValue: 0.1, tMax: 95 })],
 *     [5],
 *   );
 *   opt.paramGroups[0].lr = lr(step);
 */
import { annealingCos, annealingLinear, oneCyclePhases } from "./lr_scheduler/one_cycle_lr.js";
import { pyMod, pyRepr } from "./lr_scheduler/internal.js";

/** A hyper-parameter as a function of the step. */
export type Schedule = (step: number) => number;

function need(owner: string, name: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new TypeError(`${owner}: expected ${name} to be a number, but got ${pyRepr(v)}`);
  }
  return v;
}

function positive(owner: string, name: string, v: unknown, integer = false): number {
  const x = need(owner, name, v);
  if (!(x > 0) || (integer && !Number.isInteger(x))) {
    throw new RangeError(`Expected positive ${integer ? "integer " : ""}${name}, but got ${pyRepr(x)}`);
  }
  return x;
}

/** The same value at every step. */
export function constantSchedule(value: number): Schedule {
  need("constantSchedule", "value", value);
  return () => value;
}

export interface StepScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** The period of the decay (a positive integer). */
  stepSize: number;
  /** The factor applied every `stepSize` steps. Default 0.1. */
  gamma?: number;
}

/** v₀ · γ^⌊t / stepSize⌋ (StepLR's closed form). */
export function stepSchedule({ initValue, stepSize, gamma = 0.1 }: StepScheduleOptions): Schedule {
  need("stepSchedule", "initValue", initValue);
  positive("stepSchedule", "stepSize", stepSize, true);
  need("stepSchedule", "gamma", gamma);
  return (t) => initValue * gamma ** Math.floor(t / stepSize);
}

export interface MultistepScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** The steps at which the value is multiplied by `gamma` (increasing; repeats multiply again). */
  milestones: readonly number[];
  /** The factor applied at each milestone. Default 0.1. */
  gamma?: number;
}

/** v₀ · γ^(number of milestones ≤ t) (MultiStepLR's closed form). */
export function multistepSchedule({ initValue, milestones, gamma = 0.1 }: MultistepScheduleOptions): Schedule {
  need("multistepSchedule", "initValue", initValue);
  need("multistepSchedule", "gamma", gamma);
  if (!Array.isArray(milestones) || !milestones.every((m, i) => typeof m === "number" && (i === 0 || m >= milestones[i - 1]!))) {
    throw new RangeError(`Expected milestones to be a list of increasing integers, but got ${pyRepr(milestones)}`);
  }
  const sorted = [...milestones];
  return (t) => {
    let k = 0;
    while (k < sorted.length && sorted[k]! <= t) k++;
    return initValue * gamma ** k;
  };
}

export interface ExponentialScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** The factor applied every step. */
  gamma: number;
}

/** v₀ · γ^t (ExponentialLR's closed form). */
export function exponentialSchedule({ initValue, gamma }: ExponentialScheduleOptions): Schedule {
  need("exponentialSchedule", "initValue", initValue);
  need("exponentialSchedule", "gamma", gamma);
  return (t) => initValue * gamma ** t;
}

export interface CosineScheduleOptions {
  /** The value at step 0 (the maximum). */
  initValue: number;
  /** Half the period: the value reaches `etaMin` at `tMax`. */
  tMax: number;
  /** The minimum. Default 0. */
  etaMin?: number;
}

/**
 * η_min + (v₀ − η_min)(1 + cos(π t / T_max)) / 2 (CosineAnnealingLR's closed form). Like
 * PyTorch's, the curve rises again after `tMax` (period 2·T_max); join a `constantSchedule(etaMin)`
 * after it to hold the minimum instead.
 */
export function cosineSchedule({ initValue, tMax, etaMin = 0 }: CosineScheduleOptions): Schedule {
  need("cosineSchedule", "initValue", initValue);
  positive("cosineSchedule", "tMax", tMax);
  need("cosineSchedule", "etaMin", etaMin);
  return (t) => etaMin + ((initValue - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2;
}

export interface CosineWarmRestartsScheduleOptions {
  /** The value at step 0 and after every restart (the maximum). */
  initValue: number;
  /** The length of the first period (a positive integer). */
  t0: number;
  /** The factor by which each period is longer than the previous one (an integer ≥ 1). Default 1. */
  tMult?: number;
  /** The minimum. Default 0. */
  etaMin?: number;
}

/**
 * SGDR (CosineAnnealingWarmRestarts): η_min + (v₀ − η_min)(1 + cos(π T_cur / T_i)) / 2, where
 * T_i = t0 · tMult^i is the current period and T_cur the steps since its start. Found by
 * subtracting whole periods (exact for integer and fractional steps alike).
 */
export function cosineWarmRestartsSchedule({
  initValue,
  t0,
  tMult = 1,
  etaMin = 0,
}: CosineWarmRestartsScheduleOptions): Schedule {
  need("cosineWarmRestartsSchedule", "initValue", initValue);
  positive("cosineWarmRestartsSchedule", "t0", t0, true);
  if (!Number.isInteger(tMult) || tMult < 1) throw new RangeError(`Expected integer T_mult >= 1, but got ${pyRepr(tMult)}`);
  need("cosineWarmRestartsSchedule", "etaMin", etaMin);
  return (t) => {
    let tCur: number;
    let tI = t0;
    if (tMult === 1) {
      tCur = t < t0 ? t : pyMod(t, t0);
    } else {
      tCur = t;
      while (tCur >= tI) {
        tCur -= tI;
        tI *= tMult;
      }
    }
    return etaMin + ((initValue - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  };
}

export interface LinearScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** The value from `totalSteps` on. */
  endValue: number;
  /** The number of steps of the change. */
  totalSteps: number;
}

/** v₀ + (v₁ − v₀) · min(T, t) / T, then v₁ (LinearLR's closed form, with values for factors). */
export function linearSchedule({ initValue, endValue, totalSteps }: LinearScheduleOptions): Schedule {
  need("linearSchedule", "initValue", initValue);
  need("linearSchedule", "endValue", endValue);
  positive("linearSchedule", "totalSteps", totalSteps);
  return (t) => initValue + ((endValue - initValue) * Math.min(totalSteps, t)) / totalSteps;
}

export interface PolynomialScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** The value from `totalSteps` on. Default 0. */
  endValue?: number;
  /** The number of steps of the decay. */
  totalSteps: number;
  /** The power of the polynomial. Default 1. */
  power?: number;
}

/** (v₀ − v₁)(1 − min(T, t)/T)^p + v₁ (PolynomialLR's closed form when v₁ = 0). */
export function polynomialSchedule({ initValue, endValue = 0, totalSteps, power = 1 }: PolynomialScheduleOptions): Schedule {
  need("polynomialSchedule", "initValue", initValue);
  need("polynomialSchedule", "endValue", endValue);
  positive("polynomialSchedule", "totalSteps", totalSteps);
  need("polynomialSchedule", "power", power);
  return (t) => (initValue - endValue) * (1.0 - Math.min(totalSteps, t) / totalSteps) ** power + endValue;
}

export interface OneCycleScheduleOptions {
  /** The number of steps in the cycle. */
  totalSteps: number;
  /** The value at the peak (after `pctStart` of the steps). */
  peakValue: number;
  /** The fraction of the steps spent rising. Default 0.3. */
  pctStart?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
  /** The start value is peakValue / divFactor. Default 25. */
  divFactor?: number;
  /** The final value is the start value / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** The paper's three phases (up, down to the start value, down to the final value). Default false. */
  threePhase?: boolean;
  /** The start value, overriding peakValue / divFactor (e.g. maxMomentum for momentum). */
  initValue?: number;
  /** The final value, overriding initValue / finalDivFactor (e.g. maxMomentum for momentum). */
  finalValue?: number;
}

/**
 * The 1cycle policy (OneCycleLR): from initValue up to peakValue over the first pctStart·N − 1
 * steps, then down to finalValue at step N − 1 (or, in three phases, back to initValue at
 * 2·pctStart·N − 2 and down to finalValue at N − 1), each phase annealed by cosine or linearly.
 * For momentum give `{ initValue: 0.95, peakValue: 0.85, finalValue: 0.95 }`. After step N − 1
 * the value stays at finalValue (OneCycleLR allows one more step, past its end, and raises after).
 */
export function oneCycleSchedule({
  totalSteps,
  peakValue,
  pctStart = 0.3,
  annealStrategy = "cos",
  divFactor = 25,
  finalDivFactor = 1e4,
  threePhase = false,
  initValue,
  finalValue,
}: OneCycleScheduleOptions): Schedule {
  positive("oneCycleSchedule", "totalSteps", totalSteps, true);
  need("oneCycleSchedule", "peakValue", peakValue);
  need("oneCycleSchedule", "pctStart", pctStart);
  if (pctStart < 0 || pctStart > 1) {
    throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${pyRepr(pctStart)}`);
  }
  if (annealStrategy !== "cos" && annealStrategy !== "linear") {
    throw new RangeError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${pyRepr(annealStrategy)}`);
  }
  const init = initValue ?? peakValue / divFactor;
  const final = finalValue ?? init / finalDivFactor;
  const values: { readonly [k: string]: number } = { initial_lr: init, max_lr: peakValue, min_lr: final };
  const phases = oneCyclePhases(totalSteps, pctStart, threePhase);
  const anneal = annealStrategy === "cos" ? annealingCos : annealingLinear;
  return (t) => {
    if (t > totalSteps - 1) return final;
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const p = phases[i]!;
      if (t <= p.end_step || i === phases.length - 1) {
        return anneal(values[p.start_lr]!, values[p.end_lr]!, (t - start) / (p.end_step - start));
      }
      start = p.end_step;
    }
    return final;
  };
}

export interface CyclicScheduleOptions {
  /** The value at the start of each cycle (the lower bound for the lr; the upper for momentum). */
  baseValue: number;
  /** The value at the peak of each cycle (before scaling). */
  maxValue: number;
  /** Steps from baseValue to maxValue. Default 2000. */
  stepSizeUp?: number;
  /** Steps back. Default `stepSizeUp`. */
  stepSizeDown?: number;
  /** "triangular" (default), "triangular2" (amplitude halves each cycle), "exp_range" (γ^t). */
  mode?: "triangular" | "triangular2" | "exp_range";
  /** The base of "exp_range". Default 1. */
  gamma?: number;
  /** A custom amplitude scale (overrides `mode`). */
  scaleFn?: (x: number) => number;
  /** Whether `scaleFn` receives the cycle number (default) or the step. */
  scaleMode?: "cycle" | "iterations";
}

/**
 * The cyclical policy (CyclicLR): cycle = ⌊1 + t/N⌋, x = 1 + t/N − cycle, s = x/r rising then
 * (x − 1)/(r − 1) falling (N = up + down, r = up/N), value = v_base + (v_max − v_base) · s · scale.
 * For CyclicLR's momentum give `{ baseValue: maxMomentum, maxValue: baseMomentum }`.
 */
export function cyclicSchedule({
  baseValue,
  maxValue,
  stepSizeUp = 2000,
  stepSizeDown,
  mode = "triangular",
  gamma = 1.0,
  scaleFn,
  scaleMode = "cycle",
}: CyclicScheduleOptions): Schedule {
  need("cyclicSchedule", "baseValue", baseValue);
  need("cyclicSchedule", "maxValue", maxValue);
  need("cyclicSchedule", "stepSizeUp", stepSizeUp);
  const down = stepSizeDown ?? stepSizeUp;
  const totalSize = stepSizeUp + down;
  positive("cyclicSchedule", "stepSizeUp + stepSizeDown", totalSize);
  const stepRatio = stepSizeUp / totalSize;
  let scale: (x: number) => number;
  let byCycle: boolean;
  if (scaleFn !== undefined) {
    scale = scaleFn;
    byCycle = scaleMode === "cycle";
  } else if (mode === "triangular") {
    scale = () => 1.0;
    byCycle = true;
  } else if (mode === "triangular2") {
    scale = (x) => 1 / 2.0 ** (x - 1);
    byCycle = true;
  } else if (mode === "exp_range") {
    scale = (x) => gamma ** x;
    byCycle = false;
  } else {
    throw new RangeError("mode is invalid and scale_fn is None");
  }
  return (t) => {
    const cycle = Math.floor(1 + t / totalSize);
    const x = 1.0 + t / totalSize - cycle;
    const s = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
    const baseHeight = (maxValue - baseValue) * s;
    return baseValue + baseHeight * scale(byCycle ? cycle : t);
  };
}

/**
 * One schedule after another (SequentialLR's closed form, optax's `join_schedules`): before
 * `boundaries[0]` the first schedule; from `boundaries[i − 1]` on, `schedules[i]` evaluated at
 * `t − boundaries[i − 1]`, so each starts again at its own step 0.
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (!Array.isArray(schedules) || schedules.length === 0 || !schedules.every((s) => typeof s === "function")) {
    throw new TypeError("joinSchedules: expected a non-empty list of schedules");
  }
  if (!Array.isArray(boundaries) || boundaries.length !== schedules.length - 1) {
    throw new RangeError(
      `joinSchedules: expected ${schedules.length - 1} boundaries for ${schedules.length} schedules, but got ${
        Array.isArray(boundaries) ? boundaries.length : pyRepr(boundaries)
      }`,
    );
  }
  if (!boundaries.every((b, i) => typeof b === "number" && (i === 0 || b >= boundaries[i - 1]!))) {
    throw new RangeError(`Expected boundaries to be increasing, but got ${pyRepr(boundaries)}`);
  }
  const bs = [...boundaries];
  const ss = [...schedules];
  return (t) => {
    let i = 0;
    while (i < bs.length && t >= bs[i]!) i++;
    return i === 0 ? ss[0]!(t) : ss[i]!(t - bs[i - 1]!);
  };
}
