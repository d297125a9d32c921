/*
 * kernels.h — shared definitions for the descent WASM SIMD kernels.
 *
 * Every kernel works on raw pointers into the one linear memory of the module (which the
 * host imports and may share between threads). No kernel uses the C shadow stack or any
 * static data: every temporary buffer is a caller-supplied workspace pointer, so a single
 * module instance per thread can run kernels concurrently over one shared memory.
 *
 * Built with clang 14: --target=wasm32 -msimd128 -O3 -ffp-contract=off -nostdlib, so every
 * f32 operation written here is a single correctly rounded IEEE operation (no contraction).
 */
#ifndef DESCENT_KERNELS_H
#define DESCENT_KERNELS_H

#include <stdint.h>
#include <stddef.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) 
#define INLINE static inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))

typedef v128_t f32x4;

/* ---- exact single-precision fused multiply-add, fmaf(a, b, c) = round32(a*b + c) ----
 *
 * WASM has no scalar or SIMD FMA. a*b of two floats is exact in double (48-bit product),
 * so s = a*b + c in double has one rounding; rounding s again to float is wrong only when
 * s is inexact and lies exactly on a float rounding boundary (double rounding). We fix that
 * with round-to-odd: if s is inexact and its last mantissa bit is even, nudge it one double
 * ulp toward the exact sum. A round-to-odd double (53 >= 24 + 2 bits) then rounds correctly to
 * float for normal and subnormal results alike.
 */
INLINE float fmaf_exact(float a, float b, float c) {
  double p = (double)a * (double)b;
  double s = p + (double)c;
  double d = (double)c;
  /* TwoSum error term: err = (p + c) - s exactly */
  double bb = s - p;
  double err = (p - (s - bb)) + (d - bb);
  if (err != 0.0 && s == s) {
    uint64_t bits = __builtin_bit_cast(uint64_t, s);
    if ((bits & 1) == 0) {
      /* move |s| up when err has the sign of s, else down */
      if ((err > 0) == (s > 0)) bits += 1; else bits -= 1;
      s = __builtin_bit_cast(double, bits);
    }
  }
  return (float)s;
}

/* Four lanes of a*b + c evaluated in double and rounded to float; lanes where that may differ
 * from fmaf_exact are flagged in *suspect (callers redo them with the scalar routine). Fast path: promote to f64x2, multiply and add, and only when
 * some lane might be a double-rounding case fall back to the scalar routine (about 2^-28 of random
 * inputs, plus float-subnormal results). A lane is suspect when
 * its double s lies exactly on a rounding boundary of normal floats (low 29 mantissa bits =
 * 0x10000000, a test on the low 32-bit word) or when s is a nonzero float-subnormal (biased double
 * exponent in [1, 897), a test on the high word; s is never a double subnormal since |a*b| >= 2^-298
 * or 0). Both tests run on i32x4 over the four lanes at once. */
INLINE f32x4 fma4_fast(f32x4 a, f32x4 b, f32x4 c, v128_t *suspect) {
  v128_t a_lo = wasm_f64x2_promote_low_f32x4(a);
  v128_t b_lo = wasm_f64x2_promote_low_f32x4(b);
  v128_t c_lo = wasm_f64x2_promote_low_f32x4(c);
  v128_t a_hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(a, a, 2, 3, 2, 3));
  v128_t b_hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(b, b, 2, 3, 2, 3));
  v128_t c_hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(c, c, 2, 3, 2, 3));
  v128_t s_lo = wasm_f64x2_add(wasm_f64x2_mul(a_lo, b_lo), c_lo);
  v128_t s_hi = wasm_f64x2_add(wasm_f64x2_mul(a_hi, b_hi), c_hi);
  v128_t low_words = wasm_i32x4_shuffle(s_lo, s_hi, 0, 2, 4, 6);
  v128_t high_words = wasm_i32x4_shuffle(s_lo, s_hi, 1, 3, 5, 7);
  v128_t tie = wasm_i32x4_eq(wasm_v128_and(low_words, wasm_i32x4_splat(0x1fffffff)), wasm_i32x4_splat(0x10000000));
  /* unsigned (e - 1) < (897 << 20) - 1, as a signed compare with both sides offset by 2^31:
   * (e - 1) ^ 0x80000000 == e + 0x7fffffff (mod 2^32); wasm has no cheap unsigned compare on x64 */
  v128_t e_off = wasm_i32x4_add(wasm_v128_and(high_words, wasm_i32x4_splat(0x7ff00000)), wasm_i32x4_splat(0x7fffffff));
  v128_t subnormal = wasm_i32x4_lt(e_off, wasm_i32x4_splat((int32_t)(((897u << 20) - 1u) ^ 0x80000000u)));
  *suspect = wasm_v128_or(*suspect, wasm_v128_or(tie, subnormal));
  v128_t r_lo = wasm_f32x4_demote_f64x2_zero(s_lo);
  v128_t r_hi = wasm_f32x4_demote_f64x2_zero(s_hi);
  return wasm_i32x4_shuffle(r_lo, r_hi, 0, 1, 4, 5);
}

