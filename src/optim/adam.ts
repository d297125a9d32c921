/**
 * Adam, optionally with AMSGrad and coupled (L2) weight decay — `torch.optim.Adam`.
 *
 * With gradient g, parameter θ, learning rate γ (`lr`), moment decays β₁, β₂ (`betas`),
 * ε (`eps`) and weight decay λ (`weightDecay`), step t (from 1) is
 *
 *     g ← −g                         if maximize
 *     g ← g + λθ                     if λ ≠ 0
 *     m ← β₁m + (1 − β₁)g            (first moment)
 *     v ← β₂v + (1 − β₂)g²           (second moment)
 *     v̂ ← max(v̂, v), used for v      if amsgrad
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015); AMSGrad: Reddi et al.,
 * "On the Convergence of Adam and Beyond" (ICLR 2018).
 *
 * Textbook vs PyTorch: the textbook (§1.7.2, eqs. 1.53–1.55) combines the two moving averages as
 * θ ← θ − α·m/√(v + ε) without bias correction. PyTorch divides the moments by 1 − β₁ᵗ and
 * 1 − β₂ᵗ (so early steps are not shrunk toward zero) and adds ε after the square root, to the
 * bias-corrected √v̂ — that is, ε is effectively ε·√(1 − β₂ᵗ) in the paper's form.
 *
 * PyTorch parity: follows `_single_tensor_adam` of PyTorch 1.13.1 operation by operation — the
 * first moment is `exp_avg.mul_(β₁).add_(g, alpha=1 − β₁)` (1.13 has no `lerp_` yet), the
 * step size −γ/(1 − β₁ᵗ) and √(1 − β₂ᵗ) are computed in double and rounded once, and
 * `addcdiv_` applies the update; `step` is a 0-d float32 tensor. AMSGrad keeps the maximum of
 * the (uncorrected) second moments.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
 */
import type { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { arithOf, maximum, type FloatArray } from "./arith.js";
import { checkBetas, checkBoolean, checkEps, checkLr, checkWeightDecay } from "./checks.js";
import {
  Optimizer, bufferData, incrementStep, newBuffer, scalarOf,
  type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link Adam} (PyTorch's names, camelCased). */
export interface AdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** Decay rates [β₁, β₂] of the moment estimates (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Term added to the denominator (default 1e-8). */
  eps?: number;
  /** Coupled weight decay λ, an L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The options of one Adam parameter group. */
export type AdamGroup = Required<AdamOptions>;

/** Per-parameter state of {@link Adam} and AdamW. */
export interface AdamState {
  /** Steps taken (a 0-d float32 tensor, as in PyTorch). */
  step: Tensor;
  /** First moment m. */
  expAvg: Tensor;
  /** Second moment v. */
  expAvgSq: Tensor;
  /** Running maximum of v (AMSGrad only). */
  maxExpAvgSq?: Tensor;
}

/** The hyper-parameters the Adam kernel reads. */
export interface AdamHyper {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  readonly maximize: boolean;
}

/**
 * One Adam (or, with `decoupled`, AdamW) step in place over flat arrays; `step` is the step
 * count after incrementing (1 on the first step). `maxExpAvgSq` is needed when amsgrad.
 */
export function adam(
  param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, maxExpAvgSq: FloatArray | null,
  step: number, h: AdamHyper, decoupled = false,
): void {
  const A = arithOf(param);
  const [beta1, beta2] = h.betas;
  const { lr, maximize } = h;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = lr / biasCorrection1;
  const b1 = A.s(beta1), omb1 = A.s(1 - beta1), b2 = A.s(beta2), omb2 = A.s(1 - beta2);
  const negStep = A.s(-stepSize), bc2Sqrt = A.s(Math.sqrt(biasCorrection2)), eps = A.s(h.eps);
  const wd = A.s(h.weightDecay), decay = A.s(1 - lr * h.weightDecay);
  const useWd = !decoupled && h.weightDecay !== 0;
  const ams = h.amsgrad && maxExpAvgSq !== null;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    let p = param[i]!;
    let g = maximize ? -grad[i]! : grad[i]!;
    if (decoupled) p = A.mul(p, decay); // param.mul_(1 - lr * weight_decay)
    else if (useWd) g = A.add(g, p, wd); // grad = grad.add(param, alpha=weight_decay)
    const m = A.add(A.mul(expAvg[i]!, b1), g, omb1); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    let v = A.addcmul(A.mul(expAvgSq[i]!, b2), g, g, omb2); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    expAvg[i] = m;
    expAvgSq[i] = v;
    if (ams) {
      v = maximum(maxExpAvgSq![i]!, v); // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
      maxExpAvgSq![i] = v;
    }
    const denom = A.add(A.div(A.sqrt(v), bc2Sqrt), eps, 1); // (v.sqrt() / bias_correction2_sqrt).add_(eps)
    param[i] = A.addcdiv(p, m, denom, negStep); // param.addcdiv_(exp_avg, denom, value=-step_size)
  }
}

/** PyTorch 1.13's implementation switches in Adam's state-dict groups. */
const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({
  foreach: null, capturable: false, differentiable: false, fused: false,
});

/** The state entries of Adam and AdamW. */
export const ADAM_STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "scalar" },
  { field: "expAvg", key: "exp_avg", kind: "buffer" },
  { field: "expAvgSq", key: "exp_avg_sq", kind: "buffer" },
  { field: "maxExpAvgSq", key: "max_exp_avg_sq", kind: "buffer", optional: true },
];

