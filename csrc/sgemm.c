/*
 * sgemm.c — batched single-precision matrix multiply with arbitrary operand strides.
 *
 *   for b in [0, batch):  C[b] (= or +=) A[b] · B[b]
 *
 * A[b] is M×K with element (i, k) at A + b*sAb + i*sAm + k*sAk,
 * B[b] is K×N with element (k, j) at B + b*sBb + k*sBk + j*sBn,
 * C[b] is M×N with element (i, j) at C + b*sCb + i*ldc + j.
 * Strides are in elements; a transposed operand is just swapped strides, a broadcast
 * operand has batch stride 0. accumulate = 0 overwrites C, 1 adds to it.
 *
 * Structure (GotoBLAS / BLIS): loop over NC-wide column blocks of B and KC-deep slices of K,
 * pack the KC×NC block of B into NR-wide panels, then loop over MC-tall row blocks of A,
 * pack them into MR-tall panels, and run an MR×NR register-blocked f32x4 micro-kernel over
 * every (MR panel, NR panel) pair. Packing zero-pads the ragged edges, so the micro-kernel
 * always runs full tiles; edge tiles are written through a small buffer in the workspace.
 *
 * The micro-kernel keeps 4×8 accumulators (8 f32x4 registers) + 2 B vectors + 1 broadcast A in
 * registers. Each k step: 2 loads of B, 4 splat loads of A, 8 mul + 8 add (wasm SIMD has no FMA).
 * The micro-kernel uses no shadow stack; the workspace (sgemm_workspace_bytes()) holds the packed
 * panels and the edge tile.
 */
#include "kernels.h"

/* Register and cache blocking, tuned on AMD Zen 5 / V8 (Node 20): 4×8 beats 6×8, 8×8, 4×12,
 * 4×16 (and k-unrolled variants) by ~1.5×, since larger tiles make V8 spill accumulators. */
#ifndef MR
#define MR 4
#endif
#ifndef NR
#define NR 8
#endif
#ifndef KC
#define KC 256
#endif
#ifndef MC
#define MC 128
#endif
#ifndef NC
#define NC 2048
#endif

/* workspace layout: [packed A: MC*KC][packed B: KC*NC][edge tile: MR*NR] floats */
#define WS_A 0
#define WS_B (MC * KC)
#define WS_T (MC * KC + KC * NC)
#define WS_FLOATS (MC * KC + KC * NC + MR * NR)

EXPORT(sgemm_workspace_bytes) size_t sgemm_workspace_bytes(void) { return (size_t)WS_FLOATS * 4; }

/* Pack rows [i0, i0+mr) × k [p0, p0+kc) of A into one MR panel: dst[k*MR + r]. */
static void pack_a_panel(const float *A, int sAm, int sAk, int mr, int kc, float *dst) {
  if (sAm == 1) {
    for (int k = 0; k < kc; k++) {
      const float *src = A + (size_t)k * sAk;
      int r = 0;
      for (; r < mr; r++) dst[r] = src[r];
      for (; r < MR; r++) dst[r] = 0.0f;
      dst += MR;
    }
    return;
  }
  if (mr == MR) {
    for (int r = 0; r < MR; r++) {
      const float *src = A + (size_t)r * sAm;
      float *d = dst + r;
      for (int k = 0; k < kc; k++) d[k * MR] = src[(size_t)k * sAk];
    }
    return;
  }
  for (int k = 0; k < kc; k++) {
    int r = 0;
    for (; r < mr; r++) dst[r] = A[(size_t)r * sAm + (size_t)k * sAk];
    for (; r < MR; r++) dst[r] = 0.0f;
    dst += MR;
  }
}

/* Pack k [p0, p0+kc) × columns [j0, j0+nr) of B into one NR panel: dst[k*NR + c]. */
static void pack_b_panel(const float *B, int sBk, int sBn, int nr, int kc, float *dst) {
  if (sBn == 1 && nr == NR) {
    for (int k = 0; k < kc; k++) {
      const float *src = B + (size_t)k * sBk;
      for (int c = 0; c < NR; c += 4) wasm_v128_store(dst + c, wasm_v128_load(src + c));
      dst += NR;
    }
    return;
  }
  if (nr == NR) {
    for (int c = 0; c < NR; c++) {
      const float *src = B + (size_t)c * sBn;
      float *d = dst + c;
      for (int k = 0; k < kc; k++) d[k * NR] = src[(size_t)k * sBk];
    }
    return;
  }
  for (int k = 0; k < kc; k++) {
    int c = 0;
    for (; c < nr; c++) dst[c] = B[(size_t)k * sBk + (size_t)c * sBn];
    for (; c < NR; c++) dst[c] = 0.0f;
    dst += NR;
  }
}

/* MR×NR micro-kernel over kc steps of packed panels; C tile (row stride ldc) = or += result.
 * The fixed-size loops are fully unrolled by clang and the accumulators live in registers. */
