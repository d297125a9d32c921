/*
 * softmax.c — exp/log and the row-wise softmax family, float32 in and out.
 *
 *   f32_exp(x, out, n)                         out = exp(x)
 *   f32_log(x, out, n)                         out = log(x)   (log(0) = -inf, log(<0) = NaN)
 *   f32_softmax_rows(x, out, m, n)             out[i,:] = exp(x[i,:] - max_i) * (1 / sum_i)
 *   f32_log_softmax_rows(x, out, m, n)         out[i,:] = (x[i,:] - max_i) - log(sum_i)
 *   f32_softmax_backward(y, gy, gx, m, n)      gx = y * (gy - sum_j gy*y)           (y = softmax)
 *   f32_log_softmax_backward(y, gy, gx, m, n)  gx = gy - exp(y) * sum_j gy          (y = log_softmax)
 *   softmax_cross_entropy_forward(x, t, m, n, ignore_index, probs) -> float
 *       mean over rows with t[i] != ignore_index of  -log softmax(x[i,:])[t[i]]
 *       (NaN if no row counts, or if a target is out of [0, n)); if probs != 0 it also
 *       receives softmax(x) for the backward pass.
 *   softmax_cross_entropy_backward(x, t, gx, m, n, ignore_index, grad_out)
 *       gx[i,:] = (softmax(x[i,:]) - onehot(t[i])) * grad_out / count; ignored rows get 0.
 *
 * Rows are [m, n] row-major; max_i is the row max (numerical stability; NaN propagates).
 * exp and log are evaluated in double precision (f64x2) from the exact float input and rounded
 * once to float: the polynomial error (< 3e-13 relative) makes them correctly rounded except in
 * a few-per-million hard cases, where they are off by at most 1 ulp.
 */
#include "kernels.h"
#include "mathf64.h"

/* exp of four floats, each correctly rounded except in rare hard cases (<= 1 ulp). */
INLINE v128_t exp4(v128_t x) {
  const v128_t lo = wasm_f32x4_splat(-104.0f), hi = wasm_f32x4_splat(89.0f);
  /* clamp with pmax/pmin in this operand order keeps NaN (x < lo and hi < x are false for NaN);
   * exp(-104) rounds to 0 and exp(89) to inf */
  v128_t xc = wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), hi);
  v128_t a = exp_f64x2(wasm_f64x2_promote_low_f32x4(xc));
  v128_t b = exp_f64x2(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(xc, xc, 2, 3, 2, 3)));
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(a), wasm_f32x4_demote_f64x2_zero(b), 0, 1, 4, 5);
}

INLINE v128_t log4(v128_t x) {
  v128_t one = wasm_f32x4_splat(1.0f);
  v128_t ok = wasm_v128_and(wasm_f32x4_gt(x, wasm_f32x4_splat(0.0f)), wasm_f32x4_lt(x, wasm_f32x4_splat(__builtin_inff())));
  v128_t xs = wasm_v128_bitselect(x, one, ok); /* keep the series on valid input */
  v128_t a = log_f64x2(wasm_f64x2_promote_low_f32x4(xs));
  v128_t b = log_f64x2(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(xs, xs, 2, 3, 2, 3)));
  v128_t r = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(a), wasm_f32x4_demote_f64x2_zero(b), 0, 1, 4, 5);
  r = wasm_v128_bitselect(wasm_f32x4_splat(-__builtin_inff()), r, wasm_f32x4_eq(x, wasm_f32x4_splat(0.0f)));
  r = wasm_v128_bitselect(x, r, wasm_f32x4_eq(x, wasm_f32x4_splat(__builtin_inff())));
  r = wasm_v128_bitselect(wasm_f32x4_splat(__builtin_nanf("")), r, wasm_v128_not(wasm_f32x4_ge(x, wasm_f32x4_splat(0.0f))));
  return r;
}

INLINE float exp1(float x) { return wasm_f32x4_extract_lane(exp4(wasm_f32x4_splat(x)), 0); }
INLINE float log1(float x) { return wasm_f32x4_extract_lane(log4(wasm_f32x4_splat(x)), 0); }

