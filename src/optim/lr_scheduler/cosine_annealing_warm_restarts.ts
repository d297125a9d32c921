/**
 * `CosineAnnealingWarmRestarts`: SGDR (Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent
 * with Warm Restarts", ICLR 2017): cosine annealing from η_0 to `etaMin` over T_i epochs, then a
 * restart at η_0 with T_{i+1} = T_i · tMult.
 *
 *   η_t = η_min + (η_0 − η_min) · (1 + cos(π · T_cur / T_i)) / 2
 *
 * where T_cur counts epochs since the last restart. `step()` advances T_cur by one (restarting
 * when T_cur reaches T_i); `step(epoch)` accepts fractional epochs (`epoch + i / itersPerEpoch`)
 * and finds T_cur and T_i from the closed form: with tMult = 1, T_cur = epoch mod T_0; otherwise
 * n = ⌊log_{tMult}(epoch/T_0 · (tMult − 1) + 1)⌋, T_cur = epoch − T_0 (tMult^n − 1)/(tMult − 1),
 * T_i = T_0 · tMult^n.
 *
 * PyTorch parity: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (`T_0` → `t0`, `T_mult` →
 * `tMult`, `eta_min` → `etaMin`), with torch's checks and messages and its `_step_count`, which
 * this scheduler never advances.
 *
 * @example
 *   const sched = new optim.lrScheduler.CosineAnnealingWarmRestarts(opt, { t0: 10, tMult: 2 });
 *   for (let epoch = 0; epoch < 70; epoch++)
 *     for (let i = 0; i < iters; i++) { trainBatch(); sched.step(epoch + i / iters); }
 */
import { pyMod, pyRepr, type SchedulerOptimizer } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { field, type StateField } from "./state.js";
import { checkNumber } from "./validate.js";

export interface CosineAnnealingWarmRestartsOptions {
  /** The number of epochs before the first restart (a positive integer). */
  t0: number;
  /** The factor by which the period grows after each restart (an integer ≥ 1). Default 1. */
  tMult?: number;
  /** The minimum learning rate. Default 0. */
  etaMin?: number;
  /** The index of the last epoch, to resume. Default −1 (start). */
  lastEpoch?: number;
  /** Print each update. Default false. */
  verbose?: boolean;
}

export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  /** The current period T_i. */
  tI: number;
  tMult: number;
  etaMin: number;
  /** Epochs since the last restart (fractional after `step(epoch)` with a fractional epoch). */
  tCur: number;

  constructor(optimizer: SchedulerOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    const { t0, tMult = 1, etaMin = 0, lastEpoch = -1, verbose = false } =
      options ?? ({} as CosineAnnealingWarmRestartsOptions);
    checkNumber("CosineAnnealingWarmRestarts", "t0", t0);
    checkNumber("CosineAnnealingWarmRestarts", "tMult", tMult);
    checkNumber("CosineAnnealingWarmRestarts", "etaMin", etaMin);
    if (t0 <= 0 || !Number.isInteger(t0)) throw new RangeError(`Expected positive integer T_0, but got ${pyRepr(t0)}`);
    if (tMult < 1 || !Number.isInteger(tMult)) {
      throw new RangeError(`Expected integer T_mult >= 1, but got ${pyRepr(tMult)}`);
    }
    super(optimizer, lastEpoch, verbose);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = lastEpoch;
    this._initialStep();
  }

  protected getLr(): number[] {
    const c = 1 + Math.cos((Math.PI * this.tCur) / this.tI);
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * c) / 2);
  }

  /** Advance one step, or (with `epoch`, possibly fractional) jump to that epoch. */
  override step(epoch?: number): void {
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    let tCur = this.tCur;
    let tI = this.tI;
    let next: number;
    if (e === undefined) {
      next = this.lastEpoch + 1;
      tCur = tCur + 1;
      if (tCur >= tI) {
        tCur = tCur - tI;
        tI = tI * this.tMult;
      }
    } else {
      if (e < 0) throw new RangeError(`Expected non-negative epoch, but got ${pyRepr(e)}`);
      if (e >= this.t0) {
        if (this.tMult === 1) {
          tCur = pyMod(e, this.t0);
        } else {
          const m = this.tMult;
          const n = Math.trunc(Math.log((e / this.t0) * (m - 1) + 1) / Math.log(m));
          tCur = e - (this.t0 * (m ** n - 1)) / (m - 1);
          tI = this.t0 * m ** n;
        }
      } else {
        tI = this.t0;
        tCur = e;
      }
      next = e;
    }
    this.tCur = tCur;
    this.tI = tI;
    this.lastEpoch = Math.floor(next);
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      values = this.getLr();
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.applyLrs(values, e);
  }

  protected override stateFields(): StateField[] {
    return [
      field("T_0", "t0", "number"),
      field("T_i", "tI", "number"),
      field("T_mult", "tMult", "number"),
      field("eta_min", "etaMin", "number"),
      field("T_cur", "tCur", "number"),
      ...super.stateFields(),
    ];
  }
}
