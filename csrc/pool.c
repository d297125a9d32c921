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

EXPORT(maxpool2d_forward)
void maxpool2d_forward(const float *x, float *y, int *idx, int NC, int H, int W, int OH, int OW,
                       int KH, int KW, int sh, int sw, int ph, int pw, int dh, int dw) {
  for (int c = 0; c < NC; c++) {
    const float *xp = x + (size_t)c * H * W;
    float *yp = y + (size_t)c * OH * OW;
    int *ip = idx + (size_t)c * OH * OW;
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
            if (v > best || v != v) {
              best = v;
              best_i = k;
            }
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
