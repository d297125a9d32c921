/**
 * `nn.Linear` (y = x·Wᵀ + b) and `nn.Identity`.
 *
 * Initialisation (PyTorch's `reset_parameters`): W ~ kaiming_uniform(a = √5), i.e.
 * U(−1/√in, 1/√in), then b ~ U(−1/√in, 1/√in), both drawn from the default generator in that
 * order, so `manualSeed(s); new nn.Linear(i, o)` holds the weights `torch.manual_seed(s);
 * nn.Linear(i, o)` holds.
 *
 * PyTorch parity: an input whose last dim is not `inFeatures` is refused with a message naming
 * the layer and both shapes (PyTorch reports the matmul's `mat1 and mat2 shapes cannot be
 * multiplied`).
 */
import type { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { fmtShape } from "../../tensor/shape.js";
import { zeros } from "../../tensor/creation.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { linear } from "../functional/layers.js";
import { pyBool } from "./repr.js";

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
}

function checkSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, but got ${v}`);
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkSize("in_features", inFeatures);
    checkSize("out_features", outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? "float32";
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = options.bias ?? true ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  /** PyTorch's default initialisation (see the file comment). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    if (input.ndim === 0 || input.shape[input.ndim - 1] !== this.inFeatures)
      throw new RangeError(
        `Linear: expected input with last dimension ${this.inFeatures} (in_features), but got shape ${fmtShape(input.shape)}`,
      );
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input unchanged (a placeholder layer). */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
