/**
 * Reductions with PyTorch's `(dim?, keepdim?)` conventions and gradients: sum, mean, prod,
 * var/std (with `correction`), norm, max/min (with indices along a dim), amax/amin,
 * argmax/argmin, all/any, and `sumTo` (the adjoint of broadcasting).
 */
import type { ReduceOp } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { noGrad } from "../autograd/grad_mode.js";
import { isFloating, type DType } from "../tensor/dtype.js";
import { normalizeDim, shapesEqual, type Shape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { empty } from "./helpers.js";
import { div, eq, mul, sqrt, sub, abs, pow, where } from "./elementwise.js";
import { expand, named, reshape, view } from "./movement.js";
import { scatterAdd } from "./indexing.js";

export type Dims = number | readonly number[] | null | undefined;

/** `torch.return_types.max`: destructure `[values, indices]` or read `.values` / `.indices`. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

/** Normalised, sorted, unique reduction dims (all dims when `dim` is null/undefined/[]). */
export function reductionDims(dim: Dims, ndim: number): number[] {
  if (dim == null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === "number" ? [dim] : dim;
  if (list.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  const seen = new Set<number>();
  for (const d of list) {
    const n = ndim === 0 ? 0 : normalizeDim(d, ndim);
    if (ndim === 0 && d !== 0 && d !== -1) normalizeDim(d, 0);
    if (seen.has(n)) throw new RangeError(`dim ${n} appears multiple times in the list of dims`);
    seen.add(n);
  }
  return ndim === 0 ? [] : [...seen].sort((a, b) => a - b);
}

function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (dims.includes(d)) {
      if (keepdim) out.push(1);
    } else out.push(shape[d]!);
  }
  return out;
}

function reduceKernel(op: ReduceOp, x: Tensor, dims: readonly number[], keepdim: boolean, dtype: DType): Tensor {
  const out = empty(reducedShape(x.shape, dims, keepdim), dtype);
  backend().reduce(op, x, dims, out.storage);
  return out;
}

/** Broadcast a reduced gradient back over the reduced dims of `shape`. */
function expandBack(g: Tensor, shape: Shape, dims: readonly number[], keepdim: boolean): Tensor {
  const kept = keepdim ? g : view(g, reducedShape(shape, dims, true));
  return expand(kept, shape);
}

function countOf(shape: Shape, dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d]!;
  return n;
}

export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = reductionDims(dim, x.ndim);
  const dt: DType = isFloating(x.dtype) ? x.dtype : "int32";
  const out = reduceKernel("sum", x, dims, keepdim, dt);
  return record(out, dim == null ? "SumBackward0" : "SumBackward1", [x], (g) => [expandBack(g, x.shape, dims, keepdim)]);
}

