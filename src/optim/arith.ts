/**
 * PyTorch's CPU tensor arithmetic, one element at a time, for the optimizer kernels.
 *
 * Every optimizer kernel in src/optim is written as the sequence of tensor operations of
 * PyTorch 1.13.1's `_single_tensor_<name>` function, each applied to one element through an
 * {@link Arith}: {@link F32} for float32 parameters, {@link F64} for float64 ones. The methods are
 * named after the PyTorch operations they model, so a kernel line reads like the Python line it
 * follows (`m = A.add(A.mul(m, beta1), g, oneMinusBeta1)` is
 * `exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)`).
 *
 * What a float32 tensor operation computes, as measured against PyTorch 1.13.1 (Debian build,
 * CPU capability AVX2, GCC 12) and checked bit for bit by test/optim/kernels.test.ts:
 *  - every operation rounds its result to float32 once (`Math.fround` of the exact double result,
 *    which is the correctly rounded float32 result for + − × ÷ and √ of float32 operands);
 *  - a Python float scalar operand is first rounded to float32 (TensorIterator casts the wrapped
 *    0-d double to the float32 computation type), after Python computed it in double;
 *  - `add(self, other, alpha)` is a fused multiply-add `fma(other, alpha, self)` (ATen's
 *    vectorized `vec::fmadd`; GCC contracts the scalar tail the same way);
 *  - `addcmul(self, t1, t2, value)` is `fma(value·t1, t2, self)`;
 *  - `addcdiv(self, t1, t2, value)` is `self + (value·t1)/t2`, rounded after each step;
 *  - `maximum`/`amax` propagate NaN; `sign(NaN)` is 0.
 * For float64 the same operations run in double; PyTorch fuses the same multiply-adds there too,
 * which descent does not emulate (the difference is ≤ 1 ulp per operation, far inside the 1e-10
 * tolerance of the float64 parity tests).
 */

const fr = Math.fround;

/**
 * Exact float32 fused multiply-add: the float32 rounding of a·b + c (one rounding), for float32
 * a, b, c. The product a·b is exact in double and s = a·b + c is rounded once; rounding s to
 * float32 again is then correct unless s lies exactly halfway between two float32 numbers while
 * a·b + c does not (double rounding). A midpoint is detected with two cheap tests and settled
 * with the exact error of the double sum (TwoSum); overflow goes to a slow path.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fr(s);
  const d = s - r;
  const t = s + d;
  // s is a float32 midpoint exactly when r + 2d (= s + d, exact here) is a float32 number other
  // than r; the two tests are combined without branching (midpoints are rare, s = r is not)
  if ((+(fr(t) === t) & +(d !== 0)) !== 0) {
    if (r - r !== 0) return fmafOverflow(s, p, c);
    // p + c = s + err exactly; the exact sum lies beyond the midpoint (toward t) when err has
    // the sign of d, below it when the opposite sign, on it (ties to even: r) when err = 0
    const bb = s - p;
    const err = p - (s - bb) + (c - bb);
    if (err !== 0 && err > 0 === d > 0) return t;
  }
  return r;
}

/** {@link fmaf} when s rounds beyond the float32 range (round to nearest, ties to even). */
function fmafOverflow(s: number, p: number, c: number): number {
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  const top = 3.4028235677973366e38; // (2 − 2⁻²⁴)·2¹²⁷, halfway between FLT_MAX and 2¹²⁸
  const mag = Math.abs(s);
  const over = mag > top || (mag === top && (err === 0 || err > 0 === s > 0));
  const max = 3.4028234663852886e38;
  return over ? (s > 0 ? Infinity : -Infinity) : s > 0 ? max : -max;
}

/** PyTorch's `sign`: −1, 0 or 1, and 0 for NaN (as ATen computes `(0 < x) − (x < 0)`). */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** NaN-propagating maximum (`torch.maximum`, `amax`). */
export function maximum(a: number, b: number): number {
  return a !== a || b !== b ? NaN : a > b ? a : b;
}

/** One element of PyTorch's tensor operations in one floating dtype. */
export interface Arith {
  /** Round a Python scalar (a double) to the tensor dtype, as TensorIterator casts it. */
  s(x: number): number;
  /** `a * b` */
  mul(a: number, b: number): number;
  /** `a / b` */
  div(a: number, b: number): number;
  /** `a - b` */
  sub(a: number, b: number): number;
  /** `self.add(other, alpha=alpha)`: self + alpha·other (fused in PyTorch's float32 kernel). */
  add(self: number, other: number, alpha: number): number;
  /** `self.addcmul(t1, t2, value=value)`: self + value·t1·t2. */
  addcmul(self: number, t1: number, t2: number, value: number): number;
  /** `self.addcdiv(t1, t2, value=value)`: self + value·t1/t2. */
  addcdiv(self: number, t1: number, t2: number, value: number): number;
  /** `sqrt(a)` */
  sqrt(a: number): number;
}

class Float32Arith implements Arith {
  s(x: number): number {
    return fr(x);
  }
  mul(a: number, b: number): number {
    return fr(a * b);
  }
  div(a: number, b: number): number {
    return fr(a / b);
  }
  sub(a: number, b: number): number {
    return fr(a - b);
  }
  add(self: number, other: number, alpha: number): number {
    return fmaf(other, alpha, self);
  }
  addcmul(self: number, t1: number, t2: number, value: number): number {
    return fmaf(fr(value * t1), t2, self);
  }
  addcdiv(self: number, t1: number, t2: number, value: number): number {
    return fr(self + fr(fr(value * t1) / t2));
  }
  sqrt(a: number): number {
    return fr(Math.sqrt(a));
  }
}

class Float64Arith implements Arith {
  s(x: number): number {
    return x;
  }
  mul(a: number, b: number): number {
    return a * b;
  }
  div(a: number, b: number): number {
    return a / b;
  }
  sub(a: number, b: number): number {
    return a - b;
  }
  add(self: number, other: number, alpha: number): number {
    return self + alpha * other;
  }
  addcmul(self: number, t1: number, t2: number, value: number): number {
    return self + value * t1 * t2;
  }
  addcdiv(self: number, t1: number, t2: number, value: number): number {
    return self + (value * t1) / t2;
  }
  sqrt(a: number): number {
    return Math.sqrt(a);
  }
}

/** float32 tensor arithmetic (see the file comment for what each operation rounds). */
export const F32: Arith = new Float32Arith();
/** float64 tensor arithmetic. */
export const F64: Arith = new Float64Arith();

/** A flat buffer of a floating dtype: what the kernels read and write. */
export type FloatArray = Float32Array | Float64Array;

/** The arithmetic of a buffer's dtype. */
export function arithOf(a: FloatArray): Arith {
  return a instanceof Float32Array ? F32 : F64;
}
