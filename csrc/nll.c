/*
 * nll.c — negative log-likelihood over a class dim, optionally fused with log-softmax (softmax
 * cross-entropy): the kernels behind Backend.nllLoss / nllLossBackward (see src/backend/cpu/loss.ts,
 * whose double-precision formulas these follow).
 *
 * Layout: x(n, c, k) at x[n*sxn + c*sxc + k*sxk] for n < N, c < C, k < K (any strides), the int32
 * target t(n, k) at t[n*stn + k*stk], the optional float weight w(c) at w[c*sw] (w = 0: all ones).
 *
 *   nll_loss_forward(...) -> double
 *       with lse != 0 (fused): lse[n*K + k] = log sum_c exp x(n, c, k) (max-shifted, in double)
 *       out[n*K + k] = -w(t)*(x(n, t, k) - lse[n*K + k])  (lse term 0 when unfused), 0 where
 *       t == ignore; returns sum of w(t) over the non-ignored positions.
 *   nll_loss_backward(..., g, sgn, sgk, scale, lse, gx)
 *       gx [N, C, K] contiguous, overwritten: with s = scale * w(t) * g(n, k),
 *       fused: gx(n, c, k) = exp(x(n, c, k) - lse)*s, and (exp(x(n, t, k) - lse) - 1)*s at c = t;
 *       unfused: -s at c = t; zero elsewhere and on ignored positions.
 *
 * Targets must lie in [0, C) or equal ignore: the caller checks them first (so an error leaves
 * every output untouched). The general path evaluates everything in double and rounds once into
 * float outputs (exp/log here are within ~2e-13), so it agrees with the CPU reference to a float32
 * rounding; the fused path over a contiguous class dim computes the exponentials in float32 (see
 * "fast path" below), a few float32 ulps from it.
 */
#include "kernels.h"
#include "mathf64.h"

/* exp of a double (x <= 709 or NaN); below -708 it returns 0, which is exact for every use here
 * (a term next to the line maximum's exp(0) = 1, or a product rounded to float). */
static double exp_f64(double x) {
  if (x < -708.0) return 0.0;
  return wasm_f64x2_extract_lane(exp_f64x2(wasm_f64x2_splat(x)), 0);
}

/* natural log of a double, as softmax.c's log_f64 */
static double log_f64d(double x) {
  if (!(x > 0.0)) return x == 0.0 ? -__builtin_inf() : __builtin_nan("");
  if (x == __builtin_inf()) return x;
  double bias = 0.0;
  if (x < 0x1p-1000) { x *= 0x1p200; bias = -200.0; }
  v128_t r = log_f64x2(wasm_f64x2_splat(x));
  return wasm_f64x2_extract_lane(r, 0) + bias * 0.6931471805599453;
}

/* log sum_c exp x(c) of one line, shifted by its max like the CPU reference */
static double line_lse(const float *x, int C, int sxc) {
  double max = -__builtin_inf();
  for (int c = 0; c < C; c++) {
    double v = (double)x[(ptrdiff_t)c * sxc];
    if (!(v <= max)) max = v;
  }
  if (max == -__builtin_inf()) max = 0.0;
  double sum = 0.0;
  for (int c = 0; c < C; c++) sum += exp_f64((double)x[(ptrdiff_t)c * sxc] - max);
  return max + log_f64d(sum);
}

/* ---- fast path: contiguous class dim (sxc == 1), fused with log-softmax ----
 *
 * The row's exponentials are evaluated in float32 (expf4: Cephes' expf, relative error < 2 ulp)
 * on x - max rounded to float32, as PyTorch's vectorized log_softmax kernel does, and summed in
 * double; log and the target terms stay in double. Relative to the all-double path the log-sum-exp
 * moves by at most 2^-24 * (3 + sum_j |d_j| e^d_j / sum_j e^d_j) (d = x - max), i.e. a few float32
 * ulps of the loss's scale; the gradient's non-target entries carry a few float32 ulps each.
 */

