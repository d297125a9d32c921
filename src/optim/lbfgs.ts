/**
 * L-BFGS, with an optional strong-Wolfe line search — `torch.optim.LBFGS`.
 *
 * A quasi-Newton method: it keeps the last m (`historySize`) pairs sₖ = θₖ₊₁ − θₖ,
 * yₖ = ∇fₖ₊₁ − ∇fₖ (those with yₖ·sₖ > 1e-10) and turns the gradient g into the direction
 * d = −H·g with the two-loop recursion, starting from H₀ = (y·s)/(y·y)·I:
 *
 *     q ← −g;  for k = newest…oldest:  αₖ = ρₖ sₖ·q,  q ← q − αₖyₖ        (ρₖ = 1/(yₖ·sₖ))
 *     r ← H₀q; for k = oldest…newest:  βₖ = ρₖ yₖ·r,  r ← r + (αₖ − βₖ)sₖ
 *     d = r,   θ ← θ + t·d
 *
 * The step t is `lr` (on the very first iteration min(1, 1/‖g‖₁)·lr), or, with
 * `lineSearchFn: "strong_wolfe"`, the point a bracketing/zoom line search with cubic
 * interpolation finds satisfying the strong Wolfe conditions (c₁ = 1e-4, c₂ = 0.9). One `step`
 * runs up to `maxIter` iterations and `maxEval` evaluations of the closure, stopping early when
 * max|g| ≤ `toleranceGrad` or the change in θ or in the loss falls below `toleranceChange`.
 *
 * Liu & Nocedal, "On the Limited Memory BFGS Method for Large Scale Optimization" (Math.
 * Programming 1989); line search: Nocedal & Wright, "Numerical Optimization", algorithms 3.5–3.6.
 *
 * Textbook vs PyTorch: the textbook (§1.7.2) stays with first-order methods and leaves
 * second-order ones to the references; L-BFGS approximates the second-order (Newton) step from
 * first-order information only.
 *
 * PyTorch parity: follows `torch/optim/lbfgs.py` of 1.13.1 (a port of Torch7's lbfgs.lua and
 * lswolfe.lua): one parameter group only, `step(closure)` requires the closure and returns its
 * first loss, the state lives on the first parameter (`func_evals`, `n_iter`, `d`, `t`,
 * `old_dirs`, `old_stps`, `ro`, `H_diag`, `prev_flat_grad`, `prev_loss`, `al`). Vector
 * operations round like PyTorch's (float32 parameters give float32 directions); dot products
 * and sums are accumulated in double and rounded once, where PyTorch calls BLAS, so float32
 * runs match PyTorch to rounding, not bit for bit. In state dicts `t` is always a number.
 *
 * @example
 * const opt = new optim.LBFGS(model.parameters(), { lr: 1, lineSearchFn: "strong_wolfe" });
 * opt.step(() => { opt.zeroGrad(); const loss = lossFn(model.forward(x), y); loss.backward(); return loss; });
 */
import { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { isGradEnabled, setGradEnabled } from "../autograd/grad_mode.js";
import { F32, F64, type Arith, type FloatArray } from "./arith.js";
import { checkNumber, pyFloat } from "./checks.js";
import {
  Optimizer, cloneTensor, flatData, scalarOf,
  type GroupValue, type ParamGroup, type ParamGroupInput, type ParamsInput, type StateEntrySpec, type StateValue,
} from "./optimizer.js";

/** Options of {@link LBFGS} (PyTorch's names, camelCased). */
export interface LBFGSOptions {
  /** Learning rate: the step length t (default 1). */
  lr?: number;
  /** Maximum iterations per `step` (default 20). */
  maxIter?: number;
  /** Maximum closure evaluations per `step` (default ⌊maxIter·5/4⌋). */
  maxEval?: number | null;
  /** Stop when max|g| ≤ this (default 1e-7). */
  toleranceGrad?: number;
  /** Stop when the change of θ or of the loss is below this (default 1e-9). */
  toleranceChange?: number;
  /** Number of (s, y) pairs kept (default 100). */
  historySize?: number;
  /** `"strong_wolfe"` or null for a fixed step (default null). */
  lineSearchFn?: "strong_wolfe" | null;
}

/** The options of the LBFGS parameter group (`maxEval` resolved to a number). */
export interface LBFGSGroup {
  lr: number;
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: "strong_wolfe" | null;
}

/** The state of {@link LBFGS} (kept for the first parameter, as in PyTorch). */
export interface LBFGSState {
  funcEvals: number;
  nIter: number;
  /** Last direction. */
  d?: FloatArray;
  /** Last step length. */
  t?: number;
  oldDirs?: FloatArray[];
  oldStps?: FloatArray[];
  ro?: number[];
  /** Initial inverse-Hessian scale; null until the first (s, y) pair is stored (PyTorch's int 1). */
  hDiag?: number | null;
  prevFlatGrad?: FloatArray;
  prevLoss?: number;
  al?: (number | null)[];
}

/** Cubic interpolation of two points with function values and derivatives (Torch7's polyinterp). */
export function cubicInterpolate(
  x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: readonly [number, number],
): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 ** 2 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos =
      x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}

/** Σ aᵢbᵢ, accumulated in double, rounded to the dtype (PyTorch calls BLAS `dot`). */
function dot(A: Arith, a: FloatArray, b: FloatArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return A.s(s);
}

/** max |aᵢ| (NaN if any element is NaN, as `abs().max()`). */
function maxAbs(a: FloatArray): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v !== v) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/** `x.mul(s)` as a new array. */
function scaled(A: Arith, x: FloatArray, s: number): FloatArray {
  const out = x.slice();
  const f = A.s(s);
  for (let i = 0; i < out.length; i++) out[i] = A.mul(out[i]!, f);
  return out;
}

/** `x.add_(y, alpha=alpha)` in place. */
function addInPlace(A: Arith, x: FloatArray, y: FloatArray, alpha: number): void {
  const a = A.s(alpha);
  for (let i = 0; i < x.length; i++) x[i] = A.add(x[i]!, y[i]!, a);
}

type Evaluate = (x: FloatArray[], t: number, d: FloatArray) => [loss: number, flatGrad: FloatArray];

/**
 * The strong-Wolfe line search of PyTorch (lswolfe.lua): returns the new loss, its flat
 * gradient, the step length and the number of evaluations.
 */
function strongWolfe(
  A: Arith, objFunc: Evaluate, x: FloatArray[], t0: number, d: FloatArray, f: number, g: FloatArray, gtd: number,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25,
): [number, FloatArray, number, number] {
  let t = t0;
  const dNorm = maxAbs(d);
  g = g.slice();
  let [fNew, gNew] = objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(A, gNew, d);
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [], bracketF: number[] = [], bracketG: FloatArray[] = [], bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.slice()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.slice()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // interpolate
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.slice();
    gtdPrev = gtdNew;
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(A, gNew, d);
    lsIter += 1;
  }
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
  }

  // zoom phase
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const bMax = Math.max(...bracket), bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(A, gNew, d);
    lsIter += 1;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.slice();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.slice();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

const NO_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({});
const NO_STATE: readonly StateEntrySpec[] = [];

/** `torch.optim.LBFGS`: see the file comment for the algorithm. */
export class LBFGS extends Optimizer<LBFGSGroup, LBFGSState> {
  constructor(params: ParamsInput<LBFGSGroup>, options: LBFGSOptions = {}) {
    const maxIter = options.maxIter ?? 20;
    super(params, {
      lr: options.lr ?? 1,
      maxIter,
      maxEval: options.maxEval ?? Math.floor((maxIter * 5) / 4),
      toleranceGrad: options.toleranceGrad ?? 1e-7,
      toleranceChange: options.toleranceChange ?? 1e-9,
      historySize: options.historySize ?? 100,
      lineSearchFn: options.lineSearchFn ?? null,
    });
  }