/* log of a positive double in double precision (for the log-sum-exp of a row) */
static double log_f64(double x) {
  if (!(x > 0.0)) return x == 0.0 ? -__builtin_inf() : __builtin_nan("");
  if (x == __builtin_inf()) return x;
  /* bring subnormal doubles (never produced here, but be safe) into the normal range */
  double bias = 0.0;
  if (x < 0x1p-1000) { x *= 0x1p200; bias = -200.0; }
  v128_t r = log_f64x2(wasm_f64x2_splat(x));
  return wasm_f64x2_extract_lane(r, 0) + bias * 0.6931471805599453;
}

EXPORT(f32_exp)
void f32_exp(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, exp4(wasm_v128_load(x + i)));
  for (; i < n; i++) out[i] = exp1(x[i]);
}

EXPORT(f32_log)
void f32_log(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, log4(wasm_v128_load(x + i)));
  for (; i < n; i++) out[i] = log1(x[i]);
}

/* out[j] = exp(x[j] - mx); returns the float sum of the out values (16-lane blocks, double across) */
static float exp_shift_store(const float *x, float mx, float *out, int n) {
  v128_t mv = wasm_f32x4_splat(mx);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, exp4(wasm_f32x4_sub(wasm_v128_load(x + i), mv)));
  for (; i < n; i++) out[i] = exp1(x[i] - mx);
  return (float)kernel_sum_f64(out, n);
}

/* sum_j exp(x[j] - mx) in double, without storing */
static double exp_shift_sum(const float *x, float mx, int n) {
  v128_t mv = wasm_f32x4_splat(mx);
  double total = 0.0;
  int i = 0;
  while (i + 4 <= n) {
    v128_t acc = wasm_f32x4_splat(0.0f);
    int end = i + 1024 < n ? i + 1024 : n;
    for (; i + 4 <= end; i += 4) acc = wasm_f32x4_add(acc, exp4(wasm_f32x4_sub(wasm_v128_load(x + i), mv)));
    total += (double)wasm_f32x4_extract_lane(acc, 0) + (double)wasm_f32x4_extract_lane(acc, 1) +
             (double)wasm_f32x4_extract_lane(acc, 2) + (double)wasm_f32x4_extract_lane(acc, 3);
  }
  for (; i < n; i++) total += (double)exp1(x[i] - mx);
  return total;
}

EXPORT(f32_softmax_rows)
void f32_softmax_rows(const float *x, float *out, int m, int n) {
  for (int r = 0; r < m; r++) {
    const float *xr = x + (size_t)r * n;
    float *o = out + (size_t)r * n;
    float mx = kernel_row_max(xr, n, 0);
    float sum = exp_shift_store(xr, mx, o, n);
    float inv = 1.0f / sum;
    v128_t iv = wasm_f32x4_splat(inv);
    int i = 0;
    for (; i + 4 <= n; i += 4) wasm_v128_store(o + i, wasm_f32x4_mul(wasm_v128_load(o + i), iv));
    for (; i < n; i++) o[i] = o[i] * inv;
  }
}

EXPORT(f32_log_softmax_rows)
void f32_log_softmax_rows(const float *x, float *out, int m, int n) {
  for (int r = 0; r < m; r++) {
    const float *xr = x + (size_t)r * n;
    float *o = out + (size_t)r * n;
    float mx = kernel_row_max(xr, n, 0);
    float lse = (float)log_f64(exp_shift_sum(xr, mx, n));
    v128_t mv = wasm_f32x4_splat(mx), lv = wasm_f32x4_splat(lse);
    int i = 0;
    for (; i + 4 <= n; i += 4) wasm_v128_store(o + i, wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(xr + i), mv), lv));
    for (; i < n; i++) o[i] = (xr[i] - mx) - lse;
  }
}

