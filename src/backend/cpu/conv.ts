/**
 * CPU 2-D convolution (NCHW, zero padding, stride, dilation, groups) by im2col + matmul, and its
 * two backward kernels. The reference for `Backend.conv2d*`.
 *
 *   out[n, o, i, j] = bias[o] + Σ_{c ∈ group(o), p, q} w[o, c, p, q] · x[n, c, i·sH − padH + p·dH, j·sW − padW + q·dW]
 *
 * Per sample, `im2col` lays the receptive fields out as a [C·kH·kW, oH·oW] matrix (zero where a
 * tap falls in the padding); each group is then one product W_g [OC/G, K] · cols_g [K, oH·oW]
 * with K = C/G·kH·kW, done by the CPU matmul (float64 accumulation). The input gradient is
 * W_gᵀ · gy_g followed by `col2im` (scatter-add back to pixels); the weight gradient is
 * Σ_n gy_g · cols_gᵀ. Intermediate results stay in float64 scratch buffers and are rounded to the
 * output dtype once, so float32 results are at least as accurate as PyTorch's float32 kernels
 * (which accumulate in float32; agreement is to float32 rounding, not bit for bit).
 *
 * Scratch buffers are module-level and grow-only; the element loops allocate nothing. Operands may
 * have any strides: the weight and each sample's output gradient are packed into contiguous
 * float64 panels first (their size is small next to the products).
 */
import type { Conv2dArgs, MatmulArgs, Storage, Strided } from "../backend.js";
import { matmul } from "./matmul.js";

let wPack = new Float64Array(0);
let cols = new Float64Array(0);
let res = new Float64Array(0);
let gyPack = new Float64Array(0);
let acc = new Float64Array(0);

function grow(buf: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Float64Array(Math.max(n, buf.length * 2));
}

/** A float64 storage over a scratch array (what the matmul kernel reads and writes). */
function scratchStorage(data: Float64Array): Storage {
  return { dtype: "float64", size: data.length, data, version: 0 };
}

interface View {
  storage: Storage;
  shape: number[];
  strides: number[];
  offset: number;
}

function view(storage: Storage, rows: number, cols: number, rowStride: number, colStride: number): View {
  return { storage, shape: [1, rows, cols], strides: [0, rowStride, colStride], offset: 0 };
}

/** wPack[o, r] = w[o, c, p, q] with r = (c·kH + p)·kW + q: the weight as a contiguous [OC, K] matrix. */
function packWeight(w: Strided, oc: number, cg: number, kh: number, kw: number): void {
  const k = cg * kh * kw;
  wPack = grow(wPack, oc * k);
  const wd = w.storage.data;
  const [s0, s1, s2, s3] = w.strides as [number, number, number, number];
  let r = 0;
  for (let o = 0; o < oc; o++)
    for (let c = 0; c < cg; c++)
      for (let p = 0; p < kh; p++) {
        let src = w.offset + o * s0 + c * s1 + p * s2;
        for (let q = 0; q < kw; q++, src += s3) wPack[r++] = wd[src]!;
      }
}

/** gyPack[o, l] = gy[n, o, i, j] with l = i·oW + j. */
function packSample(gy: Strided, n: number, a: Conv2dArgs): void {
  const { outChannels: oc, outH: oh, outW: ow } = a;
  gyPack = grow(gyPack, oc * oh * ow);
  const gd = gy.storage.data;
  const [s0, s1, s2, s3] = gy.strides as [number, number, number, number];
  let r = 0;
  for (let o = 0; o < oc; o++)
    for (let i = 0; i < oh; i++) {
      let src = gy.offset + n * s0 + o * s1 + i * s2;
      for (let j = 0; j < ow; j++, src += s3) gyPack[r++] = gd[src]!;
    }
}

/** cols[(c·kH + p)·kW + q, i·oW + j] = x[n, c, i·sH − padH + p·dH, j·sW − padW + q·dW] (0 in the padding). */
function im2col(x: Strided, n: number, a: Conv2dArgs): void {
  const { inChannels: C, inH: H, inW: W, kernelH: KH, kernelW: KW, outH: OH, outW: OW } = a;
  const { strideH, strideW, padH, padW, dilationH, dilationW } = a;
  const L = OH * OW;
  cols = grow(cols, C * KH * KW * L);
  const xd = x.storage.data;
  const [sn, sc, sh, sw] = x.strides as [number, number, number, number];
  let dst = 0;
  for (let c = 0; c < C; c++) {
    const plane = x.offset + n * sn + c * sc;
    for (let p = 0; p < KH; p++) {
      for (let q = 0; q < KW; q++) {
        const colOff = q * dilationW - padW;
        for (let i = 0; i < OH; i++) {
          const ih = i * strideH - padH + p * dilationH;
          if (ih < 0 || ih >= H) {
            cols.fill(0, dst, dst + OW);
            dst += OW;
            continue;
          }
          const rowBase = plane + ih * sh;
          for (let j = 0; j < OW; j++) {
            const iw = j * strideW + colOff;
            cols[dst++] = iw >= 0 && iw < W ? xd[rowBase + iw * sw]! : 0;
          }
        }
      }
    }
  }
}

