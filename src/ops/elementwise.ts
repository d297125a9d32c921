/**
 * Elementwise arithmetic, math functions, comparisons and `where`, with PyTorch's broadcasting,
 * type promotion and gradients (gradients of broadcast inputs are summed back to their shape).
 */
import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { isGradEnabled, noGrad } from "../autograd/grad_mode.js";
import { isFloating, promoteTypes, DEFAULT_DTYPE, type DType } from "../tensor/dtype.js";
import { broadcastShapes, fmtShape, shapesEqual, type Shape } from "../tensor/shape.js";
import { Tensor, type TensorOrScalar } from "../tensor/tensor.js";
import { broadcastView, empty, operand, resultTypeOf } from "./helpers.js";
import { sumTo } from "./reduce.js";
import { cast, regrid } from "./movement.js";

// ---- kernels behind the ops ----------------------------------------------------------------

/** Broadcast a and b, compute `op` into a new tensor of dtype `outDtype`. */
function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType, p0 = 0): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const out = empty(shape, outDtype);
  backend().binary(op, broadcastView(a, shape), broadcastView(b, shape), out, p0);
  return out;
}

function unaryKernel(op: UnaryOp, x: Tensor, outDtype: DType, p0 = 0, p1 = 0): Tensor {
  const out = empty(x.shape, outDtype);
  backend().unary(op, x, out, p0, p1);
  return out;
}

/** Floating result dtype for ops like exp/sqrt (integers and bools promote to float32). */
function floatDtype(x: Tensor): DType {
  return isFloating(x.dtype) ? x.dtype : DEFAULT_DTYPE;
}

// ---- arithmetic ----------------------------------------------------------------------------

function tensorOf(x: TensorOrScalar): Tensor | null {
  return typeof x === "number" ? null : x;
}

/** a + alpha·b */
export function add(a: TensorOrScalar, b: TensorOrScalar, alpha = 1): Tensor {
  const dt = resultTypeOf(a, b);
  const A = operand(a, dt);
  const B = operand(b, dt);
  let out: Tensor;
  if (dt === "bool") out = binaryKernel("logicalOr", A, B, dt);
  else out = alpha === 1 ? binaryKernel("add", A, B, dt) : binaryKernel("addScaled", A, B, dt, alpha);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  return record(out, "AddBackward0", [ta, tb], (g) => [
    ta && ta.requiresGrad ? sumTo(g, ta.shape) : null,
    tb && tb.requiresGrad ? sumTo(alpha === 1 ? g : mul(g, alpha), tb.shape) : null,
  ]);
}

/** a − alpha·b */
export function sub(a: TensorOrScalar, b: TensorOrScalar, alpha = 1): Tensor {
  const dt = resultTypeOf(a, b);
  if (dt === "bool")
    throw new TypeError(
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
    );
  const A = operand(a, dt);
  const B = operand(b, dt);
  const out = alpha === 1 ? binaryKernel("sub", A, B, dt) : binaryKernel("addScaled", A, B, dt, -alpha);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  return record(out, "SubBackward0", [ta, tb], (g) => [
    ta && ta.requiresGrad ? sumTo(g, ta.shape) : null,
    tb && tb.requiresGrad ? sumTo(mul(g, -alpha), tb.shape) : null,
  ]);
}

export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const dt = resultTypeOf(a, b);
  const A = operand(a, dt);
  const B = operand(b, dt);
  const out = binaryKernel(dt === "bool" ? "logicalAnd" : "mul", A, B, dt);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  return record(
    out,
    "MulBackward0",
    [ta, tb],
    (g) => [
      ta && ta.requiresGrad ? sumTo(mul(g, typeof b === "number" ? b : B), ta.shape) : null,
      tb && tb.requiresGrad ? sumTo(mul(g, typeof a === "number" ? a : A), tb.shape) : null,
    ],
    // PyTorch saves other only for self's gradient and self only for other's
    savedOf(ta?.requiresGrad ? tb : null, tb?.requiresGrad ? ta : null),
  );
}