export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype))
    throw new TypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype}`,
    );
  const dims = reductionDims(dim, x.ndim);
  const n = countOf(x.shape, dims);
  const s = reduceKernel("sum", x, dims, keepdim, x.dtype);
  const out = div(s, n);
  return record(out, dim == null ? "MeanBackward0" : "MeanBackward1", [x], (g) => [div(expandBack(g, x.shape, dims, keepdim), n)]);
}

export function prod(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  const dims = reductionDims(dim, x.ndim);
  const dt: DType = isFloating(x.dtype) ? x.dtype : "int32";
  const out = reduceKernel("prod", x, dims, keepdim, dt);
  // d/dxᵢ Πx = Π_{j≠i} xⱼ: out/xᵢ on lines without zeros; on a line with exactly one zero only the
  // zero's position gets the product of the others; lines with two or more zeros get 0.
  return record(
    out,
    dim == null ? "ProdBackward0" : "ProdBackward1",
    [x],
    (g) => {
      const gx = expandBack(g, x.shape, dims, keepdim);
      const isZero = eq(x, 0);
      const zeros = expandBack(sum(isZero, dims, keepdim), x.shape, dims, keepdim);
      const nonzeroProd = expandBack(prod(where(isZero, 1, x), dim, keepdim), x.shape, dims, keepdim);
      const outX = expandBack(out, x.shape, dims, keepdim);
      const noZero = div(outX, x);
      const oneZero = where(isZero, nonzeroProd, 0);
      return [mul(gx, where(eq(zeros, 0), noZero, where(eq(zeros, 1), oneZero, 0)))];
    },
    [x, out],
  );
}

export interface VarOptions {
  /** Difference between the sample size and the divisor (1 = Bessel's correction, the default). */
  correction?: number;
  /** Legacy form: true ⇔ correction 1, false ⇔ correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

interface VarianceParts {
  v: Tensor;
  dims: number[];
  correction: number;
  keepdim: boolean;
  /** All elements reduced because no dim was given (PyTorch's dim=None path). */
  full: boolean;
}

function varianceParts(x: Tensor, dim: Dims, options: VarOptions | boolean | undefined): VarianceParts {
  if (!isFloating(x.dtype))
    throw new TypeError(`std and var only support floating point and complex dtypes, got ${x.dtype}`);
  const opts: VarOptions = typeof options === "boolean" ? { unbiased: options } : (options ?? {});
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const keepdim = opts.keepdim ?? false;
  const dims = reductionDims(dim, x.ndim);
  const n = countOf(x.shape, dims);
  // forward only: the gradient is PyTorch's var_backward, not the graph of this composite
  const v = noGrad(() => {
    const d = sub(x, mean(x, dims, true));
    return div(sum(mul(d, d), dims, keepdim), Math.max(n - correction, 0));
  });
  return { v, dims, correction, keepdim, full: dim == null || x.ndim === 0 };
}

/**
 * PyTorch's var_backward: (2 / (n − correction)) · g · (x − mean(x)). It does not differentiate
 * through the mean (whose contribution is zero in exact arithmetic). With no dim and
 * n ≤ correction the result is g·NaN where x equals the mean and g·inf elsewhere.
 */
function varBackward(g: Tensor, x: Tensor, p: VarianceParts): Tensor {
  const dof = countOf(x.shape, p.dims) - p.correction;
  if (p.full) {
    const mu = mean(x);
    if (dof <= 0) return mul(g, where(eq(x, mu), NaN, Infinity));
    return mul(mul(g, 2 / dof), sub(x, mu));
  }
  const gk = p.keepdim ? g : view(g, reducedShape(x.shape, p.dims, true));
  return mul(mul(gk, 2 / dof), sub(x, mean(x, p.dims, true)));
}

/** Variance over `dim` with `correction` (default 1, Bessel), like `torch.var`. */
export function variance(x: Tensor, dim?: Dims, options?: VarOptions | boolean): Tensor {
  const p = varianceParts(x, dim, options);
  return record(p.v, "VarBackward0", [x], (g) => [varBackward(g, x, p)], [x]);
}

/** Standard deviation: √var, with PyTorch's std_backward (zero gradient where the result is 0). */
export function std(x: Tensor, dim?: Dims, options?: VarOptions | boolean): Tensor {
  const p = varianceParts(x, dim, options);
  const out = noGrad(() => sqrt(p.v));
  return record(
    out,
    "StdBackward0",
    [x],
    (g) => [varBackward(where(eq(out, 0), 0, div(g, mul(out, 2))), x, p)],
    [x, out],
  );
}

/** Vector p-norm over `dim` (all elements by default), like `torch.norm` / `linalg.vector_norm`. */
export function norm(x: Tensor, p = 2, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) throw new TypeError(`norm(): input dtype should be floating point, but got ${x.dtype}`);
  const dims = reductionDims(dim, x.ndim);
  // composites whose gradient equals PyTorch's norm_backward; the node keeps torch.norm's name
  if (p === Infinity) return named(amax(abs(x), dims, keepdim), "NormBackward1");
  if (p === -Infinity) return named(amin(abs(x), dims, keepdim), "NormBackward1");
  if (p === 1) return named(sum(abs(x), dims, keepdim), "NormBackward1");
  if (p === 0) {
    // PyTorch: the result requires grad, but norm_backward returns an undefined gradient for p = 0 (x.grad stays None)
    const count = noGrad(() => sum(where(eq(x, 0), 0, 1).to(x.dtype), dims, keepdim));
    return record(count, "NormBackward1", [x], () => [null]);
  }
  const ax = abs(x);
  const out = p === 2 ? sqrt(sum(mul(x, x), dims, keepdim)) : pow(sum(pow(ax, p), dims, keepdim), 1 / p);
  // Replace the composite graph with PyTorch's norm_backward, which is 0 where the norm is 0.
  const value = out.detach();
  return record(
    value,
    "NormBackward1",
    [x],
    (g) => {
      const nb = expandBack(value, x.shape, dims, keepdim);
      const gb = expandBack(g, x.shape, dims, keepdim);
      const scale =
        p === 2 ? div(x, nb) : div(mul(x, pow(ax, p - 2)), pow(nb, p - 1));
      return [where(eq(nb, 0), 0, mul(gb, scale))];
    },
    [x],
  );
}

function evenly(x: Tensor, result: Tensor, dims: readonly number[], keepdim: boolean, name: string, out: Tensor): Tensor {
  // gradient split evenly among the elements that attain the extreme (PyTorch's amax/amin/max() rule)
  return record(
    out,
    name,
    [x],
    (g) => {
      const r = expandBack(result, x.shape, dims, keepdim);
      const mask = eq(x, r).to(x.dtype);
      const count = expandBack(sum(mask, dims, keepdim), x.shape, dims, keepdim);
      return [div(mul(expandBack(g, x.shape, dims, keepdim), mask), count)];
    },
    [x, out],
  );
}

function fullExtreme(x: Tensor, op: "max" | "min"): Tensor {
  if (x.numel() === 0)
    throw new RangeError(
      `${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
    );
  const dims = reductionDims(null, x.ndim);
  const out = reduceKernel(op, x, dims, false, x.dtype);
  return evenly(x, out, dims, false, op === "max" ? "MaxBackward1" : "MinBackward1", out);
}

