/**
 * `nn.Dropout`: during training, zero each element with probability p and scale the others by
 * 1/(1 − p) (Srivastava et al. 2014); the identity in evaluation mode.
 *
 * PyTorch parity: the mask is drawn with `bernoulli_(1 − p)` from the default generator, as
 * PyTorch's CPU kernel does, so seeded masks equal torch's.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";
import { dropout } from "../functional/layers.js";
import { pyBool, pyFloat } from "./repr.js";

export interface DropoutModuleOptions {
  /** Multiply the input in place (default false). */
  inplace?: boolean;
}

export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(p = 0.5, options: DropoutModuleOptions = {}) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1))
      throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = options.inplace ?? false;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
