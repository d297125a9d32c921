/*
 * smallgemm.c — products with a small dimension, without packing (used by the convolutions).
 *
 * sgemm packs both operands into panels, which pays when every packed element is reused many
 * times. A convolution of few channels (LeNet: 6 or 16 output channels, 25 or 150 taps) reuses
 * them a handful of times only, and packing then costs as much as the arithmetic. These kernels
 * read the operands in place:
 *
 *   gemm_rows(M, N, K, A, sAm, sAk, B, ldb, C, ldc, accumulate)
 *       C[M,N] (= or +=) A[M,K] · B[K,N], A(i,k) at A[i*sAm + k*sAk] (any strides), B(k,j) at
 *       B[k*ldb + j] (rows contiguous), C row stride ldc. 4x8 register tiles: per k, two B vectors
 *       and four broadcast A values (small M or K: conv forward and input gradient).
 *   gemm_dot(M, N, K, A, lda, B, ldb, C, ldc, accumulate)
 *       C[M,N] (= or +=) A[M,K] · B[N,K]^T with both operands' rows contiguous along K: 2x4 tiles
 *       of f32x4 partial dot products over K blocks of 1024 (small M and N, long K: conv weight
 *       gradient).
 *
 * Every output element is a float32 sum whose order depends only on the shape (never on how a
 * caller splits rows or columns across threads).
 */
#include "kernels.h"

/* one 4x8 tile: rows i..i+3, columns j..j+7 */
INLINE void tile4x8(int K, const float *A, int sAm, int sAk, const float *B, int ldb, float *C, int ldc, int acc) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const float *a0 = A, *a1 = A + sAm, *a2 = A + 2 * (ptrdiff_t)sAm, *a3 = A + 3 * (ptrdiff_t)sAm;
  for (int k = 0; k < K; k++) {
    const float *b = B + (ptrdiff_t)k * ldb;
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    ptrdiff_t o = (ptrdiff_t)k * sAk;
    v128_t x0 = wasm_v128_load32_splat(a0 + o), x1 = wasm_v128_load32_splat(a1 + o);
    v128_t x2 = wasm_v128_load32_splat(a2 + o), x3 = wasm_v128_load32_splat(a3 + o);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x0, b0)); c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x0, b1));
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x1, b0)); c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x1, b1));
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x2, b0)); c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x2, b1));
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x3, b0)); c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x3, b1));
  }
#define STORE(r, v0, v1)                                                                         \
  do {                                                                                           \
    float *c = C + (ptrdiff_t)(r) * ldc;                                                          \
    if (acc) { v0 = wasm_f32x4_add(wasm_v128_load(c), v0); v1 = wasm_f32x4_add(wasm_v128_load(c + 4), v1); } \
    wasm_v128_store(c, v0); wasm_v128_store(c + 4, v1);                                           \
  } while (0)
  STORE(0, c00, c01); STORE(1, c10, c11); STORE(2, c20, c21); STORE(3, c30, c31);
#undef STORE
}

/* one row by up to 8 columns (scalar-safe edges): columns j..j+nc-1 of row i */
static void row_edge(int K, const float *A, int sAk, const float *B, int ldb, float *C, int nc, int acc) {
  if (nc == 8 || nc == 4) {
    v128_t c0 = wasm_f32x4_splat(0.0f), c1 = c0;
    for (int k = 0; k < K; k++) {
      const float *b = B + (ptrdiff_t)k * ldb;
      v128_t x = wasm_v128_load32_splat(A + (ptrdiff_t)k * sAk);
      c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(x, wasm_v128_load(b)));
      if (nc == 8) c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(x, wasm_v128_load(b + 4)));
    }
    if (acc) c0 = wasm_f32x4_add(wasm_v128_load(C), c0);
    wasm_v128_store(C, c0);
    if (nc == 8) {
      if (acc) c1 = wasm_f32x4_add(wasm_v128_load(C + 4), c1);
      wasm_v128_store(C + 4, c1);
    }
    return;
  }
  for (int q = 0; q < nc; q++) {
    float s = 0.0f;
    for (int k = 0; k < K; k++) s += A[(ptrdiff_t)k * sAk] * B[(ptrdiff_t)k * ldb + q];
    C[q] = acc ? C[q] + s : s;
  }
}