/* e^x for four floats: x < -87.33 (and -inf) give 0, x > 88.72 gives inf, NaN stays NaN. */
INLINE v128_t expf4(v128_t x) {
  const v128_t hi = wasm_f32x4_splat(88.72283935546875f), lo = wasm_f32x4_splat(-87.33654022216797f);
  v128_t under = wasm_f32x4_lt(x, lo);
  v128_t over = wasm_f32x4_gt(x, hi);
  v128_t xc = wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), hi); /* keeps NaN */
  /* n = round(x / ln 2) with the 1.5 * 2^23 trick; r = x - n ln 2 in two parts */
  const v128_t magic = wasm_f32x4_splat(12582912.0f);
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(xc, wasm_f32x4_splat(1.44269504088896341f)), magic);
  v128_t n = wasm_f32x4_sub(t, magic);
  v128_t r = wasm_f32x4_sub(xc, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  v128_t r2 = wasm_f32x4_mul(r, r);
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(p, r2), r), wasm_f32x4_splat(1.0f));
  /* 2^n: n in [-126, 128]; 2^128 is split as 2^127 * 2 */
  v128_t ni = wasm_i32x4_sub(t, wasm_i32x4_splat(0x4b400000)); /* integer n from t's low bits */
  v128_t half = wasm_i32x4_shr(ni, 1);
  v128_t s1 = wasm_i32x4_shl(wasm_i32x4_add(half, wasm_i32x4_splat(127)), 23);
  v128_t s2 = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_sub(ni, half), wasm_i32x4_splat(127)), 23);
  v128_t y = wasm_f32x4_mul(wasm_f32x4_mul(p, s1), s2);
  y = wasm_v128_andnot(y, under);
  return wasm_v128_bitselect(wasm_f32x4_splat(__builtin_inff()), y, over);
}

/* sum_j e^(x_j - mx) over a contiguous row, exponentials in float, sum in double */
static double row_exp_sum(const float *x, float mx, int n) {
  v128_t mv = wasm_f32x4_splat(mx);
  v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0;
  int j = 0;
  /* two vectors per iteration: independent exp chains overlap (~20% faster under V8) */
  for (; j + 8 <= n; j += 8) {
    v128_t e = expf4(wasm_f32x4_sub(wasm_v128_load(x + j), mv));
    v128_t f = expf4(wasm_f32x4_sub(wasm_v128_load(x + j + 4), mv));
    a0 = wasm_f64x2_add(a0, wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(e), wasm_f64x2_promote_low_f32x4(f)));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(e, e, 2, 3, 2, 3)),
                                           wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(f, f, 2, 3, 2, 3))));
  }
  for (; j + 4 <= n; j += 4) {
    v128_t e = expf4(wasm_f32x4_sub(wasm_v128_load(x + j), mv));
    a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(e));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(e, e, 2, 3, 2, 3)));
  }
  double sum = (wasm_f64x2_extract_lane(a0, 0) + wasm_f64x2_extract_lane(a1, 0)) +
               (wasm_f64x2_extract_lane(a0, 1) + wasm_f64x2_extract_lane(a1, 1));
  for (; j < n; j++) sum += (double)wasm_f32x4_extract_lane(expf4(wasm_f32x4_splat(x[j] - mx)), 0);
  return sum;
}

/* The row max as the CPU reference uses it (-inf, i.e. all -inf, becomes 0; any NaN gives NaN).
 * pmax (one x64 instruction) plus a NaN mask is much cheaper under V8 than the NaN-propagating
 * f32x4.max; which of +0/-0 wins does not matter here (x - 0 == x - (-0)). */
static float row_shift(const float *x, int n) {
  v128_t m0 = wasm_f32x4_splat(-__builtin_inff()), m1 = m0;
  v128_t nan = wasm_i32x4_splat(0);
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    v128_t a = wasm_v128_load(x + j), b = wasm_v128_load(x + j + 4);
    m0 = wasm_f32x4_pmax(m0, a);
    m1 = wasm_f32x4_pmax(m1, b);
    nan = wasm_v128_or(nan, wasm_v128_or(wasm_f32x4_ne(a, a), wasm_f32x4_ne(b, b)));
  }
  m0 = wasm_f32x4_pmax(m0, m1);
  float mx = wasm_f32x4_extract_lane(m0, 0);
  if (wasm_f32x4_extract_lane(m0, 1) > mx) mx = wasm_f32x4_extract_lane(m0, 1);
  if (wasm_f32x4_extract_lane(m0, 2) > mx) mx = wasm_f32x4_extract_lane(m0, 2);
  if (wasm_f32x4_extract_lane(m0, 3) > mx) mx = wasm_f32x4_extract_lane(m0, 3);
  int has_nan = wasm_v128_any_true(nan);
  for (; j < n; j++) {
    float v = x[j];
    if (v != v) has_nan = 1;
    else if (v > mx) mx = v;
  }
  if (has_nan) return __builtin_nanf("");
  return mx == -__builtin_inff() ? 0.0f : mx;
}

