/**
 * RMSprop, optionally centered and with momentum — `torch.optim.RMSprop`.
 *
 * With gradient g, learning rate γ (`lr`), smoothing constant α (`alpha`), ε (`eps`), weight
 * decay λ and momentum μ, one step is
 *
 *     g ← −g                          if maximize
 *     g ← g + λθ                      if λ ≠ 0
 *     v ← αv + (1 − α)g²              (mean square)
 *     ḡ ← αḡ + (1 − α)g, v̄ = v − ḡ²   if centered (else v̄ = v)
 *     b ← μb + g / (√v̄ + ε), θ ← θ − γb    if μ > 0
 *     θ ← θ − γ·g / (√v̄ + ε)               otherwise
 *
 * Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e (2012);
 * centered form: Graves, "Generating Sequences With Recurrent Neural Networks" (2013).
 *
 * Textbook vs PyTorch: the textbook (§1.7.2, eqs. 1.51–1.52) keeps the moving average
 * v ← γv + (1 − γ)g² (its γ is PyTorch's `alpha`, default 0.99 here rather than ~0.9) and steps
 * θ ← θ − α·g/√(v + ε). PyTorch adds ε outside the square root, and adds the centered and
 * momentum variants.
 *
 * PyTorch parity: `step` is a plain number; `momentum_buffer` exists only with momentum > 0 and
 * `grad_avg` only when centered. Follows `_single_tensor_rmsprop` of 1.13.1.
 *
 * @example
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-2, alpha: 0.99 });
 */
import type { Tensor } from "../tensor/tensor.js";
import { arithOf, type FloatArray } from "./arith.js";
import { checkBoolean, checkEps, checkLr, checkNonNegative, checkWeightDecay } from "./checks.js";
import {
  Optimizer, bufferData, newBuffer, type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link RMSprop} (PyTorch's names, camelCased). */
export interface RMSpropOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the mean square (default 0.99). */
  alpha?: number;
  /** Term added to the denominator (default 1e-8). */
  eps?: number;
  /** Coupled weight decay λ (default 0). */
  weightDecay?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Normalize by the variance estimate v − ḡ² instead of v (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The options of one RMSprop parameter group. */
export type RMSpropGroup = Required<RMSpropOptions>;

/** Per-parameter state of {@link RMSprop}. */
export interface RMSpropState {
  /** Steps taken (a plain number, as in PyTorch 1.13). */
  step: number;
  /** Mean square v. */
  squareAvg: Tensor;
  /** Momentum buffer b (momentum > 0 only). */
  momentumBuffer?: Tensor;
  /** Mean gradient ḡ (centered only). */
  gradAvg?: Tensor;
}

/** The hyper-parameters the RMSprop kernel reads. */
export interface RMSpropHyper {
  readonly lr: number;
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly maximize: boolean;
}

/** One RMSprop step in place; `gradAvg` when centered, `momentumBuffer` when momentum > 0. */
export function rmsprop(
  param: FloatArray, grad: FloatArray, squareAvg: FloatArray, gradAvg: FloatArray | null,
  momentumBuffer: FloatArray | null, h: RMSpropHyper,
): void {
  const A = arithOf(param);
  const alpha = A.s(h.alpha), oma = A.s(1 - h.alpha), eps = A.s(h.eps), wd = A.s(h.weightDecay);
  const mom = A.s(h.momentum), negLr = A.s(-h.lr);
  const useWd = h.weightDecay !== 0, maximize = h.maximize;
  const centered = h.centered && gradAvg !== null, useMom = h.momentum > 0 && momentumBuffer !== null;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    let g = maximize ? -grad[i]! : grad[i]!;
    if (useWd) g = A.add(g, p, wd); // grad = grad.add(param, alpha=weight_decay)
    const sa = A.addcmul(A.mul(squareAvg[i]!, alpha), g, g, oma); // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    squareAvg[i] = sa;
    let avg: number;
    if (centered) {
      const ga = A.add(A.mul(gradAvg![i]!, alpha), g, oma); // grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha)
      gradAvg![i] = ga;
      avg = A.sqrt(A.addcmul(sa, ga, ga, -1)); // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
    } else {
      avg = A.sqrt(sa); // square_avg.sqrt()
    }
    avg = A.add(avg, eps, 1); // avg.add_(eps)
    if (useMom) {
      const b = A.addcdiv(A.mul(momentumBuffer![i]!, mom), g, avg, 1); // buf.mul_(momentum).addcdiv_(grad, avg)
      momentumBuffer![i] = b;
      param[i] = A.add(p, b, negLr); // param.add_(buf, alpha=-lr)
    } else {
      param[i] = A.addcdiv(p, g, avg, negLr); // param.addcdiv_(grad, avg, value=-lr)
    }
  }
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null, differentiable: false });
const STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "number" },
  { field: "squareAvg", key: "square_avg", kind: "buffer" },
  { field: "momentumBuffer", key: "momentum_buffer", kind: "buffer", optional: true },
  { field: "gradAvg", key: "grad_avg", kind: "buffer", optional: true },
];

/** `torch.optim.RMSprop`: see the file comment for the update rule. */
export class RMSprop extends Optimizer<RMSpropGroup, RMSpropState> {
  constructor(params: ParamsInput<RMSpropGroup>, options: RMSpropOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return STATE;
  }

  protected checkOptions(o: RMSpropGroup): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkNonNegative(o.momentum, "momentum", "momentum value");
    checkWeightDecay(o.weightDecay);
    checkNonNegative(o.alpha, "alpha", "alpha value");
    checkBoolean(o.centered, "centered");
    checkBoolean(o.maximize, "maximize");
  }

  protected initState(p: Tensor, group: ParamGroup<RMSpropGroup>): RMSpropState {
    const s: RMSpropState = { step: 0, squareAvg: newBuffer(p) };
    if (group.momentum > 0) s.momentumBuffer = newBuffer(p);
    if (group.centered) s.gradAvg = newBuffer(p);
    return s;
  }

  protected update(param: FloatArray, grad: FloatArray, s: RMSpropState, group: ParamGroup<RMSpropGroup>, p: Tensor): void {
    // buffers for options switched on after the first step start at zero
    if (group.momentum > 0 && s.momentumBuffer === undefined) s.momentumBuffer = newBuffer(p);
    if (group.centered && s.gradAvg === undefined) s.gradAvg = newBuffer(p);
    s.step += 1;
    const ga = group.centered ? bufferData(s.gradAvg!) : null;
    const buf = group.momentum > 0 ? bufferData(s.momentumBuffer!) : null;
    rmsprop(param, grad, bufferData(s.squareAvg), ga, buf, group);
  }
}
