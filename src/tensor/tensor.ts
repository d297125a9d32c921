/**
 * The Tensor: a strided view of a storage, with autograd metadata.
 *
 * Like PyTorch, a tensor is (storage, shape, strides, offset, dtype); views (reshape of
 * contiguous data, transpose, permute, slicing, expand) share the storage. Autograd fields:
 * `requiresGrad`, `grad` (accumulated by `backward()`), `gradFn` (the node that made a non-leaf).
 * Methods mirror PyTorch's tensor methods and forward to the functions in src/ops.
 */
import type { Storage, Strided } from "../backend/backend.js";
import { isFloating, type DType } from "./dtype.js";
import { contiguousStrides, fmtShape, isContiguous, normalizeDim, numel, shapesEqual, type Shape } from "./shape.js";
import type { Node } from "../autograd/node.js";
import { runBackward, type BackwardOptions } from "../autograd/engine.js";
import { formatTensor } from "./format.js";
import * as ew from "../ops/elementwise.js";
import * as red from "../ops/reduce.js";
import * as mv from "../ops/movement.js";
import * as idx from "../ops/indexing.js";
import * as act from "../ops/activation.js";
import * as sm from "../ops/softmax.js";
import { matmul } from "../ops/matmul.js";
import type { ValuesIndices } from "../ops/reduce.js";

export type NestedArray = number | boolean | readonly NestedArray[];
export type Scalar = number;
export type TensorOrScalar = Tensor | number;

export class Tensor implements Strided {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
  /** Optional user label, shown nowhere but handy in debugging. */
  name: string | null = null;
  private _requiresGrad = false;
  private _grad: Tensor | null = null;
  private _gradFn: Node | null = null;
  /**
   * @internal Set on views made while grad mode is on: the tensor whose storage this one views
   * (never itself a view) and the storage version this view's graph reflects. When the storage
   * is modified in place through another alias, the view's graph is rebuilt from the base's
   * (PyTorch regenerates a view's grad_fn the same way).
   */
  _view: { readonly base: Tensor; version: number } | null = null;