/** True division: integer inputs give a float result, like `torch.div`. */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  let dt = resultTypeOf(a, b);
  if (!isFloating(dt)) dt = DEFAULT_DTYPE;
  const A = operand(a, dt);
  const B = operand(b, dt);
  const out = binaryKernel("div", A, B, dt);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  return record(
    out,
    "DivBackward0",
    [ta, tb],
    (g) => [
      ta && ta.requiresGrad ? sumTo(div(g, typeof b === "number" ? b : B), ta.shape) : null,
      // PyTorch: −grad · ((self / other) / other)
      tb && tb.requiresGrad ? sumTo(neg(mul(g, div(div(A, B), B))), tb.shape) : null,
    ],
    // PyTorch saves self only for other's gradient, other for both
    savedOf(tb?.requiresGrad ? ta : null, tb),
  );
}

function savedOf(...ts: (Tensor | null)[]): Tensor[] {
  return ts.filter((t): t is Tensor => t !== null);
}

export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (typeof a === "number" && typeof b === "number") throw new TypeError("pow(): expected at least one Tensor argument");
  const dt = resultTypeOf(a, b);
  if (typeof b === "number") {
    const x = a as Tensor;
    const X = operand(x, dt);
    const out = unaryKernel("powScalar", X, dt, b);
    return record(
      out,
      "PowBackward0",
      [x],
      (g) => [b === 0 ? mul(g, 0) : mul(g, mul(pow(X, b - 1), b))],
      [x],
    );
  }
  if (typeof a === "number") {
    const e = b;
    const E = operand(e, dt);
    const out = unaryKernel("rpowScalar", E, dt, dt === "float32" ? Math.fround(a) : a);
    // d/de a^e = a^e · log(a); PyTorch masks the a == 0, e >= 0 case to 0
    return record(
      out,
      "PowBackward2",
      [e],
      (g) => [a === 0 ? where(ge(E, 0), 0, mul(g, mul(out, -Infinity))) : mul(g, mul(out, Math.log(a)))],
      [e, out],
    );
  }
  const A = operand(a, dt);
  const B = operand(b, dt);
  const out = binaryKernel("pow", A, B, dt);
  return record(
    out,
    "PowBackward1",
    [a, b],
    (g) => [
      a.requiresGrad ? sumTo(where(eq(B, 0), 0, mul(g, mul(B, pow(A, sub(B, 1))))), a.shape) : null,
      b.requiresGrad
        ? sumTo(where(logicalAnd(eq(A, 0), ge(B, 0)), 0, mul(g, mul(out, log(A)))), b.shape)
        : null,
    ],
    [a, b, out],
  );
}

export function maximum(a: Tensor, b: Tensor): Tensor {
  return extremum(a, b, "maximum", "MaximumBackward0");
}

export function minimum(a: Tensor, b: Tensor): Tensor {
  return extremum(a, b, "minimum", "MinimumBackward0");
}

function extremum(a: Tensor, b: Tensor, op: "maximum" | "minimum", name: string): Tensor {
  const dt = resultTypeOf(a, b);
  const A = operand(a, dt);
  const B = operand(b, dt);
  const out = binaryKernel(op, A, B, dt);
  // PyTorch: ties split the gradient in half; the losing side gets 0.
  const aWins = (x: Tensor, y: Tensor): Tensor => (op === "maximum" ? gt(x, y) : lt(x, y));
  return record(
    out,
    name,
    [a, b],
    (g) => {
      const half = where(eq(A, B), div(g, 2), g);
      return [
        a.requiresGrad ? sumTo(where(aWins(B, A), 0, half), a.shape) : null,
        b.requiresGrad ? sumTo(where(aWins(A, B), 0, half), b.shape) : null,
      ];
    },
    [a, b],
  );
}

// ---- unary math ------------------------------------------------------------------------------