EXPORT(gemm_rows)
void gemm_rows(int M, int N, int K, const float *A, int sAm, int sAk, const float *B, int ldb,
               float *C, int ldc, int accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++) f32_fill(C + (ptrdiff_t)i * ldc, 0.0f, N);
    return;
  }
  int j = 0;
  for (; j + 8 <= N; j += 8) {
    int i = 0;
    for (; i + 4 <= M; i += 4)
      tile4x8(K, A + (ptrdiff_t)i * sAm, sAm, sAk, B + j, ldb, C + (ptrdiff_t)i * ldc + j, ldc, accumulate);
    for (; i < M; i++) row_edge(K, A + (ptrdiff_t)i * sAm, sAk, B + j, ldb, C + (ptrdiff_t)i * ldc + j, 8, accumulate);
  }
  if (j < N) {
    int rest = N - j;
    for (int i = 0; i < M; i++) {
      int q = 0;
      if (rest >= 4) {
        row_edge(K, A + (ptrdiff_t)i * sAm, sAk, B + j, ldb, C + (ptrdiff_t)i * ldc + j, 4, accumulate);
        q = 4;
      }
      if (q < rest) row_edge(K, A + (ptrdiff_t)i * sAm, sAk, B + j + q, ldb, C + (ptrdiff_t)i * ldc + j + q, rest - q, accumulate);
    }
  }
}

INLINE float hsum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/* dot products of rows a (na of them) with rows b (nb of them) over [k0, k1): out[r][q] */
INLINE void dots(int na, int nb, const float *A, int lda, const float *B, int ldb, int k0, int k1, float out[2][4]) {
  v128_t s[2][4];
  for (int r = 0; r < 2; r++)
    for (int q = 0; q < 4; q++) s[r][q] = wasm_f32x4_splat(0.0f);
  int k = k0;
  for (; k + 4 <= k1; k += 4) {
    v128_t a[2], b[4];
    for (int r = 0; r < na; r++) a[r] = wasm_v128_load(A + (ptrdiff_t)r * lda + k);
    for (int q = 0; q < nb; q++) b[q] = wasm_v128_load(B + (ptrdiff_t)q * ldb + k);
    for (int r = 0; r < na; r++)
      for (int q = 0; q < nb; q++) s[r][q] = wasm_f32x4_add(s[r][q], wasm_f32x4_mul(a[r], b[q]));
  }
  for (int r = 0; r < na; r++)
    for (int q = 0; q < nb; q++) {
      float t = hsum(s[r][q]);
      for (int kk = k; kk < k1; kk++) t += A[(ptrdiff_t)r * lda + kk] * B[(ptrdiff_t)q * ldb + kk];
      out[r][q] = t;
    }
}

#define DOT_BLOCK 1024

EXPORT(gemm_dot)
void gemm_dot(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int accumulate) {
  if (M <= 0 || N <= 0) return;
  if (!accumulate)
    for (int i = 0; i < M; i++) f32_fill(C + (ptrdiff_t)i * ldc, 0.0f, N);
  float out[2][4];
  for (int k0 = 0; k0 < K; k0 += DOT_BLOCK) {
    int k1 = K - k0 < DOT_BLOCK ? K : k0 + DOT_BLOCK;
    for (int i = 0; i < M; i += 2) {
      int na = M - i < 2 ? M - i : 2;
      for (int j = 0; j < N; j += 4) {
        int nb = N - j < 4 ? N - j : 4;
        const float *a = A + (ptrdiff_t)i * lda, *b = B + (ptrdiff_t)j * ldb;
        if (na == 2 && nb == 4) dots(2, 4, a, lda, b, ldb, k0, k1, out);
        else dots(na, nb, a, lda, b, ldb, k0, k1, out);
        for (int r = 0; r < na; r++)
          for (int q = 0; q < nb; q++) C[(ptrdiff_t)(i + r) * ldc + j + q] += out[r][q];
      }
    }
  }
}
