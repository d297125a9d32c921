/**
 * Stochastic gradient descent, optionally with momentum, dampening, Nesterov momentum and
 * coupled (L2) weight decay — `torch.optim.SGD`.
 *
 * With gradient g, parameter θ, learning rate γ (`lr`), weight decay λ (`weightDecay`),
 * momentum μ (`momentum`) and dampening τ (`dampening`), one step is
 *
 *     g ← −g                       if maximize
 *     g ← g + λθ                   if λ ≠ 0
 *     b ← g (first step),  b ← μb + (1 − τ)g (later steps)    if μ ≠ 0
 *     g ← g + μb (nesterov)  or  g ← b                          if μ ≠ 0
 *     θ ← θ − γg
 *
 * Momentum: Polyak, "Some methods of speeding up the convergence of iteration methods" (1964);
 * Nesterov form after Sutskever et al., "On the importance of initialization and momentum in
 * deep learning" (ICML 2013).
 *
 * Textbook vs PyTorch: the textbook (§1.7.2, eqs. 1.45–1.48) steps θ ← θ − αg and accumulates the
 * learning rate into the velocity, v ← γv + αg, θ ← θ − v (Sutskever's form). PyTorch keeps the
 * learning rate out of the buffer, b ← μb + g, θ ← θ − γb: the same trajectory for a constant
 * learning rate, but a learning-rate change acts at once instead of fading in through the
 * buffer. Weight decay is the textbook's L2 term (eq. 1.57) added to the gradient.
 *
 * PyTorch parity: the first momentum step copies the gradient into the buffer (no dampening on
 * it); the state holds `momentum_buffer: null` when momentum is 0. Follows `_single_tensor_sgd`
 * of PyTorch 1.13.1 operation by operation (see arith.ts for the float32 rounding).
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
import type { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { arithOf, type FloatArray } from "./arith.js";
import { checkBoolean, checkNumber, pyFloat } from "./checks.js";
import { Optimizer, newBuffer, type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec } from "./optimizer.js";

/** Options of {@link SGD} (PyTorch's names, camelCased). */
export interface SGDOptions {
  /** Learning rate γ (required: in the defaults or in every group). */
  lr?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Dampening τ for momentum (default 0). */
  dampening?: number;
  /** Coupled weight decay λ, an L2 penalty (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The options of one SGD parameter group. */
export type SGDGroup = Required<SGDOptions>;

/** Per-parameter state of {@link SGD}. */
export interface SGDState {
  /** The momentum buffer b (null until a step with momentum). */
  momentumBuffer: Tensor | null;
}

/** The hyper-parameters the SGD kernel reads. */
export interface SGDHyper {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
}

/**
 * One SGD step in place over flat arrays: `param` and `momentumBuffer` (null without momentum)
 * are updated; `firstStep` marks a buffer that does not exist yet in PyTorch's terms (it
 * receives the gradient).
 */
export function sgd(
  param: FloatArray, grad: FloatArray, momentumBuffer: FloatArray | null, firstStep: boolean, h: SGDHyper,
): void {
  const A = arithOf(param);
  const wd = A.s(h.weightDecay), mom = A.s(h.momentum), omd = A.s(1 - h.dampening), negLr = A.s(-h.lr);
  const useWd = h.weightDecay !== 0, useMom = h.momentum !== 0 && momentumBuffer !== null;
  const { nesterov, maximize } = h;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    let d = maximize ? -grad[i]! : grad[i]!;
    if (useWd) d = A.add(d, p, wd); // d_p = d_p.add(param, alpha=weight_decay)
    if (useMom) {
      // buf = clone(d_p)  |  buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
      const b = firstStep ? d : A.add(A.mul(momentumBuffer![i]!, mom), d, omd);
      momentumBuffer![i] = b;
      d = nesterov ? A.add(d, b, mom) : b; // d_p = d_p.add(buf, alpha=momentum) | buf
    }
    param[i] = A.add(p, d, negLr); // param.add_(d_p, alpha=-lr)
  }
}

const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null, differentiable: false });
const STATE: readonly StateEntrySpec[] = [{ field: "momentumBuffer", key: "momentum_buffer", kind: "optionalBuffer" }];

/** `torch.optim.SGD`: see the file comment for the update rule. */
export class SGD extends Optimizer<SGDGroup, SGDState> {
  constructor(params: ParamsInput<SGDGroup>, options: SGDOptions = {}) {
    super(params, {
      lr: options.lr as number, // undefined: every group must give one
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return STATE;
  }

  protected checkOptions(o: SGDGroup): void {
    if (o.lr !== undefined) {
      checkNumber(o.lr, "lr");
      if (o.lr < 0) throw new RangeError(`Invalid learning rate: ${pyFloat(o.lr)}`);
    }
    checkNumber(o.momentum, "momentum");
    if (o.momentum < 0) throw new RangeError(`Invalid momentum value: ${pyFloat(o.momentum)}`);
    checkNumber(o.weightDecay, "weightDecay");
    if (o.weightDecay < 0) throw new RangeError(`Invalid weight_decay value: ${pyFloat(o.weightDecay)}`);
    checkNumber(o.dampening, "dampening");
    checkBoolean(o.nesterov, "nesterov");
    checkBoolean(o.maximize, "maximize");
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0))
      throw new RangeError("Nesterov momentum requires a momentum and zero dampening");
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(param: FloatArray, grad: FloatArray, state: SGDState, group: ParamGroup<SGDGroup>, p: Tensor): void {
    let firstStep = false;
    if (group.momentum !== 0 && state.momentumBuffer === null) {
      state.momentumBuffer = newBuffer(p);
      firstStep = true;
    }
    const buf = group.momentum !== 0 ? (state.momentumBuffer!.storage.data as FloatArray) : null;
    // a backend's fused kernel (bit-identical to `sgd`) when it has one
    if (backend().optimizerStep({ kind: "sgd", param, grad, momentumBuffer: buf, firstStep, hyper: group })) return;
    sgd(param, grad, buf, firstStep, group);
  }
}