type Deriv = (g: Tensor, x: Tensor, y: Tensor) => Tensor;

/**
 * A unary op whose derivative reads the input x, the result y, or neither (`saves`): only that
 * tensor is saved for backward, as in PyTorch, so in-place changes to the other do not make
 * backward fail.
 */
function unaryMath(op: UnaryOp, name: string, x: Tensor, deriv: Deriv, saves: "x" | "y" | "none", keepIntDtype = false): Tensor {
  const dt = keepIntDtype ? x.dtype : floatDtype(x);
  const out = unaryKernel(op, x, dt);
  const saved = saves === "x" ? [x] : saves === "y" ? [out] : [];
  return record(out, name, [x], (g) => [deriv(g, x, out)], saved);
}

/** The gradient of a piecewise-constant op: zeros (PyTorch's zeros_like(grad)). */
const zeroGrad = (g: Tensor): Tensor => empty(g.shape, g.dtype);

export const neg = (x: Tensor): Tensor => {
  if (x.dtype === "bool")
    throw new TypeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  const out = unaryKernel("neg", x, x.dtype);
  return record(out, "NegBackward0", [x], (g) => [neg(g)]);
};
export const exp = (x: Tensor): Tensor => unaryMath("exp", "ExpBackward0", x, (g, _x, y) => mul(g, y), "y");
export const expm1 = (x: Tensor): Tensor => unaryMath("expm1", "Expm1Backward0", x, (g, _x, y) => mul(g, add(y, 1)), "y");
export const log = (x: Tensor): Tensor => unaryMath("log", "LogBackward0", x, (g, xx) => div(g, xx), "x");
export const log1p = (x: Tensor): Tensor => unaryMath("log1p", "Log1PBackward0", x, (g, xx) => div(g, add(xx, 1)), "x");
export const log2 = (x: Tensor): Tensor => unaryMath("log2", "Log2Backward0", x, (g, xx) => div(g, mul(xx, Math.LN2)), "x");
export const sqrt = (x: Tensor): Tensor => unaryMath("sqrt", "SqrtBackward0", x, (g, _x, y) => div(g, mul(y, 2)), "y");
export const rsqrt = (x: Tensor): Tensor =>
  unaryMath("rsqrt", "RsqrtBackward0", x, (g, _x, y) => mul(g, mul(pow(y, 3), -0.5)), "y");
export const square = (x: Tensor): Tensor => pow(x, 2);
export const reciprocal = (x: Tensor): Tensor =>
  unaryMath("reciprocal", "ReciprocalBackward0", x, (g, _x, y) => mul(g, neg(mul(y, y))), "y");
export const sin = (x: Tensor): Tensor => unaryMath("sin", "SinBackward0", x, (g, xx) => mul(g, cos(xx)), "x");
export const cos = (x: Tensor): Tensor => unaryMath("cos", "CosBackward0", x, (g, xx) => mul(g, neg(sin(xx))), "x");
export const abs = (x: Tensor): Tensor => unaryMath("abs", "AbsBackward0", x, (g, xx) => mul(g, sign(xx)), "x", true);
export const sign = (x: Tensor): Tensor => unaryMath("sign", "SignBackward0", x, zeroGrad, "none", true);
export const floor = (x: Tensor): Tensor => unaryMath("floor", "FloorBackward0", x, zeroGrad, "none", true);
export const ceil = (x: Tensor): Tensor => unaryMath("ceil", "CeilBackward0", x, zeroGrad, "none", true);
export const round = (x: Tensor): Tensor => unaryMath("round", "RoundBackward0", x, zeroGrad, "none", true);
export const trunc = (x: Tensor): Tensor => unaryMath("trunc", "TruncBackward0", x, zeroGrad, "none", true);

