/*
 * conv.c — 2-D convolution (NCHW, PyTorch conv2d semantics: stride, zero padding, dilation,
 * groups) by im2col + sgemm, and its two backward passes.
 *
 *   x  [N, C, H, W]          input
 *   w  [OC, C/G, KH, KW]     weight
 *   y  [N, OC, OH, OW]       output, OH = (H + 2*ph - dh*(KH-1) - 1) / sh + 1 (same for OW)
 *
 *   conv2d_forward(x, w, bias, y, ...)            y = conv(x, w) + bias     (bias may be 0)
 *   conv2d_backward_input(gy, w, gx, ...)         gx = conv_transpose(gy, w) (overwrites gx)
 *   conv2d_backward_weight(x, gy, gw, gbias, ...) gw (=|+=) sum_n gy[n] · im2col(x[n])^T,
 *                                                 gbias (=|+=) sum over n, oh, ow of gy (may be 0)
 *
 * Per image and group: col = im2col(x[n, g]) is a [C/G*KH*KW, OH*OW] matrix in the workspace,
 * the forward is y[n, g] = w[g] · col, the input gradient is col2im(w[g]^T · gy[n, g]) and the
 * weight gradient accumulates gy[n, g] · col^T (transposes are strides, no copies). A 1×1
 * convolution with stride 1 and no padding uses x directly as col.
 *
 * Workspace: conv2d_workspace_bytes(C, KH, KW, OH, OW, G) bytes (sgemm workspace + one col).
 */
#include "kernels.h"

typedef struct {
  int N, C, H, W, OC, KH, KW, sh, sw, ph, pw, dh, dw, G, OH, OW;
} ConvShape;

EXPORT(conv2d_workspace_bytes)
size_t conv2d_workspace_bytes(int C, int KH, int KW, int OH, int OW, int G) {
  size_t rows = (size_t)(C / G) * KH * KW;
  return sgemm_workspace_bytes() + rows * (size_t)OH * OW * 4 + 64;
}

static int is_pointwise(const ConvShape *s) {
  return s->KH == 1 && s->KW == 1 && s->sh == 1 && s->sw == 1 && s->ph == 0 && s->pw == 0;
}

/* col[(c*KH + kh)*KW + kw, oh*OW + ow] = x[c, oh*sh - ph + kh*dh, ow*sw - pw + kw*dw] or 0 */
static void im2col(const float *x, int Cg, const ConvShape *s, float *col) {
  const int H = s->H, W = s->W, OH = s->OH, OW = s->OW;
  for (int c = 0; c < Cg; c++) {
    const float *xc = x + (size_t)c * H * W;
    for (int kh = 0; kh < s->KH; kh++) {
      for (int kw = 0; kw < s->KW; kw++) {
        float *dst = col + ((size_t)(c * s->KH + kh) * s->KW + kw) * OH * OW;
        for (int oh = 0; oh < OH; oh++) {
          int ih = oh * s->sh - s->ph + kh * s->dh;
          float *d = dst + (size_t)oh * OW;
          if (ih < 0 || ih >= H) {
            for (int ow = 0; ow < OW; ow++) d[ow] = 0.0f;
            continue;
          }
          const float *xr = xc + (size_t)ih * W;
          int off = kw * s->dw - s->pw;
          if (s->sw == 1) {
            /* contiguous run: ow in [lo, hi) maps to iw = ow + off in [0, W) */
            int lo = off < 0 ? -off : 0;
            int hi = W - off < OW ? W - off : OW;
            if (lo > OW) lo = OW;
            if (hi < lo) hi = lo;
            for (int ow = 0; ow < lo; ow++) d[ow] = 0.0f;
            for (int ow = lo; ow < hi; ow++) d[ow] = xr[ow + off];
            for (int ow = hi; ow < OW; ow++) d[ow] = 0.0f;
          } else {
            for (int ow = 0; ow < OW; ow++) {
              int iw = ow * s->sw + off;
              d[ow] = (iw >= 0 && iw < W) ? xr[iw] : 0.0f;
            }
          }
        }
      }
    }
  }
}

/* x[c, ih, iw] += col[...] for every position im2col would have read */
static void col2im_add(const float *col, int Cg, const ConvShape *s, float *x) {
  const int H = s->H, W = s->W, OH = s->OH, OW = s->OW;
  for (int c = 0; c < Cg; c++) {
    float *xc = x + (size_t)c * H * W;
    for (int kh = 0; kh < s->KH; kh++) {
      for (int kw = 0; kw < s->KW; kw++) {
        const float *src = col + ((size_t)(c * s->KH + kh) * s->KW + kw) * OH * OW;
        for (int oh = 0; oh < OH; oh++) {
          int ih = oh * s->sh - s->ph + kh * s->dh;
          if (ih < 0 || ih >= H) continue;
          float *xr = xc + (size_t)ih * W;
          const float *sr = src + (size_t)oh * OW;
          int off = kw * s->dw - s->pw;
          for (int ow = 0; ow < OW; ow++) {
            int iw = ow * s->sw + off;
            if (iw >= 0 && iw < W) xr[iw] += sr[ow];
          }
        }
      }
    }
  }
}

