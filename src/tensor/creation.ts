/**
 * Creating tensors: `tensor(data)` from nested arrays or typed arrays, and the factory
 * functions zeros/ones/full/empty/arange/linspace/eye and their `*Like` forms.
 *
 * descent differs from torch.tensor in one deliberate way (see API.md): plain JavaScript
 * numbers give float32 by default (JS has no int/float distinction); pass
 * `{ dtype: "int32" }` for integer tensors. Booleans give bool tensors.
 */
import { backend } from "../backend/registry.js";
import { assertDType, DEFAULT_DTYPE, dtypeOfArray, isFloating, typedArrayFor, type DType, type TypedArray } from "./dtype.js";
import { checkShape, fmtShape, numel } from "./shape.js";
import { fma, fmaf } from "./generator.js";
import { Tensor, type NestedArray } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface TypedArrayOptions extends TensorOptions {
  /** Shape to view a flat typed array as (default: 1-D). */
  shape?: readonly number[];
}

function finish(t: Tensor, options: TensorOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

function dtypeOf(options: TensorOptions | undefined, fallback: DType = DEFAULT_DTYPE): DType {
  return options?.dtype === undefined ? fallback : assertDType(options.dtype, "dtype");
}

function isTypedArray(x: unknown): x is TypedArray | Int8Array | Int16Array | Uint16Array | Uint32Array | Uint8ClampedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/**
 * A tensor from (nested) arrays of numbers/booleans or from a typed array (copied).
 * `tensor([[1, 2], [3, 4]])` is float32; `tensor(new Float64Array(6), { shape: [2, 3] })` is float64.
 */
export function tensor(data: NestedArray | ArrayLike<number> | TypedArray, options?: TypedArrayOptions): Tensor {
  if (isTypedArray(data)) {
    const src = data as unknown as ArrayLike<number>;
    const natural: DType =
      data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array
        ? dtypeOfArray(data)
        : DEFAULT_DTYPE;
    const dtype = dtypeOf(options, natural);
    const shape = options?.shape ? checkShape(options.shape) : [src.length];
    if (numel(shape) !== src.length)
      throw new RangeError(`shape ${fmtShape(shape)} is invalid for input of size ${src.length}`);
    const arr = typedArrayFor(dtype, src.length);
    if (dtype === "bool") for (let i = 0; i < src.length; i++) arr[i] = src[i] !== 0 ? 1 : 0;
    else arr.set(src);
    return finish(new Tensor(backend().wrap(arr), shape), options);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  let sawBool = false;
  const flat: (number | boolean)[] = [];
  const walk = (x: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (typeof x === "boolean") sawBool = true;
      else if (typeof x !== "number")
        throw new TypeError(`tensor(): expected numbers or booleans, but found ${x === null ? "null" : typeof x}`);
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim])
      throw new RangeError(
        `expected sequence of length ${shape[dim]} at dim ${dim} (got ${Array.isArray(x) ? x.length : "a scalar"})`,
      );
    for (const v of x) walk(v, dim + 1);
  };
  walk(data, 0);
  if (options?.shape) throw new TypeError("tensor(): `shape` is only accepted with a flat typed array");
  const dtype = dtypeOf(options, sawBool ? "bool" : DEFAULT_DTYPE);
  const arr = typedArrayFor(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!;
    arr[i] = typeof v === "boolean" ? (v ? 1 : 0) : dtype === "bool" ? (v !== 0 ? 1 : 0) : v;
  }
  return finish(new Tensor(backend().wrap(arr), shape), options);
}

/** Wrap a typed array without copying (the tensor and the array share memory). */
export function fromTypedArray(data: TypedArray, shape?: readonly number[]): Tensor {
  const s = shape ? checkShape(shape) : [data.length];
  if (numel(s) !== data.length) throw new RangeError(`shape ${fmtShape(s)} is invalid for input of size ${data.length}`);
  return new Tensor(backend().wrap(data), s);
}

export type ShapeArg = readonly number[] | number;

function shapeOf(shape: ShapeArg): number[] {
  return checkShape(typeof shape === "number" ? [shape] : shape);
}

export function full(shape: ShapeArg, value: number, options?: TensorOptions): Tensor {
  const s = shapeOf(shape);
  const dtype = dtypeOf(options);
  const storage = backend().alloc(dtype, numel(s));
  const t = new Tensor(storage, s);
  if (value !== 0) backend().fill(t, value);
  return finish(t, options);
}

export function zeros(shape: ShapeArg, options?: TensorOptions): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: ShapeArg, options?: TensorOptions): Tensor {
  return full(shape, 1, options);
}

/** Uninitialised in PyTorch; zero-filled here (fresh memory is zeroed anyway). */
export function empty(shape: ShapeArg, options?: TensorOptions): Tensor {
  return full(shape, 0, options);
}