/** clamp(x, min, max); either bound may be omitted (null). */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if (min == null && max == null) throw new TypeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  let dt = x.dtype;
  if (!isFloating(dt) && ((min != null && !Number.isInteger(min)) || (max != null && !Number.isInteger(max))))
    dt = DEFAULT_DTYPE;
  const round = (v: number): number => (dt === "float32" ? Math.fround(v) : v);
  const lo = min == null ? -Infinity : round(min);
  const hi = max == null ? Infinity : round(max);
  const out = unaryKernel("clamp", x, dt, lo, hi);
  return record(
    out,
    "ClampBackward1",
    [x],
    (g) => [mul(g, logicalAnd(geScalar(x, lo), leScalar(x, hi)))],
    [x],
  );
}

// ---- comparisons and logic (no gradient) ------------------------------------------------------

const SCALAR_CMP = { eq: "eqScalar", ne: "neScalar", lt: "ltScalar", le: "leScalar", gt: "gtScalar", ge: "geScalar" } as const;

function compare(op: "eq" | "ne" | "lt" | "le" | "gt" | "ge", a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const dt = resultTypeOf(a, b);
  if (typeof b === "number" && typeof a !== "number") {
    return unaryKernel(SCALAR_CMP[op], a, "bool", dt === "float32" ? Math.fround(b) : b);
  }
  return binaryKernel(op, operand(a, dt), operand(b, dt), "bool");
}

export const eq = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("eq", a, b);
export const ne = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("ne", a, b);
export const lt = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("lt", a, b);
export const le = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("le", a, b);
export const gt = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("gt", a, b);
export const ge = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("ge", a, b);
const geScalar = (x: Tensor, v: number): Tensor => unaryKernel("geScalar", x, "bool", v);
const leScalar = (x: Tensor, v: number): Tensor => unaryKernel("leScalar", x, "bool", v);

export const logicalNot = (x: Tensor): Tensor => unaryKernel("logicalNot", x, "bool");
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => binaryKernel("logicalAnd", a, b, "bool");
export const logicalOr = (a: Tensor, b: Tensor): Tensor => binaryKernel("logicalOr", a, b, "bool");
export const logicalXor = (a: Tensor, b: Tensor): Tensor => binaryKernel("logicalXor", a, b, "bool");
export const isnan = (x: Tensor): Tensor => unaryKernel("isnan", x, "bool");
export const isinf = (x: Tensor): Tensor => unaryKernel("isinf", x, "bool");
export const isfinite = (x: Tensor): Tensor => unaryKernel("isfinite", x, "bool");

/** Elementwise select: `condition ? a : b`, broadcasting all three. */
export function where(condition: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (!(condition instanceof Tensor)) throw new TypeError("where(): argument 'condition' must be Tensor");
  if (condition.dtype !== "bool")
    throw new TypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype}`);
  const dt = resultTypeOf(a, b);
  const A = operand(a, dt);
  const B = operand(b, dt);
  const shape = broadcastShapes(broadcastShapes(condition.shape, A.shape), B.shape);
  const out = empty(shape, dt);
  backend().where(broadcastView(condition, shape), broadcastView(A, shape), broadcastView(B, shape), out);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  return record(
    out,
    "WhereBackward0",
    [ta, tb],
    (g) => [
      ta && ta.requiresGrad ? sumTo(where(condition, g, 0), ta.shape) : null,
      tb && tb.requiresGrad ? sumTo(where(condition, 0, g), tb.shape) : null,
    ],
    [condition],
  );
}

/**
 * start + weight·(end − start), computed the way PyTorch's lerp kernel does for each weight:
 * start + weight·(end − start) below 0.5, end − (end − start)·(1 − weight) from 0.5 on.
 * Gradients (LerpBackward0/1): start gets g·(1 − weight), end g·weight, weight g·(end − start).
 */
export function lerp(start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  const out = noGrad(() => {
    const diff = sub(end, start);
    if (typeof weight === "number")
      return weight < 0.5 ? add(start, mul(diff, weight)) : sub(end, mul(diff, 1 - weight));
    return where(lt(weight, 0.5), add(start, mul(weight, diff)), sub(end, mul(diff, sub(1, weight))));
  });
  const w = typeof weight === "number" ? null : weight;
  return record(
    out,
    w === null ? "LerpBackward0" : "LerpBackward1",
    [start, end, w],
    (g) => [
      start.requiresGrad ? sumTo(mul(g, w === null ? 1 - (weight as number) : sub(1, w)), start.shape) : null,
      end.requiresGrad ? sumTo(mul(g, weight), end.shape) : null,
      w !== null && w.requiresGrad ? sumTo(mul(g, sub(end, start)), w.shape) : null,
    ],
    w === null ? [] : w.requiresGrad ? [start, end, w] : [w],
  );
}

// ---- in place ------------------------------------------------------------------------------

function checkInPlaceLeaf(self: Tensor): void {
  if (isGradEnabled() && self.isLeaf && self.requiresGrad)
    throw new Error("a leaf Variable that requires grad is being used in an in-place operation.");
}

function checkCastable(result: DType, self: Tensor): void {
  const ok =
    result === self.dtype ||
    (isFloating(self.dtype) && isFloating(result)) ||
    promoteTypes(result, self.dtype) === self.dtype;
  if (!ok)
    throw new TypeError(`result type ${torchTypeName(result)} can't be cast to the desired output type ${torchTypeName(self.dtype)}`);
}

