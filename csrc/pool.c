/*
 * pool.c — 2-D max and average pooling over [NC, H, W] planes (NC = batch × channels), with
 * PyTorch 1.13 CPU semantics; the caller computes OH/OW (which encodes ceil_mode).
 *
 *   maxpool2d_forward(x, y, idx, NC, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)
 *       y = max over the (dilated, implicitly -inf padded) window; idx = ih*W + iw of the first
 *       max in scan order, a NaN wins (as in PyTorch: `val > max || isnan(val)`).
 *   maxpool2d_backward(gy, idx, gx, NC, H, W, OH, OW)       gx = 0; gx[idx] += gy
 *   avgpool2d_forward(x, y, NC, H, W, OH, OW, KH, KW, sh, sw, ph, pw, count_include_pad, divisor)
 *       y = (float sum of the window, in scan order) / divide_factor, where divide_factor is
 *       divisor if > 0, else the window size clipped to the padded input (count_include_pad) or
 *       to the input. Matches PyTorch bit for bit.
 *   avgpool2d_backward(gy, gx, same shape arguments)        gx = 0; gx[window] += gy / factor
 */
#include "kernels.h"

/* 2x2 windows, stride 2, no padding, no dilation: four output columns per step in f32x4 lanes,
 * with the scalar rule (scan order a, b, c, d; replace when v > best or v is NaN) as selects. */
static void maxpool_2x2s2(const float *xp, float *yp, int *ip, int W, int OH, int OW) {
  const v128_t step = wasm_i32x4_make(0, 2, 4, 6);
  for (int oh = 0; oh < OH; oh++) {
    const float *r0 = xp + (size_t)(2 * oh) * W, *r1 = r0 + W;
    float *yr = yp + (size_t)oh * OW;
    int *ir = ip + (size_t)oh * OW;
    int ow = 0;
    for (; ow + 4 <= OW; ow += 4) {
      v128_t u0 = wasm_v128_load(r0 + 2 * ow), u1 = wasm_v128_load(r0 + 2 * ow + 4);
      v128_t w0 = wasm_v128_load(r1 + 2 * ow), w1 = wasm_v128_load(r1 + 2 * ow + 4);
      v128_t a = wasm_i32x4_shuffle(u0, u1, 0, 2, 4, 6), b = wasm_i32x4_shuffle(u0, u1, 1, 3, 5, 7);
      v128_t c = wasm_i32x4_shuffle(w0, w1, 0, 2, 4, 6), d = wasm_i32x4_shuffle(w0, w1, 1, 3, 5, 7);
      v128_t ia = wasm_i32x4_add(wasm_i32x4_splat(2 * oh * W + 2 * ow), step);
      v128_t best = a, idx = ia, m;
      m = wasm_v128_or(wasm_f32x4_gt(b, best), wasm_f32x4_ne(b, b));
      best = wasm_v128_bitselect(b, best, m);
      idx = wasm_v128_bitselect(wasm_i32x4_add(ia, wasm_i32x4_splat(1)), idx, m);
      m = wasm_v128_or(wasm_f32x4_gt(c, best), wasm_f32x4_ne(c, c));
      best = wasm_v128_bitselect(c, best, m);
      idx = wasm_v128_bitselect(wasm_i32x4_add(ia, wasm_i32x4_splat(W)), idx, m);
      m = wasm_v128_or(wasm_f32x4_gt(d, best), wasm_f32x4_ne(d, d));
      best = wasm_v128_bitselect(d, best, m);
      idx = wasm_v128_bitselect(wasm_i32x4_add(ia, wasm_i32x4_splat(W + 1)), idx, m);
      wasm_v128_store(yr + ow, best);
      wasm_v128_store(ir + ow, idx);
    }
    for (; ow < OW; ow++) {
      int k0 = 2 * oh * W + 2 * ow;
      const int ks[4] = {k0, k0 + 1, k0 + W, k0 + W + 1};
      float best = xp[k0];
      int bi = k0;
      for (int q = 1; q < 4; q++) {
        float v = xp[ks[q]];
        int take = (v > best) | (v != v);
        best = take ? v : best;
        bi = take ? ks[q] : bi;
      }
      yr[ow] = best;
      ir[ow] = bi;
    }
  }
}