EXPORT(nll_loss_forward)
double nll_loss_forward(const float *x, int N, int C, int K, int sxn, int sxc, int sxk,
                        const int *t, int stn, int stk, const float *w, int sw, int ignore,
                        float *out, double *lse) {
  double total = 0.0;
  const int fast = lse && sxc == 1 && C >= 4;
  for (int n = 0; n < N; n++) {
    for (int k = 0; k < K; k++) {
      const float *line = x + (ptrdiff_t)n * sxn + (ptrdiff_t)k * sxk;
      int p = n * K + k;
      double shift = 0.0;
      if (fast) {
        float mx = row_shift(line, C);
        shift = (double)mx + log_f64d(row_exp_sum(line, mx, C));
        lse[p] = shift;
      } else if (lse) {
        shift = line_lse(line, C, sxc);
        lse[p] = shift;
      }
      int target = t[(ptrdiff_t)n * stn + (ptrdiff_t)k * stk];
      if (target == ignore) {
        out[p] = 0.0f;
        continue;
      }
      double wt = w ? (double)w[(ptrdiff_t)target * sw] : 1.0;
      out[p] = (float)(-wt * ((double)line[(ptrdiff_t)target * sxc] - shift));
      total += wt;
    }
  }
  return total;
}

EXPORT(nll_loss_backward)
void nll_loss_backward(const float *x, int N, int C, int K, int sxn, int sxc, int sxk,
                       const int *t, int stn, int stk, const float *w, int sw, int ignore,
                       const float *g, int sgn, int sgk, double scale, const double *lse, float *gx) {
  const int fast = lse && sxc == 1 && K == 1 && C >= 4;
  for (int n = 0; n < N; n++) {
    for (int k = 0; k < K; k++) {
      float *o = gx + (size_t)n * C * K + k;
      int target = t[(ptrdiff_t)n * stn + (ptrdiff_t)k * stk];
      if (target == ignore) {
        for (int c = 0; c < C; c++) o[(size_t)c * K] = 0.0f;
        continue;
      }
      double wt = w ? (double)w[(ptrdiff_t)target * sw] : 1.0;
      double s = scale * wt * (double)g[(ptrdiff_t)n * sgn + (ptrdiff_t)k * sgk];
      const float *line = x + (ptrdiff_t)n * sxn + (ptrdiff_t)k * sxk;
      if (!lse) {
        for (int c = 0; c < C; c++) o[(size_t)c * K] = 0.0f;
        o[(size_t)target * K] = (float)(-s);
        continue;
      }
      double shift = lse[n * K + k];
      if (fast) {
        /* e^(x - lse) = e^((x - max) - (lse - max)), both parts small and rounded once */
        float mx = row_shift(line, C);
        v128_t mv = wasm_f32x4_splat(mx), lv = wasm_f32x4_splat((float)(shift - (double)mx));
        v128_t sv = wasm_f32x4_splat((float)s);
        int c = 0;
        for (; c + 8 <= C; c += 8) {
          v128_t a = expf4(wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(line + c), mv), lv));
          v128_t b = expf4(wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(line + c + 4), mv), lv));
          wasm_v128_store(o + c, wasm_f32x4_mul(a, sv));
          wasm_v128_store(o + c + 4, wasm_f32x4_mul(b, sv));
        }
        for (; c + 4 <= C; c += 4)
          wasm_v128_store(o + c, wasm_f32x4_mul(expf4(wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(line + c), mv), lv)), sv));
        for (; c < C; c++) {
          v128_t d = wasm_f32x4_sub(wasm_f32x4_sub(wasm_f32x4_splat(line[c]), mv), lv);
          o[c] = wasm_f32x4_extract_lane(wasm_f32x4_mul(expf4(d), sv), 0);
        }
      } else {
        for (int c = 0; c < C; c++) o[(size_t)c * K] = (float)(exp_f64((double)line[(ptrdiff_t)c * sxc] - shift) * s);
      }
      /* the target entry in double: softmax_t - 1 cancels when the prediction is confident */
      o[(size_t)target * K] = (float)((exp_f64((double)line[(ptrdiff_t)target * sxc] - shift) - 1.0) * s);
    }
  }
}
