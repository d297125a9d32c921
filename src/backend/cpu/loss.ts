/**
 * CPU kernels for the losses that cannot be composed from elementwise ops without losing
 * PyTorch's exact gradients or speed:
 * - `nllLoss` / `nllLossBackward`: negative log-likelihood over a class dim, optionally fused with
 *   log-softmax (softmax cross-entropy, the hot path of classification training);
 * - `ctcLoss` / `ctcLossBackward`: the CTC forward (α) and backward (β) recursions of Graves et al.
 *   (2006), following PyTorch's `ctc_loss_cpu` loop for loop;
 * - `multilabelMarginMask`: which classes are targets in `multilabel_margin_loss`.
 *
 * Layouts: class-dim losses see the input as [N, C, K] (K = product of the spatial dims d1…dk)
 * and the target as [N, K]; any strides are accepted.
 */
import type { Storage, Strided } from "../backend.js";

function checkTarget(t: number, nClasses: number): void {
  if (t < 0 || t >= nClasses) throw new RangeError(`Target ${t} is out of bounds.`);
}

/**
 * out[n·K + k] = −w[t]·(x[n, t, k] − lse[n·K + k]) for t = target[n, k] ≠ ignoreIndex (0 where
 * ignored); w ≡ 1 without a weight. With `lse` given, lse[n·K + k] = log Σ_c exp x[n, c, k] is
 * written first (fused log-softmax: softmax cross-entropy); without it the lse term is 0 (x holds
 * log-probabilities). Returns Σ w[t] over the non-ignored positions (the weighted mean's divisor).
 * Throws `RangeError("Target t is out of bounds.")` before writing anything.
 */
export function nllLoss(
  x: Strided,
  target: Strided,
  weight: Strided | null,
  ignoreIndex: number,
  out: Storage,
  lse: Storage | null,
): number {
  const [N, C, K] = x.shape as [number, number, number];
  const [xsn, xsc, xsk] = x.strides as [number, number, number];
  const [tsn, tsk] = target.strides as [number, number];
  const xd = x.storage.data;
  const td = target.storage.data;
  const wd = weight ? weight.storage.data : null;
  const ws = weight ? weight.strides[0]! : 0;
  const wo = weight ? weight.offset : 0;
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const t = td[target.offset + n * tsn + k * tsk]!;
      if (t !== ignoreIndex) checkTarget(t, C);
    }
  const o = out.data;
  const l = lse ? lse.data : null;
  let total = 0;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const base = x.offset + n * xsn + k * xsk;
      const p = n * K + k;
      let shift = 0;
      if (l !== null) {
        let max = -Infinity;
        for (let c = 0, q = base; c < C; c++, q += xsc) {
          const v = xd[q]!;
          if (!(v <= max)) max = v;
        }
        if (max === -Infinity || max === Infinity) max = max === Infinity ? max : 0;
        let sum = 0;
        for (let c = 0, q = base; c < C; c++, q += xsc) sum += Math.exp(xd[q]! - max);
        shift = max + Math.log(sum);
        l[p] = shift;
      }
      const t = td[target.offset + n * tsn + k * tsk]!;
      if (t === ignoreIndex) {
        o[p] = 0;
        continue;
      }
      const w = wd === null ? 1 : wd[wo + t * ws]!;
      o[p] = -w * (xd[base + t * xsc]! - shift);
      total += w;
    }
  }
  return total;
}

/**
 * The gradient of `nllLoss`: gx (contiguous [N, C, K], zero-filled by the caller) receives, at
 * each non-ignored (n, k) with t = target[n, k] and s = scale·w[t]·gOut[n, k]:
 * with `lse` (fused log-softmax) s·(softmax(x)[n, c, k] − [c = t]) for every c; without it −s at c = t.
 */
