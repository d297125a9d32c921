/*
 * mathf64.h — exp and log of two doubles at once (f64x2), shared by softmax.c and nll.c.
 *
 *   exp_f64x2(x): x must lie in [-708, 709] (callers clamp); relative error < 2.2e-13.
 *   log_f64x2(x): x positive, finite and normal; relative error < 1e-13.
 */
#ifndef DESCENT_MATHF64_H
#define DESCENT_MATHF64_H
#include "kernels.h"

/* exp(x) for two doubles already clamped to [-708, 709] (n stays in the normal exponent range). */
INLINE v128_t exp_f64x2(v128_t x) {
  const v128_t log2e = wasm_f64x2_splat(1.4426950408889634);
  const v128_t ln2_hi = wasm_f64x2_splat(0x1.62e42fee00000p-1);
  const v128_t ln2_lo = wasm_f64x2_splat(0x1.a39ef35793c76p-33);
  /* n = round(x / ln2) by the 1.5*2^52 trick: the low mantissa bits of t hold n as an integer */
  const v128_t magic = wasm_f64x2_splat(0x1.8p52);
  v128_t t = wasm_f64x2_add(wasm_f64x2_mul(x, log2e), magic);
  v128_t n = wasm_f64x2_sub(t, magic);
  v128_t r = wasm_f64x2_sub(wasm_f64x2_sub(x, wasm_f64x2_mul(n, ln2_hi)), wasm_f64x2_mul(n, ln2_lo));
  /* Taylor series to r^10 on |r| <= ln2/2: truncation error < 2.2e-13 relative (Estrin form) */
  v128_t r2 = wasm_f64x2_mul(r, r);
  v128_t r4 = wasm_f64x2_mul(r2, r2);
#define C(k) wasm_f64x2_splat(k)
#define PAIR(c0, c1) wasm_f64x2_add(C(c0), wasm_f64x2_mul(C(c1), r))
  v128_t p01 = PAIR(1.0, 1.0), p23 = PAIR(1.0 / 2, 1.0 / 6), p45 = PAIR(1.0 / 24, 1.0 / 120);
  v128_t p67 = PAIR(1.0 / 720, 1.0 / 5040), p89 = PAIR(1.0 / 40320, 1.0 / 362880);
  v128_t p10 = C(1.0 / 3628800);
#undef PAIR
#undef C
  v128_t q0 = wasm_f64x2_add(p01, wasm_f64x2_mul(p23, r2));
  v128_t q1 = wasm_f64x2_add(p45, wasm_f64x2_mul(p67, r2));
  v128_t q2 = wasm_f64x2_add(p89, wasm_f64x2_mul(p10, r2));
  v128_t p = wasm_f64x2_add(q0, wasm_f64x2_mul(r4, wasm_f64x2_add(q1, wasm_f64x2_mul(q2, r4))));
  /* 2^n with n in [-1022, 1023]: a normal double, exponent bits from the integer in t */
  v128_t scale = wasm_i64x2_shl(wasm_i64x2_add(t, wasm_i64x2_splat(1023)), 52);
  return wasm_f64x2_mul(p, scale);
}

/* log of two doubles that are promoted positive finite floats (always normal doubles). */
INLINE v128_t log_f64x2(v128_t x) {
  const v128_t mant_mask = wasm_i64x2_splat(0x000fffffffffffffLL);
  const v128_t one_bits = wasm_i64x2_splat(0x3ff0000000000000LL);
  v128_t m = wasm_v128_or(wasm_v128_and(x, mant_mask), one_bits); /* [1, 2) */
  v128_t hi32 = wasm_i32x4_shuffle(x, x, 1, 3, 1, 3);
  v128_t e32 = wasm_i32x4_sub(wasm_u32x4_shr(hi32, 20), wasm_i32x4_splat(1023));
  v128_t e = wasm_f64x2_convert_low_i32x4(e32);
  v128_t big = wasm_f64x2_gt(m, wasm_f64x2_splat(1.4142135623730951));
  m = wasm_v128_bitselect(wasm_f64x2_mul(m, wasm_f64x2_splat(0.5)), m, big);
  e = wasm_f64x2_add(e, wasm_v128_and(wasm_f64x2_splat(1.0), big));
  /* log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: series to s^17, error < 1e-13 */
  v128_t s = wasm_f64x2_div(wasm_f64x2_sub(m, wasm_f64x2_splat(1.0)), wasm_f64x2_add(m, wasm_f64x2_splat(1.0)));
  v128_t z = wasm_f64x2_mul(s, s);
  v128_t p = wasm_f64x2_splat(2.0 / 17.0);
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), wasm_f64x2_splat(2.0 / 15.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), wasm_f64x2_splat(2.0 / 13.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), wasm_f64x2_splat(2.0 / 11.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), wasm_f64x2_splat(2.0 / 9.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), wasm_f64x2_splat(2.0 / 7.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), wasm_f64x2_splat(2.0 / 5.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), wasm_f64x2_splat(2.0 / 3.0));
  v128_t logm = wasm_f64x2_add(wasm_f64x2_mul(s, wasm_f64x2_splat(2.0)), wasm_f64x2_mul(wasm_f64x2_mul(s, z), p));
  const v128_t ln2_hi = wasm_f64x2_splat(0x1.62e42fee00000p-1);
  const v128_t ln2_lo = wasm_f64x2_splat(0x1.a39ef35793c76p-33);
  return wasm_f64x2_add(wasm_f64x2_mul(e, ln2_hi), wasm_f64x2_add(logm, wasm_f64x2_mul(e, ln2_lo)));
}

#endif
