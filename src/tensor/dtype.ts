/**
 * Data types and PyTorch's type-promotion rules.
 *
 * descent has four dtypes: `float32` (the default, like `torch.get_default_dtype()`), `float64`,
 * `int32` (descent's integer type; it plays the role of torch's int64 for class indices) and `bool`.
 * Promotion follows `torch.result_type`: categories bool < integer < floating; inside a category
 * the wider type wins; dimensioned tensors outrank 0-d tensors, which outrank plain numbers, unless
 * the lower-priority operand belongs to a higher category (so `int32 tensor + 2.5` is float32 and
 * `float32 tensor + float64 0-d tensor` stays float32).
 */

export type DType = "float32" | "float64" | "int32" | "bool";
export type FloatDType = "float32" | "float64";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DEFAULT_DTYPE: FloatDType = "float32";

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/** Allocate a zero-filled typed array for a dtype. */
export function typedArrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
    default:
      return dtype satisfies never;
  }
}

/** The dtype a typed array holds. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}

export function isFloating(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

export function assertDType(value: unknown, argName: string): DType {
  if (value === "float32" || value === "float64" || value === "int32" || value === "bool") return value;
  throw new TypeError(`${argName} must be one of float32, float64, int32, bool, but got ${String(value)}`);
}

/** Name as torch prints it (`torch.float32`). */
export function torchName(dtype: DType): string {
  return `torch.${dtype}`;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

function category(d: DType): number {
  return d === "bool" ? 0 : d === "int32" ? 1 : 2;
}

/** `torch.promote_types`: the smallest dtype both can be cast to. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Operand of a type-promoting op: a tensor's dtype and rank, or a plain number. */
export type PromotionOperand = { dtype: DType; ndim: number } | number | boolean;

/**
 * `torch.result_type` over tensors and plain numbers (PyTorch's three priority groups:
 * dimensioned tensors, zero-dim tensors, wrapped numbers).
 */
export function resultType(...operands: PromotionOperand[]): DType {
  let dim: DType | null = null;
  let zero: DType | null = null;
  let wrapped: DType | null = null;
  for (const op of operands) {
    if (typeof op === "number") {
      const d: DType = Number.isInteger(op) ? "int32" : DEFAULT_DTYPE;
      wrapped = wrapped === null ? d : promoteTypes(wrapped, d);
    } else if (typeof op === "boolean") {
      wrapped = wrapped === null ? "bool" : promoteTypes(wrapped, "bool");
    } else if (op.ndim === 0) {
      zero = zero === null ? op.dtype : promoteTypes(zero, op.dtype);
    } else {
      dim = dim === null ? op.dtype : promoteTypes(dim, op.dtype);
    }
  }
  // Wrapped floats count as the default dtype (float32), wrapped ints as the integer type.
  return combine(dim, combine(zero, wrapped)) ?? DEFAULT_DTYPE;
}

function combine(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null) return higher;
  if (category(higher) >= category(lower)) return higher;
  // Lower-priority operand of a higher category: promote.
  return promoteTypes(higher, lower);
}