static void micro_kernel(int kc, const float *restrict a, const float *restrict b,
                         float *restrict c, int ldc, int load_c) {
  v128_t acc[MR][NR / 4];
  for (int r = 0; r < MR; r++)
    for (int q = 0; q < NR / 4; q++) acc[r][q] = wasm_f32x4_splat(0.0f);
  for (int k = 0; k < kc; k++) {
    v128_t bv[NR / 4];
    for (int q = 0; q < NR / 4; q++) bv[q] = wasm_v128_load(b + 4 * q);
    for (int r = 0; r < MR; r++) {
      v128_t av = wasm_v128_load32_splat(a + r);
      for (int q = 0; q < NR / 4; q++) acc[r][q] = wasm_f32x4_add(acc[r][q], wasm_f32x4_mul(av, bv[q]));
    }
    a += MR;
    b += NR;
  }
  for (int r = 0; r < MR; r++)
    for (int q = 0; q < NR / 4; q++) {
      v128_t v = acc[r][q];
      if (load_c) v = wasm_f32x4_add(wasm_v128_load(c + r * ldc + 4 * q), v);
      wasm_v128_store(c + r * ldc + 4 * q, v);
    }
}

static void macro_kernel(int mc, int nc, int kc, const float *pa, const float *pb,
                         float *C, int ldc, int load_c, float *tile) {
  for (int j = 0; j < nc; j += NR) {
    int nr = nc - j < NR ? nc - j : NR;
    const float *bp = pb + (size_t)j * kc;
    for (int i = 0; i < mc; i += MR) {
      int mr = mc - i < MR ? mc - i : MR;
      const float *ap = pa + (size_t)i * kc;
      float *c = C + (size_t)i * ldc + j;
      if (mr == MR && nr == NR) {
        micro_kernel(kc, ap, bp, c, ldc, load_c);
      } else {
        micro_kernel(kc, ap, bp, tile, NR, 0);
        for (int r = 0; r < mr; r++)
          for (int q = 0; q < nr; q++)
            c[(size_t)r * ldc + q] = load_c ? c[(size_t)r * ldc + q] + tile[r * NR + q] : tile[r * NR + q];
      }
    }
  }
}

EXPORT(sgemm)
void sgemm(int batch, int M, int N, int K,
           const float *A, int sAb, int sAm, int sAk,
           const float *B, int sBb, int sBk, int sBn,
           float *C, int sCb, int ldc, int accumulate, float *work) {
  if (batch <= 0 || M <= 0 || N <= 0) return;
  float *pa = work + WS_A, *pb = work + WS_B, *tile = work + WS_T;
  for (int b = 0; b < batch; b++) {
    const float *Ab = A + (ptrdiff_t)b * sAb;
    const float *Bb = B + (ptrdiff_t)b * sBb;
    float *Cb = C + (ptrdiff_t)b * sCb;
    if (K <= 0) {
      if (!accumulate)
        for (int i = 0; i < M; i++)
          for (int j = 0; j < N; j++) Cb[(size_t)i * ldc + j] = 0.0f;
      continue;
    }
    /* K in equal blocks of at most KC (784 = 3 x 262, not 3 x 256 + 16: a short last block
     * costs a full load and store of every C tile for a few steps) */
    const int kblocks = (K + KC - 1) / KC, kstep = (K + kblocks - 1) / kblocks;
    for (int jc = 0; jc < N; jc += NC) {
      int nc = N - jc < NC ? N - jc : NC;
      for (int pc = 0; pc < K; pc += kstep) {
        int kc = K - pc < kstep ? K - pc : kstep;
        int load_c = accumulate || pc > 0;
        for (int j = 0; j < nc; j += NR) {
          int nr = nc - j < NR ? nc - j : NR;
          pack_b_panel(Bb + (ptrdiff_t)pc * sBk + (ptrdiff_t)(jc + j) * sBn, sBk, sBn, nr, kc, pb + (size_t)j * kc);
        }
        for (int ic = 0; ic < M; ic += MC) {
          int mc = M - ic < MC ? M - ic : MC;
          for (int i = 0; i < mc; i += MR) {
            int mr = mc - i < MR ? mc - i : MR;
            pack_a_panel(Ab + (ptrdiff_t)(ic + i) * sAm + (ptrdiff_t)pc * sAk, sAm, sAk, mr, kc, pa + (size_t)i * kc);
          }
          macro_kernel(mc, nc, kc, pa, pb, Cb + (size_t)ic * ldc + jc, ldc, load_c, tile);
        }
      }
    }
  }
}

/*
 * Fused linear layer: Y[M,N] = X[M,K] · W^T + bias, with W stored [N,K] (PyTorch nn.Linear layout)
 * when w_transposed = 1, or W stored [K,N] when w_transposed = 0. bias may be null (0).
 * Y rows are first filled with bias, then the product is accumulated on top.
 */
EXPORT(linear_forward)
void linear_forward(const float *X, const float *W, const float *bias, float *Y,
                    int M, int N, int K, int w_transposed, float *work) {
  if (M <= 0 || N <= 0) return;
  if (bias) {
    for (int i = 0; i < M; i++) {
      float *y = Y + (size_t)i * N;
      int j = 0;
      for (; j + 4 <= N; j += 4) wasm_v128_store(y + j, wasm_v128_load(bias + j));
      for (; j < N; j++) y[j] = bias[j];
    }
  }
  sgemm(1, M, N, K, X, 0, K, 1, W, 0, w_transposed ? 1 : N, w_transposed ? K : 1,
        Y, 0, N, bias ? 1 : 0, work);
}
