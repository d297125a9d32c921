/**
 * Joining tensors: `cat` along an existing dim and `stack` along a new one.
 */
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { promoteTypes } from "../tensor/dtype.js";
import { fmtShape, normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { empty } from "./helpers.js";
import { named, narrow, unsqueeze } from "./movement.js";

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("torch.cat(): expected a non-empty list of Tensors");
  // PyTorch skips legacy empty 1-D tensors of shape [0]
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return empty([0], tensors[0]!.dtype);
  const ref = parts[0]!;
  if (ref.ndim === 0) throw new RangeError("zero-dimensional tensor (at position 0) cannot be concatenated");
  const d = normalizeDim(dim, ref.ndim);
  let dtype = ref.dtype;
  let total = 0;
  parts.forEach((t, i) => {
    if (t.ndim !== ref.ndim)
      throw new RangeError(
        `Tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim}`,
      );
    for (let k = 0; k < ref.ndim; k++) {
      if (k !== d && t.shape[k] !== ref.shape[k])
        throw new RangeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${t.shape[k]} for tensor number ${i} in the list.`,
        );
    }
    dtype = promoteTypes(dtype, t.dtype);
    total += t.shape[d]!;
  });
  const shape = ref.shape.slice();
  shape[d] = total;
  const out = empty(shape, dtype);
  // where each input starts along d; skipped [0]-shaped inputs (-1) still get an empty gradient, as in PyTorch
  const starts: number[] = [];
  let start = 0;
  for (const t of tensors) {
    if (t.ndim === 1 && t.shape[0] === 0) {
      starts.push(-1);
      continue;
    }
    starts.push(start);
    backend().copy(t, narrow(out.detach(), d, start, t.shape[d]!));
    start += t.shape[d]!;
  }
  return record(out, "CatBackward0", tensors, (g) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      return starts[i] === -1 ? empty([0], g.dtype) : narrow(g, d, starts[i]!, t.shape[d]!);
    }),
  );
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("stack expects a non-empty TensorList");
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.shape.length !== ref.shape.length || t.shape.some((s, k) => s !== ref.shape[k]))
      throw new RangeError(
        `stack expects each tensor to be equal size, but got ${fmtShape(ref.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`,
      );
  });
  const d = normalizeDim(dim, ref.ndim + 1);
  const parts = tensors.map((t) => unsqueeze(t, d));
  return named(cat(parts, d), "StackBackward0");
}
