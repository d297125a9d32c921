/**
 * `nn.Parameter`: a tensor that a Module registers as a learnable parameter (requiresGrad by
 * default). It shares the storage of the tensor it wraps, like torch.nn.Parameter.
 */
import { Tensor } from "../tensor/tensor.js";

export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset);
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
