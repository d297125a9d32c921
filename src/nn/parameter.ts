/**
 * `nn.Parameter`: a tensor that a Module registers as a learnable parameter (requiresGrad by
 * default), a leaf of the autograd graph.
 *
 * Storage: the Parameter holds its own contiguous copy of the wrapped tensor's elements, in a
 * long-lived buffer of the active backend (`alloc(dtype, n, { persistent: true })`). The WASM
 * backend keeps float32 parameters of 1024 elements or more resident in its module memory, so
 * its matmul, convolution and optimizer kernels read and update them in place instead of copying
 * them in (and the optimizer result back out) on every call; the block is returned to the WASM
 * heap once the Parameter (and every view of it) is garbage-collected.
 *
 * PyTorch parity: `torch.nn.Parameter(t)` shares `t`'s storage (writes to one show in the other);
 * descent's Parameter does not — it copies `t` at construction, and later writes to `t` do not
 * reach the Parameter nor the other way round (update a parameter with `p.copy_(t)` under
 * `noGrad`, as `loadStateDict` does). A non-contiguous `t` gives a contiguous Parameter.
 */
import { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { contiguousStrides } from "../tensor/shape.js";
import type { Storage } from "../backend/backend.js";

/** A persistent copy of `data`'s elements (contiguous, row-major). */
function ownStorage(data: Tensor): Storage {
  const b = backend();
  const storage = b.alloc(data.dtype, data.numel(), { persistent: true });
  b.copy(data, { storage, shape: data.shape, strides: contiguousStrides(data.shape), offset: 0 });
  return storage;
}

export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(ownStorage(data), data.shape);
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