EXPORT(f32_softmax_backward)
void f32_softmax_backward(const float *y, const float *gy, float *gx, int m, int n) {
  for (int r = 0; r < m; r++) {
    const float *yr = y + (size_t)r * n, *gr = gy + (size_t)r * n;
    float *o = gx + (size_t)r * n;
    double dot = 0.0;
    int i = 0;
    while (i + 4 <= n) {
      v128_t acc = wasm_f32x4_splat(0.0f);
      int end = i + 1024 < n ? i + 1024 : n;
      for (; i + 4 <= end; i += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(yr + i), wasm_v128_load(gr + i)));
      dot += (double)wasm_f32x4_extract_lane(acc, 0) + (double)wasm_f32x4_extract_lane(acc, 1) +
             (double)wasm_f32x4_extract_lane(acc, 2) + (double)wasm_f32x4_extract_lane(acc, 3);
    }
    for (; i < n; i++) dot += (double)(yr[i] * gr[i]);
    float d = (float)dot;
    v128_t dv = wasm_f32x4_splat(d);
    for (i = 0; i + 4 <= n; i += 4)
      wasm_v128_store(o + i, wasm_f32x4_mul(wasm_v128_load(yr + i), wasm_f32x4_sub(wasm_v128_load(gr + i), dv)));
    for (; i < n; i++) o[i] = yr[i] * (gr[i] - d);
  }
}

EXPORT(f32_log_softmax_backward)
void f32_log_softmax_backward(const float *y, const float *gy, float *gx, int m, int n) {
  for (int r = 0; r < m; r++) {
    const float *yr = y + (size_t)r * n, *gr = gy + (size_t)r * n;
    float *o = gx + (size_t)r * n;
    float s = (float)kernel_sum_f64(gr, n);
    v128_t sv = wasm_f32x4_splat(s);
    int i = 0;
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(o + i, wasm_f32x4_sub(wasm_v128_load(gr + i), wasm_f32x4_mul(exp4(wasm_v128_load(yr + i)), sv)));
    for (; i < n; i++) o[i] = gr[i] - exp1(yr[i]) * s;
  }
}

EXPORT(softmax_cross_entropy_forward)
float softmax_cross_entropy_forward(const float *x, const int *target, int m, int n, int ignore_index, float *probs) {
  double total = 0.0;
  int count = 0;
  for (int r = 0; r < m; r++) {
    const float *xr = x + (size_t)r * n;
    int t = target[r];
    if (t == ignore_index) {
      if (probs) f32_softmax_rows(xr, probs + (size_t)r * n, 1, n);
      continue;
    }
    float mx = kernel_row_max(xr, n, 0);
    double sum;
    if (probs) {
      float *o = probs + (size_t)r * n;
      sum = (double)exp_shift_store(xr, mx, o, n);
      float inv = 1.0f / (float)sum;
      for (int i = 0; i < n; i++) o[i] = o[i] * inv;
    } else {
      sum = exp_shift_sum(xr, mx, n);
    }
    count++;
    if (t < 0 || t >= n) { total = __builtin_nan(""); continue; }
    /* -log p[t] = log(sum) - (x[t] - max) */
    total += log_f64(sum) - (double)(xr[t] - mx);
  }
  return count ? (float)(total / count) : __builtin_nanf("");
}

EXPORT(softmax_cross_entropy_backward)
void softmax_cross_entropy_backward(const float *x, const int *target, float *gx, int m, int n,
                                    int ignore_index, float grad_out) {
  int count = 0;
  for (int r = 0; r < m; r++) count += target[r] != ignore_index;
  float scale = grad_out / (float)count;
  v128_t sv = wasm_f32x4_splat(scale);
  for (int r = 0; r < m; r++) {
    float *o = gx + (size_t)r * n;
    int t = target[r];
    if (t == ignore_index) {
      f32_fill(o, 0.0f, n);
      continue;
    }
    f32_softmax_rows(x + (size_t)r * n, o, 1, n);
    float pt = (t >= 0 && t < n) ? o[t] : 0.0f;
    int i = 0;
    for (; i + 4 <= n; i += 4) wasm_v128_store(o + i, wasm_f32x4_mul(wasm_v128_load(o + i), sv));
    for (; i < n; i++) o[i] = o[i] * scale;
    if (t >= 0 && t < n) o[t] = (pt - 1.0f) * scale;
  }
}
