/*
 * reduce.c — float32 reductions.
 *
 *   f32_sum(x, n) -> float                    sum of all elements
 *   f32_row_sum(x, out, m, n)                 out[i] = sum_j x[i,j]
 *   f32_col_sum(x, out, m, n, accumulate)     out[j] (= or +=) sum_i x[i,j]   (bias gradient)
 *   f32_row_max(x, out, idx, m, n)            out[i] = max_j x[i,j]; idx[i] = its first index
 *                                             (idx may be 0). NaN propagates: a row with a NaN
 *                                             gives NaN and the index of its first NaN.
 *
 * Sums use 16 float lanes per block of 1024 elements and add block sums in double, so the error
 * stays ~ 1024/16 · eps relative, independent of n. Results are float32 (not bit-identical to
 * PyTorch, whose cascade order differs).
 */
#include "kernels.h"

#define BLOCK 1024

/* Sum of n <= BLOCK contiguous floats in 16 lanes. */
static float block_sum(const float *x, int n) {
  v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = wasm_f32x4_add(s0, wasm_v128_load(x + i));
    s1 = wasm_f32x4_add(s1, wasm_v128_load(x + i + 4));
    s2 = wasm_f32x4_add(s2, wasm_v128_load(x + i + 8));
    s3 = wasm_f32x4_add(s3, wasm_v128_load(x + i + 12));
  }
  for (; i + 4 <= n; i += 4) s0 = wasm_f32x4_add(s0, wasm_v128_load(x + i));
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3));
  float r = (wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1)) +
            (wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3));
  for (; i < n; i++) r += x[i];
  return r;
}

double kernel_sum_f64(const float *x, int n) {
  double total = 0.0;
  for (int i = 0; i < n; i += BLOCK) total += (double)block_sum(x + i, n - i < BLOCK ? n - i : BLOCK);
  return total;
}

EXPORT(f32_sum)
float f32_sum(const float *x, int n) { return (float)kernel_sum_f64(x, n); }

EXPORT(f32_row_sum)
void f32_row_sum(const float *x, float *out, int m, int n) {
  for (int i = 0; i < m; i++) out[i] = (float)kernel_sum_f64(x + (size_t)i * n, n);
}

EXPORT(f32_col_sum)
void f32_col_sum(const float *x, float *out, int m, int n, int accumulate) {
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
    for (int i = 0; i < m; i++) {
      const float *r = x + (size_t)i * n + j;
      s0 = wasm_f32x4_add(s0, wasm_v128_load(r));
      s1 = wasm_f32x4_add(s1, wasm_v128_load(r + 4));
      s2 = wasm_f32x4_add(s2, wasm_v128_load(r + 8));
      s3 = wasm_f32x4_add(s3, wasm_v128_load(r + 12));
    }
    if (accumulate) {
      s0 = wasm_f32x4_add(wasm_v128_load(out + j), s0);
      s1 = wasm_f32x4_add(wasm_v128_load(out + j + 4), s1);
      s2 = wasm_f32x4_add(wasm_v128_load(out + j + 8), s2);
      s3 = wasm_f32x4_add(wasm_v128_load(out + j + 12), s3);
    }
    wasm_v128_store(out + j, s0);
    wasm_v128_store(out + j + 4, s1);
    wasm_v128_store(out + j + 8, s2);
    wasm_v128_store(out + j + 12, s3);
  }
  for (; j + 4 <= n; j += 4) {
    v128_t s0 = wasm_f32x4_splat(0.0f);
    for (int i = 0; i < m; i++) s0 = wasm_f32x4_add(s0, wasm_v128_load(x + (size_t)i * n + j));
    if (accumulate) s0 = wasm_f32x4_add(wasm_v128_load(out + j), s0);
    wasm_v128_store(out + j, s0);
  }
  for (; j < n; j++) {
    float s = 0.0f;
    for (int i = 0; i < m; i++) s += x[(size_t)i * n + j];
    out[j] = accumulate ? out[j] + s : s;
  }
}

/* Max of a row with NaN propagation, as float; index of first max (or first NaN). */
float kernel_row_max(const float *x, int n, int *index) {
  float best = -__builtin_inff();
  int i = 0;
  if (n >= 8) {
    v128_t m0 = wasm_f32x4_splat(best), m1 = m0;
    for (; i + 8 <= n; i += 8) {
      m0 = wasm_f32x4_max(m0, wasm_v128_load(x + i));
      m1 = wasm_f32x4_max(m1, wasm_v128_load(x + i + 4));
    }
    v128_t m = wasm_f32x4_max(m0, m1);
    float a = wasm_f32x4_extract_lane(m, 0), b = wasm_f32x4_extract_lane(m, 1);
    float c = wasm_f32x4_extract_lane(m, 2), d = wasm_f32x4_extract_lane(m, 3);
    best = __builtin_wasm_max_f32(__builtin_wasm_max_f32(a, b), __builtin_wasm_max_f32(c, d));
  }
  for (; i < n; i++) best = __builtin_wasm_max_f32(best, x[i]);
  if (index) {
    int k = 0;
    if (best != best) {
      while (k < n && x[k] == x[k]) k++;
    } else {
      while (k < n && x[k] != best) k++;
    }
    *index = k < n ? k : 0;
  }
  return best;
}

EXPORT(f32_row_max)
void f32_row_max(const float *x, float *out, int *idx, int m, int n) {
  for (int i = 0; i < m; i++) out[i] = kernel_row_max(x + (size_t)i * n, n, idx ? idx + i : 0);
}
