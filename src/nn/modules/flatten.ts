/**
 * `nn.Flatten` (flatten dims startDim…endDim into one, default 1…−1, keeping the batch dim) and
 * `nn.Unflatten` (split one dim into a shape): views of the input where the strides allow.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { fmtShape } from "../../tensor/shape.js";
import { Module } from "../module.js";
import { pyTuple } from "./repr.js";

export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = dim;
    this.unflattenedSize = unflattenedSize.slice();
  }

  forward(input: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + input.ndim : this.dim;
    if (d < 0 || d >= input.ndim)
      throw new RangeError(
        `Dimension out of range (expected to be in range of [${-input.ndim}, ${input.ndim - 1}], but got ${this.dim})`,
      );
    let known = 1;
    let infer = -1;
    this.unflattenedSize.forEach((s, i) => {
      if (s === -1) infer = i;
      else known *= s;
    });
    const size = input.shape[d]!;
    if ((infer < 0 && known !== size) || (infer >= 0 && (known === 0 || size % known !== 0)))
      throw new RangeError(
        `unflatten: Provided sizes ${fmtShape(this.unflattenedSize)} don't multiply up to the size of dim ${this.dim} (${size}) in the input tensor`,
      );
    return input.reshape([...input.shape.slice(0, d), ...this.unflattenedSize, ...input.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
