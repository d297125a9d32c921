/*
 * batchnorm.c — fused batch normalisation over a contiguous float32 x viewed as [N, C, S]
 * (S = the product of the dims after the channel dim). The formulas and their PyTorch parity
 * notes are in src/backend/cpu/batchnorm.ts, the reference these kernels are tested against:
 *
 *   bn_stats:    mean[c] = Σ x / (N·S) (rounded to float), var_sum[c] = Σ (x − mean[c])²
 *   bn_forward:  y = x·alpha[c] + beta[c]   (alpha, beta computed by the caller, as the reference does)
 *   bn_backward: sum = Σ gy, dot = Σ gy·(x − mean);  gw = dot·invstd, gb = sum;
 *                training:   gx = (gy − sum/(N·S) − (x − mean)·dot·invstd²/(N·S))·invstd·w
 *                evaluation: gx = gy·invstd·w
 *
 * Sums accumulate in double (f64x2 lanes, then a scalar tail), and the per-element gradient is
 * evaluated in double and rounded once, like the reference; only the order of the double sums
 * differs from it.
 */
#include "kernels.h"

/* Σ over the channel's N rows of S floats, in double */
INLINE double channel_sum(const float *x, int N, int C, int S, int c) {
  v128_t a0 = wasm_f64x2_splat(0), a1 = a0;
  double tail = 0;
  for (int n = 0; n < N; n++) {
    const float *p = x + ((size_t)n * C + c) * S;
    int i = 0;
    for (; i + 4 <= S; i += 4) {
      v128_t v = wasm_v128_load(p + i);
      a0 = wasm_f64x2_add(a0, promote_lo(v));
      a1 = wasm_f64x2_add(a1, promote_hi(v));
    }
    for (; i < S; i++) tail += p[i];
  }
  v128_t a = wasm_f64x2_add(a0, a1);
  return wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(a, 1) + tail;
}

EXPORT(bn_stats)
void bn_stats(const float *x, int N, int C, int S, float *mean, float *var_sum) {
  const double count = (double)N * (double)S;
  for (int c = 0; c < C; c++) {
    const float m = (float)(channel_sum(x, N, C, S, c) / count);
    mean[c] = m;
    const v128_t vm = wasm_f64x2_splat((double)m);
    v128_t a0 = wasm_f64x2_splat(0), a1 = a0;
    double tail = 0;
    for (int n = 0; n < N; n++) {
      const float *p = x + ((size_t)n * C + c) * S;
      int i = 0;
      for (; i + 4 <= S; i += 4) {
        v128_t v = wasm_v128_load(p + i);
        v128_t d0 = wasm_f64x2_sub(promote_lo(v), vm), d1 = wasm_f64x2_sub(promote_hi(v), vm);
        a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(d0, d0));
        a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(d1, d1));
      }
      for (; i < S; i++) {
        const double d = (double)p[i] - (double)m;
        tail += d * d;
      }
    }
    v128_t a = wasm_f64x2_add(a0, a1);
    var_sum[c] = (float)(wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(a, 1) + tail);
  }
}

EXPORT(bn_forward)
void bn_forward(const float *x, const float *alpha, const float *beta, float *out, int N, int C, int S) {
  for (int n = 0; n < N; n++) {
    for (int c = 0; c < C; c++) {
      const size_t base = ((size_t)n * C + c) * S;
      const float *p = x + base;
      float *o = out + base;
      const float a = alpha[c], b = beta[c];
      const v128_t va = wasm_f32x4_splat(a), vb = wasm_f32x4_splat(b);
      int i = 0;
      for (; i + 4 <= S; i += 4) wasm_v128_store(o + i, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(p + i), va), vb));
      for (; i < S; i++) o[i] = p[i] * a + b;
    }
  }
}

/* (g − grad_mean − (x − m)·k)·scale for two lanes, in double */
INLINE v128_t bn_dx2(v128_t g, v128_t x, v128_t m, v128_t k, v128_t gm, v128_t scale) {
  return wasm_f64x2_mul(wasm_f64x2_sub(wasm_f64x2_sub(g, gm), wasm_f64x2_mul(wasm_f64x2_sub(x, m), k)), scale);
}

EXPORT(bn_backward)
void bn_backward(const float *x, const float *gy, const float *mean, const float *invstd, const float *weight,
                 int N, int C, int S, int training, float *gx, float *gw, float *gb) {
  const double count = (double)N * (double)S;
  for (int c = 0; c < C; c++) {
    const double m = mean[c], is = invstd[c];
    const v128_t vm = wasm_f64x2_splat(m);
    v128_t s0 = wasm_f64x2_splat(0), s1 = s0, d0 = s0, d1 = s0;
    double sum = 0, dot = 0;
    for (int n = 0; n < N; n++) {
      const size_t base = ((size_t)n * C + c) * S;
      const float *px = x + base, *pg = gy + base;
      int i = 0;
      for (; i + 4 <= S; i += 4) {
        v128_t g = wasm_v128_load(pg + i), v = wasm_v128_load(px + i);
        v128_t g0 = promote_lo(g), g1 = promote_hi(g);
        s0 = wasm_f64x2_add(s0, g0);
        s1 = wasm_f64x2_add(s1, g1);
        d0 = wasm_f64x2_add(d0, wasm_f64x2_mul(g0, wasm_f64x2_sub(promote_lo(v), vm)));
        d1 = wasm_f64x2_add(d1, wasm_f64x2_mul(g1, wasm_f64x2_sub(promote_hi(v), vm)));
      }
      for (; i < S; i++) {
        sum += pg[i];
        dot += (double)pg[i] * ((double)px[i] - m);
      }
    }
    v128_t s = wasm_f64x2_add(s0, s1), d = wasm_f64x2_add(d0, d1);
    sum += wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
    dot += wasm_f64x2_extract_lane(d, 0) + wasm_f64x2_extract_lane(d, 1);
    if (gw) gw[c] = (float)(dot * is);
    if (gb) gb[c] = (float)sum;
    if (!gx) continue;
    const double scale = is * (double)weight[c];
    const double gmean = training ? sum / count : 0;
    const double k = training ? dot * is * is / count : 0;
    const v128_t vk = wasm_f64x2_splat(k), vgm = wasm_f64x2_splat(gmean), vs = wasm_f64x2_splat(scale);
    for (int n = 0; n < N; n++) {
      const size_t base = ((size_t)n * C + c) * S;
      const float *px = x + base, *pg = gy + base;
      float *o = gx + base;
      int i = 0;
      if (training) {
        for (; i + 4 <= S; i += 4) {
          v128_t g = wasm_v128_load(pg + i), v = wasm_v128_load(px + i);
          v128_t r0 = bn_dx2(promote_lo(g), promote_lo(v), vm, vk, vgm, vs);
          v128_t r1 = bn_dx2(promote_hi(g), promote_hi(v), vm, vk, vgm, vs);
          wasm_v128_store(o + i, demote_pair(r0, r1));
        }
        for (; i < S; i++) o[i] = (float)((((double)pg[i] - gmean) - ((double)px[i] - m) * k) * scale);
      } else {
        for (; i + 4 <= S; i += 4) {
          v128_t g = wasm_v128_load(pg + i);
          wasm_v128_store(o + i, demote_pair(wasm_f64x2_mul(promote_lo(g), vs), wasm_f64x2_mul(promote_hi(g), vs)));
        }
        for (; i < S; i++) o[i] = (float)((double)pg[i] * scale);
      }
    }
  }
}
