/**
 * NAdam: Adam with Nesterov momentum — `torch.optim.NAdam`.
 *
 * With gradient g, learning rate γ, decays β₁, β₂, ε, weight decay λ and momentum decay ψ
 * (`momentumDecay`), step t is
 *
 *     g ← g + λθ   (or θ ← θ(1 − γλ) with decoupledWeightDecay)      if λ ≠ 0
 *     μₜ = β₁(1 − ½·0.96^(tψ)),  μₜ₊₁ = β₁(1 − ½·0.96^((t+1)ψ))
 *     Πₜ = Πₜ₋₁·μₜ                                         (mu_product)
 *     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
 *     d = √(v / (1 − β₂ᵗ)) + ε
 *     θ ← θ − γ(1 − μₜ)/(1 − Πₜ) · g/d − γμₜ₊₁/(1 − Πₜ·μₜ·μₜ₊₁) · m/d
 *
 * Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop); decoupled decay:
 * Loshchilov & Hutter (ICLR 2019).
 *
 * Textbook vs PyTorch: not in the textbook; Adam (§1.7.2) whose first-moment step looks one
 * step ahead, with a slowly warming momentum schedule μₜ.
 *
 * PyTorch parity: follows `_single_tensor_nadam` of PyTorch 1.13.1, including its second
 * denominator 1 − Πₜ·μₜ·μₜ₊₁ (Πₜ already contains μₜ; PyTorch 2.0 changed it to 1 − Πₜ·μₜ₊₁),
 * and `mu_product` is a 0-d float32 tensor also for float64 parameters, so Πₜ is rounded to
 * float32 every step. `decoupledWeightDecay` is PyTorch 2.x's option (θ ← θ(1 − γλ) instead
 * of the L2 gradient term); PyTorch 1.13 has neither it nor `maximize`.
 *
 * @example
 * const opt = new optim.NAdam(model.parameters(), { lr: 2e-3, momentumDecay: 4e-3 });
 */
import type { Tensor } from "../tensor/tensor.js";
import { arithOf, type FloatArray } from "./arith.js";
import { checkBetas, checkBoolean, checkEps, checkLr, checkNonNegative, checkWeightDecay } from "./checks.js";
import {
  Optimizer, bufferData, incrementStep, newBuffer, scalarOf,
  type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link NAdam} (PyTorch's names, camelCased). */
export interface NAdamOptions {
  /** Learning rate γ (default 2e-3). */
  lr?: number;
  /** Decays [β₁, β₂] (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Term added to the denominator (default 1e-8). */
  eps?: number;
  /** Weight decay λ (default 0): an L2 term, or decoupled (see below). */
  weightDecay?: number;
  /** Momentum decay ψ (default 4e-3). */
  momentumDecay?: number;
  /** Decay the parameter directly, AdamW-style (PyTorch 2.x; default false). */
  decoupledWeightDecay?: boolean;
}

/** The options of one NAdam parameter group. */
export type NAdamGroup = Required<NAdamOptions>;

/** Per-parameter state of {@link NAdam}. */
export interface NAdamState {
  /** Steps taken (0-d float32 tensor). */
  step: Tensor;
  /** Product Πₜ of the momentum schedule (0-d float32 tensor). */
  muProduct: Tensor;
  /** First moment m. */
  expAvg: Tensor;
  /** Second moment v. */
  expAvgSq: Tensor;
}

/** The hyper-parameters the NAdam kernel reads. */
export interface NAdamHyper {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentumDecay: number;
  readonly decoupledWeightDecay: boolean;
}

/**
 * One NAdam step in place; `step` is the count after incrementing, `muProduct` the one-element
 * float32 buffer of Πₜ₋₁ (updated to Πₜ).
 */
export function nadam(
  param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, muProduct: FloatArray,
  step: number, h: NAdamHyper,
): void {
  const A = arithOf(param);
  const fr = Math.fround;
  const [beta1, beta2] = h.betas;
  const { lr, weightDecay } = h;
  const biasCorrection2 = 1 - beta2 ** step;
  const mu = beta1 * (1 - 0.5 * 0.96 ** (step * h.momentumDecay));
  const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * h.momentumDecay));
  // mu_product *= mu; mu_product_next = mu_product * mu * mu_next   (float32 0-d tensors)
  const muProd = fr(muProduct[0]! * fr(mu));
  muProduct[0] = muProd;
  const muProdNext = fr(fr(muProd * fr(mu)) * fr(muNext));
  const b1 = A.s(beta1), omb1 = A.s(1 - beta1), b2 = A.s(beta2), omb2 = A.s(1 - beta2);
  const bc2 = A.s(biasCorrection2), eps = A.s(h.eps), wd = A.s(weightDecay), decay = A.s(1 - lr * weightDecay);
  const gradCoef = A.s((-lr * (1 - mu)) / (1 - muProd));
  const avgCoef = A.s((-lr * muNext) / (1 - muProdNext));
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
    const denom = A.add(A.sqrt(A.div(v, bc2)), eps, 1); // exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
    p = A.addcdiv(p, g, denom, gradCoef); // param.addcdiv_(grad, denom, value=-lr * (1 - mu) / (1 - mu_product))
    param[i] = A.addcdiv(p, m, denom, avgCoef); // param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1 - mu_product_next))
  }
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null });
const STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "scalar" },
  { field: "muProduct", key: "mu_product", kind: "scalar" },
  { field: "expAvg", key: "exp_avg", kind: "buffer" },
  { field: "expAvgSq", key: "exp_avg_sq", kind: "buffer" },
];

/** `torch.optim.NAdam`: see the file comment for the update rule. */
export class NAdam extends Optimizer<NAdamGroup, NAdamState> {
  constructor(params: ParamsInput<NAdamGroup>, options: NAdamOptions = {}) {
    super(params, {
      lr: options.lr ?? 2e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentumDecay: options.momentumDecay ?? 4e-3,
      decoupledWeightDecay: options.decoupledWeightDecay ?? false,
    });
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return STATE;
  }

  protected checkOptions(o: NAdamGroup): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkBetas(o.betas);
    checkWeightDecay(o.weightDecay);
    checkNonNegative(o.momentumDecay, "momentumDecay", "momentum_decay value");
    checkBoolean(o.decoupledWeightDecay, "decoupledWeightDecay");
  }

  protected initState(p: Tensor): NAdamState {
    return { step: scalarOf(0), muProduct: scalarOf(1), expAvg: newBuffer(p), expAvgSq: newBuffer(p) };
  }

  protected update(param: FloatArray, grad: FloatArray, s: NAdamState, group: ParamGroup<NAdamGroup>): void {
    const step = incrementStep(s.step);
    nadam(param, grad, bufferData(s.expAvg), bufferData(s.expAvgSq), bufferData(s.muProduct), step, group);
  }
}