/** The defaults and checks shared by Adam and AdamW. */
export function adamDefaults(options: AdamOptions, weightDecay: number): AdamGroup {
  return {
    lr: options.lr ?? 1e-3,
    betas: options.betas ?? [0.9, 0.999],
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
    maximize: options.maximize ?? false,
  };
}

/** PyTorch's constructor checks of Adam and AdamW. */
export function checkAdamOptions(o: AdamGroup): void {
  checkLr(o.lr);
  checkEps(o.eps);
  checkBetas(o.betas);
  checkWeightDecay(o.weightDecay);
  checkBoolean(o.amsgrad, "amsgrad");
  checkBoolean(o.maximize, "maximize");
}

/** `torch.optim.Adam`: see the file comment for the update rule. */
export class Adam extends Optimizer<AdamGroup, AdamState> {
  constructor(params: ParamsInput<AdamGroup>, options: AdamOptions = {}) {
    super(params, adamDefaults(options, 0));
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return ADAM_STATE;
  }

  protected checkOptions(o: AdamGroup): void {
    checkAdamOptions(o);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamGroup>): AdamState {
    return initAdamState(p, group);
  }

  protected update(param: FloatArray, grad: FloatArray, s: AdamState, group: ParamGroup<AdamGroup>, p: Tensor): void {
    adamUpdate(param, grad, s, group, p, false);
  }
}

/** Adam/AdamW state on a parameter's first step. */
export function initAdamState(p: Tensor, group: AdamHyper): AdamState {
  const s: AdamState = { step: scalarOf(0), expAvg: newBuffer(p), expAvgSq: newBuffer(p) };
  if (group.amsgrad) s.maxExpAvgSq = newBuffer(p);
  return s;
}

/** One Adam/AdamW step of one parameter: bump `step`, run the kernel. */
export function adamUpdate(
  param: FloatArray, grad: FloatArray, s: AdamState, group: AdamHyper, p: Tensor, decoupled: boolean,
): void {
  if (group.amsgrad && s.maxExpAvgSq === undefined) s.maxExpAvgSq = newBuffer(p);
  const step = incrementStep(s.step);
  const max = group.amsgrad ? bufferData(s.maxExpAvgSq!) : null;
  const expAvg = bufferData(s.expAvg), expAvgSq = bufferData(s.expAvgSq);
  // a backend's fused kernel (bit-identical to `adam`) when it has one
  if (backend().optimizerStep({ kind: "adam", param, grad, expAvg, expAvgSq, maxExpAvgSq: max, step, decoupled, hyper: group })) return;
  adam(param, grad, expAvg, expAvgSq, max, step, group, decoupled);
}
