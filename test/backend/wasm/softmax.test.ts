/**
 * exp/log, softmax, log-softmax, their backward passes and fused softmax cross-entropy against
 * float64 references: accuracy in ulps, logits of ±1e4, special values, ignore_index, guards.
 */
import { afterEach, describe, expect, it } from "vitest";
import { checkAndFreeAll, expectClose, guarded, guardedI32, kernels, XorShift32 } from "./helpers.js";

afterEach(() => checkAndFreeAll());

const f = Math.fround;

/** Distance in float32 ulps between two finite floats of the same sign (or equal). */
function ulps(a: number, b: number): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const ia = new Int32Array(Float32Array.of(a).buffer)[0]!, ib = new Int32Array(Float32Array.of(b).buffer)[0]!;
  return Math.abs(ia - ib);
}

describe("exp and log", () => {
  it("exp is within 1 ulp of the correctly rounded value (and almost always equal)", () => {
    const k = kernels();
    const rng = new XorShift32(11);
    const n = 200003;
    const xv = rng.uniformArray(n, -110, 95);
    xv.set([0, -0, 1, -1, 88.72283, 88.72284, -87.33655, -103.97, -104, Infinity, -Infinity, NaN, 1e-10, -1e-30], 0);
    const x = guarded(n, xv), out = guarded(n);
    k.exports.f32_exp(x.ptr, out.ptr, n);
    const o = out.f32();
    let off = 0;
    for (let i = 0; i < n; i++) {
      const ref = f(Math.exp(xv[i]!));
      const d = ulps(o[i]!, ref);
      if (d > 1) throw new Error(`exp(${xv[i]}) = ${o[i]}, expected ${ref}`);
      off += d;
    }
    expect(off / n).toBeLessThan(1e-4);
  });

  it("log is within 1 ulp of the correctly rounded value; log(0) = -inf, log(<0) = NaN", () => {
    const k = kernels();
    const rng = new XorShift32(12);
    const n = 200003;
    const xv = new Float32Array(n);
    for (let i = 0; i < n; i++) xv[i] = Math.abs(rng.value(-140, 260));
    xv.set([0, -0, 1, 2, 0.5, 1e-45, 3.4e38, Infinity, -1, NaN, 1 - 2 ** -24, 1 + 2 ** -23], 0);
    const x = guarded(n, xv), out = guarded(n);
    k.exports.f32_log(x.ptr, out.ptr, n);
    const o = out.f32();
    let off = 0;
    for (let i = 0; i < n; i++) {
      const ref = f(Math.log(xv[i]!));
      const d = ulps(o[i]!, ref);
      if (d > 1) throw new Error(`log(${xv[i]}) = ${o[i]}, expected ${ref}`);
      off += d;
    }
    expect(off / n).toBeLessThan(1e-4);
    expect(o[0]).toBe(-Infinity);
    expect(o[1]).toBe(-Infinity);
    expect(o[8]).toBeNaN();
  });
});

function refSoftmax(row: Float32Array): { p: number[]; logp: number[] } {
  let mx = -Infinity;
  for (const v of row) mx = Number.isNaN(v) || Number.isNaN(mx) ? NaN : Math.max(mx, v);
  // x - max is one float32 subtraction in the kernels, as in PyTorch: model that rounding
  let s = 0;
  for (const v of row) s += Math.exp(f(v - mx));
  return { p: Array.from(row, (v) => Math.exp(f(v - mx)) / s), logp: Array.from(row, (v) => f(v - mx) - Math.log(s)) };
}

function logits(rng: XorShift32, m: number, n: number, scale: number): Float32Array {
  return rng.uniformArray(m * n, -scale, scale);
}

