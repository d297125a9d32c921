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

/* Up to this many output channels per group the products skip packing (smallgemm.c): packing
 * pays only when each packed element is reused by many register tiles. */
#define SMALL_OC 16

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

/* col[(c*KH + kh)*KW + kw, oh*OW + ow] = x[c, oh*sh - ph + kh*dh, ow*sw - pw + kw*dw] or 0,
 * rows ld floats apart (ld = OH*OW for one image; larger when several images share a col) */
static void im2col_ld(const float *x, int Cg, const ConvShape *s, float *col, size_t ld) {
  const int H = s->H, W = s->W, OH = s->OH, OW = s->OW;
  for (int c = 0; c < Cg; c++) {
    const float *xc = x + (size_t)c * H * W;
    for (int kh = 0; kh < s->KH; kh++) {
      for (int kw = 0; kw < s->KW; kw++) {
        float *dst = col + ((size_t)(c * s->KH + kh) * s->KW + kw) * ld;
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
            int ow = lo;
            for (; ow + 4 <= hi; ow += 4) wasm_v128_store(d + ow, wasm_v128_load(xr + ow + off));
            for (; ow < hi; ow++) d[ow] = xr[ow + off];
            for (ow = hi; ow < OW; ow++) d[ow] = 0.0f;
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

static void im2col(const float *x, int Cg, const ConvShape *s, float *col) {
  im2col_ld(x, Cg, s, col, (size_t)s->OH * s->OW);
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
          if (s->sw == 1) {
            /* contiguous run: ow in [lo, hi) maps to iw = ow + off in [0, W) */
            int lo = off < 0 ? -off : 0;
            int hi = W - off < OW ? W - off : OW;
            int ow = lo;
            for (; ow + 4 <= hi; ow += 4)
              wasm_v128_store(xr + ow + off, wasm_f32x4_add(wasm_v128_load(xr + ow + off), wasm_v128_load(sr + ow)));
            for (; ow < hi; ow++) xr[ow + off] += sr[ow];
            continue;
          }
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
      if (OCg <= SMALL_OC)
        gemm_rows(OCg, P, R, w + (size_t)g * OCg * R, R, 1, src, P, yn + (size_t)g * OCg * P, P, bias ? 1 : 0);
      else
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
      /* col [R, P] = w[g]^T [R, OCg] · gy [OCg, P] (pointwise: straight into gx[n, g]) */
      float *dst = is_pointwise(&s) ? gxg : col;
      if (OCg <= SMALL_OC) gemm_rows(R, P, OCg, wg, 1, R, gyg, P, dst, P, 0);
      else sgemm(1, R, P, OCg, wg, 0, 1, R, gyg, 0, P, 1, dst, 0, P, 0, work);
      if (is_pointwise(&s)) continue;
      f32_fill(gxg, 0.0f, Cg * H * W);
      col2im_add(col, Cg, &s, gxg);
    }
  }
}

/* The weight gradient batches images: CHUNK images are laid side by side in one col [R, CHUNK*P]
 * and their gradients in one [OCg, CHUNK*P] block, so each chunk is a single sgemm with a long
 * reduction (instead of one small product per image). CHUNK keeps the two blocks within 8 MiB. */
#define BW_BUDGET_FLOATS ((size_t)(8u << 20) / 4)

static int bw_chunk(int N, size_t per_image) {
  size_t c = per_image ? BW_BUDGET_FLOATS / per_image : (size_t)N;
  if (c < 1) c = 1;
  if (c > (size_t)N) c = (size_t)N;
  return (int)c;
}

EXPORT(conv2d_backward_weight_workspace_bytes)
size_t conv2d_backward_weight_workspace_bytes(int N, int C, int KH, int KW, int OH, int OW, int OC, int G) {
  size_t P = (size_t)OH * OW, R = (size_t)(C / G) * KH * KW, per = (R + (size_t)(OC / G)) * P;
  int chunk = bw_chunk(N < 1 ? 1 : N, per);
  return sgemm_workspace_bytes() + (size_t)chunk * per * 4 + 64;
}

EXPORT(conv2d_backward_weight)
void conv2d_backward_weight(const float *x, const float *gy, float *gw, float *gbias, SHAPE_PARAMS,
                            int accumulate, float *work) {
  MAKE_SHAPE;
  const int Cg = C / G, OCg = OC / G, P = OH * OW, R = Cg * KH * KW;
  const int chunk = bw_chunk(N < 1 ? 1 : N, ((size_t)R + OCg) * P);
  float *col = (float *)((char *)work + sgemm_workspace_bytes());
  float *gyb = col + (size_t)chunk * R * P;
  if (!accumulate) {
    f32_fill(gw, 0.0f, OC * R);
    if (gbias) f32_fill(gbias, 0.0f, OC);
  }
  for (int n0 = 0; n0 < N; n0 += chunk) {
    const int nb = N - n0 < chunk ? N - n0 : chunk;
    const size_t ld = (size_t)nb * P;
    for (int g = 0; g < G; g++) {
      for (int j = 0; j < nb; j++) {
        const int n = n0 + j;
        im2col_ld(x + ((size_t)n * C + (size_t)g * Cg) * H * W, Cg, &s, col + (size_t)j * P, ld);
        const float *src = gy + ((size_t)n * OC + (size_t)g * OCg) * P;
        for (int o = 0; o < OCg; o++) {
          const float *a = src + (size_t)o * P;
          float *d = gyb + (size_t)o * ld + (size_t)j * P;
          int q = 0;
          for (; q + 4 <= P; q += 4) wasm_v128_store(d + q, wasm_v128_load(a + q));
          for (; q < P; q++) d[q] = a[q];
        }
      }
      /* gw[g] [OCg, R] += gy block [OCg, nb*P] · col^T [nb*P, R] */
      if (OCg <= SMALL_OC) gemm_dot(OCg, R, (int)ld, gyb, (int)ld, col, (int)ld, gw + (size_t)g * OCg * R, R, 1);
      else sgemm(1, OCg, R, (int)ld, gyb, 0, (int)ld, 1, col, 0, 1, (int)ld, gw + (size_t)g * OCg * R, 0, R, 1, work);
    }
    if (gbias) {
      for (int j = 0; j < nb; j++) {
        const float *gyn = gy + (size_t)(n0 + j) * OC * P;
        for (int o = 0; o < OC; o++) gbias[o] += (float)kernel_sum_f64(gyn + (size_t)o * P, P);
      }
    }
  }
}
