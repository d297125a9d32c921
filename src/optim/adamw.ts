/**
 * AdamW: Adam with decoupled weight decay — `torch.optim.AdamW`.
 *
 * Each step first shrinks the parameter, θ ← θ·(1 − γλ), then takes the Adam step of the plain
 * gradient (see adam.ts):
 *
 *     θ ← θ(1 − γλ)
 *     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²   (v̂ ← max(v̂, v) if amsgrad)
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).
 *
 * Textbook vs PyTorch: the textbook (§1.7.3, eqs. 1.56–1.57) obtains weight decay from an L2
 * term in the loss, which for plain gradient descent is the same as replacing θ by (1 − α)θ.
 * For Adam the two are not the same: the L2 gradient is rescaled by 1/√v̂ along with the loss
 * gradient (Adam's `weightDecay`), whereas AdamW decays θ directly, scaled by the learning rate
 * (γλ, not λ, so λ is usually ~1e-2 rather than the textbook's 1e-4…1e-5).
 *
 * PyTorch parity: `weightDecay` defaults to 1e-2; the decay multiplies the parameter by
 * 1 − γλ (rounded once to the parameter's dtype) before the moments are updated, and is
 * applied even when λ = 0 (a multiplication by 1). Follows `_single_tensor_adamw` of 1.13.1.
 *
 * @example
 * const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
import type { Tensor } from "../tensor/tensor.js";
import type { FloatArray } from "./arith.js";
import {
  ADAM_STATE, adamDefaults, adamUpdate, checkAdamOptions, initAdamState,
  type AdamGroup, type AdamOptions, type AdamState,
} from "./adam.js";
import { Optimizer, type GroupValue, type ParamGroup, type ParamsInput, type StateEntrySpec } from "./optimizer.js";

/** Options of {@link AdamW}: Adam's, with `weightDecay` (decoupled) defaulting to 1e-2. */
export type AdamWOptions = AdamOptions;
/** The options of one AdamW parameter group. */
export type AdamWGroup = AdamGroup;
/** Per-parameter state of {@link AdamW} (Adam's). */
export type AdamWState = AdamState;

/** PyTorch 1.13's implementation switches in AdamW's state-dict groups. */
const TORCH_KEYS: Readonly<Record<string, GroupValue>> = Object.freeze({ foreach: null, capturable: false });

/** `torch.optim.AdamW`: see the file comment for the update rule. */
export class AdamW extends Optimizer<AdamWGroup, AdamWState> {
  constructor(params: ParamsInput<AdamWGroup>, options: AdamWOptions = {}) {
    super(params, adamDefaults(options, 1e-2));
  }

  protected get torchOnlyKeys(): Readonly<Record<string, GroupValue>> {
    return TORCH_KEYS;
  }

  protected get stateSpec(): readonly StateEntrySpec[] {
    return ADAM_STATE;
  }

  protected checkOptions(o: AdamWGroup): void {
    checkAdamOptions(o);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamWGroup>): AdamWState {
    return initAdamState(p, group);
  }

  protected update(param: FloatArray, grad: FloatArray, s: AdamWState, group: ParamGroup<AdamWGroup>, p: Tensor): void {
    adamUpdate(param, grad, s, group, p, true);
  }
}
