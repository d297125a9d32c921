/**
 * Shape and layout: views that share storage where PyTorch makes views (view/reshape of
 * compatible strides, transpose, permute, squeeze/unsqueeze, expand, narrow/select/slice,
 * split/chunk/unbind), plus contiguous/clone/casts. Each records its gradient.
 */
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import { isFloating, type DType } from "../tensor/dtype.js";
import { contiguousStrides, fmtShape, inferShape, normalizeDim, numel, type Shape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { empty } from "./helpers.js";
import { sumTo } from "./reduce.js";

/** Accept `f(2, 3)` and `f([2, 3])` like PyTorch's varargs shapes. */
export function shapeArgs(args: number[] | [readonly number[]]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as readonly number[]).slice();
  return (args as number[]).slice();
}

function makeView(x: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  const v = new Tensor(x.storage, shape, strides, offset);
  if (isGradEnabled()) v._view = { base: x._view?.base ?? x, version: x.storage.version };
  return v;
}

/**
 * @internal An alias of x whose graph node carries PyTorch's name for the composite op that
 * produced x (e.g. StackBackward0 over a cat), so printed results match PyTorch's repr.
 */
export function named(x: Tensor, name: string): Tensor {
  if (!isGradEnabled() || !x.requiresGrad) return x;
  return record(makeView(x, x.shape, x.strides, x.offset), name, [x], (g) => [g]);
}

/** Where a tensor's elements sit in its storage. */
interface Geometry {
  shape: Shape;
  strides: readonly number[];
  offset: number;
}

const geometryOf = (t: Tensor): Geometry => ({ shape: t.shape, strides: t.strides, offset: t.offset });

/**
 * Gradients between a view and its base, through a buffer laid out like their shared storage:
 * `g` (shaped like `from`) is written into the buffer at `from`'s elements (accumulated where
 * `from` overlaps itself, as an expanded view does), optionally `zero`'s elements are cleared, and
 * the buffer is read back at `to`'s elements.
 */
export function regrid(g: Tensor, size: number, from: Geometry, to: Geometry, zero: Geometry | null = null): Tensor {
  const buf = empty([size], g.dtype);
  const at = (geo: Geometry): Tensor => new Tensor(buf.storage, geo.shape, geo.strides, geo.offset);
  const src = at(from);
  backend().binary("add", src, g, src);
  if (zero !== null) backend().fill(at(zero), 0);
  const out = empty(to.shape, g.dtype);
  backend().copy(at(to), out);
  return out;
}

/**
 * @internal Called when a view's storage changed through another alias: if its base requires
 * grad, the view's gradient now flows into the base's current graph (PyTorch's regenerated
 * AsStridedBackward0).
 */
export function refreshView(view: Tensor, info: { readonly base: Tensor; version: number }): void {
  info.version = view.storage.version;
  const base = info.base;
  if (!isGradEnabled() || !base.requiresGrad) return;
  const v = geometryOf(view);
  const b = geometryOf(base);
  const size = view.storage.size;
  record(view, "AsStridedBackward0", [base], (g) => [regrid(g, size, v, b)]);
}

/** Strides that view (shape, strides) as newShape without copying, or null (PyTorch's computeStride). */
function viewStrides(oldShape: Shape, oldStrides: readonly number[], newShape: Shape): number[] | null {
  if (oldShape.length === 0 || numel(oldShape) === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}

export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel());
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides === null)
    throw new RangeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  const out = makeView(x, target, strides, x.offset);
  return record(out, "ViewBackward0", [x], (g) => [reshape(g, x.shape)]);
}

