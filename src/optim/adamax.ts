/**
 * Adamax: Adam with the infinity norm — `torch.optim.Adamax`.
 *
 * With gradient g, learning rate γ, decays β₁, β₂ (`betas`), ε and weight decay λ, step t is
 *
 *     g ← −g                          if maximize
 *     g ← g + λθ                      if λ ≠ 0
 *     m ← β₁m + (1 − β₁)g
 *     u ← max(β₂u, |g| + ε)
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / u
 *
 * Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), section 7.1.
 *
 * Textbook vs PyTorch: not in the textbook; Adam (§1.7.2) with the second moment replaced by an
 * exponentially weighted infinity norm, which needs no bias correction. The paper takes
 * max(β₂u, |g|) and divides by u; PyTorch adds ε to |g| inside the maximum instead.
 *
 * PyTorch parity: the maximum propagates NaN (`torch.amax`); `step` is a 0-d float32 tensor.
 * Follows `_single_tensor_adamax` of 1.13.1.
 *
 * @example
 * const opt = new optim.Adamax(model.parameters(), { lr: 2e-3 });
 */
import type { Tensor } from "../tensor/tensor.js";
import { arithOf, maximum, type FloatArray } from "./arith.js";
import { checkBetas, checkBoolean, checkEps, checkLr, checkWeightDecay } from "./checks.js";
import {
  Optimizer, bufferData, incrementStep, newBuffer, scalarOf,
  type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link Adamax} (PyTorch's names, camelCased). */
export interface AdamaxOptions {
  /** Learning rate γ (default 2e-3). */
  lr?: number;
  /** Decays [β₁, β₂] (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Term added to |g| (default 1e-8). */
  eps?: number;
  /** Coupled weight decay λ (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The options of one Adamax parameter group. */
export type AdamaxGroup = Required<AdamaxOptions>;

/** Per-parameter state of {@link Adamax}. */
export interface AdamaxState {
  /** Steps taken (0-d float32 tensor). */
  step: Tensor;
  /** First moment m. */
  expAvg: Tensor;
  /** Exponentially weighted infinity norm u. */
  expInf: Tensor;
}

/** The hyper-parameters the Adamax kernel reads. */
export interface AdamaxHyper {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly maximize: boolean;
}

/** One Adamax step in place; `step` is the count after incrementing. */
export function adamax(param: FloatArray, grad: FloatArray, expAvg: FloatArray, expInf: FloatArray, step: number, h: AdamaxHyper): void {
  const A = arithOf(param);
  const [beta1, beta2] = h.betas;
  const clr = h.lr / (1 - beta1 ** step);
  const b1 = A.s(beta1), omb1 = A.s(1 - beta1), b2 = A.s(beta2), eps = A.s(h.eps), wd = A.s(h.weightDecay);
  const negClr = A.s(-clr);
  const useWd = h.weightDecay !== 0, maximize = h.maximize;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    let g = maximize ? -grad[i]! : grad[i]!;
    if (useWd) g = A.add(g, p, wd); // grad = grad.add(param, alpha=weight_decay)
    const m = A.add(A.mul(expAvg[i]!, b1), g, omb1); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    expAvg[i] = m;
    // torch.amax(cat([exp_inf.mul_(beta2), grad.abs().add_(eps)]), 0, out=exp_inf)
    const u = maximum(A.mul(expInf[i]!, b2), A.add(Math.abs(g), eps, 1));
    expInf[i] = u;
    param[i] = A.addcdiv(p, m, u, negClr); // param.addcdiv_(exp_avg, exp_inf, value=-clr)
  }
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null });
const STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "scalar" },
  { field: "expAvg", key: "exp_avg", kind: "buffer" },
  { field: "expInf", key: "exp_inf", kind: "buffer" },
];

/** `torch.optim.Adamax`: see the file comment for the update rule. */
export class Adamax extends Optimizer<AdamaxGroup, AdamaxState> {
  constructor(params: ParamsInput<AdamaxGroup>, options: AdamaxOptions = {}) {
    super(params, {
      lr: options.lr ?? 2e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      maximize: options.maximize ?? false,
    });
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return STATE;
  }

  protected checkOptions(o: AdamaxGroup): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkBetas(o.betas);
    checkWeightDecay(o.weightDecay);
    checkBoolean(o.maximize, "maximize");
  }

  protected initState(p: Tensor): AdamaxState {
    return { step: scalarOf(0), expAvg: newBuffer(p), expInf: newBuffer(p) };
  }

  protected update(param: FloatArray, grad: FloatArray, s: AdamaxState, group: ParamGroup<AdamaxGroup>): void {
    adamax(param, grad, bufferData(s.expAvg), bufferData(s.expInf), incrementStep(s.step), group);
  }
}
