/**
 * CPU matrix multiply: cache-blocked, packed, 4×4 register-tiled, accumulating in float64.
 *
 * out[b] = A[b] · B[b] with A [batch, m, k] and B [batch, k, n] given by any strides (so
 * transposed operands cost nothing extra: the packing step reads them in place). Blocks of B
 * (KC × NC) and A (MC × KC) are packed into float64 panels of 4 columns / 4 rows, zero-padded
 * to a multiple of 4, so the micro-kernel always runs a full 4×4 tile with 16 accumulators in
 * local variables. Scratch panels are allocated once per call size and reused; the inner loops
 * allocate nothing.
 */
import type { MatmulArgs, Storage, Strided } from "../backend.js";

const KC = 256;
const NC = 256;
const MC = 64;

const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);
const edgeTile = new Float64Array(16);
let acc = new Float64Array(0);

export function matmul(a: Strided, b: Strided, out: Storage, { batch, m, n, k }: MatmulArgs): void {
  const o = out.data;
  const mn = m * n;
  if (mn === 0 || batch === 0) return;
  if (acc.length < mn) acc = new Float64Array(mn);
  const ad = a.storage.data;
  const bd = b.storage.data;
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  for (let bi = 0; bi < batch; bi++) {
    acc.fill(0, 0, mn);
    const aBase = a.offset + bi * sab;
    const bBase = b.offset + bi * sbb;
    for (let kk = 0; kk < k; kk += KC) {
      const kc = Math.min(KC, k - kk);
      for (let jj = 0; jj < n; jj += NC) {
        const nc = Math.min(NC, n - jj);
        const ncPad = (nc + 3) & ~3;
        // pack B[kk:kk+kc, jj:jj+nc] as panels of 4 columns: panel q holds (p, c) at q*kc*4 + p*4 + c
        for (let q = 0; q < ncPad; q += 4) {
          const dst = q * kc;
          for (let c = 0; c < 4; c++) {
            const j = q + c;
            if (j < nc) {
              let src = bBase + kk * sbk + (jj + j) * sbn;
              for (let p = 0; p < kc; p++, src += sbk) packB[dst + p * 4 + c] = bd[src]!;
            } else {
              for (let p = 0; p < kc; p++) packB[dst + p * 4 + c] = 0;
            }
          }
        }
        for (let ii = 0; ii < m; ii += MC) {
          const mc = Math.min(MC, m - ii);
          const mcPad = (mc + 3) & ~3;
          // pack A[ii:ii+mc, kk:kk+kc] as panels of 4 rows: panel r holds (p, row) at r*kc*4 + p*4 + row
          for (let r = 0; r < mcPad; r += 4) {
            const dst = r * kc;
            for (let row = 0; row < 4; row++) {
              const i = r + row;
              if (i < mc) {
                let src = aBase + (ii + i) * sam + kk * sak;
                for (let p = 0; p < kc; p++, src += sak) packA[dst + p * 4 + row] = ad[src]!;
              } else {
                for (let p = 0; p < kc; p++) packA[dst + p * 4 + row] = 0;
              }
            }
          }
          microLoop(mc, nc, kc, ii, jj, n);
        }
      }
    }
    const oBase = bi * mn;
    for (let i = 0; i < mn; i++) o[oBase + i] = acc[i]!;
  }
}

/** Run the 4×4 micro-kernel over the packed panels and add into acc[ii.., jj..]. */
function microLoop(mc: number, nc: number, kc: number, ii: number, jj: number, n: number): void {
  const A = packA;
  const B = packB;
  const C = acc;
  for (let r = 0; r < mc; r += 4) {
    const aPanel = r * kc;
    const rows = Math.min(4, mc - r);
    for (let q = 0; q < nc; q += 4) {
      const bPanel = q * kc;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      // Index arithmetic written as int32 (`| 0`): V8 then drops its overflow checks on the
      // eight index additions per step (+10% GFLOP/s on bench/matmul_cpu.ts, same results).
      const end = (aPanel + 4 * kc) | 0;
      for (let pa = aPanel | 0, pb = bPanel | 0; pa < end; pa = (pa + 4) | 0, pb = (pb + 4) | 0) {
        const a0 = A[pa]!, a1 = A[(pa + 1) | 0]!, a2 = A[(pa + 2) | 0]!, a3 = A[(pa + 3) | 0]!;
        const b0 = B[pb]!, b1 = B[(pb + 1) | 0]!, b2 = B[(pb + 2) | 0]!, b3 = B[(pb + 3) | 0]!;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      const cols = Math.min(4, nc - q);
      let o = (ii + r) * n + jj + q;
      if (rows === 4 && cols === 4) {
        C[o] += c00; C[o + 1] += c01; C[o + 2] += c02; C[o + 3] += c03; o += n;
        C[o] += c10; C[o + 1] += c11; C[o + 2] += c12; C[o + 3] += c13; o += n;
        C[o] += c20; C[o + 1] += c21; C[o + 2] += c22; C[o + 3] += c23; o += n;
        C[o] += c30; C[o + 1] += c31; C[o + 2] += c32; C[o + 3] += c33;
      } else {
        const tile = edgeTile;
        tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
        tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
        tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
        tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
        for (let i = 0; i < rows; i++, o += n) for (let j = 0; j < cols; j++) C[o + j] += tile[i * 4 + j]!;
      }
    }
  }
}
