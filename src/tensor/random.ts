/**
 * Random tensors from a seeded generator: rand, randn, randint, randperm and the in-place
 * fills used by `nn.init`. All draw from `defaultGenerator` unless a `generator` is passed, and
 * the streams follow PyTorch's CPU generator (see generator.ts), so `manualSeed(s)` reproduces
 * the numbers `torch.manual_seed(s)` gives.
 */
import { backend } from "../backend/registry.js";
import { defaultGenerator, type Generator } from "./generator.js";
import { DEFAULT_DTYPE, isFloating, typedArrayFor, type DType } from "./dtype.js";
import { numel } from "./shape.js";
import { Tensor } from "./tensor.js";
import { full, type ShapeArg, type TensorOptions } from "./creation.js";
import { noGrad } from "../autograd/grad_mode.js";

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

function floatTensor(shape: ShapeArg, options: RandomOptions | undefined, fill: (a: Float32Array | Float64Array, g: Generator) => void): Tensor {
  const dtype: DType = options?.dtype ?? DEFAULT_DTYPE;
  if (!isFloating(dtype)) throw new TypeError(`expected a floating point dtype, but got ${dtype}`);
  const t = full(shape, 0, { dtype });
  fill(t.storage.data as Float32Array | Float64Array, options?.generator ?? defaultGenerator);
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Uniform on [0, 1), like torch.rand. */
export function rand(shape: ShapeArg, options?: RandomOptions): Tensor {
  return floatTensor(shape, options, (a, g) => g.uniform(a, 0, 1));
}

/** Standard normal, like torch.randn. */
export function randn(shape: ShapeArg, options?: RandomOptions): Tensor {
  return floatTensor(shape, options, (a, g) => g.normal(a, 0, 1));
}

/** Integers uniform on [low, high), like torch.randint (dtype int32 by default). */
export function randint(low: number, high: number, shape: ShapeArg, options?: RandomOptions): Tensor {
  if (!(high > low)) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const dtype: DType = options?.dtype ?? "int32";
  if (dtype === "bool") throw new TypeError("randint(): bool dtype is not supported");
  const t = full(shape, 0, { dtype });
  (options?.generator ?? defaultGenerator).randint(t.storage.data as Int32Array | Float32Array | Float64Array, low, high);
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A random permutation of 0 … n−1, like torch.randperm (int32 by default). */
export function randperm(n: number, options?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be non-negative, got${n}`);
  const perm = (options?.generator ?? defaultGenerator).randperm(n);
  const dtype: DType = options?.dtype ?? "int32";
  const arr = typedArrayFor(dtype, n);
  arr.set(perm);
  return new Tensor(backend().wrap(arr), [n]);
}

export const randLike = (t: Tensor, options?: RandomOptions): Tensor => rand(t.shape, { dtype: t.dtype, ...options });
export const randnLike = (t: Tensor, options?: RandomOptions): Tensor => randn(t.shape, { dtype: t.dtype, ...options });

/** Fill a contiguous float tensor in place from `fill` (used by uniform_/normal_). */
function fillInPlace(t: Tensor, fill: (a: Float32Array | Float64Array) => void): Tensor {
  if (!isFloating(t.dtype)) throw new TypeError(`expected a floating point tensor, but got ${t.dtype}`);
  noGrad(() => {
    if (t.isContiguous() && t.offset === 0 && t.storage.size === numel(t.shape)) {
      fill(t.storage.data as Float32Array | Float64Array);
    } else {
      const tmp = full(t.shape, 0, { dtype: t.dtype });
      fill(tmp.storage.data as Float32Array | Float64Array);
      backend().copy(tmp, t);
    }
  });
  t.storage.version++;
  return t;
}

/** `tensor.uniform_(from, to)` */
export function uniform_(t: Tensor, from = 0, to = 1, generator: Generator = defaultGenerator): Tensor {
  return fillInPlace(t, (a) => generator.uniform(a, from, to));
}

/** `tensor.normal_(mean, std)` */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fillInPlace(t, (a) => generator.normal(a, mean, std));
}

/** `tensor.bernoulli_(p)`: 1 with probability p, else 0. */
export function bernoulli_(t: Tensor, p: number, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  return fillInPlace(t, (a) => generator.bernoulli(a, p));
}
