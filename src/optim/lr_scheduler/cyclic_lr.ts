/**
 * `CyclicLR`: the cyclical learning-rate policy (Smith, "Cyclical Learning Rates for Training
 * Neural Networks", WACV 2017), stepped after every batch: the lr moves between `baseLr` and
 * `maxLr` along triangles of `stepSizeUp` + `stepSizeDown` steps, and momentum (or `betas[0]`)
 * the opposite way between `maxMomentum` and `baseMomentum`.
 *
 *   cycle = ⌊1 + t / N⌋,  x = 1 + t / N − cycle                 N = stepSizeUp + stepSizeDown, r = stepSizeUp / N
 *   s = x / r  if x ≤ r,  (x − 1) / (r − 1)  otherwise          (rises 0 → 1, then falls 1 → 0)
 *   η_t = baseLr + (maxLr − baseLr) · s · scale(k)              k = cycle ("cycle" mode) or t ("iterations")
 *   m_t = maxMomentum − (maxMomentum − baseMomentum) · s · scale(k)
 *
 * with scale(k) = 1 ("triangular"), 1 / 2^(k−1) ("triangular2", halves each cycle), γ^k
 * ("exp_range", per iteration), or the user's `scaleFn` (then `mode` is ignored).
 *
 * PyTorch parity: torch.optim.lr_scheduler.CyclicLR, its defaults (stepSizeUp 2000, "triangular",
 * gamma 1, scaleMode "cycle", cycleMomentum true, baseMomentum 0.8, maxMomentum 0.9), checks and
 * messages; construction sets each group's lr to `baseLr` and its momentum to `baseMomentum`.
 * Beyond PyTorch 1.13: with an Adam-like optimizer (`betas`), momentum cycling drives `betas[0]`
 * as in later PyTorch versions, where 1.13 refuses. The scale function is not in the state dict
 * (torch 1.13 stores a weak reference there); it comes from the options.
 *
 * @example
 *   const sched = new optim.lrScheduler.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 200 });
 */
import {
  checkOptimizer,
  formatParam,
  groupRecord,
  optimizerHas,
  pyDiv,
  type SchedulerOptimizer,
} from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkNumber } from "./validate.js";

export type CyclicMode = "triangular" | "triangular2" | "exp_range";
export type CyclicScaleMode = "cycle" | "iterations";

export interface CyclicLROptions {
  /** The lower lr of the cycle, or one per group. */
  baseLr: number | readonly number[];
  /** The upper lr of the cycle, or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the rising half. Default 2000. */
  stepSizeUp?: number;
  /** Steps in the falling half. Default `stepSizeUp`. */
  stepSizeDown?: number;
  /** The amplitude policy. Default "triangular". Ignored when `scaleFn` is given. */
  mode?: CyclicMode;
  /** The base of "exp_range": scale γ^iterations. Default 1. */
  gamma?: number;
  /** A custom amplitude scale, 0 ≤ scaleFn(x) ≤ 1. */
  scaleFn?: (x: number) => number;
  /** Whether `scaleFn` gets the cycle number or the iteration. Default "cycle". */
  scaleMode?: CyclicScaleMode;
  /** Cycle momentum (or betas[0]) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak, or one per group. Default 0.8. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the cycle's start, or one per group. Default 0.9. */
  maxMomentum?: number | readonly number[];
  /** The index of the last batch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

function momentumOf(group: object, useBeta1: boolean): number {
  const r = group as Record<string, unknown>;
  return useBeta1 ? (r["betas"] as number[])[0]! : (r["momentum"] as number);
}

export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: CyclicMode;
  gamma: number;
  scaleMode: CyclicScaleMode;
  cycleMomentum: boolean;
  /** Whether momentum lives in `betas[0]` (Adam-like optimizers). */
  useBeta1: boolean;
  baseMomentums: number[];
  maxMomentums: number[];
  /** The user's scale function, if any. */
  scaleFnCustom: ((x: number) => number) | null;

