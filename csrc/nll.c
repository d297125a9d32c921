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
 * every output untouched). Everything is evaluated in double and rounded once into float outputs,
 * so results agree with the CPU reference to float32 rounding (exp/log here are within ~2e-13).
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

EXPORT(nll_loss_forward)
double nll_loss_forward(const float *x, int N, int C, int K, int sxn, int sxc, int sxk,
                        const int *t, int stn, int stk, const float *w, int sw, int ignore,
                        float *out, double *lse) {
  double total = 0.0;
  for (int n = 0; n < N; n++) {
    for (int k = 0; k < K; k++) {
      const float *line = x + (ptrdiff_t)n * sxn + (ptrdiff_t)k * sxk;
      int p = n * K + k;
      double shift = 0.0;
      if (lse) {
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
  f32_fill(gx, 0.0f, N * C * K);
  for (int n = 0; n < N; n++) {
    for (int k = 0; k < K; k++) {
      int target = t[(ptrdiff_t)n * stn + (ptrdiff_t)k * stk];
      if (target == ignore) continue;
      double wt = w ? (double)w[(ptrdiff_t)target * sw] : 1.0;
      double s = scale * wt * (double)g[(ptrdiff_t)n * sgn + (ptrdiff_t)k * sgk];
      float *o = gx + (size_t)n * C * K + k;
      if (!lse) {
        o[(size_t)target * K] = (float)(-s);
        continue;
      }
      double shift = lse[n * K + k];
      const float *line = x + (ptrdiff_t)n * sxn + (ptrdiff_t)k * sxk;
      for (int c = 0; c < C; c++) o[(size_t)c * K] = (float)(exp_f64((double)line[(ptrdiff_t)c * sxc] - shift) * s);
      o[(size_t)target * K] = (float)((exp_f64((double)line[(ptrdiff_t)target * sxc] - shift) - 1.0) * s);
    }
  }
}