/** A view when the strides allow it, otherwise a contiguous copy (like torch.reshape). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel());
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides !== null) {
    // PyTorch 1.13's reshape makes this view with _reshape_alias
    const out = makeView(x, target, strides, x.offset);
    return record(out, "ReshapeAliasBackward0", [x], (g) => [reshape(g, x.shape)]);
  }
  const c = contiguous(x);
  const out = makeView(c, target, contiguousStrides(target), c.offset);
  return record(out, "UnsafeViewBackward0", [c], (g) => [reshape(g, c.shape)]);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim);
  const e = normalizeDim(endDim, x.ndim);
  if (s > e) throw new RangeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return x;
  const shape = [...x.shape.slice(0, s), x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const n = Math.max(x.ndim, 1);
  const a = normalizeDim(dim0, n);
  const b = normalizeDim(dim1, n);
  if (x.ndim === 0) return record(makeView(x, [], [], x.offset), "TransposeBackward0", [x], (g) => [g]);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  [shape[a], shape[b]] = [shape[b]!, shape[a]!];
  [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  const out = makeView(x, shape, strides, x.offset);
  return record(out, "TransposeBackward0", [x], (g) => [transpose(g, a, b)]);
}

export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  if (x.ndim === 2) {
    const out = makeView(x, [x.shape[1]!, x.shape[0]!], [x.strides[1]!, x.strides[0]!], x.offset);
    return record(out, "TBackward0", [x], (g) => [t(g)]);
  }
  // 0-d and 1-d: a view of the same shape, still recorded (as PyTorch does)
  return record(makeView(x, x.shape, x.strides, x.offset), "TBackward0", [x], (g) => [g]);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim)
    throw new RangeError(
      `permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.ndim} is not equal to len(dims) = ${dims.length}`,
    );
  const norm = dims.map((d) => normalizeDim(d, x.ndim));
  if (new Set(norm).size !== norm.length) throw new RangeError("permute(): duplicate dims are not allowed.");
  const out = makeView(
    x,
    norm.map((d) => x.shape[d]!),
    norm.map((d) => x.strides[d]!),
    x.offset,
  );
  const inverse = new Array<number>(norm.length);
  norm.forEach((d, i) => (inverse[d] = i));
  return record(out, "PermuteBackward0", [x], (g) => [permute(g, inverse)]);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  let keep: number[];
  if (dim === undefined) keep = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
  else {
    if (x.ndim === 0) {
      normalizeDim(dim, 0);
      return x;
    }
    const d = normalizeDim(dim, x.ndim);
    keep = x.shape.map((_, i) => i).filter((i) => i !== d || x.shape[i] !== 1);
  }
  const out = makeView(
    x,
    keep.map((i) => x.shape[i]!),
    keep.map((i) => x.strides[i]!),
    x.offset,
  );
  return record(out, dim === undefined ? "SqueezeBackward0" : "SqueezeBackward1", [x], (g) => [reshape(g, x.shape)]);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  const stride = d < x.ndim ? x.shape[d]! * x.strides[d]! : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  const out = makeView(x, shape, strides, x.offset);
  return record(out, "UnsqueezeBackward0", [x], (g) => [reshape(g, x.shape)]);
}

const TENSOR_TYPE: Record<DType, string> = {
  float32: "torch.FloatTensor", float64: "torch.DoubleTensor", int32: "torch.IntTensor", bool: "torch.BoolTensor",
};

export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim)
    throw new RangeError(
      `expand(${TENSOR_TYPE[x.dtype]}{${fmtShape(x.shape)}}, size=${fmtShape(shape)}): the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`,
    );
  const lead = shape.length - x.ndim;
  const outShape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i]!;
    if (i < lead) {
      if (want < 0) throw new RangeError(`The expanded size of the tensor (${want}) isn't allowed in a leading, non-existing dimension ${i}`);
      outShape.push(want);
      strides.push(0);
      continue;
    }
    const have = x.shape[i - lead]!;
    const size = want === -1 ? have : want;
    if (size !== have && have !== 1)
      throw new RangeError(
        `The expanded size of the tensor (${size}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: ${fmtShape(shape)}.  Tensor sizes: ${fmtShape(x.shape)}`,
      );
    outShape.push(size);
    strides.push(size !== have ? 0 : x.strides[i - lead]!);
  }
  const out = makeView(x, outShape, strides, x.offset);
  return record(out, "ExpandBackward0", [x], (g) => [sumTo(g, x.shape)]);
}

/** A contiguous copy with no graph (for kernels that need dense input). */
export function contiguousOrSelf(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = empty(x.shape, x.dtype);
  backend().copy(x, out);
  return out;
}

