/**
 * CPU elementwise kernels: one loop per operation over a strided row. `forEachRow` (iterate.ts)
 * walks the outer dimensions; the op is chosen once per call, and operands that are all dense
 * with the same layout (the common case) are one row, with no iteration bookkeeping at all.
 *
 * Speed: V8 keeps type feedback per function literal, so a loop shared by every dtype reads and
 * writes through polymorphic (slower) element accesses. The common float32 operations therefore
 * have their own copies of the loops (UNARY_F32 / BINARY_F32), used when every operand is a
 * Float32Array: ~1.6–2x faster (bench/backend_cpu_elementwise.ts). The arithmetic is the same
 * (values are read as doubles, computed, and rounded once when stored).
 */
import type { BinaryOp, Strided, UnaryOp } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { forEachRow, isDense } from "./iterate.js";
import { erf, roundHalfEven } from "./math.js";

type A = TypedArray;
type F = Float32Array;
type UnaryRow = (o: A, io: number, so: number, x: A, ix: number, sx: number, n: number, p0: number, p1: number) => void;
type BinaryRow = (o: A, io: number, so: number, a: A, ia: number, sa: number, b: A, ib: number, sb: number, n: number, p0: number) => void;
type UnaryRowF32 = (o: F, io: number, so: number, x: F, ix: number, sx: number, n: number, p0: number, p1: number) => void;
type BinaryRowF32 = (o: F, io: number, so: number, a: F, ia: number, sa: number, b: F, ib: number, sb: number, n: number, p0: number) => void;

const SQRT1_2 = Math.SQRT1_2;
const GELU_PDF = (2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5; // 1/sqrt(2π)

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/* eslint-disable no-param-reassign */
const UNARY: Record<UnaryOp, UnaryRow> = {
  neg: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = -x[ix]!; },
  abs: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.abs(x[ix]!); },
  sign: (o, io, so, x, ix, sx, n) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v > 0 ? 1 : v < 0 ? -1 : 0; } // sign(NaN) = 0 in PyTorch
  },
  exp: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.exp(x[ix]!); },
  expm1: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.expm1(x[ix]!); },
  log: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.log(x[ix]!); },
  log1p: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.log1p(x[ix]!); },
  log2: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.log2(x[ix]!); },
  sqrt: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.sqrt(x[ix]!); },
  rsqrt: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = 1 / Math.sqrt(x[ix]!); },
  square: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v * v; } },
  reciprocal: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = 1 / x[ix]!; },
  sin: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.sin(x[ix]!); },
  cos: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.cos(x[ix]!); },
  tan: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.tan(x[ix]!); },
  tanh: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.tanh(x[ix]!); },
  sigmoid: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = sigmoid(x[ix]!); },
  relu: (o, io, so, x, ix, sx, n) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v < 0 ? 0 : v; } // keeps NaN and -0 like PyTorch
  },
  floor: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.floor(x[ix]!); },
  ceil: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.ceil(x[ix]!); },
  round: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = roundHalfEven(x[ix]!); },
  trunc: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.trunc(x[ix]!); },
  erf: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = erf(x[ix]!); },
  logicalNot: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix] === 0 ? 1 : 0; },
  isnan: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix] !== x[ix] ? 1 : 0; },
  isinf: (o, io, so, x, ix, sx, n) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix] === Infinity || x[ix] === -Infinity ? 1 : 0;
  },
  isfinite: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Number.isFinite(x[ix]) ? 1 : 0; },
  logsigmoid: (o, io, so, x, ix, sx, n) => {
    // PyTorch: min(x, 0) − log1p(exp(−|x|))
    for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v))); }
  },
  gelu: (o, io, so, x, ix, sx, n) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v * 0.5 * (1 + erf(v * SQRT1_2)); }
  },
  powScalar: (o, io, so, x, ix, sx, n, p) => {
    if (p === 2) { for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v * v; } return; }
    if (p === 0.5) { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.sqrt(x[ix]!); return; }
    for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.pow(x[ix]!, p);
  },
  rpowScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.pow(p, x[ix]!); },
  clamp: (o, io, so, x, ix, sx, n, lo, hi) => {
    // min(max(x, lo), hi): NaN stays NaN, and lo > hi gives hi, as in PyTorch
    for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.min(Math.max(x[ix]!, lo), hi);
  },
  leakyRelu: (o, io, so, x, ix, sx, n, slope) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v > 0 ? v : v * slope; }
  },
  elu: (o, io, so, x, ix, sx, n, alpha) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v > 0 ? v : alpha * Math.expm1(v); }
  },
  softplus: (o, io, so, x, ix, sx, n, beta, threshold) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) {
      const v = x[ix]!;
      o[io] = v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta;
    }
  },
  addScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! + p; },
  mulScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! * p; },
  gtScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! > p ? 1 : 0; },
  ltScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! < p ? 1 : 0; },
  geScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! >= p ? 1 : 0; },
  leScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! <= p ? 1 : 0; },
  eqScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! === p ? 1 : 0; },
  neScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! !== p ? 1 : 0; },
};

