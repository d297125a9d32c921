/**
 * Small helpers the ops share: output allocation, scalar operands, broadcast views and the
 * reduction of a broadcast gradient back to an input's shape.
 */
import type { Strided } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { resultType, type DType } from "../tensor/dtype.js";
import { broadcastStrides, shapesEqual, type Shape } from "../tensor/shape.js";
import { Tensor, type TensorOrScalar } from "../tensor/tensor.js";

/** A new contiguous tensor (zero-filled) of the given shape and dtype. */
export function empty(shape: Shape, dtype: DType): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  return new Tensor(backend().alloc(dtype, n), shape);
}

/** A 0-d tensor holding `value` (rounded to the dtype, as PyTorch casts scalars). */
export function scalarTensor(value: number, dtype: DType): Tensor {
  const t = empty([], dtype);
  t.storage.data[0] = dtype === "bool" ? (value !== 0 ? 1 : 0) : value;
  return t;
}

/** The dtype of a tensor or of a plain number in `resultType`'s terms. */
export function operandInfo(x: TensorOrScalar): { dtype: DType; ndim: number } | number {
  return typeof x === "number" ? x : { dtype: x.dtype, ndim: x.ndim };
}

export function resultTypeOf(a: TensorOrScalar, b: TensorOrScalar): DType {
  return resultType(operandInfo(a), operandInfo(b));
}

/**
 * The operand as a tensor of the computation dtype: numbers become 0-d tensors, and a
 * float64 operand in a float32 computation (only possible for 0-d or one-element tensors) is
 * rounded to float32 first, as PyTorch's TensorIterator casts it.
 */
export function operand(x: TensorOrScalar, dtype: DType): Tensor {
  if (typeof x === "number") return scalarTensor(x, dtype);
  if (x.dtype === "float64" && dtype === "float32") return scalarLikeCast(x, dtype);
  return x;
}

function scalarLikeCast(x: Tensor, dtype: DType): Tensor {
  const out = empty(x.shape, dtype);
  backend().copy(x, out);
  return out;
}

/** View `t` with the strides that broadcast it to `shape`. */
export function broadcastView(t: Strided, shape: Shape): Strided {
  if (shapesEqual(t.shape, shape)) return t;
  return { storage: t.storage, shape, strides: broadcastStrides(t.shape, t.strides, shape), offset: t.offset };
}

export function assertTensor(x: unknown, op: string, arg: string): asserts x is Tensor {
  if (!(x instanceof Tensor))
    throw new TypeError(`${op}(): argument '${arg}' must be Tensor, not ${x === null ? "null" : typeof x}`);
}
