/**
 * CPU 2-D max and average pooling (NCHW) and their backward kernels: the reference for
 * `Backend.maxPool2d*` and `Backend.avgPool2d*`, following PyTorch 1.13's CPU kernels
 * (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, AvgPoolKernel.cpp).
 *
 * Max pooling: the window of output (i, j) covers rows i·sH − padH + p·dH (p < kH), clipped to
 * the input; the value is the largest element and the index its flat position ih·W + iw in the
 * plane. PyTorch parity: `v > max || isnan(v)` decides, so the first maximum wins and a NaN
 * always takes over (the last NaN of a window wins); an all −∞ window reports its first in-input
 * position.
 *
 * Average pooling: the window is [i·sH − padH, i·sH − padH + kH) clipped to [−padH, H + padH)
 * (its size is the divisor with countIncludePad), then clipped to the input (the element count,
 * the divisor without countIncludePad); `divisorOverride` replaces either. A window with no
 * input element gives 0. Sums accumulate in float64 and are divided once.
 *
 * Inputs may have any strides; outputs are contiguous and fully written.
 */
import type { AvgPool2dArgs, Pool2dArgs, Storage, Strided } from "../backend.js";

export function maxPool2d(x: Strided, out: Storage, indices: Storage, a: Pool2dArgs): void {
  const { batch: N, channels: C, inH: H, inW: W, outH: OH, outW: OW, kernelH: KH, kernelW: KW } = a;
  const { strideH, strideW, padH, padW, dilationH, dilationW } = a;
  const xd = x.storage.data;
  const od = out.data;
  const id = indices.data;
  const [sn, sc, sh, sw] = x.strides as [number, number, number, number];
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * sn + c * sc;
      for (let i = 0; i < OH; i++) {
        let ih0 = i * strideH - padH;
        const ih1 = Math.min(ih0 + (KH - 1) * dilationH + 1, H);
        while (ih0 < 0) ih0 += dilationH;
        for (let j = 0; j < OW; j++, o++) {
          let iw0 = j * strideW - padW;
          const iw1 = Math.min(iw0 + (KW - 1) * dilationW + 1, W);
          while (iw0 < 0) iw0 += dilationW;
          let maxIndex = ih0 * W + iw0;
          let maxVal = -Infinity;
          for (let ih = ih0; ih < ih1; ih += dilationH) {
            const row = plane + ih * sh;
            for (let iw = iw0; iw < iw1; iw += dilationW) {
              const v = xd[row + iw * sw]!;
              if (v > maxVal || v !== v) {
                maxVal = v;
                maxIndex = ih * W + iw;
              }
            }
          }
          od[o] = maxVal;
          id[o] = maxIndex;
        }
      }
    }
  }
}

export function maxPool2dBackward(gy: Strided, indices: Strided, gx: Storage, a: Pool2dArgs): void {
  const { batch: N, channels: C, inH: H, inW: W, outH: OH, outW: OW } = a;
  const gd = gy.storage.data;
  const idd = indices.storage.data;
  const xd = gx.data;
  xd.fill(0);
  const [gn, gc, gh, gw] = gy.strides as [number, number, number, number];
  const [jn, jc, jh, jw] = indices.strides as [number, number, number, number];
  const planeSize = H * W;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * planeSize;
      for (let i = 0; i < OH; i++) {
        let g = gy.offset + n * gn + c * gc + i * gh;
        let k = indices.offset + n * jn + c * jc + i * jh;
        for (let j = 0; j < OW; j++, g += gw, k += jw) xd[base + idd[k]!]! += gd[g]!;
      }
    }
  }
}

export function avgPool2d(x: Strided, out: Storage, a: AvgPool2dArgs): void {
  const { batch: N, channels: C, inH: H, inW: W, outH: OH, outW: OW, kernelH: KH, kernelW: KW } = a;
  const { strideH, strideW, padH, padW, countIncludePad, divisorOverride } = a;
  const xd = x.storage.data;
  const od = out.data;
  const [sn, sc, sh, sw] = x.strides as [number, number, number, number];
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * sn + c * sc;
      for (let i = 0; i < OH; i++) {
        let ih0 = i * strideH - padH;
        let ih1 = Math.min(ih0 + KH, H + padH);
        const rows = ih1 - ih0;
        ih0 = Math.max(ih0, 0);
        ih1 = Math.min(ih1, H);
        for (let j = 0; j < OW; j++, o++) {
          let iw0 = j * strideW - padW;
          let iw1 = Math.min(iw0 + KW, W + padW);
          const poolSize = rows * (iw1 - iw0);
          iw0 = Math.max(iw0, 0);
          iw1 = Math.min(iw1, W);
          if (ih0 >= ih1 || iw0 >= iw1) {
            od[o] = 0;
            continue;
          }
          let sum = 0;
          for (let ih = ih0; ih < ih1; ih++) {
            const row = plane + ih * sh;
            for (let iw = iw0; iw < iw1; iw++) sum += xd[row + iw * sw]!;
          }
          const divisor = divisorOverride ?? (countIncludePad ? poolSize : (ih1 - ih0) * (iw1 - iw0));
          od[o] = sum / divisor;
        }
      }
    }
  }
}

export function avgPool2dBackward(gy: Strided, gx: Storage, a: AvgPool2dArgs): void {
  const { batch: N, channels: C, inH: H, inW: W, outH: OH, outW: OW, kernelH: KH, kernelW: KW } = a;
  const { strideH, strideW, padH, padW, countIncludePad, divisorOverride } = a;
  const gd = gy.storage.data;
  const xd = gx.data;
  xd.fill(0);
  const [gn, gc, gh, gw] = gy.strides as [number, number, number, number];
  const planeSize = H * W;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * planeSize;
      for (let i = 0; i < OH; i++) {
        let ih0 = i * strideH - padH;
        let ih1 = Math.min(ih0 + KH, H + padH);
        const rows = ih1 - ih0;
        ih0 = Math.max(ih0, 0);
        ih1 = Math.min(ih1, H);
        let g = gy.offset + n * gn + c * gc + i * gh;
        for (let j = 0; j < OW; j++, g += gw) {
          let iw0 = j * strideW - padW;
          let iw1 = Math.min(iw0 + KW, W + padW);
          const poolSize = rows * (iw1 - iw0);
          iw0 = Math.max(iw0, 0);
          iw1 = Math.min(iw1, W);
          if (ih0 >= ih1 || iw0 >= iw1) continue;
          const divisor = divisorOverride ?? (countIncludePad ? poolSize : (ih1 - ih0) * (iw1 - iw0));
          const delta = gd[g]! / divisor;
          for (let ih = ih0; ih < ih1; ih++) {
            const row = base + ih * W;
            for (let iw = iw0; iw < iw1; iw++) xd[row + iw]! += delta;
          }
        }
      }
    }
  }
}