  /** Low-level: build a view. Users create tensors with `tensor()`, `zeros()`, … */
  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = Object.freeze(shape.slice());
    this.strides = Object.freeze(strides ? strides.slice() : contiguousStrides(shape));
    this.offset = offset;
  }

  get dtype(): DType {
    return this.storage.dtype;
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return numel(this.shape);
  }
  size(): Shape;
  size(dim: number): number;
  size(dim?: number): Shape | number {
    if (dim === undefined) return this.shape;
    return this.shape[normalizeDim(dim, this.ndim)]!;
  }
  stride(): readonly number[] {
    return this.strides;
  }
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }
  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }

  // ---- autograd ---------------------------------------------------------------------------

  get requiresGrad(): boolean {
    this.refreshView();
    return this._requiresGrad;
  }
  set requiresGrad(value: boolean) {
    if (this._gradFn !== null) {
      if (!value)
        throw new Error(
          "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use varNoGrad = v.detach().",
        );
      return;
    }
    if (value && !isFloating(this.dtype))
      throw new TypeError(`only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    this._requiresGrad = value;
  }
  /** `tensor.requires_grad_(flag)`: set requiresGrad in place and return this. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }
  get gradFn(): Node | null {
    this.refreshView();
    return this._gradFn;
  }
  /** @internal Used by autograd's `record`. */
  setGradFn(node: Node): void {
    this._gradFn = node;
    this._requiresGrad = true;
    if (this._view !== null) this._view.version = this.storage.version;
  }
  /** A view whose storage was modified in place through another alias takes its graph from its base. */
  private refreshView(): void {
    const v = this._view;
    if (v !== null && v.version !== this.storage.version) mv.refreshView(this, v);
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!(g instanceof Tensor)) throw new TypeError("assigned grad expected to be a Tensor or null");
      if (g.dtype !== this.dtype)
        throw new TypeError(`assigned grad has data of type ${g.dtype} that differs from the tensor's type ${this.dtype}`);
      if (!shapesEqual(g.shape, this.shape))
        throw new RangeError(
          `assigned grad has data of a different size: ${fmtShape(g.shape)} versus the tensor's ${fmtShape(this.shape)}`,
        );
    }
    this._grad = g;
  }
  /** Keep `.grad` for this non-leaf tensor during backward (`retain_grad()`). */
  retainGrad(): void {
    if (this._gradFn === null) return;
    this._gradFn.retainTarget = this;
  }
  /** Reverse-mode differentiation from this tensor (a scalar unless `gradient` is given). */
  backward(gradient?: Tensor | null, options?: BackwardOptions): void {
    runBackward(this, gradient, options);
  }
  /** A tensor sharing this one's data, cut off from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }
  /** Detach in place: become a leaf that does not require grad. */
  detach_(): this {
    this._gradFn = null;
    this._requiresGrad = false;
    return this;
  }

  // ---- conversion ---------------------------------------------------------------------------

  /** Nested arrays of numbers (a number for a 0-d tensor); bool tensors give booleans. */
  tolist(): NestedArray {
    const c = mv.contiguous(this);
    const data = c.storage.data;
    const isBool = this.dtype === "bool";
    const shape = this.shape;
    const build = (dim: number, off: number): NestedArray => {
      if (dim === shape.length) return isBool ? data[off] !== 0 : data[off]!;
      const out: NestedArray[] = [];
      const step = c.strides[dim]!;
      for (let i = 0; i < shape[dim]!; i++) out.push(build(dim + 1, off + i * step));
      return out;
    };
    return build(0, c.offset);
  }
  /** The value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1)
      throw new RangeError(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    return this.storage.data[this.offset]!;
  }
  /** A contiguous typed-array copy of the elements (row-major). */
  dataSync(): Float32Array | Float64Array | Int32Array | Uint8Array {
    const c = mv.contiguous(this);
    return c.storage.data.slice(c.offset, c.offset + c.numel());
  }
  toString(): string {
    const c = mv.contiguous(this);
    return formatTensor({
      values: c.storage.data.subarray(c.offset, c.offset + c.numel()),
      shape: this.shape,
      dtype: this.dtype,
      requiresGrad: this.requiresGrad,
      gradFnName: this._gradFn?.name ?? null,
    });
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
  to(dtype: DType): Tensor {
    return mv.to(this, dtype);
  }
  float(): Tensor {
    return mv.to(this, "float32");
  }
  double(): Tensor {
    return mv.to(this, "float64");
  }
  int(): Tensor {
    return mv.to(this, "int32");
  }
  bool(): Tensor {
    return mv.to(this, "bool");
  }

  // ---- elementwise ------------------------------------------------------------------------

  add(other: TensorOrScalar, alpha?: number): Tensor { return ew.add(this, other, alpha); }
  sub(other: TensorOrScalar, alpha?: number): Tensor { return ew.sub(this, other, alpha); }
  mul(other: TensorOrScalar): Tensor { return ew.mul(this, other); }
  div(other: TensorOrScalar): Tensor { return ew.div(this, other); }
  pow(exponent: TensorOrScalar): Tensor { return ew.pow(this, exponent); }
  maximum(other: Tensor): Tensor { return ew.maximum(this, other); }
  minimum(other: Tensor): Tensor { return ew.minimum(this, other); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  expm1(): Tensor { return ew.expm1(this); }
  log(): Tensor { return ew.log(this); }
  log1p(): Tensor { return ew.log1p(this); }
  log2(): Tensor { return ew.log2(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  rsqrt(): Tensor { return ew.rsqrt(this); }
  square(): Tensor { return ew.square(this); }
  reciprocal(): Tensor { return ew.reciprocal(this); }
  abs(): Tensor { return ew.abs(this); }
  sign(): Tensor { return ew.sign(this); }
  sin(): Tensor { return ew.sin(this); }
  cos(): Tensor { return ew.cos(this); }
  floor(): Tensor { return ew.floor(this); }
  ceil(): Tensor { return ew.ceil(this); }
  round(): Tensor { return ew.round(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }
  clampMin(min: number): Tensor { return ew.clamp(this, min, null); }
  clampMax(max: number): Tensor { return ew.clamp(this, null, max); }
  eq(other: TensorOrScalar): Tensor { return ew.eq(this, other); }
  ne(other: TensorOrScalar): Tensor { return ew.ne(this, other); }
  lt(other: TensorOrScalar): Tensor { return ew.lt(this, other); }
  le(other: TensorOrScalar): Tensor { return ew.le(this, other); }
  gt(other: TensorOrScalar): Tensor { return ew.gt(this, other); }
  ge(other: TensorOrScalar): Tensor { return ew.ge(this, other); }
  logicalNot(): Tensor { return ew.logicalNot(this); }
  logicalAnd(other: Tensor): Tensor { return ew.logicalAnd(this, other); }
  logicalOr(other: Tensor): Tensor { return ew.logicalOr(this, other); }
  isnan(): Tensor { return ew.isnan(this); }
  isinf(): Tensor { return ew.isinf(this); }
  isfinite(): Tensor { return ew.isfinite(this); }
  where(condition: Tensor, other: TensorOrScalar): Tensor { return ew.where(condition, this, other); }
  lerp(end: Tensor, weight: TensorOrScalar): Tensor { return ew.lerp(this, end, weight); }

  // in place (no graph through them unless the tensor is a non-leaf; leaves requiring grad refuse under grad mode)
  add_(other: TensorOrScalar, alpha?: number): this { return ew.binaryInPlace(this, "add", other, alpha); }
  sub_(other: TensorOrScalar, alpha?: number): this { return ew.binaryInPlace(this, "sub", other, alpha); }
  mul_(other: TensorOrScalar): this { return ew.binaryInPlace(this, "mul", other); }
  div_(other: TensorOrScalar): this { return ew.binaryInPlace(this, "div", other); }
  pow_(exponent: TensorOrScalar): this { return ew.inPlace(this, (s) => ew.pow(s, exponent)); }
  clamp_(min?: number | null, max?: number | null): this { return ew.inPlace(this, (s) => ew.clamp(s, min, max)); }
  neg_(): this { return ew.inPlace(this, (s) => ew.neg(s)); }
  exp_(): this { return ew.inPlace(this, (s) => ew.exp(s)); }
  log_(): this { return ew.inPlace(this, (s) => ew.log(s)); }
  sqrt_(): this { return ew.inPlace(this, (s) => ew.sqrt(s)); }
  abs_(): this { return ew.inPlace(this, (s) => ew.abs(s)); }
  relu_(): this { return ew.inPlace(this, (s) => act.relu(s)); }
  sigmoid_(): this { return ew.inPlace(this, (s) => act.sigmoid(s)); }
  tanh_(): this { return ew.inPlace(this, (s) => act.tanh(s)); }
  lerp_(end: Tensor, weight: TensorOrScalar): this { return ew.inPlace(this, (s) => ew.lerp(s, end, weight)); }
  /** Copy `src` (broadcast, cast) into this tensor in place. */
  copy_(src: TensorOrScalar): this { return ew.copyInto(this, src); }
  fill_(value: number): this { return ew.fillInPlace(this, value); }
  zero_(): this { return ew.fillInPlace(this, 0); }
  maskedFill(mask: Tensor, value: number): Tensor { return idx.maskedFill(this, mask, value); }
  maskedFill_(mask: Tensor, value: number): this { return ew.inPlace(this, (s) => idx.maskedFill(s, mask, value)); }

  // ---- activations ------------------------------------------------------------------------

  relu(): Tensor { return act.relu(this); }
  sigmoid(): Tensor { return act.sigmoid(this); }
  tanh(): Tensor { return act.tanh(this); }
  softmax(dim: number): Tensor { return sm.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return sm.logSoftmax(this, dim); }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor { return sm.logsumexp(this, dim, keepdim); }

  // ---- reductions -------------------------------------------------------------------------

  sum(dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  prod(dim?: number | null, keepdim = false): Tensor { return red.prod(this, dim, keepdim); }
  var(dim?: number | readonly number[] | null, options?: red.VarOptions | boolean): Tensor { return red.variance(this, dim, options); }
  std(dim?: number | readonly number[] | null, options?: red.VarOptions | boolean): Tensor { return red.std(this, dim, options); }
  norm(p?: number, dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.norm(this, p, dim, keepdim); }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
    if (dim instanceof Tensor) return ew.maximum(this, dim);
    return dim === undefined ? red.max(this) : red.maxDim(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
    if (dim instanceof Tensor) return ew.minimum(this, dim);
    return dim === undefined ? red.min(this) : red.minDim(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.amax(this, dim, keepdim); }
  amin(dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.amin(this, dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return red.argmax(this, dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return red.argmin(this, dim, keepdim); }
  all(dim?: number | null, keepdim = false): Tensor { return red.all(this, dim, keepdim); }
  any(dim?: number | null, keepdim = false): Tensor { return red.any(this, dim, keepdim); }

  // ---- linear algebra ---------------------------------------------------------------------

  matmul(other: Tensor): Tensor { return matmul(this, other); }
  mm(other: Tensor): Tensor { return matmul(this, other); }

  // ---- shape and views --------------------------------------------------------------------

  reshape(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, mv.shapeArgs(shape)); }
  view(...shape: number[] | [readonly number[]]): Tensor { return mv.view(this, mv.shapeArgs(shape)); }
  viewAs(other: Tensor): Tensor { return mv.view(this, other.shape); }
  reshapeAs(other: Tensor): Tensor { return mv.reshape(this, other.shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return mv.flatten(this, startDim, endDim); }
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  t(): Tensor { return mv.t(this); }
  get T(): Tensor { return mv.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  permute(...dims: number[] | [readonly number[]]): Tensor { return mv.permute(this, mv.shapeArgs(dims)); }
  squeeze(dim?: number): Tensor { return mv.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  expand(...shape: number[] | [readonly number[]]): Tensor { return mv.expand(this, mv.shapeArgs(shape)); }
  expandAs(other: Tensor): Tensor { return mv.expand(this, other.shape); }
  contiguous(): Tensor { return mv.contiguous(this); }
  clone(): Tensor { return mv.clone(this); }
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return mv.select(this, dim, index); }
  /** `x[start:end:step]` along `dim` (negative and omitted bounds like Python slices). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor { return mv.slice(this, dim, start, end, step); }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] { return mv.split(this, splitSize, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return mv.chunk(this, chunks, dim); }
  unbind(dim = 0): Tensor[] { return mv.unbind(this, dim); }

  // ---- indexing ---------------------------------------------------------------------------

  gather(dim: number, index: Tensor): Tensor { return idx.gather(this, dim, index); }
  indexSelect(dim: number, index: Tensor): Tensor { return idx.indexSelect(this, dim, index); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return idx.scatterAdd(this, dim, index, src); }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this { return ew.inPlace(this, (s) => idx.scatterAdd(s, dim, index, src)); }
}