EXPORT(maxpool2d_forward)
void maxpool2d_forward(const float *x, float *y, int *idx, int NC, int H, int W, int OH, int OW,
                       int KH, int KW, int sh, int sw, int ph, int pw, int dh, int dw) {
  /* the fast path needs every window inside the input: 2*OH <= H and 2*OW <= W */
  const int fast2 = KH == 2 && KW == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 &&
                    2 * OH <= H && 2 * OW <= W;
  for (int c = 0; c < NC; c++) {
    const float *xp = x + (size_t)c * H * W;
    float *yp = y + (size_t)c * OH * OW;
    int *ip = idx + (size_t)c * OH * OW;
    if (fast2) {
      maxpool_2x2s2(xp, yp, ip, W, OH, OW);
      continue;
    }
    for (int oh = 0; oh < OH; oh++) {
      for (int ow = 0; ow < OW; ow++) {
        int ih0 = oh * sh - ph, iw0 = ow * sw - pw;
        int ih1 = ih0 + (KH - 1) * dh + 1, iw1 = iw0 + (KW - 1) * dw + 1;
        if (ih1 > H) ih1 = H;
        if (iw1 > W) iw1 = W;
        while (ih0 < 0) ih0 += dh;
        while (iw0 < 0) iw0 += dw;
        int best_i = ih0 * W + iw0;
        float best = -__builtin_inff();
        for (int ih = ih0; ih < ih1; ih += dh) {
          for (int iw = iw0; iw < iw1; iw += dw) {
            int k = ih * W + iw;
            float v = xp[k];
            /* branch-free: random data mispredicts a branch here about once per window */
            int take = (v > best) | (v != v);
            best = take ? v : best;
            best_i = take ? k : best_i;
          }
        }
        yp[oh * OW + ow] = best;
        ip[oh * OW + ow] = best_i;
      }
    }
  }
}

EXPORT(maxpool2d_backward)
void maxpool2d_backward(const float *gy, const int *idx, float *gx, int NC, int H, int W, int OH, int OW) {
  f32_fill(gx, 0.0f, NC * H * W);
  for (int c = 0; c < NC; c++) {
    const float *g = gy + (size_t)c * OH * OW;
    const int *ip = idx + (size_t)c * OH * OW;
    float *gp = gx + (size_t)c * H * W;
    for (int k = 0; k < OH * OW; k++) {
      int i = ip[k];
      if (i >= 0 && i < H * W) gp[i] += g[k];
    }
  }
}

/* window of output (oh, ow): clipped bounds and divide factor, as PyTorch's cpu_avg_pool */
typedef struct { int ih0, ih1, iw0, iw1, factor; } Window;

static inline Window avg_window(int oh, int ow, int H, int W, int KH, int KW, int sh, int sw,
                                int ph, int pw, int count_include_pad, int divisor) {
  Window w;
  int ih0 = oh * sh - ph, iw0 = ow * sw - pw;
  int ih1 = ih0 + KH < H + ph ? ih0 + KH : H + ph;
  int iw1 = iw0 + KW < W + pw ? iw0 + KW : W + pw;
  int pool_size = (ih1 - ih0) * (iw1 - iw0);
  if (ih0 < 0) ih0 = 0;
  if (iw0 < 0) iw0 = 0;
  if (ih1 > H) ih1 = H;
  if (iw1 > W) iw1 = W;
  w.ih0 = ih0; w.ih1 = ih1; w.iw0 = iw0; w.iw1 = iw1;
  w.factor = divisor > 0 ? divisor : count_include_pad ? pool_size : (ih1 - ih0) * (iw1 - iw0);
  return w;
}

EXPORT(avgpool2d_forward)
void avgpool2d_forward(const float *x, float *y, int NC, int H, int W, int OH, int OW, int KH, int KW,
                       int sh, int sw, int ph, int pw, int count_include_pad, int divisor) {
  for (int c = 0; c < NC; c++) {
    const float *xp = x + (size_t)c * H * W;
    float *yp = y + (size_t)c * OH * OW;
    for (int oh = 0; oh < OH; oh++) {
      for (int ow = 0; ow < OW; ow++) {
        Window w = avg_window(oh, ow, H, W, KH, KW, sh, sw, ph, pw, count_include_pad, divisor);
        if (w.ih0 >= w.ih1 || w.iw0 >= w.iw1) {
          yp[oh * OW + ow] = 0.0f;
          continue;
        }
        float sum = 0.0f;
        for (int ih = w.ih0; ih < w.ih1; ih++)
          for (int iw = w.iw0; iw < w.iw1; iw++) sum += xp[ih * W + iw];
        /* PyTorch: out = 0; out += sum / factor  (so -0 becomes +0) */
        yp[oh * OW + ow] = 0.0f + sum / (float)w.factor;
      }
    }
  }
}

EXPORT(avgpool2d_backward)
void avgpool2d_backward(const float *gy, float *gx, int NC, int H, int W, int OH, int OW, int KH, int KW,
                        int sh, int sw, int ph, int pw, int count_include_pad, int divisor) {
  f32_fill(gx, 0.0f, NC * H * W);
  for (int c = 0; c < NC; c++) {
    const float *g = gy + (size_t)c * OH * OW;
    float *gp = gx + (size_t)c * H * W;
    for (int oh = 0; oh < OH; oh++) {
      for (int ow = 0; ow < OW; ow++) {
        Window w = avg_window(oh, ow, H, W, KH, KW, sh, sw, ph, pw, count_include_pad, divisor);
        float delta = g[oh * OW + ow] / (float)w.factor;
        for (int ih = w.ih0; ih < w.ih1; ih++)
          for (int iw = w.iw0; iw < w.iw1; iw++) gp[ih * W + iw] += delta;
      }
    }
  }
}