function torchTypeName(d: DType): string {
  return { float32: "Float", float64: "Double", int32: "Int", bool: "Bool" }[d];
}

/**
 * Apply `fn` to `self` and write the result back into self's storage (an in-place op).
 * Under grad mode, a non-leaf self takes over the result's graph node; a leaf that requires
 * grad is refused, as in PyTorch. The storage's version counter is bumped.
 */
export function inPlace<T extends Tensor>(self: T, fn: (s: Tensor) => Tensor): T {
  checkInPlaceLeaf(self);
  const recording = isGradEnabled();
  const view = recording ? self._view : null;
  if (view !== null && view.base.requiresGrad && view.base.isLeaf)
    throw new Error("a view of a leaf Variable that requires grad is being used in an in-place operation.");
  let input: Tensor = self;
  if (recording && self.gradFn !== null) {
    // The op sees the pre-mutation values through a copy that keeps the old graph node: what its
    // backward saved must survive self being overwritten (PyTorch saves `original_self`).
    input = snapshot(self);
    input.setGradFn(self.gradFn);
  }
  let result = fn(input);
  if (recording && input === self && result.requiresGrad) {
    // another operand requires grad and the op may have saved self: rerun it on a copy
    result = fn(snapshot(self));
  }
  if (!shapesEqual(result.shape, self.shape))
    throw new RangeError(
      `output with shape ${fmtShape(self.shape)} doesn't match the broadcast shape ${fmtShape(result.shape)}`,
    );
  checkCastable(result.dtype, self);
  noGrad(() => backend().copy(result, self));
  self.storage.version++;
  if (view !== null && (result.requiresGrad || view.base.requiresGrad)) recordCopySlices(view.base, self, result);
  if (recording && result.requiresGrad) {
    result.gradFn?.rebindSaved(result, self);
    if (result.dtype === self.dtype && result.gradFn) self.setGradFn(result.gradFn);
    else record(self, "CopyBackwards", [result], (g) => [cast(g, result.dtype)]);
  }
  return self;
}

/**
 * After an in-place op wrote `result` into `view`, the view's base holds new values in the view's
 * elements: its gradient flows to `result` there and to its old graph elsewhere (PyTorch's
 * CopySlices). Other views of the base pick this up when they are next used (see refreshView).
 */
function recordCopySlices(base: Tensor, view: Tensor, result: Tensor): void {
  const size = view.storage.size;
  const b = { shape: base.shape, strides: base.strides, offset: base.offset };
  const v = { shape: view.shape, strides: view.strides, offset: view.offset };
  const res = result.requiresGrad ? result : null;
  record(base, "CopySlices", [base, res], (g) => [
    base.requiresGrad ? regrid(g, size, b, b, v) : null,
    res !== null ? regrid(g, size, b, v) : null,
  ]);
}

