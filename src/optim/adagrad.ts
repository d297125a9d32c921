/**
 * AdaGrad — `torch.optim.Adagrad`.
 *
 * With gradient g, learning rate γ (`lr`), learning-rate decay η (`lrDecay`), weight decay λ,
 * ε (`eps`) and the running sum G of squared gradients (starting at `initialAccumulatorValue`),
 * step t (from 1) is
 *
 *     g ← −g                      if maximize
 *     g ← g + λθ                  if λ ≠ 0
 *     γₜ = γ / (1 + (t − 1)η)
 *     G ← G + g²
 *     θ ← θ − γₜ · g / (√G + ε)
 *
 * Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization" (JMLR 2011).
 *
 * Textbook vs PyTorch: the textbook (§1.7.2, eqs. 1.49–1.50) accumulates G ← G + g² and steps
 * θ ← θ − α·g/√(G + ε) with ε guarding the division. PyTorch adds ε outside the square root,
 * adds the optional decay of the learning rate, and lets G start above zero.
 *
 * PyTorch parity: the state (`step` as a 0-d float32 tensor, `sum`) is created when the
 * parameter is added, not on its first step, so it appears in state dicts at once (descent also
 * does this for groups added later, where PyTorch 1.13 would fail). Follows
 * `_single_tensor_adagrad` of 1.13.1; dense gradients only.
 *
 * @example
 * const opt = new optim.Adagrad(model.parameters(), { lr: 0.01 });
 */
import type { Tensor } from "../tensor/tensor.js";
import { arithOf, type FloatArray } from "./arith.js";
import { checkBoolean, checkEps, checkLr, checkNonNegative, checkWeightDecay } from "./checks.js";
import {
  Optimizer, bufferData, incrementStep, newBuffer, scalarOf,
  type GroupValue, type ParamGroup, type ParamGroupInput, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link Adagrad} (PyTorch's names, camelCased). */
export interface AdagradOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Learning-rate decay η (default 0). */
  lrDecay?: number;
  /** Coupled weight decay λ (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Term added to the denominator (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The options of one Adagrad parameter group. */
export type AdagradGroup = Required<AdagradOptions>;

/** Per-parameter state of {@link Adagrad}. */
export interface AdagradState {
  /** Steps taken (0-d float32 tensor). */
  step: Tensor;
  /** Sum G of squared gradients. */
  sum: Tensor;
}

/** The hyper-parameters the Adagrad kernel reads. */
export interface AdagradHyper {
  readonly lr: number;
  readonly lrDecay: number;
  readonly weightDecay: number;
  readonly eps: number;
  readonly maximize: boolean;
}

/** One Adagrad step in place; `step` is the count after incrementing. */
export function adagrad(param: FloatArray, grad: FloatArray, sum: FloatArray, step: number, h: AdagradHyper): void {
  const A = arithOf(param);
  const clr = h.lr / (1 + (step - 1) * h.lrDecay);
  const wd = A.s(h.weightDecay), eps = A.s(h.eps), negClr = A.s(-clr);
  const useWd = h.weightDecay !== 0, maximize = h.maximize;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    let g = maximize ? -grad[i]! : grad[i]!;
    if (useWd) g = A.add(g, p, wd); // grad = grad.add(param, alpha=weight_decay)
    const s = A.addcmul(sum[i]!, g, g, 1); // state_sum.addcmul_(grad, grad, value=1)
    sum[i] = s;
    const std = A.add(A.sqrt(s), eps, 1); // std = state_sum.sqrt().add_(eps)
    param[i] = A.addcdiv(p, g, std, negClr); // param.addcdiv_(grad, std, value=-clr)
  }
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null });
const STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "scalar" },
  { field: "sum", key: "sum", kind: "buffer" },
];

/** `torch.optim.Adagrad`: see the file comment for the update rule. */
export class Adagrad extends Optimizer<AdagradGroup, AdagradState> {
  constructor(params: ParamsInput<AdagradGroup>, options: AdagradOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
      maximize: options.maximize ?? false,
    });
  }

  /** Adds the group and creates its parameters' state at once, as PyTorch's constructor does. */
  override addParamGroup(paramGroup: ParamGroupInput<AdagradGroup>): void {
    super.addParamGroup(paramGroup);
    const group = this.paramGroups[this.paramGroups.length - 1]!;
    for (const p of group.params) if (!this.state.has(p)) this.state.set(p, this.initState(p, group));
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return STATE;
  }

  protected checkOptions(o: AdagradGroup): void {
    checkLr(o.lr);
    checkNonNegative(o.lrDecay, "lrDecay", "lr_decay value");
    checkWeightDecay(o.weightDecay);
    checkNonNegative(o.initialAccumulatorValue, "initialAccumulatorValue", "initial_accumulator_value value");
    checkEps(o.eps);
    checkBoolean(o.maximize, "maximize");
  }

  protected initState(p: Tensor, group: ParamGroup<AdagradGroup>): AdagradState {
    return { step: scalarOf(0), sum: newBuffer(p, group.initialAccumulatorValue) };
  }

  protected update(param: FloatArray, grad: FloatArray, s: AdagradState, group: ParamGroup<AdagradGroup>): void {
    adagrad(param, grad, bufferData(s.sum), incrementStep(s.step), group);
  }
}
