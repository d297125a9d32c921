/**
 * Scalar JavaScript reference for the optimizer kernels: PyTorch 1.13.1's single-tensor SGD, Adam
 * and AdamW op sequences, one element at a time, with `Math.fround` after every float32 operation
 * and an exact float32 fused multiply-add where PyTorch's CPU kernels use one.
 *
 * Verified bit for bit against real PyTorch 1.13.1 (test/fixtures/wasm_optim.json, made by
 * scripts/fixtures/wasm_optim.py). Findings that shaped it (AVX2 build of PyTorch, GCC 12):
 *  - Adam/AdamW 1.13.1 update the first moment with `exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)`
 *    (`lerp_` only arrived in 2.0);
 *  - `add(self, other, alpha=a)` is `fma(other, a, self)`: the vectorized path calls vec::fmadd and
 *    the compiler contracts the scalar tail the same way;
 *  - `addcmul_(t1, t2, value=v)` is `fma(v*t1, t2, self)`;
 *  - `addcdiv_(t1, t2, value=v)` is `self + (v*t1)/t2` (no fusion possible);
 *  - division by a Python scalar is a true division (not a reciprocal multiply); mul_ by a scalar
 *    and sqrt are single roundings;
 *  - Python float scalars are rounded to float32 once, after the double arithmetic in Python.
 * With `fused: false` every product is rounded separately (PyTorch's non-FMA CPU capability).
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LO = (() => {
  F64[0] = 1;
  return U32[1] === 0x3ff00000 ? 0 : 1;
})();
const HI = 1 - LO;

/**
 * Exact float32 fused multiply-add: round_to_float32(a*b + c) with a single rounding, for
 * float32 inputs a, b, c. The double product is exact; the double sum is made round-to-odd
 * (TwoSum error term) so that rounding it to float32 is correct.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  let s = p + c;
  if (s !== s || s === Infinity || s === -Infinity) return Math.fround(s);
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err !== 0) {
    F64[0] = s;
    if ((U32[LO]! & 1) === 0) {
      if (err > 0 === s > 0) {
        U32[LO] = U32[LO]! + 1;
      } else if (U32[LO] === 0) {
        U32[LO] = 0xffffffff;
        U32[HI] = U32[HI]! - 1;
      } else {
        U32[LO] = U32[LO]! - 1;
      }
      s = F64[0]!;
    }
  }
  return Math.fround(s);
}

const fr = Math.fround;

/** `self + alpha*other` as PyTorch's add(alpha=) computes it in float32. */
export function addAlpha(self: number, other: number, alpha: number, fused: boolean): number {
  return fused ? fmaf(other, alpha, self) : fr(self + fr(alpha * other));
}

/** Options of {@link sgdStepRef}, PyTorch's names camelCased. */
export interface SgdRefOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  fused: boolean;
}

/**
 * torch.optim.SGD single-tensor step, in place. `buf` is the momentum buffer, `firstStep` when
 * PyTorch has none yet (it then clones d_p).
 */
export function sgdStepRef(param: Float32Array, grad: Float32Array, buf: Float32Array | null, firstStep: boolean, o: SgdRefOptions): void {
  const negLr = fr(-o.lr);
  const mom = fr(o.momentum);
  const omd = fr(1 - o.dampening);
  const wd = fr(o.weightDecay);
  for (let i = 0; i < param.length; i++) {
    const p = param[i]!;
    let d = o.maximize ? -grad[i]! : grad[i]!;
    if (o.weightDecay !== 0) d = addAlpha(d, p, wd, o.fused);
    if (o.momentum !== 0) {
      let b: number;
      if (firstStep) b = d;
      else b = addAlpha(fr(buf![i]! * mom), d, omd, o.fused);
      buf![i] = b;
      d = o.nesterov ? addAlpha(d, b, mom, o.fused) : b;
    }
    param[i] = addAlpha(p, d, negLr, o.fused);
  }
}

/** Options of {@link adamStepRef}, PyTorch's names camelCased; `decoupled` selects AdamW. */
export interface AdamRefOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  decoupled: boolean;
  fused: boolean;
}

/**
 * torch.optim.Adam / AdamW single-tensor step (capturable=False), in place; `step` is the step
 * count after increment. `maxExpAvgSq` is required when amsgrad.
 */
export function adamStepRef(
  param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | null, step: number, o: AdamRefOptions,
): void {
  const biasCorrection1 = 1 - o.beta1 ** step;
  const biasCorrection2 = 1 - o.beta2 ** step;
  const stepSize = o.lr / biasCorrection1;
  const bc2Sqrt = fr(Math.sqrt(biasCorrection2));
  const negStep = fr(-stepSize);
  const b1 = fr(o.beta1), omb1 = fr(1 - o.beta1), b2 = fr(o.beta2), omb2 = fr(1 - o.beta2);
  const eps = fr(o.eps), wd = fr(o.weightDecay), decay = fr(1 - o.lr * o.weightDecay);
  for (let i = 0; i < param.length; i++) {
    let p = param[i]!;
    let g = o.maximize ? -grad[i]! : grad[i]!;
    if (o.decoupled) p = fr(p * decay);
    else if (o.weightDecay !== 0) g = addAlpha(g, p, wd, o.fused);
    const m = addAlpha(fr(expAvg[i]! * b1), g, omb1, o.fused);
    let v = fr(expAvgSq[i]! * b2);
    v = o.fused ? fmaf(fr(omb2 * g), g, v) : fr(v + fr(fr(omb2 * g) * g));
    expAvg[i] = m;
    expAvgSq[i] = v;
    if (o.amsgrad) {
      const old = maxExpAvgSq![i]!;
      v = old !== old || v !== v ? NaN : Math.max(old, v);
      maxExpAvgSq![i] = v;
    }
    const denom = fr(fr(fr(Math.sqrt(v)) / bc2Sqrt) + eps);
    param[i] = fr(p + fr(fr(negStep * m) / denom));
  }
}