/** A contiguous copy of t's values, outside the graph. */
function snapshot(t: Tensor): Tensor {
  const c = empty(t.shape, t.dtype);
  backend().copy(t, c);
  return c;
}

/** In-place binary arithmetic that writes straight into self when no graph is needed. */
export function binaryInPlace<T extends Tensor>(
  self: T,
  op: "add" | "sub" | "mul" | "div",
  other: TensorOrScalar,
  alpha = 1,
): T {
  const needsGraph = isGradEnabled() && (self.requiresGrad || (typeof other !== "number" && other.requiresGrad));
  if (needsGraph || self.dtype === "bool") {
    return inPlace(self, (s) =>
      op === "add" ? add(s, other, alpha) : op === "sub" ? sub(s, other, alpha) : op === "mul" ? mul(s, other) : div(s, other),
    );
  }
  let dt = resultTypeOf(self, other);
  if (op === "div" && !isFloating(dt)) dt = DEFAULT_DTYPE;
  checkCastable(dt, self);
  const B = operand(other, dt);
  const shape = broadcastShapes(self.shape, B.shape);
  if (!shapesEqual(shape, self.shape))
    throw new RangeError(`output with shape ${fmtShape(self.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  // add/sub with alpha ≠ 1 is one fused a + p0·b (mul and div never carry an alpha)
  const kernel: BinaryOp = alpha === 1 ? op : "addScaled";
  backend().binary(kernel, self, broadcastView(B, shape), self, op === "sub" ? -alpha : alpha);
  self.storage.version++;
  return self;
}

/** self += other, no graph (used for gradient accumulation). */
export function addInPlace(self: Tensor, other: Tensor): void {
  noGrad(() => binaryInPlace(self, "add", other));
}

/** `self.copy_(src)`: broadcast and cast src into self. */
export function copyInto<T extends Tensor>(self: T, src: TensorOrScalar): T {
  const srcT = typeof src === "number" ? null : src;
  if (isGradEnabled() && (self.requiresGrad || (srcT !== null && srcT.requiresGrad))) {
    // self's old values are discarded: their gradient is zero; src receives the (summed) gradient
    return inPlace(self, (s) => {
      const value = empty(s.shape, s.dtype);
      backend().copy(broadcastView(operand(src, s.dtype), checkBroadcastTo(operandShape(src), s.shape)), value);
      return record(value, "CopyBackwards", [s, srcT], (g) => [
        zerosOf(g),
        srcT && srcT.requiresGrad ? sumTo(g, srcT.shape) : null,
      ]);
    });
  }
  const S = operand(src, self.dtype);
  backend().copy(broadcastView(S, checkBroadcastTo(S.shape, self.shape)), self);
  self.storage.version++;
  return self;
}

function operandShape(x: TensorOrScalar): Shape {
  return typeof x === "number" ? [] : x.shape;
}

function zerosOf(g: Tensor): Tensor {
  return empty(g.shape, g.dtype);
}

function checkBroadcastTo(from: Shape, to: Shape): Shape {
  const s = broadcastShapes(from, to);
  if (!shapesEqual(s, to))
    throw new RangeError(`output with shape ${fmtShape(to)} doesn't match the broadcast shape ${fmtShape(s)}`);
  return to;
}

/** `self.fill_(value)` / `zero_()`. */
export function fillInPlace<T extends Tensor>(self: T, value: number): T {
  if (isGradEnabled() && self.requiresGrad) {
    return inPlace(self, (s) => {
      const value_ = empty(s.shape, s.dtype);
      backend().fill(value_, value);
      return record(value_, "FillBackward0", [s], (g) => [zerosOf(g)]);
    });
  }
  backend().fill(self, value);
  self.storage.version++;
  return self;
}