export function nllLossBackward(
  x: Strided,
  target: Strided,
  weight: Strided | null,
  ignoreIndex: number,
  gOut: Strided,
  scale: number,
  lse: Storage | null,
  gx: Storage,
): void {
  const [N, C, K] = x.shape as [number, number, number];
  const [xsn, xsc, xsk] = x.strides as [number, number, number];
  const [tsn, tsk] = target.strides as [number, number];
  const [gsn, gsk] = gOut.strides as [number, number];
  const xd = x.storage.data;
  const td = target.storage.data;
  const gd = gOut.storage.data;
  const wd = weight ? weight.storage.data : null;
  const ws = weight ? weight.strides[0]! : 0;
  const wo = weight ? weight.offset : 0;
  const o = gx.data;
  const l = lse ? lse.data : null;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const t = td[target.offset + n * tsn + k * tsk]!;
      if (t === ignoreIndex) continue;
      const w = wd === null ? 1 : wd[wo + t * ws]!;
      const s = scale * w * gd[gOut.offset + n * gsn + k * gsk]!;
      const ob = n * C * K + k;
      if (l === null) {
        o[ob + t * K] = -s;
        continue;
      }
      const shift = l[n * K + k]!;
      const base = x.offset + n * xsn + k * xsk;
      for (let c = 0, q = base, r = ob; c < C; c++, q += xsc, r += K) o[r] = Math.exp(xd[q]! - shift) * s;
      o[ob + t * K] = (Math.exp(xd[base + t * xsc]! - shift) - 1) * s;
    }
  }
}

const identity = (v: number): number => v;

/**
 * Rounding after each arithmetic step: float32 computations round every intermediate like
 * PyTorch's scalar_t = float loops (the CTC recursions amplify the difference otherwise).
 */
function roundingFor(dtype: string): (v: number) => number {
  return dtype === "float32" ? Math.fround : identity;
}

/** Where each batch element's targets start, their stride, and the longest target. */
function targetLayout(targets: Strided, targetLengths: Int32Array): { offs: Int32Array; stride: number; maxLen: number } {
  const N = targetLengths.length;
  const offs = new Int32Array(N);
  let maxLen = 0;
  if (targets.shape.length === 1) {
    let pos = 0;
    for (let b = 0; b < N; b++) {
      offs[b] = targets.offset + pos * targets.strides[0]!;
      pos += targetLengths[b]!;
      if (targetLengths[b]! > maxLen) maxLen = targetLengths[b]!;
    }
    return { offs, stride: targets.strides[0]!, maxLen };
  }
  for (let b = 0; b < N; b++) {
    offs[b] = targets.offset + b * targets.strides[0]!;
    if (targetLengths[b]! > maxLen) maxLen = targetLengths[b]!;
  }
  return { offs, stride: targets.strides[1]!, maxLen };
}

/** The length of the extended label sequence (blank, l₁, blank, …, l_S, blank) PyTorch allocates per batch element. */
export function ctcAlphaWidth(targetLengths: Int32Array): number {
  let maxLen = 0;
  for (let b = 0; b < targetLengths.length; b++) if (targetLengths[b]! > maxLen) maxLen = targetLengths[b]!;
  return 2 * maxLen + 1;
}

/**
 * CTC forward: for each batch element b, log α over the extended labels l′ (blanks between and
 * around the target), α₀ = (lp[0, blank], lp[0, l₁]), αₜ(s) = lp[t, l′ₛ] + log(αₜ₋₁(s) + αₜ₋₁(s−1)
 * + [l′ₛ ≠ l′ₛ₋₂]·αₜ₋₁(s−2)); nll[b] = −log(α_{T−1}(2S) + α_{T−1}(2S−1)).
 * logProbs is [T, N, C]; targets int32, [N, S] or concatenated 1-D; logAlpha is [N, T, 2·maxS+1]
 * (filled here, −∞ where unreachable), kept for the backward pass.
 */