const BINARY: Record<BinaryOp, BinaryRow> = {
  add: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! + b[ib]!; },
  sub: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! - b[ib]!; },
  mul: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! * b[ib]!; },
  div: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! / b[ib]!; },
  pow: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = Math.pow(a[ia]!, b[ib]!);
  },
  maximum: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = Math.max(a[ia]!, b[ib]!);
  },
  minimum: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = Math.min(a[ia]!, b[ib]!);
  },
  atan2: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = Math.atan2(a[ia]!, b[ib]!);
  },
  fmod: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! % b[ib]!; },
  remainder: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) {
      const y = b[ib]!;
      let m = a[ia]! % y;
      if (m !== 0 && y < 0 !== m < 0) m += y;
      o[io] = m;
    }
  },
  eq: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia] === b[ib] ? 1 : 0; },
  ne: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia] !== b[ib] ? 1 : 0; },
  lt: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! < b[ib]! ? 1 : 0; },
  le: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! <= b[ib]! ? 1 : 0; },
  gt: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! > b[ib]! ? 1 : 0; },
  ge: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! >= b[ib]! ? 1 : 0; },
  logicalAnd: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia] !== 0 && b[ib] !== 0 ? 1 : 0;
  },
  logicalOr: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia] !== 0 || b[ib] !== 0 ? 1 : 0;
  },
  logicalXor: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = (a[ia] !== 0) !== (b[ib] !== 0) ? 1 : 0;
  },
  xlogy: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) {
      const x = a[ia]!;
      const y = b[ib]!;
      o[io] = y !== y ? NaN : x === 0 ? 0 : x * Math.log(y);
    }
  },
  addScaled: (o, io, so, a, ia, sa, b, ib, sb, n, alpha) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! + alpha * b[ib]!;
  },
  reluBackward: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = b[ib]! <= 0 ? 0 : a[ia]!;
  },
  sigmoidBackward: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) { const y = b[ib]!; o[io] = a[ia]! * (1 - y) * y; }
  },
  tanhBackward: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) { const y = b[ib]!; o[io] = a[ia]! * (1 - y * y); }
  },
  geluBackward: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) {
      const x = b[ib]!;
      const cdf = 0.5 * (1 + erf(x * SQRT1_2));
      const pdf = GELU_PDF * Math.exp(x * x * -0.5);
      o[io] = a[ia]! * (cdf + x * pdf);
    }
  },
  logsigmoidBackward: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) {
      const x = b[ib]!;
      const z = Math.exp(-Math.abs(x));
      o[io] = a[ia]! * (x < 0 ? 1 - z / (1 + z) : z / (1 + z));
    }
  },
};

/* Float32-only copies of the common loops (see the file comment): same arithmetic as UNARY/BINARY. */
const UNARY_F32: Partial<Record<UnaryOp, UnaryRowF32>> = {
  neg: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = -x[ix]!; },
  abs: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.abs(x[ix]!); },
  exp: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.exp(x[ix]!); },
  log: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.log(x[ix]!); },
  sqrt: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.sqrt(x[ix]!); },
  rsqrt: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = 1 / Math.sqrt(x[ix]!); },
  square: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v * v; } },
  reciprocal: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = 1 / x[ix]!; },
  tanh: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.tanh(x[ix]!); },
  sigmoid: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = 1 / (1 + Math.exp(-x[ix]!)); },
  relu: (o, io, so, x, ix, sx, n) => { for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v < 0 ? 0 : v; } },
  powScalar: (o, io, so, x, ix, sx, n, p) => {
    if (p === 2) { for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v * v; } return; }
    if (p === 0.5) { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.sqrt(x[ix]!); return; }
    for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.pow(x[ix]!, p);
  },
  clamp: (o, io, so, x, ix, sx, n, lo, hi) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = Math.min(Math.max(x[ix]!, lo), hi);
  },
  leakyRelu: (o, io, so, x, ix, sx, n, slope) => {
    for (let i = 0; i < n; i++, io += so, ix += sx) { const v = x[ix]!; o[io] = v > 0 ? v : v * slope; }
  },
  addScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! + p; },
  mulScalar: (o, io, so, x, ix, sx, n, p) => { for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = x[ix]! * p; },
};

