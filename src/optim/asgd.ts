/**
 * Averaged stochastic gradient descent — `torch.optim.ASGD`.
 *
 * With gradient g, learning rate γ (`lr`), decay term λ (`lambd`), power α (`alpha`), averaging
 * start t₀ (`t0`) and weight decay λ_wd, step t (from 1) is
 *
 *     g ← −g                          if maximize
 *     g ← g + λ_wd·θ                  if λ_wd ≠ 0
 *     θ ← θ(1 − λη)                   (η: the current step size, γ at first)
 *     θ ← θ − ηg
 *     ā ← ā + μ(θ − ā)   if μ ≠ 1,  else ā ← θ      (μ: the averaging weight, 1 at first)
 *     η ← γ / (1 + λγt)^α,   μ ← 1 / max(1, t − t₀)
 *
 * The average ā (`ax`) is the algorithm's output; the parameter follows plain decaying SGD.
 * Polyak & Juditsky, "Acceleration of Stochastic Approximation by Averaging" (SIAM J. Control
 * Optim. 1992); the step-size schedule follows Bottou, "Stochastic Gradient Descent Tricks" (2012).
 *
 * Textbook vs PyTorch: not in the textbook; mini-batch SGD (§1.7.2) with a decaying step size
 * plus a running average of the iterates, which damps the noise the textbook attributes to
 * mini-batch gradients.
 *
 * PyTorch parity: η and μ are 0-d float32 tensors (rounded to float32 also for float64
 * parameters) updated after each parameter's step; the averaging multiplies by the μ tensor.
 * Follows `_single_tensor_asgd` of 1.13.1.
 *
 * @example
 * const opt = new optim.ASGD(model.parameters(), { lr: 1e-2, t0: 100 });
 */
import type { Tensor } from "../tensor/tensor.js";
import { arithOf, type FloatArray } from "./arith.js";
import { checkBoolean, checkLr, checkNumber, checkWeightDecay } from "./checks.js";
import {
  Optimizer, bufferData, incrementStep, newBuffer, scalarOf,
  type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec,
} from "./optimizer.js";

/** Options of {@link ASGD} (PyTorch's names, camelCased). */
export interface ASGDOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Decay term λ (default 1e-4). */
  lambd?: number;
  /** Power α of the step-size decay (default 0.75). */
  alpha?: number;
  /** Step at which averaging starts (default 1e6). */
  t0?: number;
  /** Coupled weight decay (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The options of one ASGD parameter group. */
export type ASGDGroup = Required<ASGDOptions>;

/** Per-parameter state of {@link ASGD}. */
export interface ASGDState {
  /** Steps taken (0-d float32 tensor). */
  step: Tensor;
  /** Current step size η (0-d float32 tensor). */
  eta: Tensor;
  /** Current averaging weight μ (0-d float32 tensor). */
  mu: Tensor;
  /** The averaged parameter ā. */
  ax: Tensor;
}

/** The hyper-parameters the ASGD kernel reads. */
export interface ASGDHyper {
  readonly lr: number;
  readonly lambd: number;
  readonly alpha: number;
  readonly t0: number;
  readonly weightDecay: number;
  readonly maximize: boolean;
}

/**
 * One ASGD step in place; `step` is the count after incrementing; `eta` and `mu` are the
 * one-element float32 buffers of η and μ (read, then replaced by the next step's values).
 */
export function asgd(
  param: FloatArray, grad: FloatArray, ax: FloatArray, eta: FloatArray, mu: FloatArray, step: number, h: ASGDHyper,
): void {
  const A = arithOf(param);
  const etaV = eta[0]!, muV = mu[0]!;
  const decay = A.s(1 - h.lambd * etaV), negEta = A.s(-etaV), wd = A.s(h.weightDecay);
  const useWd = h.weightDecay !== 0, maximize = h.maximize, average = muV !== 1;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    let p = param[i]!;
    let g = maximize ? -grad[i]! : grad[i]!;
    if (useWd) g = A.add(g, p, wd); // grad = grad.add(param, alpha=weight_decay)
    p = A.mul(p, decay); // param.mul_(1 - lambd * eta.item())
    p = A.add(p, g, negEta); // param.add_(grad, alpha=-eta.item())
    param[i] = p;
    // ax.add_(param.sub(ax).mul(mu))  |  ax.copy_(param)
    ax[i] = average ? A.add(ax[i]!, A.mul(A.sub(p, ax[i]!), muV), 1) : p;
  }
  eta[0] = h.lr / (1 + h.lambd * h.lr * step) ** h.alpha; // torch.tensor(lr / math.pow(1 + lambd * lr * step, alpha))
  mu[0] = 1 / Math.max(1, step - h.t0); // torch.tensor(1 / max(1, step - t0))
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null });
const STATE: readonly StateEntrySpec[] = [
  { field: "step", key: "step", kind: "scalar" },
  { field: "eta", key: "eta", kind: "scalar" },
  { field: "mu", key: "mu", kind: "scalar" },
  { field: "ax", key: "ax", kind: "buffer" },
];

/** `torch.optim.ASGD`: see the file comment for the update rule. */
export class ASGD extends Optimizer<ASGDGroup, ASGDState> {
  constructor(params: ParamsInput<ASGDGroup>, options: ASGDOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-2,
      lambd: options.lambd ?? 1e-4,
      alpha: options.alpha ?? 0.75,
      t0: options.t0 ?? 1e6,
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

  protected checkOptions(o: ASGDGroup): void {
    checkLr(o.lr);
    checkWeightDecay(o.weightDecay);
    checkNumber(o.lambd, "lambd");
    checkNumber(o.alpha, "alpha");
    checkNumber(o.t0, "t0");
    checkBoolean(o.maximize, "maximize");
  }

  protected initState(p: Tensor, group: ParamGroup<ASGDGroup>): ASGDState {
    return { step: scalarOf(0), eta: scalarOf(group.lr), mu: scalarOf(1), ax: newBuffer(p) };
  }

  protected update(param: FloatArray, grad: FloatArray, s: ASGDState, group: ParamGroup<ASGDGroup>): void {
    const step = incrementStep(s.step);
    asgd(param, grad, bufferData(s.ax), bufferData(s.eta), bufferData(s.mu), step, group);
  }
}