export function ctcLoss(
  logProbs: Strided,
  targets: Strided,
  inputLengths: Int32Array,
  targetLengths: Int32Array,
  blank: number,
  nll: Storage,
  logAlpha: Storage,
): void {
  const [T, N] = logProbs.shape as [number, number, number];
  const [lst, lsn, lsc] = logProbs.strides as [number, number, number];
  const lp = logProbs.storage.data;
  const tg = targets.storage.data;
  const { offs, stride } = targetLayout(targets, targetLengths);
  const W = ctcAlphaWidth(targetLengths);
  const la = logAlpha.data;
  la.fill(-Infinity);
  const r = roundingFor(logAlpha.dtype);
  const out = nll.data;
  for (let b = 0; b < N; b++) {
    const Tb = inputLengths[b]!;
    const L = targetLengths[b]!;
    const to = offs[b]!;
    const prime = (s: number): number => (s % 2 === 0 ? blank : tg[to + ((s - 1) >> 1) * stride]!);
    const ab = b * T * W;
    const lb = logProbs.offset + b * lsn;
    if (Tb === 0) {
      out[b] = L === 0 ? 0 : Infinity;
      continue;
    }
    la[ab] = lp[lb + blank * lsc]!;
    if (L > 0) la[ab + 1] = lp[lb + prime(1) * lsc]!;
    for (let t = 1; t < Tb; t++) {
      const cur = ab + t * W;
      const prev = cur - W;
      for (let s = 0; s < 2 * L + 1; s++) {
        const c = prime(s);
        const la1 = la[prev + s]!;
        let lamax = la1;
        let la2 = -Infinity;
        let la3 = -Infinity;
        if (s > 0) {
          la2 = la[prev + s - 1]!;
          if (la2 > lamax) lamax = la2;
        }
        if (s > 1 && prime(s - 2) !== c) {
          la3 = la[prev + s - 2]!;
          if (la3 > lamax) lamax = la3;
        }
        if (lamax === -Infinity) lamax = 0;
        la[cur + s] = r(r(r(Math.log(r(r(r(Math.exp(r(la1 - lamax))) + r(Math.exp(r(la2 - lamax)))) + r(Math.exp(r(la3 - lamax)))))) + lamax) + lp[lb + t * lst + c * lsc]!);
      }
    }
    const last = ab + (Tb - 1) * W;
    if (L === 0) {
      out[b] = -la[last]!;
    } else {
      const l1 = la[last + 2 * L]!;
      const l2 = la[last + 2 * L - 1]!;
      let m = l1 > l2 ? l1 : l2;
      if (m === -Infinity) m = 0;
      out[b] = -r(r(Math.log(r(r(Math.exp(r(l1 - m))) + r(Math.exp(r(l2 - m)))))) + m);
    }
  }
}

/**
 * CTC backward, PyTorch's formula: with log β computed like α from the end and
 * γₜ(c) = log Σ_{s: l′ₛ = c} αₜ(s)·βₜ(s), grad[t, b, c] = (exp(lp[t, b, c]) − exp(γₜ(c) + nll[b] − lp[t, b, c]))·gOut[b]
 * for t < inputLength[b], 0 beyond it (and 0 for the whole element when `zeroInfinity` and nll is ∞).
 * PyTorch parity: the exp(lp) term makes this the gradient with respect to the logits of a
 * log-softmax (Σ_c γ = 1), not with respect to independent log-probabilities.
 * grad is contiguous [T, N, C].
 */