  /** LBFGS takes one parameter group only. */
  override addParamGroup(paramGroup: ParamGroupInput<LBFGSGroup>): void {
    if (this.paramGroups.length > 0)
      throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(paramGroup);
    const dtypes = new Set(this.paramGroups[0]!.params.map((p) => p.dtype));
    if (dtypes.size > 1) throw new TypeError("LBFGS needs all parameters to have the same floating dtype");
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return NO_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return NO_STATE;
  }

  protected checkOptions(o: LBFGSGroup): void {
    for (const key of ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize"] as const)
      checkNumber(o[key], key);
    if (o.lineSearchFn !== null && o.lineSearchFn !== "strong_wolfe")
      throw new RangeError("only 'strong_wolfe' is supported");
    if (!(o.historySize >= 1) || !Number.isInteger(o.historySize))
      throw new RangeError(`Invalid history_size value: ${pyFloat(o.historySize)}`);
  }

  protected initState(): LBFGSState {
    return { funcEvals: 0, nIter: 0 };
  }

  protected update(): void {
    throw new Error("LBFGS updates all parameters together in step(closure)");
  }

  private get params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  private numel(): number {
    return this.params.reduce((n, p) => n + p.numel(), 0);
  }

  private gatherFlatGrad(): FloatArray {
    const dtype = this.params[0]!.dtype;
    const out = (backend().alloc(dtype, this.numel()).data as FloatArray);
    let offset = 0;
    for (const p of this.params) {
      const n = p.numel();
      if (p.grad !== null) {
        const g = flatData(p.grad) ?? (cloneTensor(p.grad, p.grad.dtype).storage.data as FloatArray);
        out.set(g, offset);
      }
      offset += n;
    }
    return out;
  }

  /** `p.add_(update[offset:offset + numel].view_as(p), alpha=stepSize)` for every parameter. */
  private addGrad(A: Arith, stepSize: number, update: FloatArray): void {
    let offset = 0;
    for (const p of this.params) {
      const n = p.numel();
      const flat = flatData(p);
      const data = flat ?? (cloneTensor(p, p.dtype).storage.data as FloatArray);
      addInPlace(A, data, update.subarray(offset, offset + n), stepSize);
      if (flat === null) writeBack(p, data);
      p.storage.version++;
      offset += n;
    }
  }

  private cloneParams(): FloatArray[] {
    return this.params.map((p) => cloneTensor(p, p.dtype).storage.data as FloatArray);
  }

  private setParams(data: FloatArray[]): void {
    this.params.forEach((p, i) => {
      writeBack(p, data[i]!);
      p.storage.version++;
    });
  }

  /**
   * Up to `maxIter` L-BFGS iterations. `closure` must clear the gradients, compute the loss,
   * call `backward()` and return the loss; the loss of its first call is returned.
   */
  override step<L>(closure?: () => L): L | undefined {
    if (typeof closure !== "function") throw new TypeError("LBFGS.step() missing 1 required argument: 'closure'");
    const prev = isGradEnabled();
    setGradEnabled(false);
    try {
      return this.run(closure);
    } finally {
      setGradEnabled(prev);
    }
  }

  private run<L>(closure: () => L): L {
    const evaluate = (): number => {
      setGradEnabled(true);
      try {
        return toNumber(closure());
      } finally {
        setGradEnabled(false);
      }
    };
    const group = this.paramGroups[0]! as ParamGroup<LBFGSGroup>;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const A = this.params[0]!.dtype === "float32" ? F32 : F64;
    const first = this.params[0]!;
    let state = this.state.get(first);
    if (state === undefined) {
      state = this.initState();
      this.state.set(first, state);
    }

    setGradEnabled(true);
    let origLoss: L;
    try {
      origLoss = closure();
    } finally {
      setGradEnabled(false);
    }
    let loss = toNumber(origLoss);
    let currentEvals = 1;
    state.funcEvals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = A.s(maxAbs(flatGrad)) <= A.s(toleranceGrad);
    if (optCond) return origLoss;

    let d = state.d;
    let t = state.t;
    let oldDirs = state.oldDirs;
    let oldStps = state.oldStps;
    let ro = state.ro;
    let hDiag = state.hDiag ?? null;
    let prevFlatGrad = state.prevFlatGrad;
    let prevLoss = state.prevLoss;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.nIter += 1;

      // compute the descent direction
      if (state.nIter === 1) {
        d = scaled(A, flatGrad, -1);
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = null;
      } else {
        const y = flatGrad.slice();
        for (let i = 0; i < y.length; i++) y[i] = A.sub(flatGrad[i]!, prevFlatGrad![i]!);
        const s = scaled(A, d!, t!);
        const ys = dot(A, y, s);
        if (ys > A.s(1e-10)) {
          if (oldDirs!.length === historySize) {
            oldDirs!.shift();
            oldStps!.shift();
            ro!.shift();
          }
          oldDirs!.push(y);
          oldStps!.push(s);
          ro!.push(A.div(1, ys));
          hDiag = A.div(ys, dot(A, y, y));
        }
        const numOld = oldDirs!.length;
        if (state.al === undefined) state.al = new Array<number | null>(historySize).fill(null);
        const al = state.al;
        const q = scaled(A, flatGrad, -1);
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = A.mul(dot(A, oldStps![i]!, q), ro![i]!);
          addInPlace(A, q, oldDirs![i]!, -al[i]!);
        }
        const r = hDiag === null ? q : scaled(A, q, hDiag);
        for (let i = 0; i < numOld; i++) {
          const be = A.mul(dot(A, oldDirs![i]!, r), ro![i]!);
          addInPlace(A, r, oldStps![i]!, A.sub(al[i]!, be));
        }
        d = r;
      }
      if (prevFlatGrad === undefined) prevFlatGrad = flatGrad.slice();
      else prevFlatGrad.set(flatGrad);
      prevLoss = loss;

      // compute the step length
      if (state.nIter === 1) {
        let absSum = 0;
        for (let i = 0; i < flatGrad.length; i++) absSum += Math.abs(flatGrad[i]!);
        const inv = A.div(1, A.s(absSum));
        t = inv < 1 ? A.mul(inv, A.s(lr)) : lr;
      } else {
        t = lr;
      }
      const gtd = dot(A, flatGrad, d!);
      if (gtd > A.s(-toleranceChange)) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.cloneParams();
        const objFunc: Evaluate = (x, step, dir) => {
          this.addGrad(A, step, dir);
          const f = evaluate();
          const g = this.gatherFlatGrad();
          this.setParams(x);
          return [f, g];
        };
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(A, objFunc, xInit, t, d!, loss, flatGrad, gtd);
        this.addGrad(A, t, d!);
        optCond = A.s(maxAbs(flatGrad)) <= A.s(toleranceGrad);
      } else {
        this.addGrad(A, t, d!);
        if (nIter !== maxIter) {
          loss = evaluate();
          flatGrad = this.gatherFlatGrad();
          optCond = A.s(maxAbs(flatGrad)) <= A.s(toleranceGrad);
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.funcEvals += lsFuncEvals;

      // check conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (A.mul(maxAbs(d!), A.s(Math.abs(t))) <= A.s(toleranceChange)) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
    return origLoss;
  }

  protected override packState(s: LBFGSState, param: Tensor): { [key: string]: StateValue } {
    const dtype = param.dtype;
    const vec = (a: FloatArray): Tensor => tensorOf(a, dtype);
    const num = (x: number): Tensor => scalarOf(x, dtype);
    const out: { [key: string]: StateValue } = { func_evals: s.funcEvals, n_iter: s.nIter };
    if (s.d !== undefined) out["d"] = vec(s.d);
    if (s.t !== undefined) out["t"] = s.t;
    if (s.oldDirs !== undefined) out["old_dirs"] = s.oldDirs.map(vec);
    if (s.oldStps !== undefined) out["old_stps"] = s.oldStps.map(vec);
    if (s.ro !== undefined) out["ro"] = s.ro.map(num);
    if (s.hDiag !== undefined) out["H_diag"] = s.hDiag === null ? 1 : num(s.hDiag);
    if (s.prevFlatGrad !== undefined) out["prev_flat_grad"] = vec(s.prevFlatGrad);
    if (s.prevLoss !== undefined) out["prev_loss"] = s.prevLoss;
    if (s.al !== undefined) out["al"] = s.al.map((x) => (x === null ? null : num(x)));
    return out;
  }

  protected override unpackState(e: { [key: string]: StateValue }, param: Tensor, id: string): LBFGSState {
    const n = this.numel();
    const where = (key: string): string => `'${key}' of parameter ${id}`;
    const known = ["func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "al"];
    for (const key of Object.keys(e))
      if (!known.includes(key)) throw new RangeError(`loaded state dict has an unexpected entry '${key}' in the state of parameter ${id}`);
    const num = (v: StateValue, key: string): number => {
      if (typeof v === "number") return v;
      if (v instanceof Tensor && v.numel() === 1) return v.item();
      throw new TypeError(`loaded state dict's ${where(key)} must be a number or a one-element tensor`);
    };
    const vec = (v: StateValue, key: string): FloatArray => {
      if (!(v instanceof Tensor) || v.numel() !== n)
        throw new RangeError(`loaded state dict's ${where(key)} must be a tensor of ${n} elements`);
      return cloneTensor(v, param.dtype).storage.data as FloatArray;
    };
    const list = <T>(v: StateValue, key: string, f: (x: StateValue) => T): T[] => {
      if (!Array.isArray(v)) throw new TypeError(`loaded state dict's ${where(key)} must be a list`);
      return (v as readonly StateValue[]).map(f);
    };
    const s: LBFGSState = { funcEvals: num(e["func_evals"] ?? 0, "func_evals"), nIter: num(e["n_iter"] ?? 0, "n_iter") };
    if (e["d"] !== undefined) s.d = vec(e["d"], "d");
    if (e["t"] !== undefined) s.t = num(e["t"], "t");
    if (e["old_dirs"] !== undefined) s.oldDirs = list(e["old_dirs"], "old_dirs", (x) => vec(x, "old_dirs"));
    if (e["old_stps"] !== undefined) s.oldStps = list(e["old_stps"], "old_stps", (x) => vec(x, "old_stps"));
    if (e["ro"] !== undefined) s.ro = list(e["ro"], "ro", (x) => num(x, "ro"));
    if (e["H_diag"] !== undefined) {
      const h = e["H_diag"];
      s.hDiag = typeof h === "number" ? null : num(h, "H_diag");
    }
    if (e["prev_flat_grad"] !== undefined) s.prevFlatGrad = vec(e["prev_flat_grad"], "prev_flat_grad");
    if (e["prev_loss"] !== undefined) s.prevLoss = num(e["prev_loss"], "prev_loss");
    if (e["al"] !== undefined) s.al = list(e["al"], "al", (x) => (x === null ? null : num(x, "al")));
    return s;
  }
}

/** A loss as a number (`float(closure())`). */
function toNumber(x: unknown): number {
  if (typeof x === "number") return x;
  if (x instanceof Tensor) return x.item();
  throw new TypeError(`the closure must return the loss as a Tensor or a number, got ${typeof x}`);
}

/** A 1-D tensor holding a copy of `a`. */
function tensorOf(a: FloatArray, dtype: Tensor["dtype"]): Tensor {
  const t = new Tensor(backend().alloc(dtype, a.length), [a.length]);
  (t.storage.data as FloatArray).set(a);
  return t;
}

/** Copy contiguous `data` into the (possibly strided) parameter `p`. */
function writeBack(p: Tensor, data: FloatArray): void {
  const flat = flatData(p);
  if (flat !== null) {
    if (flat !== data) flat.set(data);
    return;
  }
  const src = new Tensor(backend().wrap(data), p.shape);
  backend().copy(src, p);
}