/* fma4_fast with its own check: exact in every lane. */
INLINE f32x4 fma4_exact(f32x4 a, f32x4 b, f32x4 c) {
  v128_t suspect = wasm_i32x4_splat(0);
  v128_t r = fma4_fast(a, b, c, &suspect);
  if (__builtin_expect(wasm_v128_any_true(suspect), 0)) {
    return wasm_f32x4_make(
        fmaf_exact(wasm_f32x4_extract_lane(a, 0), wasm_f32x4_extract_lane(b, 0), wasm_f32x4_extract_lane(c, 0)),
        fmaf_exact(wasm_f32x4_extract_lane(a, 1), wasm_f32x4_extract_lane(b, 1), wasm_f32x4_extract_lane(c, 1)),
        fmaf_exact(wasm_f32x4_extract_lane(a, 2), wasm_f32x4_extract_lane(b, 2), wasm_f32x4_extract_lane(c, 2)),
        fmaf_exact(wasm_f32x4_extract_lane(a, 3), wasm_f32x4_extract_lane(b, 3), wasm_f32x4_extract_lane(c, 3)));
  }
  return r;
}

/* ---- pieces of fma4_fast for kernels that check several FMAs at once (optim.c) ----
 * A kernel may evaluate a*b + c itself as s_lo, s_hi (f64x2, lanes 0-1 and 2-3) and combine the
 * checks of two FMAs into fewer instructions than two fma4_fast calls: */

/* f64x2 of lanes 0-1 / 2-3 of an f32x4 */
INLINE v128_t promote_lo(f32x4 x) { return wasm_f64x2_promote_low_f32x4(x); }
INLINE v128_t promote_hi(f32x4 x) { return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3)); }
/* the four doubles rounded to float, in order */
INLINE f32x4 demote_pair(v128_t s_lo, v128_t s_hi) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(s_lo), wasm_f32x4_demote_f64x2_zero(s_hi), 0, 1, 4, 5);
}
/* Lanes where either of two FMAs (s and t, four doubles each) lies on a rounding boundary of
 * normal floats: low 29 mantissa bits == 0x10000000, i.e. (low word << 3) == INT32_MIN, and the
 * signed minimum of the two shifted words is INT32_MIN exactly when one of them is. */
INLINE v128_t tie_pair(v128_t s_lo, v128_t s_hi, v128_t t_lo, v128_t t_hi) {
  v128_t a = wasm_i32x4_shl(wasm_i32x4_shuffle(s_lo, s_hi, 0, 2, 4, 6), 3);
  v128_t b = wasm_i32x4_shl(wasm_i32x4_shuffle(t_lo, t_hi, 0, 2, 4, 6), 3);
  return wasm_i32x4_eq(wasm_i32x4_min(a, b), wasm_i32x4_splat(INT32_MIN));
}
/* (high word & 0x7ff00000) + 0x7ff00000: a biased exponent e >= 1 maps to INT32_MIN + (e - 1)·2^20,
 * e = 0 (s == 0: a*b + c in double is never a double subnormal) to a large positive number; a
 * nonzero float-subnormal s (e < 897) maps below (int)0xb8000000. */
INLINE v128_t exponent_key(v128_t s_lo, v128_t s_hi) {
  const v128_t e = wasm_i32x4_splat(0x7ff00000);
  return wasm_i32x4_add(wasm_v128_and(wasm_i32x4_shuffle(s_lo, s_hi, 1, 3, 5, 7), e), e);
}
INLINE v128_t subnormal_key(v128_t key) { return wasm_i32x4_lt(key, wasm_i32x4_splat((int32_t)0xb8000000u)); }

/* ---- shared entry points used across translation units ---- */

/* Bytes of workspace sgemm needs (independent of the problem size). */
size_t sgemm_workspace_bytes(void);

void sgemm(int batch, int M, int N, int K,
           const float *A, int sAb, int sAm, int sAk,
           const float *B, int sBb, int sBk, int sBn,
           float *C, int sCb, int ldc, int accumulate, float *work);

/* Unpacked products for small dimensions (smallgemm.c). */
void gemm_rows(int M, int N, int K, const float *A, int sAm, int sAk, const float *B, int ldb,
               float *C, int ldc, int accumulate);
void gemm_dot(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate);

/* Max of x[0..n) with NaN propagation; *index (if non-null) gets the first index of the max
 * (or of the first NaN). Defined in reduce.c. */
float kernel_row_max(const float *x, int n, int *index);

/* Sum of x[0..n) accumulated in float blocks of 1024 and double across blocks. reduce.c. */
double kernel_sum_f64(const float *x, int n);

/* elementwise.c / softmax.c entry points reused by other kernels */
void f32_fill(float *out, float value, int n);
void f32_softmax_rows(const float *x, float *out, int m, int n);

#endif