describe("softmax and log-softmax", () => {
  const rng = new XorShift32(13);
  const shapes = [[1, 1], [3, 5], [4, 8], [7, 13], [2, 1001], [5, 3]] as const;

  it("forward, including logits of ±1e4", () => {
    const k = kernels();
    for (const scale of [1, 30, 1e4]) {
      for (const [m, n] of shapes) {
        const xv = logits(rng, m, n, scale);
        const x = guarded(m * n, xv), y = guarded(m * n), ly = guarded(m * n);
        k.exports.f32_softmax_rows(x.ptr, y.ptr, m, n);
        k.exports.f32_log_softmax_rows(x.ptr, ly.ptr, m, n);
        const p: number[] = [], lp: number[] = [];
        for (let i = 0; i < m; i++) {
          const r = refSoftmax(xv.subarray(i * n, (i + 1) * n));
          p.push(...r.p);
          lp.push(...r.logp);
        }
        expectClose(y.f32(), p, 2e-6, 1e-37, `softmax ${m}x${n} scale ${scale}`);
        // log-softmax: x - max is exact-ish; error relative to |x - max| + log(sum)
        expectClose(ly.f32(), lp, 1e-6, 2e-6 + scale * 2e-7, `log_softmax ${m}x${n} scale ${scale}`);
        for (const v of y.f32()) expect(Number.isFinite(v)).toBe(true);
        checkAndFreeAll();
      }
    }
  });

  it("rows with -inf entries, and a NaN row", () => {
    const k = kernels();
    const x = guarded(8, [-Infinity, 0, -Infinity, 0, NaN, 1, 2, 3]), y = guarded(8), ly = guarded(8);
    k.exports.f32_softmax_rows(x.ptr, y.ptr, 2, 4);
    k.exports.f32_log_softmax_rows(x.ptr, ly.ptr, 2, 4);
    expect(Array.from(y.f32().subarray(0, 4))).toEqual([0, 0.5, 0, 0.5]);
    expect(Array.from(ly.f32().subarray(0, 4))).toEqual([-Infinity, f(-Math.LN2), -Infinity, f(-Math.LN2)]);
    for (const v of y.f32().subarray(4)) expect(v).toBeNaN();
  });

  it("backward passes", () => {
    const k = kernels();
    for (const [m, n] of shapes) {
      const xv = logits(rng, m, n, 5), gv = rng.uniformArray(m * n);
      const x = guarded(m * n, xv), g = guarded(m * n, gv), y = guarded(m * n), ly = guarded(m * n), gx = guarded(m * n);
      k.exports.f32_softmax_rows(x.ptr, y.ptr, m, n);
      k.exports.f32_log_softmax_rows(x.ptr, ly.ptr, m, n);
      const yv = y.f32().slice(), lyv = ly.f32().slice();
      const ref1: number[] = [], ref2: number[] = [];
      for (let i = 0; i < m; i++) {
        let dot = 0, sum = 0;
        for (let j = 0; j < n; j++) { dot += gv[i * n + j]! * yv[i * n + j]!; sum += gv[i * n + j]!; }
        for (let j = 0; j < n; j++) {
          ref1.push(yv[i * n + j]! * (gv[i * n + j]! - dot));
          ref2.push(gv[i * n + j]! - Math.exp(lyv[i * n + j]!) * sum);
        }
      }
      k.exports.f32_softmax_backward(y.ptr, g.ptr, gx.ptr, m, n);
      expectClose(gx.f32(), ref1, 1e-5, 1e-6, `softmax_backward ${m}x${n}`);
      k.exports.f32_log_softmax_backward(ly.ptr, g.ptr, gx.ptr, m, n);
      expectClose(gx.f32(), ref2, 1e-5, 1e-5, `log_softmax_backward ${m}x${n}`);
      checkAndFreeAll();
    }
  });
});

describe("fused softmax cross-entropy", () => {
  const rng = new XorShift32(14);

  it("forward = mean(-log p[target]), backward = (softmax - onehot) * g / count", () => {
    const k = kernels();
    for (const scale of [1, 1e4]) {
      for (const [m, n] of [[1, 1], [4, 10], [7, 3], [33, 17], [3, 1000]] as const) {
        const xv = logits(rng, m, n, scale);
        const tv = Int32Array.from({ length: m }, () => Math.floor(rng.uniform() * n));
        if (m > 2) tv[1] = -100; // ignored row
        const x = guarded(m * n, xv), t = guardedI32(m, tv), probs = guarded(m * n), gx = guarded(m * n);
        let total = 0, count = 0;
        const gref: number[] = [];
        const all: number[] = [];
        for (let i = 0; i < m; i++) {
          const r = refSoftmax(xv.subarray(i * n, (i + 1) * n));
          all.push(...r.p);
          if (tv[i] === -100) continue;
          total += -r.logp[tv[i]!]!;
          count++;
        }
        const gOut = 0.7;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            gref.push(tv[i] === -100 ? 0 : (all[i * n + j]! - (j === tv[i] ? 1 : 0)) * (gOut / count));
          }
        }
        const loss = k.exports.softmax_cross_entropy_forward(x.ptr, t.ptr, m, n, -100, probs.ptr);
        expect(Math.abs(loss - total / count)).toBeLessThanOrEqual(1e-6 * Math.abs(total / count) + 1e-6);
        expectClose(probs.f32(), all, 2e-6, 1e-37, "probs");
        const loss2 = k.exports.softmax_cross_entropy_forward(x.ptr, t.ptr, m, n, -100, 0);
        expect(loss2).toBe(loss);
        k.exports.softmax_cross_entropy_backward(x.ptr, t.ptr, gx.ptr, m, n, -100, gOut);
        expectClose(gx.f32(), gref, 1e-5, 1e-7, `ce backward ${m}x${n}`);
        checkAndFreeAll();
      }
    }
  });

  it("all rows ignored gives NaN; an out-of-range target gives NaN", () => {
    const k = kernels();
    const x = guarded(6, [1, 2, 3, 4, 5, 6]), t = guardedI32(2, [-100, -100]);
    expect(k.exports.softmax_cross_entropy_forward(x.ptr, t.ptr, 2, 3, -100, 0)).toBeNaN();
    const t2 = guardedI32(2, [0, 3]);
    expect(k.exports.softmax_cross_entropy_forward(x.ptr, t2.ptr, 2, 3, -100, 0)).toBeNaN();
  });
});
