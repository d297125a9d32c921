/**
 * `CosineAnnealingLR`: anneal the learning rate from η_max = η_0 to `etaMin` along half a cosine
 * over `tMax` epochs (the annealing of SGDR, Loshchilov & Hutter 2017, without the restarts).
 *
 *   closed form   η_t = η_min + (η_0 − η_min) · (1 + cos(π·t / T_max)) / 2
 *   chainable     η_t = (1 + cos(π·t/T_max)) / (1 + cos(π·(t − 1)/T_max)) · (η_{t−1} − η_min) + η_min
 *                 η_t = η_{t−1} + (η_0 − η_min) · (1 − cos(π / T_max)) / 2   when (t − 1 − T_max) mod 2T_max = 0
 *
 * Past `tMax` the curve rises again (period 2·T_max), in both forms, like PyTorch's.
 *
 * PyTorch parity: torch.optim.lr_scheduler.CosineAnnealingLR (`T_max` → `tMax`, `eta_min` →
 * `etaMin`, default 0), including the first step after resuming with `lastEpoch` > −1, which
 * uses the closed form. Beyond PyTorch: `tMax` must be > 0 (torch divides by zero at the first
 * step).
 *
 * @example
 *   const sched = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
import { pyMod, pyRepr, type SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkNumber } from "./validate.js";

export interface CosineAnnealingLROptions {
  /** Half the period of the cosine, in epochs: the lr reaches `etaMin` at `tMax`. */
  tMax: number;
  /** The minimum learning rate. Default 0. */
  etaMin?: number;
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: SchedulerOptimizer, options: CosineAnnealingLROptions) {
    const { tMax, etaMin = 0, lastEpoch = -1, verbose = false } = options ?? ({} as CosineAnnealingLROptions);
    checkNumber("CosineAnnealingLR", "tMax", tMax);
    checkNumber("CosineAnnealingLR", "etaMin", etaMin);
    if (!(tMax > 0)) throw new RangeError(`Expected positive tMax, but got ${pyRepr(tMax)}`);
    super(optimizer, lastEpoch, verbose);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this._initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const t = this.lastEpoch;
    const T = this.tMax;
    const etaMin = this.etaMin;
    if (t === 0) return groups.map((g) => g.lr);
    if (this._stepCount === 1 && t > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    }
    if (pyMod(t - 1 - T, 2 * T) === 0) {
      const c = 1 - Math.cos(Math.PI / T);
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * c) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T));
    return groups.map((g) => ratio * (g.lr - etaMin) + etaMin);
  }

  override getClosedFormLr(): number[] {
    const c = 1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax);
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * c) / 2);
  }

  protected override stateFields(): StateField[] {
    return [field("T_max", "tMax", "number"), field("eta_min", "etaMin", "number"), ...super.stateFields()];
  }
}
