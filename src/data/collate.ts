/**
 * `defaultCollate` (torch.utils.data.default_collate): merge a list of samples into a batch.
 *
 * - tensors are stacked along a new first dim;
 * - numbers become a 1-D tensor: int32 when all are integers (PyTorch: int64 for Python ints),
 *   float64 otherwise (PyTorch: float64 for Python floats); booleans a bool tensor;
 * - arrays (tuples) are collated position by position, plain objects key by key;
 * - strings are returned as a list.
 */
import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/creation.js";
import { stack } from "../ops/join.js";

/** The type `defaultCollate` makes of a batch of samples of type T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : T[];

export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  return collate(batch as readonly unknown[]) as Collated<T>;
}

function collate(batch: readonly unknown[]): unknown {
  if (batch.length === 0) throw new RangeError("default_collate: cannot collate an empty batch");
  const first = batch[0];
  if (first instanceof Tensor) return stack(batch as Tensor[]);
  if (typeof first === "number") {
    const nums = batch as number[];
    return tensor(nums, { dtype: nums.every((v) => Number.isInteger(v)) ? "int32" : "float64" });
  }
  if (typeof first === "boolean") return tensor(batch as boolean[], { dtype: "bool" });
  if (typeof first === "string") return batch.slice();
  if (Array.isArray(first)) {
    const n = first.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === n))
      throw new RangeError("each element in list of batch should be of equal size");
    return Array.from({ length: n }, (_, k) => collate(batch.map((b) => (b as unknown[])[k])));
  }
  if (first !== null && typeof first === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = collate(batch.map((b) => (b as Record<string, unknown>)[key]));
    return out;
  }
  throw new TypeError(
    `default_collate: batch must contain tensors, numbers, booleans, strings, arrays or objects; found ${first === null ? "null" : typeof first}`,
  );
}
