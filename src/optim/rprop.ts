/**
 * Resilient backpropagation — `torch.optim.Rprop`.
 *
 * Each element has its own step size Δ (starting at `lr`), adapted from the sign of the
 * gradient alone. With η₋, η₊ (`etas`) and bounds [Δmin, Δmax] (`stepSizes`), one step is
 *
 *     g ← −g                              if maximize
 *     s = sign(g · g_prev)
 *     Δ ← clamp(Δ·η₊, Δmin, Δmax)  if s > 0;  clamp(Δ·η₋, …) if s < 0;  unchanged if s = 0
 *     g ← 0                               where s < 0 (skip the step after a sign change)
 *     θ ← θ − sign(g)·Δ
 *     g_prev ← g
 *
 * Riedmiller & Braun, "A Direct Adaptive Method for Faster Backpropagation Learning: The RPROP
 * Algorithm" (ICNN 1993).
 *
 * Textbook vs PyTorch: not in the textbook; a full-batch method that, unlike gradient descent
 * (§1.7.2), ignores the gradient's magnitude and needs no learning rate beyond Δ's start.
 *
 * PyTorch parity: `step` is a plain number; no weight decay (PyTorch has none for Rprop).
 * A NaN gradient gives sign 0, so that element is not moved (PyTorch's `sign(NaN)` is 0) and
 * NaN is stored as its previous gradient. Follows `_single_tensor_rprop` of 1.13.1.
 *
 * @example
 * const opt = new optim.Rprop(model.parameters(), { lr: 1e-2, etas: [0.5, 1.2] });
 */
import type { Tensor } from "../tensor/tensor.js";
import { arithOf, sign, type FloatArray } from "./arith.js";
import { checkBoolean, checkLr, checkPair, pyFloat } from "./checks.js";
import {
  Optimizer, bufferData, newBuffer, type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link Rprop} (PyTorch's names, camelCased). */
export interface RpropOptions {
  /** Initial step size Δ (default 1e-2). */
  lr?: number;
  /** Multiplicative factors [η₋, η₊], 0 < η₋ < 1 < η₊ (default [0.5, 1.2]). */
  etas?: readonly [number, number];
  /** Bounds [Δmin, Δmax] of the step size (default [1e-6, 50]). */
  stepSizes?: readonly [number, number];
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The options of one Rprop parameter group. */
export type RpropGroup = Required<RpropOptions>;

/** Per-parameter state of {@link Rprop}. */
export interface RpropState {
  /** Steps taken (a plain number). */
  step: number;
  /** The previous (masked) gradient. */
  prev: Tensor;
  /** Per-element step sizes Δ. */
  stepSize: Tensor;
}

/** The hyper-parameters the Rprop kernel reads. */
export interface RpropHyper {
  readonly etas: readonly [number, number];
  readonly stepSizes: readonly [number, number];
  readonly maximize: boolean;
}

/** One Rprop step in place. */
export function rprop(param: FloatArray, grad: FloatArray, prev: FloatArray, stepSize: FloatArray, h: RpropHyper): void {
  const A = arithOf(param);
  const etaMinus = A.s(h.etas[0]), etaPlus = A.s(h.etas[1]);
  const lo = A.s(h.stepSizes[0]), hi = A.s(h.stepSizes[1]);
  const maximize = h.maximize;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i]! : grad[i]!;
    const s = sign(A.mul(g, prev[i]!)); // sign = grad.mul(prev).sign()
    const factor = s > 0 ? etaPlus : s < 0 ? etaMinus : 1; // sign[sign.gt(0)] = etaplus; …lt(0) = etaminus; …eq(0) = 1
    const x = A.mul(stepSize[i]!, factor); // step_size.mul_(sign).clamp_(step_size_min, step_size_max)
    const ss = x !== x ? x : Math.min(Math.max(x, lo), hi);
    stepSize[i] = ss;
    if (factor === etaMinus) g = 0; // grad[sign.eq(etaminus)] = 0
    param[i] = A.addcmul(param[i]!, sign(g), ss, -1); // param.addcmul_(grad.sign(), step_size, value=-1)
    prev[i] = g; // prev.copy_(grad)
  }
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null });
const STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "number" },
  { field: "prev", key: "prev", kind: "buffer" },
  { field: "stepSize", key: "step_size", kind: "buffer" },
];

/** `torch.optim.Rprop`: see the file comment for the update rule. */
export class Rprop extends Optimizer<RpropGroup, RpropState> {
  constructor(params: ParamsInput<RpropGroup>, options: RpropOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-2,
      etas: options.etas ?? [0.5, 1.2],
      stepSizes: options.stepSizes ?? [1e-6, 50],
      maximize: options.maximize ?? false,
    });
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return STATE;
  }

  protected checkOptions(o: RpropGroup): void {
    checkLr(o.lr);
    checkPair(o.etas, "etas");
    const [minus, plus] = o.etas;
    if (!(0 < minus && minus < 1 && 1 < plus))
      throw new RangeError(`Invalid eta values: ${pyFloat(minus)}, ${pyFloat(plus)}`);
    checkPair(o.stepSizes, "stepSizes");
    checkBoolean(o.maximize, "maximize");
  }

  protected initState(p: Tensor, group: ParamGroup<RpropGroup>): RpropState {
    return { step: 0, prev: newBuffer(p), stepSize: newBuffer(p, group.lr) };
  }

  protected update(param: FloatArray, grad: FloatArray, s: RpropState, group: ParamGroup<RpropGroup>): void {
    s.step += 1;
    rprop(param, grad, bufferData(s.prev), bufferData(s.stepSize), group);
  }
}