export const max = (x: Tensor): Tensor => fullExtreme(x, "max");
export const min = (x: Tensor): Tensor => fullExtreme(x, "min");

function extremeDim(x: Tensor, dim: number, keepdim: boolean, op: "max" | "min"): ValuesIndices {
  const d = x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim);
  if (x.ndim > 0 && x.shape[d] === 0)
    throw new RangeError(
      `${op}(): Expected reduction dim ${d} to have non-zero size.`,
    );
  const dims = x.ndim === 0 ? [] : [d];
  const values = reduceKernel(op, x, dims, keepdim, x.dtype);
  const indices = empty(values.shape, "int32");
  if (x.ndim > 0) backend().argReduce(op === "max" ? "argmax" : "argmin", x, d, indices.storage);
  record(
    values,
    op === "max" ? "MaxBackward0" : "MinBackward0",
    [x],
    (g) => {
      const gk = keepdim || x.ndim === 0 ? g : view(g, reducedShape(x.shape, dims, true));
      const ik = keepdim || x.ndim === 0 ? indices : view(indices, reducedShape(x.shape, dims, true));
      if (x.ndim === 0) return [g];
      return [scatterAdd(empty(x.shape, g.dtype), d, ik, gk)];
    },
    [indices],
  );
  return valuesIndices(values, indices);
}

export const maxDim = (x: Tensor, dim: number, keepdim = false): ValuesIndices => extremeDim(x, dim, keepdim, "max");
export const minDim = (x: Tensor, dim: number, keepdim = false): ValuesIndices => extremeDim(x, dim, keepdim, "min");

function extremeDims(x: Tensor, dim: Dims, keepdim: boolean, op: "amax" | "amin"): Tensor {
  const dims = reductionDims(dim, x.ndim);
  const out = reduceKernel(op, x, dims, keepdim, x.dtype);
  return evenly(x, out, dims, keepdim, op === "amax" ? "AmaxBackward0" : "AminBackward0", out);
}

export const amax = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extremeDims(x, dim, keepdim, "amax");
export const amin = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extremeDims(x, dim, keepdim, "amin");

function argExtreme(x: Tensor, dim: number | null | undefined, keepdim: boolean, op: "argmax" | "argmin"): Tensor {
  if (dim == null) {
    if (x.numel() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const flat = reshape(x, [-1]);
    const out = empty(keepdim ? x.shape.map(() => 1) : [], "int32");
    backend().argReduce(op, flat, 0, out.storage);
    return out;
  }
  const d = x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim);
  if (x.ndim === 0) return empty([], "int32");
  if (x.shape[d] === 0) throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  const out = empty(reducedShape(x.shape, [d], keepdim), "int32");
  backend().argReduce(op, x, d, out.storage);
  return out;
}

export const argmax = (x: Tensor, dim?: number | null, keepdim = false): Tensor => argExtreme(x, dim, keepdim, "argmax");
export const argmin = (x: Tensor, dim?: number | null, keepdim = false): Tensor => argExtreme(x, dim, keepdim, "argmin");

export function all(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return reduceKernel("allNonzero", x, reductionDims(dim, x.ndim), keepdim, "bool");
}

export function any(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return reduceKernel("anyNonzero", x, reductionDims(dim, x.ndim), keepdim, "bool");
}

/** Sum a broadcast gradient back to `shape` (the adjoint of broadcasting `shape` to g.shape). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  }
  const s = dims.length ? sum(g, dims, true) : g;
  return reshape(s, shape);
}

