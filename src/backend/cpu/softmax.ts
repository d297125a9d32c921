/**
 * CPU softmax, log-softmax, their backward passes and logsumexp along one dim.
 * All subtract the line's maximum first, so logits of ±1e4 neither overflow nor underflow.
 */
import type { Storage, Strided } from "../backend.js";
import { contiguousStrides } from "../../tensor/shape.js";
import { collapse, offsetsOf } from "./iterate.js";

/** Offsets of each line along `dim` for a strided view, plus the line length and stride. */
function lines(x: Strided, dim: number): { offs: Float64Array; n: number; s: number } {
  const shape = x.shape.filter((_, d) => d !== dim);
  const strides = x.strides.filter((_, d) => d !== dim);
  const c = collapse(shape, [strides]);
  let count = 1;
  for (const d of shape) count *= d;
  const offs = offsetsOf(c.shape, c.strides[0]!, count);
  for (let i = 0; i < count; i++) offs[i]! += x.offset;
  return { offs, n: x.shape[dim] ?? 1, s: x.strides[dim] ?? 1 };
}

function contiguousView(shape: readonly number[], storage: Storage): Strided {
  return { storage, shape, strides: contiguousStrides(shape), offset: 0 };
}

export function softmax(x: Strided, dim: number, out: Storage, log: boolean): void {
  const xl = lines(x, dim);
  const ol = lines(contiguousView(x.shape, out), dim);
  const xd = x.storage.data;
  const o = out.data;
  const { n } = xl;
  for (let l = 0; l < xl.offs.length; l++) {
    const xo = xl.offs[l]!;
    const oo = ol.offs[l]!;
    let max = -Infinity;
    for (let i = 0, p = xo; i < n; i++, p += xl.s) {
      const v = xd[p]!;
      if (!(v <= max)) max = v;
    }
    if (max === -Infinity || max === Infinity) max = max === Infinity ? max : 0;
    let sum = 0;
    if (log) {
      for (let i = 0, p = xo; i < n; i++, p += xl.s) sum += Math.exp(xd[p]! - max);
      const lse = Math.log(sum);
      for (let i = 0, p = xo, q = oo; i < n; i++, p += xl.s, q += ol.s) o[q] = xd[p]! - max - lse;
    } else {
      for (let i = 0, p = xo, q = oo; i < n; i++, p += xl.s, q += ol.s) {
        const e = Math.exp(xd[p]! - max);
        o[q] = e;
        sum += e;
      }
      // normalise the (already rounded, for float32) exponentials like PyTorch's kernel
      for (let i = 0, q = oo; i < n; i++, q += ol.s) o[q] = o[q]! / sum;
    }
  }
}

export function softmaxBackward(y: Strided, gy: Strided, dim: number, out: Storage, log: boolean): void {
  const yl = lines(y, dim);
  const gl = lines(gy, dim);
  const ol = lines(contiguousView(y.shape, out), dim);
  const yd = y.storage.data;
  const gd = gy.storage.data;
  const o = out.data;
  const { n } = yl;
  for (let l = 0; l < yl.offs.length; l++) {
    const yo = yl.offs[l]!;
    const go = gl.offs[l]!;
    const oo = ol.offs[l]!;
    let sum = 0;
    if (log) {
      // d/dx log_softmax: gy − exp(y)·Σgy
      for (let i = 0, q = go; i < n; i++, q += gl.s) sum += gd[q]!;
      for (let i = 0, p = yo, q = go, r = oo; i < n; i++, p += yl.s, q += gl.s, r += ol.s)
        o[r] = gd[q]! - Math.exp(yd[p]!) * sum;
    } else {
      // d/dx softmax: y·(gy − Σ gy·y)
      for (let i = 0, p = yo, q = go; i < n; i++, p += yl.s, q += gl.s) sum += gd[q]! * yd[p]!;
      for (let i = 0, p = yo, q = go, r = oo; i < n; i++, p += yl.s, q += gl.s, r += ol.s)
        o[r] = yd[p]! * (gd[q]! - sum);
    }
  }
}

export function logsumexp(x: Strided, dim: number, out: Storage): void {
  const xl = lines(x, dim);
  const xd = x.storage.data;
  const o = out.data;
  const { n, s } = xl;
  for (let l = 0; l < xl.offs.length; l++) {
    const xo = xl.offs[l]!;
    let max = -Infinity;
    for (let i = 0, p = xo; i < n; i++, p += s) {
      const v = xd[p]!;
      if (!(v <= max)) max = v;
    }
    // PyTorch zeroes infinite maxima before subtracting, so all −inf gives −inf and +inf gives +inf
    const m = max === Infinity || max === -Infinity ? 0 : max;
    let sum = 0;
    for (let i = 0, p = xo; i < n; i++, p += s) sum += Math.exp(xd[p]! - m);
    o[l] = Math.log(sum) + m;
  }
}