export function ctcLossBackward(
  logProbs: Strided,
  targets: Strided,
  inputLengths: Int32Array,
  targetLengths: Int32Array,
  blank: number,
  nll: Storage,
  logAlpha: Storage,
  gOut: Strided,
  zeroInfinity: boolean,
  grad: Storage,
): void {
  const [T, N, C] = logProbs.shape as [number, number, number];
  const [lst, lsn, lsc] = logProbs.strides as [number, number, number];
  const lp = logProbs.storage.data;
  const tg = targets.storage.data;
  const { offs, stride } = targetLayout(targets, targetLengths);
  const W = ctcAlphaWidth(targetLengths);
  const la = logAlpha.data;
  const r = roundingFor(logAlpha.dtype);
  // log β in the dtype of the computation (rounded like PyTorch's scalar_t buffer)
  const lbeta = new (la.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(T * W);
  const g = grad.data;
  g.fill(-Infinity);
  const gd = gOut.storage.data;
  for (let b = 0; b < N; b++) {
    const Tb = inputLengths[b]!;
    const L = targetLengths[b]!;
    const to = offs[b]!;
    const prime = (s: number): number => (s % 2 === 0 ? blank : tg[to + ((s - 1) >> 1) * stride]!);
    const ab = b * T * W;
    const lpb = logProbs.offset + b * lsn;
    const gidx = (t: number, c: number): number => (t * N + b) * C + c;
    const nl = nll.data[b]!;
    if (zeroInfinity && nl === Infinity) {
      for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) g[gidx(t, c)] = 0;
      continue;
    }
    if (Tb > 0) {
      lbeta.fill(-Infinity);
      const lastT = Tb - 1;
      lbeta[lastT * W + 2 * L] = lp[lpb + lastT * lst + blank * lsc]!;
      g[gidx(lastT, blank)] = la[ab + lastT * W + 2 * L]! + lbeta[lastT * W + 2 * L]!;
      if (L > 0) {
        const c = prime(2 * L - 1);
        lbeta[lastT * W + 2 * L - 1] = lp[lpb + lastT * lst + c * lsc]!;
        g[gidx(lastT, c)] = la[ab + lastT * W + 2 * L - 1]! + lbeta[lastT * W + 2 * L - 1]!;
      }
      for (let t = Tb - 2; t >= 0; t--) {
        const cur = t * W;
        const next = cur + W;
        for (let s = 2 * L; s >= 0; s--) {
          const c = prime(s);
          const lb1 = lbeta[next + s]!;
          let lbmax = lb1;
          let lb2 = -Infinity;
          let lb3 = -Infinity;
          if (s < 2 * L) {
            lb2 = lbeta[next + s + 1]!;
            if (lb2 > lbmax) lbmax = lb2;
          }
          if (s < 2 * L - 1 && prime(s + 2) !== c) {
            lb3 = lbeta[next + s + 2]!;
            if (lb3 > lbmax) lbmax = lb3;
          }
          if (lbmax === -Infinity) lbmax = 0;
          lbeta[cur + s] = r(r(r(Math.log(r(r(r(Math.exp(r(lb1 - lbmax))) + r(Math.exp(r(lb2 - lbmax)))) + r(Math.exp(r(lb3 - lbmax)))))) + lbmax) + lp[lpb + t * lst + c * lsc]!);
          const lab = r(la[ab + cur + s]! + lbeta[cur + s]!);
          const gi = gidx(t, c);
          const lcab = g[gi]!;
          if (lcab === -Infinity) g[gi] = lab;
          else {
            const m = Math.max(lcab, lab);
            g[gi] = r(r(Math.log(r(r(Math.exp(r(lcab - m))) + r(Math.exp(r(lab - m)))))) + m);
          }
        }
      }
      const gr = gd[gOut.offset + b * (gOut.strides[0] ?? 0)]!;
      for (let t = 0; t < Tb; t++)
        for (let c = 0; c < C; c++) {
          const gi = gidx(t, c);
          const l = lp[lpb + t * lst + c * lsc]!;
          g[gi] = r(r(r(Math.exp(l)) - r(Math.exp(r(r(g[gi]! + nl) - l)))) * gr);
        }
    }
    for (let t = Tb; t < T; t++) for (let c = 0; c < C; c++) g[gidx(t, c)] = 0;
  }
}

/**
 * For `multilabel_margin_loss`: target [N, C] int32 lists class indices, ended by the first −1.
 * isTarget[n, c] = 1 when class c is among row n's targets; valid[n, j] = 1 for the positions j
 * before the first −1. Throws `RangeError("target out of range")` for an index outside [−1, C)
 * among the valid ones, before writing anything.
 */
export function multilabelMarginMask(target: Strided, isTarget: Storage, valid: Storage): void {
  const [N, C] = target.shape as [number, number];
  const [sn, sc] = target.strides as [number, number];
  const td = target.storage.data;
  for (let n = 0; n < N; n++)
    for (let j = 0; j < C; j++) {
      const t = td[target.offset + n * sn + j * sc]!;
      if (t < 0) break;
      if (t >= C) throw new RangeError("target out of range");
    }
  const it = isTarget.data;
  const v = valid.data;
  for (let n = 0; n < N; n++)
    for (let j = 0; j < C; j++) {
      const t = td[target.offset + n * sn + j * sc]!;
      if (t < 0) break;
      it[n * C + t] = 1;
      v[n * C + j] = 1;
    }
}