#define SHAPE_PARAMS int N, int C, int H, int W, int OC, int KH, int KW, int sh, int sw, \
                     int ph, int pw, int dh, int dw, int G, int OH, int OW
#define MAKE_SHAPE ConvShape s = {N, C, H, W, OC, KH, KW, sh, sw, ph, pw, dh, dw, G, OH, OW}

EXPORT(conv2d_forward)
void conv2d_forward(const float *x, const float *w, const float *bias, float *y, SHAPE_PARAMS, float *work) {
  MAKE_SHAPE;
  const int Cg = C / G, OCg = OC / G, P = OH * OW, R = Cg * KH * KW;
  float *col = (float *)((char *)work + sgemm_workspace_bytes());
  for (int n = 0; n < N; n++) {
    float *yn = y + (size_t)n * OC * P;
    if (bias) {
      for (int o = 0; o < OC; o++) f32_fill(yn + (size_t)o * P, bias[o], P);
    }
    for (int g = 0; g < G; g++) {
      const float *xg = x + ((size_t)n * C + (size_t)g * Cg) * H * W;
      const float *src = xg;
      if (!is_pointwise(&s)) {
        im2col(xg, Cg, &s, col);
        src = col;
      }
      /* y[n, g] [OCg, P] = w[g] [OCg, R] · col [R, P] */
      sgemm(1, OCg, P, R, w + (size_t)g * OCg * R, 0, R, 1, src, 0, P, 1,
            yn + (size_t)g * OCg * P, 0, P, bias ? 1 : 0, work);
    }
  }
}

EXPORT(conv2d_backward_input)
void conv2d_backward_input(const float *gy, const float *w, float *gx, SHAPE_PARAMS, float *work) {
  MAKE_SHAPE;
  const int Cg = C / G, OCg = OC / G, P = OH * OW, R = Cg * KH * KW;
  float *col = (float *)((char *)work + sgemm_workspace_bytes());
  for (int n = 0; n < N; n++) {
    for (int g = 0; g < G; g++) {
      float *gxg = gx + ((size_t)n * C + (size_t)g * Cg) * H * W;
      const float *gyg = gy + ((size_t)n * OC + (size_t)g * OCg) * P;
      const float *wg = w + (size_t)g * OCg * R;
      if (is_pointwise(&s)) {
        /* gx[n, g] [Cg, P] = w[g]^T [Cg, OCg] · gy [OCg, P] */
        sgemm(1, R, P, OCg, wg, 0, 1, R, gyg, 0, P, 1, gxg, 0, P, 0, work);
        continue;
      }
      sgemm(1, R, P, OCg, wg, 0, 1, R, gyg, 0, P, 1, col, 0, P, 0, work);
      f32_fill(gxg, 0.0f, Cg * H * W);
      col2im_add(col, Cg, &s, gxg);
    }
  }
}

EXPORT(conv2d_backward_weight)
void conv2d_backward_weight(const float *x, const float *gy, float *gw, float *gbias, SHAPE_PARAMS,
                            int accumulate, float *work) {
  MAKE_SHAPE;
  const int Cg = C / G, OCg = OC / G, P = OH * OW, R = Cg * KH * KW;
  float *col = (float *)((char *)work + sgemm_workspace_bytes());
  if (!accumulate) {
    f32_fill(gw, 0.0f, OC * R);
    if (gbias) f32_fill(gbias, 0.0f, OC);
  }
  for (int n = 0; n < N; n++) {
    for (int g = 0; g < G; g++) {
      const float *xg = x + ((size_t)n * C + (size_t)g * Cg) * H * W;
      const float *gyg = gy + ((size_t)n * OC + (size_t)g * OCg) * P;
      const float *src = xg;
      if (!is_pointwise(&s)) {
        im2col(xg, Cg, &s, col);
        src = col;
      }
      /* gw[g] [OCg, R] += gy[n, g] [OCg, P] · col^T [P, R] */
      sgemm(1, OCg, R, P, gyg, 0, P, 1, src, 0, 1, P, gw + (size_t)g * OCg * R, 0, R, 1, work);
    }
    if (gbias) {
      const float *gyn = gy + (size_t)n * OC * P;
      for (int o = 0; o < OC; o++) gbias[o] += (float)kernel_sum_f64(gyn + (size_t)o * P, P);
    }
  }
}
