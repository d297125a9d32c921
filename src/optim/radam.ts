/**
 * RAdam: rectified Adam — `torch.optim.RAdam`.
 *
 * With gradient g, learning rate γ, decays β₁, β₂, ε and weight decay λ, step t is
 *
 *     g ← g + λθ   (or θ ← θ(1 − γλ) with decoupledWeightDecay)      if λ ≠ 0
 *     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
 *     m̂ = m / (1 − β₁ᵗ)
 *     ρ∞ = 2/(1 − β₂) − 1,  ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
 *     if ρₜ > 5:  r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)),
 *                 θ ← θ − γ · m̂ · √(1 − β₂ᵗ)/(√v + ε) · r
 *     else:       θ ← θ − γ · m̂                        (SGD with momentum while v is unreliable)
 *
 * Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (ICLR 2020).
 *
 * Textbook vs PyTorch: not in the textbook; Adam (§1.7.2) whose adaptive step is switched on
 * only once the variance of the second-moment estimate is tractable (ρₜ > 5), and rectified by r.
 *
 * PyTorch parity: follows `_single_tensor_radam` of PyTorch 1.13.1 — the adaptive factor is
 * `sqrt(bias_correction2) / (v.sqrt() + eps)`, which PyTorch evaluates as the reciprocal of the
 * tensor times the scalar, and the update is the product m̂·γ·adaptive·r, rounded after each
 * factor. `decoupledWeightDecay` is PyTorch 2.x's option; PyTorch 1.13 has neither it nor
 * `maximize`.
 *
 * @example
 * const opt = new optim.RAdam(model.parameters(), { lr: 1e-3 });
 */
import type { Tensor } from "../tensor/tensor.js";
import { arithOf, type FloatArray } from "./arith.js";
import { checkBetas, checkBoolean, checkEps, checkLr, checkWeightDecay } from "./checks.js";
import {
  Optimizer, bufferData, incrementStep, newBuffer, scalarOf,
  type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link RAdam} (PyTorch's names, camelCased). */
export interface RAdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** Decays [β₁, β₂] (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Term added to the denominator (default 1e-8). */
  eps?: number;
  /** Weight decay λ (default 0): an L2 term, or decoupled (see below). */
  weightDecay?: number;
  /** Decay the parameter directly, AdamW-style (PyTorch 2.x; default false). */
  decoupledWeightDecay?: boolean;
}

/** The options of one RAdam parameter group. */
export type RAdamGroup = Required<RAdamOptions>;

/** Per-parameter state of {@link RAdam}. */
export interface RAdamState {
  /** Steps taken (0-d float32 tensor). */
  step: Tensor;
  /** First moment m. */
  expAvg: Tensor;
  /** Second moment v. */
  expAvgSq: Tensor;
}

/** The hyper-parameters the RAdam kernel reads. */
export interface RAdamHyper {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupledWeightDecay: boolean;
}

/** One RAdam step in place; `step` is the count after incrementing. */
export function radam(param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, step: number, h: RAdamHyper): void {
  const A = arithOf(param);
  const [beta1, beta2] = h.betas;
  const { lr, weightDecay } = h;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
  const adaptive = rhoT > 5;
  const rect = adaptive ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
  const b1 = A.s(beta1), omb1 = A.s(1 - beta1), b2 = A.s(beta2), omb2 = A.s(1 - beta2);
  const bc1 = A.s(biasCorrection1), bc2Sqrt = A.s(Math.sqrt(biasCorrection2)), eps = A.s(h.eps);
  const lrS = A.s(lr), rectS = A.s(rect), wd = A.s(weightDecay), decay = A.s(1 - lr * weightDecay);
  const decoupled = weightDecay !== 0 && h.decoupledWeightDecay, useWd = weightDecay !== 0 && !h.decoupledWeightDecay;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    let p = param[i]!;
    let g = grad[i]!;
    if (decoupled) p = A.mul(p, decay); // param.mul_(1 - lr * weight_decay)
    else if (useWd) g = A.add(g, p, wd); // grad = grad.add(param, alpha=weight_decay)
    const m = A.add(A.mul(expAvg[i]!, b1), g, omb1); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    const v = A.addcmul(A.mul(expAvgSq[i]!, b2), g, g, omb2); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    expAvg[i] = m;
    expAvgSq[i] = v;
    const corrected = A.div(m, bc1); // exp_avg / bias_correction1
    let update = A.mul(corrected, lrS); // bias_corrected_exp_avg * lr
    if (adaptive) {
      // adaptive_lr = math.sqrt(bias_correction2) / exp_avg_sq.sqrt().add_(eps)  (= reciprocal() * scalar)
      const adaptiveLr = A.mul(A.div(1, A.add(A.sqrt(v), eps, 1)), bc2Sqrt);
      update = A.mul(A.mul(update, adaptiveLr), rectS); // ... * adaptive_lr * rect
    }
    param[i] = A.add(p, update, -1); // param.add_(..., alpha=-1.0)
  }
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null });
const STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "scalar" },
  { field: "expAvg", key: "exp_avg", kind: "buffer" },
  { field: "expAvgSq", key: "exp_avg_sq", kind: "buffer" },
];

/** `torch.optim.RAdam`: see the file comment for the update rule. */
export class RAdam extends Optimizer<RAdamGroup, RAdamState> {
  constructor(params: ParamsInput<RAdamGroup>, options: RAdamOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      decoupledWeightDecay: options.decoupledWeightDecay ?? false,
    });
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return STATE;
  }

  protected checkOptions(o: RAdamGroup): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkBetas(o.betas);
    checkWeightDecay(o.weightDecay);
    checkBoolean(o.decoupledWeightDecay, "decoupledWeightDecay");
  }

  protected initState(p: Tensor): RAdamState {
    return { step: scalarOf(0), expAvg: newBuffer(p), expAvgSq: newBuffer(p) };
  }

  protected update(param: FloatArray, grad: FloatArray, s: RAdamState, group: ParamGroup<RAdamGroup>): void {
    radam(param, grad, bufferData(s.expAvg), bufferData(s.expAvgSq), incrementStep(s.step), group);
  }
}
