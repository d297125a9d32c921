/**
 * Adadelta — `torch.optim.Adadelta`.
 *
 * With gradient g, coefficient ρ (`rho`), ε (`eps`), weight decay λ and learning rate γ (`lr`,
 * a plain scale on the step, 1 by default), one step is
 *
 *     g ← −g                            if maximize
 *     g ← g + λθ                        if λ ≠ 0
 *     v ← ρv + (1 − ρ)g²                (running mean of g²)
 *     Δ ← √(u + ε) / √(v + ε) · g       (u: running mean of Δ²)
 *     u ← ρu + (1 − ρ)Δ²
 *     θ ← θ − γΔ
 *
 * Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (2012).
 *
 * Textbook vs PyTorch: not in the textbook; it extends RMSProp (§1.7.2) by replacing the
 * learning rate with the running RMS of past updates, so the step has the parameter's units.
 * PyTorch keeps a learning rate as an extra factor (the paper has none), with ε inside both
 * square roots as in the paper.
 *
 * PyTorch parity: `step` is a plain number. Follows `_single_tensor_adadelta` of 1.13.1.
 *
 * @example
 * const opt = new optim.Adadelta(model.parameters(), { rho: 0.9 });
 */
import type { Tensor } from "../tensor/tensor.js";
import { arithOf, type FloatArray } from "./arith.js";
import { checkBoolean, checkEps, checkLr, checkNumber, checkWeightDecay, pyFloat } from "./checks.js";
import {
  Optimizer, bufferData, newBuffer, type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link Adadelta} (PyTorch's names, camelCased). */
export interface AdadeltaOptions {
  /** Scale γ applied to the step (default 1.0). */
  lr?: number;
  /** Coefficient ρ of the running averages (default 0.9). */
  rho?: number;
  /** Term added inside the square roots (default 1e-6). */
  eps?: number;
  /** Coupled weight decay λ (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The options of one Adadelta parameter group. */
export type AdadeltaGroup = Required<AdadeltaOptions>;

/** Per-parameter state of {@link Adadelta}. */
export interface AdadeltaState {
  /** Steps taken (a plain number). */
  step: number;
  /** Running mean v of squared gradients. */
  squareAvg: Tensor;
  /** Running mean u of squared updates. */
  accDelta: Tensor;
}

/** The hyper-parameters the Adadelta kernel reads. */
export interface AdadeltaHyper {
  readonly lr: number;
  readonly rho: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maximize: boolean;
}

/** One Adadelta step in place. */
export function adadelta(param: FloatArray, grad: FloatArray, squareAvg: FloatArray, accDelta: FloatArray, h: AdadeltaHyper): void {
  const A = arithOf(param);
  const rho = A.s(h.rho), omr = A.s(1 - h.rho), eps = A.s(h.eps), wd = A.s(h.weightDecay), negLr = A.s(-h.lr);
  const useWd = h.weightDecay !== 0, maximize = h.maximize;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    let g = maximize ? -grad[i]! : grad[i]!;
    if (useWd) g = A.add(g, p, wd); // grad = grad.add(param, alpha=weight_decay)
    const sa = A.addcmul(A.mul(squareAvg[i]!, rho), g, g, omr); // square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
    squareAvg[i] = sa;
    const std = A.sqrt(A.add(sa, eps, 1)); // square_avg.add(eps).sqrt_()
    const delta = A.mul(A.div(A.sqrt(A.add(accDelta[i]!, eps, 1)), std), g); // acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
    accDelta[i] = A.addcmul(A.mul(accDelta[i]!, rho), delta, delta, omr); // acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
    param[i] = A.add(p, delta, negLr); // param.add_(delta, alpha=-lr)
  }
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null });
const STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "number" },
  { field: "squareAvg", key: "square_avg", kind: "buffer" },
  { field: "accDelta", key: "acc_delta", kind: "buffer" },
];

/** `torch.optim.Adadelta`: see the file comment for the update rule. */
export class Adadelta extends Optimizer<AdadeltaGroup, AdadeltaState> {
  constructor(params: ParamsInput<AdadeltaGroup>, options: AdadeltaOptions = {}) {
    super(params, {
      lr: options.lr ?? 1.0,
      rho: options.rho ?? 0.9,
      eps: options.eps ?? 1e-6,
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

  protected checkOptions(o: AdadeltaGroup): void {
    checkLr(o.lr);
    checkNumber(o.rho, "rho");
    if (!(0 <= o.rho && o.rho <= 1)) throw new RangeError(`Invalid rho value: ${pyFloat(o.rho)}`);
    checkEps(o.eps);
    checkWeightDecay(o.weightDecay);
    checkBoolean(o.maximize, "maximize");
  }

  protected initState(p: Tensor): AdadeltaState {
    return { step: 0, squareAvg: newBuffer(p), accDelta: newBuffer(p) };
  }

  protected update(param: FloatArray, grad: FloatArray, s: AdadeltaState, group: ParamGroup<AdadeltaGroup>): void {
    s.step += 1;
    adadelta(param, grad, bufferData(s.squareAvg), bufferData(s.accDelta), group);
  }
}