/** acc[c, ih, iw] += res[(c − c0)·kH·kW + p·kW + q, i·oW + j] for the channels c0 … c0 + cg − 1 of one group. */
function col2im(c0: number, cg: number, a: Conv2dArgs): void {
  const { inH: H, inW: W, kernelH: KH, kernelW: KW, outH: OH, outW: OW } = a;
  const { strideH, strideW, padH, padW, dilationH, dilationW } = a;
  let src = 0;
  for (let c = c0; c < c0 + cg; c++) {
    const plane = c * H * W;
    for (let p = 0; p < KH; p++) {
      for (let q = 0; q < KW; q++) {
        const colOff = q * dilationW - padW;
        for (let i = 0; i < OH; i++) {
          const ih = i * strideH - padH + p * dilationH;
          if (ih < 0 || ih >= H) {
            src += OW;
            continue;
          }
          const rowBase = plane + ih * W;
          for (let j = 0; j < OW; j++, src++) {
            const iw = j * strideW + colOff;
            if (iw >= 0 && iw < W) acc[rowBase + iw]! += res[src]!;
          }
        }
      }
    }
  }
}

function mm(a: View, b: View, out: Storage, m: number, n: number, k: number): void {
  const args: MatmulArgs = { batch: 1, m, n, k };
  matmul(a, b, out, args);
}

export function conv2d(x: Strided, w: Strided, bias: Strided | null, out: Storage, a: Conv2dArgs): void {
  const { batch: N, inChannels: C, outChannels: OC, kernelH: KH, kernelW: KW, outH: OH, outW: OW, groups: G } = a;
  const cg = C / G;
  const mg = OC / G;
  const K = cg * KH * KW;
  const L = OH * OW;
  const o = out.data;
  if (N * OC * L === 0) return;
  packWeight(w, OC, cg, KH, KW);
  res = grow(res, mg * L);
  const resStorage = scratchStorage(res);
  const bd = bias?.storage.data;
  const bOff = bias?.offset ?? 0;
  const bStride = bias?.strides[0] ?? 0;
  const wv = view(scratchStorage(wPack), mg, K, K, 1);
  for (let n = 0; n < N; n++) {
    im2col(x, n, a);
    const cv = view(scratchStorage(cols), K, L, L, 1);
    for (let g = 0; g < G; g++) {
      if (K > 0) {
        wv.offset = g * mg * K;
        cv.offset = g * K * L;
        mm(wv, cv, resStorage, mg, L, K);
      } else res.fill(0, 0, mg * L);
      let dst = (n * OC + g * mg) * L;
      let src = 0;
      for (let i = 0; i < mg; i++) {
        const b = bd === undefined ? 0 : bd[bOff + (g * mg + i) * bStride]!;
        for (let l = 0; l < L; l++) o[dst++] = res[src++]! + b;
      }
    }
  }
}

export function conv2dBackwardInput(gy: Strided, w: Strided, gx: Storage, a: Conv2dArgs): void {
  const { batch: N, inChannels: C, inH: H, inW: W, outChannels: OC, kernelH: KH, kernelW: KW, outH: OH, outW: OW, groups: G } = a;
  const cg = C / G;
  const mg = OC / G;
  const K = cg * KH * KW;
  const L = OH * OW;
  const plane = C * H * W;
  const o = gx.data;
  o.fill(0);
  if (N * plane === 0 || K === 0 || mg * L === 0) return;
  packWeight(w, OC, cg, KH, KW);
  res = grow(res, K * L);
  acc = grow(acc, plane);
  const resStorage = scratchStorage(res);
  // W_gᵀ: [K, mg] read from the packed [OC, K] weight with swapped strides
  const wt = view(scratchStorage(wPack), K, mg, 1, K);
  for (let n = 0; n < N; n++) {
    packSample(gy, n, a);
    const gv = view(scratchStorage(gyPack), mg, L, L, 1);
    acc.fill(0, 0, plane);
    for (let g = 0; g < G; g++) {
      wt.offset = g * mg * K;
      gv.offset = g * mg * L;
      mm(wt, gv, resStorage, K, L, mg);
      col2im(g * cg, cg, a);
    }
    const base = n * plane;
    for (let i = 0; i < plane; i++) o[base + i] = acc[i]!;
  }
}

export function conv2dBackwardWeight(x: Strided, gy: Strided, gw: Storage, gbias: Storage | null, a: Conv2dArgs): void {
  const { batch: N, inChannels: C, outChannels: OC, kernelH: KH, kernelW: KW, outH: OH, outW: OW, groups: G } = a;
  const cg = C / G;
  const mg = OC / G;
  const K = cg * KH * KW;
  const L = OH * OW;
  const total = OC * K;
  acc = grow(acc, total + OC);
  acc.fill(0, 0, total + OC);
  if (N * L > 0) {
    res = grow(res, mg * K);
    const resStorage = scratchStorage(res);
    for (let n = 0; n < N; n++) {
      im2col(x, n, a);
      packSample(gy, n, a);
      if (K > 0) {
        const gv = view(scratchStorage(gyPack), mg, L, L, 1);
        // cols_gᵀ: [L, K] read from cols [K, L] with swapped strides
        const ct = view(scratchStorage(cols), L, K, 1, L);
        for (let g = 0; g < G; g++) {
          gv.offset = g * mg * L;
          ct.offset = g * K * L;
          mm(gv, ct, resStorage, mg, K, L);
          const base = g * mg * K;
          for (let i = 0; i < mg * K; i++) acc[base + i]! += res[i]!;
        }
      }
      if (gbias !== null) {
        let src = 0;
        for (let oc = 0; oc < OC; oc++) {
          let s = 0;
          for (let l = 0; l < L; l++) s += gyPack[src++]!;
          acc[total + oc]! += s;
        }
      }
    }
  }
  const wd = gw.data;
  for (let i = 0; i < total; i++) wd[i] = acc[i]!;
  if (gbias !== null) {
    const bd = gbias.data;
    for (let i = 0; i < OC; i++) bd[i] = acc[total + i]!;
  }
}