function likeOptions(t: Tensor, options?: TensorOptions): TensorOptions {
  return { dtype: options?.dtype ?? t.dtype, requiresGrad: options?.requiresGrad ?? false };
}

export const zerosLike = (t: Tensor, options?: TensorOptions): Tensor => full(t.shape, 0, likeOptions(t, options));
export const onesLike = (t: Tensor, options?: TensorOptions): Tensor => full(t.shape, 1, likeOptions(t, options));
export const fullLike = (t: Tensor, value: number, options?: TensorOptions): Tensor =>
  full(t.shape, value, likeOptions(t, options));
export const emptyLike = (t: Tensor, options?: TensorOptions): Tensor => full(t.shape, 0, likeOptions(t, options));

/**
 * PyTorch 1.13.1's CPU range kernels (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp), as its
 * x86 build runs them: AVX2 vectors of 4 doubles / 8 floats, filled two vectors at a time from a
 * block base, with a scalar tail, and GCC's fused multiply-adds. Reproduced so that arange and
 * linspace give PyTorch's values bit for bit (verified by test/tensor/creation.test.ts; PyTorch
 * itself splits ranges longer than 32768 elements across threads, which shifts the blocks).
 */
const simdWidth = (dtype: DType): number => (dtype === "float32" ? 8 : 4);

/**
 * Values from start (inclusive) to end (exclusive) by step, like torch.arange:
 * `arange(5)`, `arange(1, 4)`, `arange(0, 1, 0.25)`. The length is ⌈(end − start)/step⌉.
 * The dtype defaults to float32 (JS numbers) unless given.
 * PyTorch parity: value i is fma(step, i, start) in float64, rounded once to the dtype; inside a
 * SIMD block value k is fma(k, step, base) from the block's (rounded) base.
 */
export function arange(start: number, end?: number, step = 1, options?: TensorOptions): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new RangeError("step must be nonzero");
  if ((step > 0 && end < start) || (step < 0 && end > start))
    throw new RangeError("upper bound and larger bound inconsistent with step sign");
  const n = Math.ceil((end - start) / step);
  const dtype = dtypeOf(options);
  const arr = typedArrayFor(dtype, n);
  if (!isFloating(dtype)) {
    // integer kernels work in int64: exact
    const s = Math.trunc(start);
    const st = Math.trunc(step);
    for (let i = 0; i < n; i++) arr[i] = s + i * st;
  } else {
    const w = simdWidth(dtype);
    const round = dtype === "float32" ? Math.fround : (x: number): number => x;
    let i = 0;
    for (; i + 2 * w <= n; i += 2 * w) {
      // two vectors per step of the SIMD loop
      for (let b = i; b < i + 2 * w; b += w) {
        const base = round(fma(step, b, start));
        arr[b] = base;
        for (let k = 1; k < w; k++) arr[b + k] = fma(k, step, base);
      }
    }
    for (; i < n; i++) arr[i] = fma(step, i, start);
  }
  return finish(new Tensor(backend().wrap(arr), [n]), options);
}

/**
 * `steps` evenly spaced values from start to end inclusive (torch.linspace).
 * PyTorch parity: the step (end − start)/(steps − 1) and every value are computed in the dtype
 * (float64 for integer dtypes, then truncated): the first half as start + step·i, the second as
 * end − step·(steps − 1 − i), each one fused multiply-add; inside a SIMD block value k is
 * base + k·step from the block's base.
 */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError("number of steps must be non-negative");
  const dtype = dtypeOf(options);
  const arr = typedArrayFor(dtype, steps);
  if (steps === 1) arr[0] = start;
  else if (steps > 1) {
    const f32 = dtype === "float32";
    const r = f32 ? Math.fround : (x: number): number => x;
    const s = r(start);
    const e = r(end);
    const step = r((e - s) / r(steps - 1));
    const fused = f32 ? fmaf : fma;
    const half = Math.floor(steps / 2);
    const at = (i: number): number => (i < half ? fused(step, r(i), s) : fused(-step, r(steps - i - 1), e));
    const w = simdWidth(dtype);
    let i = 0;
    for (; i + 2 * w <= steps; i += 2 * w) {
      // two vectors per step of the SIMD loop
      for (let b = i; b < i + 2 * w; b += w) {
        const base = at(b);
        arr[b] = base;
        for (let k = 1; k < w; k++) arr[b + k] = r(base + r(k * step));
      }
    }
    for (; i < steps; i++) arr[i] = at(i);
  }
  return finish(new Tensor(backend().wrap(arr), [steps]), options);
}

/** Identity matrix (n × m, m defaults to n). */
export function eye(n: number, m = n, options?: TensorOptions): Tensor {
  const t = full([n, m], 0, { dtype: dtypeOf(options) });
  const d = t.storage.data;
  for (let i = 0; i < Math.min(n, m); i++) d[i * m + i] = 1;
  return finish(t, options);
}