const BINARY_F32: Partial<Record<BinaryOp, BinaryRowF32>> = {
  add: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! + b[ib]!; },
  sub: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! - b[ib]!; },
  mul: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! * b[ib]!; },
  div: (o, io, so, a, ia, sa, b, ib, sb, n) => { for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! / b[ib]!; },
  maximum: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = Math.max(a[ia]!, b[ib]!);
  },
  minimum: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = Math.min(a[ia]!, b[ib]!);
  },
  addScaled: (o, io, so, a, ia, sa, b, ib, sb, n, alpha) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = a[ia]! + alpha * b[ib]!;
  },
  reluBackward: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) o[io] = b[ib]! <= 0 ? 0 : a[ia]!;
  },
  sigmoidBackward: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) { const y = b[ib]!; o[io] = a[ia]! * (1 - y) * y; }
  },
  tanhBackward: (o, io, so, a, ia, sa, b, ib, sb, n) => {
    for (let i = 0; i < n; i++, io += so, ia += sa, ib += sb) { const y = b[ib]!; o[io] = a[ia]! * (1 - y * y); }
  },
};
/* eslint-enable no-param-reassign */

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function unary(op: UnaryOp, x: Strided, out: Strided, p0 = 0, p1 = 0): void {
  const o = out.storage.data;
  const xd = x.storage.data;
  const f = ((o instanceof Float32Array && xd instanceof Float32Array && UNARY_F32[op]) || UNARY[op]) as UnaryRow;
  if (isDense(out.shape, out.strides) && isDense(x.shape, x.strides)) {
    f(o, out.offset, 1, xd, x.offset, 1, numelOf(out.shape), p0, p1);
    return;
  }
  forEachRow(out.shape, [out.strides, x.strides], [out.offset, x.offset], (offs, n, s) =>
    f(o, offs[0]!, s[0]!, xd, offs[1]!, s[1]!, n, p0, p1),
  );
}

export function binary(op: BinaryOp, a: Strided, b: Strided, out: Strided, p0 = 0): void {
  const o = out.storage.data;
  const ad = a.storage.data;
  const bd = b.storage.data;
  const f32 = o instanceof Float32Array && ad instanceof Float32Array && bd instanceof Float32Array;
  const f = ((f32 && BINARY_F32[op]) || BINARY[op]) as BinaryRow;
  if (isDense(out.shape, out.strides) && isDense(a.shape, a.strides) && isDense(b.shape, b.strides)) {
    f(o, out.offset, 1, ad, a.offset, 1, bd, b.offset, 1, numelOf(out.shape), p0);
    return;
  }
  forEachRow(out.shape, [out.strides, a.strides, b.strides], [out.offset, a.offset, b.offset], (offs, n, s) =>
    f(o, offs[0]!, s[0]!, ad, offs[1]!, s[1]!, bd, offs[2]!, s[2]!, n, p0),
  );
}

export function where(cond: Strided, a: Strided, b: Strided, out: Strided): void {
  const o = out.storage.data;
  const cd = cond.storage.data;
  const ad = a.storage.data;
  const bd = b.storage.data;
  forEachRow(
    out.shape,
    [out.strides, cond.strides, a.strides, b.strides],
    [out.offset, cond.offset, a.offset, b.offset],
    (offs, n, s) => {
      let io = offs[0]!, ic = offs[1]!, ia = offs[2]!, ib = offs[3]!;
      const so = s[0]!, sc = s[1]!, sa = s[2]!, sb = s[3]!;
      for (let i = 0; i < n; i++, io += so, ic += sc, ia += sa, ib += sb) o[io] = cd[ic] !== 0 ? ad[ia]! : bd[ib]!;
    },
  );
}

export function copy(src: Strided, out: Strided): void {
  const o = out.storage.data;
  const xd = src.storage.data;
  const toBool = out.storage.dtype === "bool" && src.storage.dtype !== "bool";
  forEachRow(out.shape, [out.strides, src.strides], [out.offset, src.offset], (offs, n, s) => {
    let io = offs[0]!, ix = offs[1]!;
    const so = s[0]!, sx = s[1]!;
    if (toBool) {
      for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = xd[ix] !== 0 ? 1 : 0;
    } else if (so === 1 && sx === 1 && o.constructor === xd.constructor) {
      o.set(xd.subarray(ix, ix + n), io);
    } else {
      for (let i = 0; i < n; i++, io += so, ix += sx) o[io] = xd[ix]!;
    }
  });
}

export function fill(out: Strided, value: number): void {
  const o = out.storage.data;
  const v = out.storage.dtype === "bool" ? (value !== 0 ? 1 : 0) : value;
  forEachRow(out.shape, [out.strides], [out.offset], (offs, n, s) => {
    const so = s[0]!;
    let io = offs[0]!;
    if (so === 1) o.fill(v, io, io + n);
    else for (let i = 0; i < n; i++, io += so) o[io] = v;
  });
}
