/**
 * Fused batch normalisation over a contiguous x viewed as [N, C, S] (S = the product of the dims
 * after the channel dim), the reference for the WASM kernels (csrc/batchnorm.c):
 *
 *   stats:    mean[c] = Σ x / (N·S),  varSum[c] = Σ (x − mean[c])²          (sums in float64)
 *   forward:  y = x·α[c] + β[c],  α = invstd·γ,  β = bias − mean·α           (α, β rounded to x's dtype)
 *   backward: sum = Σ gy,  dot = Σ gy·(x − mean)                            (per channel, float64)
 *             training:   gx = (gy − sum/(N·S) − (x − mean)·dot·invstd²/(N·S))·invstd·γ
 *             evaluation: gx = gy·invstd·γ
 *             gγ = dot·invstd,  gβ = sum
 *
 * (Ioffe & Szegedy 2015.) PyTorch parity: the structure of PyTorch 1.13's CPU kernels
 * (batch_norm_kernel.cpp): statistics accumulated in double and rounded to the input dtype, the
 * output as one multiply and one add per element with per-channel α and β rounded to the input
 * dtype; the per-element gradient is evaluated in double and rounded once (PyTorch rounds its
 * float32 intermediates), so float32 results agree to float32 rounding.
 */
import type { Storage, Strided } from "../backend.js";

/** [N, C, S] of a contiguous [N, C, *] view. */
export function bnDims(x: Strided): [number, number, number] {
  const shape = x.shape;
  let s = 1;
  for (let d = 2; d < shape.length; d++) s *= shape[d]!;
  return [shape[0]!, shape[1]!, s];
}

function channel(v: Strided | null, c: number, fallback: number): number {
  return v === null ? fallback : v.storage.data[v.offset + c * (v.strides[0] ?? 0)]!;
}

export function batchNormStats(x: Strided, mean: Storage, varSum: Storage): void {
  const [N, C, S] = bnDims(x);
  const xd = x.storage.data;
  const md = mean.data, vd = varSum.data;
  const count = N * S;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let n = 0; n < N; n++) {
      const base = x.offset + (n * C + c) * S;
      for (let i = 0; i < S; i++) sum += xd[base + i]!;
    }
    md[c] = sum / count;
    const m = md[c]!; // rounded to the storage's dtype, like PyTorch's saved mean
    let ss = 0;
    for (let n = 0; n < N; n++) {
      const base = x.offset + (n * C + c) * S;
      for (let i = 0; i < S; i++) {
        const d = xd[base + i]! - m;
        ss += d * d;
      }
    }
    vd[c] = ss;
  }
}

/** α and β of every channel, rounded to `round` (Math.fround for float32, identity for float64). */
export function bnAffine(
  C: number, mean: Storage, invstd: Storage, weight: Strided | null, bias: Strided | null,
  round: (v: number) => number, alpha: Float64Array, beta: Float64Array,
): void {
  for (let c = 0; c < C; c++) {
    const a = round(invstd.data[c]! * channel(weight, c, 1));
    alpha[c] = a;
    beta[c] = round(channel(bias, c, 0) - round(mean.data[c]! * a));
  }
}

const identity = (v: number): number => v;

export function batchNormForward(
  x: Strided, mean: Storage, invstd: Storage, weight: Strided | null, bias: Strided | null, out: Storage,
): void {
  const [N, C, S] = bnDims(x);
  const alpha = new Float64Array(C), beta = new Float64Array(C);
  const round = out.dtype === "float32" ? Math.fround : identity;
  bnAffine(C, mean, invstd, weight, bias, round, alpha, beta);
  const xd = x.storage.data, od = out.data;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const a = alpha[c]!, b = beta[c]!;
      const xb = x.offset + (n * C + c) * S, ob = (n * C + c) * S;
      // x·α rounded, then + β (two roundings in float32, as PyTorch's vectorised kernel)
      if (round === identity) for (let i = 0; i < S; i++) od[ob + i] = xd[xb + i]! * a + b;
      else for (let i = 0; i < S; i++) od[ob + i] = Math.fround(xd[xb + i]! * a) + b;
    }
  }
}

export function batchNormBackward(
  x: Strided, gy: Strided, mean: Storage, invstd: Storage, weight: Strided | null, training: boolean,
  gx: Storage | null, gWeight: Storage | null, gBias: Storage | null,
): void {
  const [N, C, S] = bnDims(x);
  const xd = x.storage.data, gd = gy.storage.data;
  const count = N * S;
  for (let c = 0; c < C; c++) {
    const m = mean.data[c]!, is = invstd.data[c]!;
    let sum = 0, dot = 0;
    for (let n = 0; n < N; n++) {
      const xb = x.offset + (n * C + c) * S, gb = gy.offset + (n * C + c) * S;
      for (let i = 0; i < S; i++) {
        const g = gd[gb + i]!;
        sum += g;
        dot += g * (xd[xb + i]! - m);
      }
    }
    if (gWeight !== null) gWeight.data[c] = dot * is;
    if (gBias !== null) gBias.data[c] = sum;
    if (gx === null) continue;
    const od = gx.data;
    const scale = is * channel(weight, c, 1);
    const gradMean = sum / count;
    const k = training ? (dot * is * is) / count : 0;
    for (let n = 0; n < N; n++) {
      const xb = x.offset + (n * C + c) * S, gb = gy.offset + (n * C + c) * S, ob = (n * C + c) * S;
      if (training) for (let i = 0; i < S; i++) od[ob + i] = (gd[gb + i]! - gradMean - (xd[xb + i]! - m) * k) * scale;
      else for (let i = 0; i < S; i++) od[ob + i] = gd[gb + i]! * scale;
    }
  }
}