  constructor(optimizer: SchedulerOptimizer, options: CyclicLROptions) {
    const {
      baseLr,
      maxLr,
      stepSizeUp = 2000,
      stepSizeDown,
      mode = "triangular",
      gamma = 1.0,
      scaleFn,
      scaleMode = "cycle",
      cycleMomentum = true,
      baseMomentum = 0.8,
      maxMomentum = 0.9,
      lastEpoch = -1,
      verbose = false,
    } = options ?? ({} as CyclicLROptions);
    const opt = checkOptimizer(optimizer);
    const baseLrs = formatParam("base_lr", opt, baseLr);
    const maxLrs = formatParam("max_lr", opt, maxLr);
    checkNumber("CyclicLR", "stepSizeUp", stepSizeUp);
    if (stepSizeDown !== undefined) checkNumber("CyclicLR", "stepSizeDown", stepSizeDown);
    checkNumber("CyclicLR", "gamma", gamma);
    const up = stepSizeUp;
    const down = stepSizeDown ?? up;
    const totalSize = up + down;
    const stepRatio = pyDiv(up, totalSize);
    if (mode !== "triangular" && mode !== "triangular2" && mode !== "exp_range" && scaleFn === undefined) {
      throw new RangeError("mode is invalid and scale_fn is None");
    }
    if (scaleFn !== undefined && typeof scaleFn !== "function") {
      throw new TypeError("CyclicLR: expected scaleFn to be a function");
    }
    let useBeta1 = false;
    let baseMomentumValues: number[] = [];
    let maxMomentums: number[] = [];
    if (cycleMomentum) {
      if (!optimizerHas(opt, "momentum") && !optimizerHas(opt, "betas")) {
        throw new TypeError("optimizer must support momentum with `cycle_momentum` option enabled");
      }
      useBeta1 = optimizerHas(opt, "betas");
      baseMomentumValues = formatParam("base_momentum", opt, baseMomentum);
      maxMomentums = formatParam("max_momentum", opt, maxMomentum);
    }

    // All checks done: now write the groups (only when starting, as torch does).
    if (lastEpoch === -1) {
      opt.paramGroups.forEach((g, i) => {
        g.lr = baseLrs[i]!;
        if (cycleMomentum) {
          const r = groupRecord(g);
          if (useBeta1) r["betas"] = [baseMomentumValues[i]!, ...((r["betas"] as number[] | undefined) ?? []).slice(1)];
          else r["momentum"] = baseMomentumValues[i]!;
        }
      });
    }
    const baseMomentums = cycleMomentum ? opt.paramGroups.map((g) => momentumOf(g, useBeta1)) : [];
    super(opt, lastEpoch, verbose);
    this.maxLrs = maxLrs;
    this.totalSize = totalSize;
    this.stepRatio = stepRatio;
    this.mode = mode;
    this.gamma = gamma;
    this.scaleFnCustom = scaleFn ?? null;
    this.scaleMode = scaleFn === undefined ? (mode === "exp_range" ? "iterations" : "cycle") : scaleMode;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.baseMomentums = baseMomentums;
    this.maxMomentums = maxMomentums;
    this._initialStep();
    this.baseLrs = baseLrs;
  }

  /** The amplitude scale at `x` (a cycle number or an iteration, per `scaleMode`). */
  scaleFn(x: number): number {
    if (this.scaleFnCustom !== null) return this.scaleFnCustom(x);
    switch (this.mode) {
      case "triangular":
        return 1.0;
      case "triangular2":
        return 1 / 2.0 ** (x - 1);
      case "exp_range":
        return this.gamma ** x;
      default:
        return this.mode satisfies never;
    }
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1.0 + t / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? pyDiv(x, this.stepRatio) : pyDiv(x - 1, this.stepRatio - 1);
    const k = this.scaleMode === "cycle" ? cycle : t;
    const lrs = this.baseLrs.map((baseLr, i) => {
      const baseHeight = (this.maxLrs[i]! - baseLr) * scaleFactor;
      return baseLr + baseHeight * this.scaleFn(k);
    });
    if (this.cycleMomentum) {
      const groups = this.optimizer.paramGroups;
      this.baseMomentums.forEach((baseMomentum, i) => {
        const maxMomentum = this.maxMomentums[i]!;
        const baseHeight = (maxMomentum - baseMomentum) * scaleFactor;
        const momentum = maxMomentum - baseHeight * this.scaleFn(k);
        const r = groupRecord(groups[i]!);
        if (this.useBeta1) r["betas"] = [momentum, ...((r["betas"] as number[] | undefined) ?? []).slice(1)];
        else r["momentum"] = momentum;
      });
    }
    return lrs;
  }

  protected override stateFields(): StateField[] {
    return [
      field("max_lrs", "maxLrs", "numbers"),
      field("total_size", "totalSize", "number"),
      field("step_ratio", "stepRatio", "number"),
      field("mode", "mode", "string"),
      field("gamma", "gamma", "number"),
      field("scale_mode", "scaleMode", "string"),
      field("cycle_momentum", "cycleMomentum", "boolean"),
      ...(this.cycleMomentum
        ? [field("base_momentums", "baseMomentums", "numbers"), field("max_momentums", "maxMomentums", "numbers")]
        : []),
      ...super.stateFields(),
    ];
  }
}