export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = empty(x.shape, x.dtype);
  backend().copy(x, out);
  return record(out, "CloneBackward0", [x], (g) => [g]);
}

export function clone(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  backend().copy(x, out);
  return record(out, "CloneBackward0", [x], (g) => [g]);
}

/** Copy to another dtype (float → int truncates toward zero). Same dtype returns x itself. */
export function to(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  return cast(x, dtype);
}

export function cast(x: Tensor, dtype: DType): Tensor {
  const out = empty(x.shape, dtype);
  backend().copy(x, out);
  if (!isFloating(dtype)) return out;
  return record(out, "ToCopyBackward0", [x], (g) => [cast(g, x.dtype)]);
}

/** Gradient of a view `region(zeros)` = g: zeros of x's shape with g written into the region. */
function intoRegion(shape: Shape, g: Tensor, region: (z: Tensor) => Tensor): Tensor {
  const z = empty(shape, g.dtype);
  backend().copy(g, region(z));
  return z;
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.ndim === 0) throw new RangeError("narrow() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  if (start < -size || start > size)
    throw new RangeError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  const s = start < 0 ? start + size : start;
  if (length < 0 || s + length > size)
    throw new RangeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  return slice(x, d, s, s + length, 1);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.ndim === 0) throw new RangeError("select() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size)
    throw new RangeError(`select(): index ${index} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${d}`);
  const i = index < 0 ? index + size : index;
  const shape = x.shape.filter((_, k) => k !== d);
  const strides = x.strides.filter((_, k) => k !== d);
  const out = makeView(x, shape, strides, x.offset + i * x.strides[d]!);
  return record(out, "SelectBackward0", [x], (g) => [intoRegion(x.shape, g, (z) => select(z, d, i))]);
}

/** `x[start:end:step]` along dim, with Python's clamping of out-of-range bounds. */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  if (x.ndim === 0) throw new RangeError("slice() cannot be applied to a 0-dim tensor.");
  if (!Number.isInteger(step) || step <= 0) throw new RangeError("slice step must be positive");
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  const clampIdx = (v: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = start == null ? 0 : clampIdx(start);
  const e = Math.max(end == null ? size : clampIdx(end), s);
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape[d] = len;
  strides[d] = x.strides[d]! * step;
  const out = makeView(x, shape, strides, x.offset + s * x.strides[d]!);
  return record(out, "SliceBackward0", [x], (g) => [intoRegion(x.shape, g, (z) => slice(z, d, s, e, step))]);
}

export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  const sizes: number[] = [];
  if (typeof splitSize === "number") {
    if (!Number.isInteger(splitSize) || splitSize < 0)
      throw new RangeError(`split expects split_size be non-negative, but got split_size=${splitSize}`);
    if (splitSize === 0 && size !== 0)
      throw new RangeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    for (let s = 0; s < size; s += splitSize) sizes.push(Math.min(splitSize, size - s));
    if (size === 0) sizes.push(0);
  } else {
    const total = splitSize.reduce((a, b) => a + b, 0);
    if (total !== size)
      throw new RangeError(
        `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(splitSize)}`,
      );
    sizes.push(...splitSize);
  }
  const out: Tensor[] = [];
  const name = typeof splitSize === "number" ? "SplitBackward0" : "SplitWithSizesBackward0";
  let start = 0;
  for (const len of sizes) {
    out.push(named(narrow(x, d, start, len), name));
    start += len;
  }
  return out;
}

export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError("chunk expects `chunks` to be greater than 0, got: " + chunks);
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  return split(x, Math.max(Math.ceil(size / chunks), 1), d);
}

export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.ndim);
  return Array.from({ length: x.shape[d]! }, (_, i) => named(select(x, d, i), "UnbindBackward0"));
}

