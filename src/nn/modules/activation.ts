/**
 * Activation modules: ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Softmax and
 * LogSoftmax, thin wrappers of `nn.functional` (formulas and gradients in src/ops/activation.ts
 * and src/ops/softmax.ts).
 *
 * PyTorch parity: constructor arguments, defaults and reprs are PyTorch's (`ReLU()`,
 * `LeakyReLU(negative_slope=0.01)`, `GELU(approximate='none')`, `Softmax(dim=None)`);
 * `inplace: true` overwrites the input like PyTorch's in-place variants; Softmax/LogSoftmax with
 * no dim use PyTorch's implicit dim (0 for 0-, 1- and 3-D inputs, else 1).
 */
import type { Tensor } from "../../tensor/tensor.js";
import { inPlace } from "../../ops/elementwise.js";
import { Module } from "../module.js";
import * as F from "../functional/layers.js";
import { pyFloat } from "./repr.js";

export interface InplaceOptions {
  /** Overwrite the input (default false). */
  inplace?: boolean;
}

function inplaceRepr(inplace: boolean): string {
  return inplace ? "inplace=True" : "";
}

/** max(0, x) */
export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(options: InplaceOptions = {}) {
    super();
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return this.inplace ? input.relu_() : F.relu(input);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** x for x > 0, negativeSlope·x otherwise. */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(negativeSlope = 0.01, options: InplaceOptions = {}) {
    super();
    this.negativeSlope = negativeSlope;
    this.inplace = options.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    if (this.inplace) return inPlace(input, (x) => F.leakyRelu(x, this.negativeSlope));
    return F.leakyRelu(input, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** x for x > 0, alpha·(eˣ − 1) otherwise. */
export class ELU extends Module {
  readonly alpha: number;
  constructor(alpha = 1.0) {
    super();
    this.alpha = alpha;
  }
  forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

export interface GELUOptions {
  /** "none" (exact, x·Φ(x), default) or "tanh" (the tanh approximation). */
  approximate?: F.GeluApproximate;
}

/** x·Φ(x) (Hendrycks & Gimpel 2016). */
export class GELU extends Module {
  readonly approximate: F.GeluApproximate;
  constructor(options: GELUOptions = {}) {
    super();
    this.approximate = options.approximate ?? "none";
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x·σ(x) */
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

/** 1/(1 + e⁻ˣ) */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** tanh(x) */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

export interface SoftplusOptions {
  /** Default 1. */
  beta?: number;
  /** Above beta·x > threshold the output is x (default 20). */
  threshold?: number;
}

/** (1/β)·log(1 + e^(βx)) */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(options: SoftplusOptions = {}) {
    super();
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
  }
  forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** exp(xᵢ)/Σⱼ exp(xⱼ) along `dim`. */
export class Softmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

/** log(softmax(x)) along `dim`, computed stably. */
export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}
