/**
 * Optimizer kernels: the scalar reference (reference.ts) against real PyTorch 1.13.1 fixtures, bit
 * for bit, and the WASM SIMD kernels against the reference, bit for bit (fused and unfused, every
 * tail length, amsgrad/maximize/nesterov/weight decay).
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadFixture, type FixtureTensor } from "../../helpers/fixtures.js";
import { adamStepRef, fmaf, sgdStepRef, type AdamRefOptions, type SgdRefOptions } from "../../../src/backend/wasm/reference.js";
import type { AdamHyper, SgdHyper } from "../../../src/backend/wasm/module.js";
import { checkAndFreeAll, expectBitExact, guarded, kernels, XorShift32 } from "./helpers.js";

interface OptimCase {
  name: string;
  optim: "sgd" | "adam" | "adamw";
  hyper: Record<string, number | boolean | number[]>;
  seed: number;
  param: FixtureTensor;
  state: Record<string, FixtureTensor>;
}
interface OptimFixture {
  n: number;
  steps: number;
  cases: OptimCase[];
}

const fixture = loadFixture<OptimFixture>("wasm_optim");

function sgdOptions(h: OptimCase["hyper"], fused = true): SgdRefOptions {
  return {
    lr: h.lr as number,
    momentum: (h.momentum as number) ?? 0,
    dampening: (h.dampening as number) ?? 0,
    weightDecay: (h.weight_decay as number) ?? 0,
    nesterov: (h.nesterov as boolean) ?? false,
    maximize: (h.maximize as boolean) ?? false,
    fused,
  };
}

function adamOptions(h: OptimCase["hyper"], decoupled: boolean, fused = true): AdamRefOptions {
  const betas = (h.betas as number[]) ?? [0.9, 0.999];
  return {
    lr: h.lr as number,
    beta1: betas[0]!,
    beta2: betas[1]!,
    eps: (h.eps as number) ?? 1e-8,
    weightDecay: (h.weight_decay as number) ?? (decoupled ? 1e-2 : 0),
    amsgrad: (h.amsgrad as boolean) ?? false,
    maximize: (h.maximize as boolean) ?? false,
    decoupled,
    fused,
  };
}

interface RunResult {
  param: Float32Array;
  state: Record<string, Float32Array>;
}

/** Run the scalar reference over the fixture's stream. */
function runReference(c: OptimCase, n: number, steps: number, fused = true): RunResult {
  const rng = new XorShift32(c.seed);
  const param = rng.values(n, -4, 6);
  if (c.optim === "sgd") {
    const o = sgdOptions(c.hyper, fused);
    const buf = new Float32Array(n);
    for (let s = 1; s <= steps; s++) sgdStepRef(param, rng.values(n, -12, 14), buf, s === 1, o);
    return { param, state: o.momentum !== 0 ? { momentum_buffer: buf } : {} };
  }
  const o = adamOptions(c.hyper, c.optim === "adamw", fused);
  const m = new Float32Array(n), v = new Float32Array(n), vmax = new Float32Array(n);
  for (let s = 1; s <= steps; s++) adamStepRef(param, rng.values(n, -12, 14), m, v, o.amsgrad ? vmax : null, s, o);
  const state: Record<string, Float32Array> = { exp_avg: m, exp_avg_sq: v };
  if (o.amsgrad) state["max_exp_avg_sq"] = vmax;
  return { param, state };
}

/** Run the WASM kernel over the same stream (buffers resident in wasm memory, with guards). */
function runWasm(c: OptimCase, n: number, steps: number, fused = true): RunResult {
  const k = kernels();
  const rng = new XorShift32(c.seed);
  const param = guarded(n, rng.values(n, -4, 6));
  const grad = guarded(n);
  if (c.optim === "sgd") {
    const o = sgdOptions(c.hyper, fused);
    const buf = guarded(n, new Float32Array(n));
    const h: SgdHyper = { ...o };
    for (let s = 1; s <= steps; s++) {
      grad.set(rng.values(n, -12, 14));
      k.sgdStep(param.ptr, grad.ptr, buf.ptr, n, s === 1, h);
    }
    return { param: param.f32().slice(), state: o.momentum !== 0 ? { momentum_buffer: buf.f32().slice() } : {} };
  }
  const o = adamOptions(c.hyper, c.optim === "adamw", fused);
  const m = guarded(n, new Float32Array(n)), v = guarded(n, new Float32Array(n)), vmax = guarded(n, new Float32Array(n));
  const h: AdamHyper = { ...o };
  for (let s = 1; s <= steps; s++) {
    grad.set(rng.values(n, -12, 14));
    k.adamStep({ param: param.ptr, grad: grad.ptr, expAvg: m.ptr, expAvgSq: v.ptr, maxExpAvgSq: vmax.ptr }, n, s, h);
  }
  const state: Record<string, Float32Array> = { exp_avg: m.f32().slice(), exp_avg_sq: v.f32().slice() };
  if (o.amsgrad) state["max_exp_avg_sq"] = vmax.f32().slice();
  return { param: param.f32().slice(), state };
}

afterEach(() => checkAndFreeAll());

describe("fmaf (exact float32 fused multiply-add)", () => {
  it("matches an exact rational computation on hard cases", () => {
    const f = Math.fround;
    // double-rounding trap: a*b = 1 + 2^-11 + 2^-24 is a float32 tie; c = 2^-60 breaks it upward,
    // but rounding a*b + c to double first loses c and the tie then rounds to even (down)
    const a = f(1 + 2 ** -12), c = 2 ** -60;
    expect(f(a * a + c)).toBe(1 + 2 ** -11);
    expect(fmaf(a, a, c)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(fmafBig(a, a, c)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(fmaf(a, a, -c)).toBe(1 + 2 ** -11);
    expect(fmaf(2, 3, 1)).toBe(7);
    expect(fmaf(Infinity, 1, 1)).toBe(Infinity);
    expect(fmaf(NaN, 1, 1)).toBeNaN();
    const rng = new XorShift32(7);
    for (let i = 0; i < 20000; i++) {
      const x = rng.value(-8, 16), y = rng.value(-8, 16), z = rng.value(-20, 30);
      expect(fmaf(x, y, z)).toBe(fmafBig(x, y, z));
    }
    // subnormal results
    for (let i = 0; i < 5000; i++) {
      const x = f(rng.value(-66, 4)), y = f(rng.value(-66, 4)), z = f(-(x * y) * (1 + rng.uniform() * 2 ** -20));
      expect(fmaf(x, y, z)).toBe(fmafBig(x, y, z));
    }
  });
});

/** Reference fmaf by exact rational arithmetic on BigInt (finite inputs): round-half-even to float32. */
function fmafBig(a: number, b: number, c: number): number {
  const S = 400n; // scale: values are multiples of 2^-298 at worst
  const toFixed = (x: number): bigint => {
    // x is a float32 (so exactly representable as m*2^e with |m| < 2^24)
    if (x === 0) return 0n;
    let e = Math.floor(Math.log2(Math.abs(x))) - 23;
    let m = x / 2 ** e;
    while (!Number.isInteger(m)) { e -= 1; m = x / 2 ** e; }
    return BigInt(m) * (1n << (BigInt(e) + S / 2n + 100n));
  };
  // fixed point with 2^-(S/2+100) resolution for a, b, c; product has double the scale
  const A = toFixed(a), B = toFixed(b), C = toFixed(c) << (S / 2n + 100n);
  const exact = A * B + C; // scale 2^-(S+200)
  if (exact === 0n) return a * b + c === 0 ? a * b + c : 0; // sign of zero as IEEE
  const neg = exact < 0n;
  const mag = neg ? -exact : exact;
  // find float32 rounding of mag * 2^-(S+200)
  const len = mag.toString(2).length;
  const exp = len - 1 - Number(S + 200n); // value in [2^exp, 2^(exp+1))
  const q = Math.max(exp, -126) - 23; // ulp exponent
  const shift = BigInt(q) + S + 200n;
  let mant = mag >> shift;
  const rem = mag - (mant << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (mant & 1n) === 1n)) mant += 1n;
  const r = Number(mant) * 2 ** q;
  const out = Math.fround(neg ? -r : r);
  return out;
}

describe("scalar reference vs PyTorch 1.13.1 (bit for bit)", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const r = runReference(c, fixture.n, fixture.steps);
      expectBitExact(r.param, Float32Array.from(c.param.data), `${c.name} param`);
      for (const [key, t] of Object.entries(c.state)) {
        expect(r.state[key], key).toBeDefined();
        expectBitExact(r.state[key]!, Float32Array.from(t.data), `${c.name} ${key}`);
      }
      expect(Object.keys(r.state).sort()).toEqual(Object.keys(c.state).sort());
    });
  }
});

describe("WASM optimizer kernels vs scalar reference (bit for bit)", () => {
  for (const c of fixture.cases) {
    it(`${c.name} (PyTorch fixture)`, () => {
      const w = runWasm(c, fixture.n, fixture.steps);
      expectBitExact(w.param, Float32Array.from(c.param.data), `${c.name} param`);
      for (const [key, t] of Object.entries(c.state)) expectBitExact(w.state[key]!, Float32Array.from(t.data), `${c.name} ${key}`);
    });
    it(`${c.name} unfused, odd lengths`, () => {
      for (const n of [0, 1, 3, 4, 5, 17, 130]) {
        for (const fused of [true, false]) {
          const r = runReference(c, n, 7, fused);
          const w = runWasm(c, n, 7, fused);
          expectBitExact(w.param, r.param, `${c.name} n=${n} fused=${fused} param`);
          for (const key of Object.keys(r.state)) expectBitExact(w.state[key]!, r.state[key]!, `${c.name} n=${n} ${key}`);
          checkAndFreeAll();
        }
      }
    });
  }

  it("fused and unfused semantics really differ (the flag matters)", () => {
    const c = fixture.cases.find((x) => x.name === "adam")!;
    const a = runReference(c, 512, 5, true), b = runReference(c, 512, 5, false);
    let diff = 0;
    for (let i = 0; i < 512; i++) if (a.param[i] !== b.param[i]) diff++;
    expect(diff).toBeGreaterThan(0);
  });
});

describe("Adam's exact FMAs in the SIMD lanes: double-rounding traps and float-subnormal moments", () => {
  const f = Math.fround;
  /** One fused Adam step on the WASM kernel and on the reference, from the same state; bit-compared. */
  function compareStep(o: AdamRefOptions, p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, what: string): void {
    const n = p.length;
    const k = kernels();
    const P = guarded(n, p), G = guarded(n, g), M = guarded(n, m), V = guarded(n, v), X = guarded(n, new Float32Array(n));
    k.adamStep({ param: P.ptr, grad: G.ptr, expAvg: M.ptr, expAvgSq: V.ptr, maxExpAvgSq: X.ptr }, n, 1, { ...o });
    const rp = p.slice(), rm = m.slice(), rv = v.slice();
    adamStepRef(rp, g, rm, rv, o.amsgrad ? new Float32Array(n) : null, 1, o);
    expectBitExact(M.f32(), rm, `${what}: exp_avg`);
    expectBitExact(V.f32(), rv, `${what}: exp_avg_sq`);
    expectBitExact(P.f32(), rp, `${what}: param`);
    checkAndFreeAll();
  }
  const base = { lr: 1e-3, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupled: false, fused: true };
  // a = 1 + 2^-12: a·a = 1 + 2^-11 + 2^-24 is a float32 tie; a tiny addend decides it, but rounding
  // a·a + c to double first drops the addend and the tie then goes to even
  const a = 1 + 2 ** -12;
  const exact = 1 + 2 ** -11 + 2 ** -23;

  it("first moment: g·(1 − β₁) + exp_avg·β₁ on a tie, in every lane position", () => {
    // β₁ = 0.5 − 2^-13: 1 − β₁ = a/2 exactly; g = 2a gives g·(1 − β₁) = a·a; exp_avg = 2^-59 gives c ≈ 2^-60
    const o = { ...base, beta1: 0.5 - 2 ** -13, beta2: 0.999 };
    const c = f(2 ** -59 * f(o.beta1));
    expect(fmaf(2 * a, f(1 - o.beta1), c)).toBe(exact);
    expect(f(2 * a * f(1 - o.beta1) + c)).not.toBe(exact); // the double-rounded value differs
    for (const lane of [0, 1, 2, 3, 6, 9]) {
      const n = 13;
      const rng = new XorShift32(50 + lane);
      const p = rng.uniformArray(n), g = rng.uniformArray(n), m = rng.uniformArray(n), v = rng.uniformArray(n, 0, 1);
      g[lane] = 2 * a;
      m[lane] = 2 ** -59;
      compareStep(o, p, g, m, v, `lane ${lane}`);
    }
  });

  it("second moment: ((1 − β₂)·g)·g + exp_avg_sq·β₂ on a tie, in every lane position", () => {
    // β₂ = 2^-40: 1 − β₂ rounds to 1, so (1 − β₂)·g = g = a and the product is a·a; exp_avg_sq = 2^-20 gives c = 2^-60
    const o = { ...base, beta1: 0.9, beta2: 2 ** -40 };
    expect(f(1 - o.beta2)).toBe(1);
    expect(fmaf(f(a), f(a), 2 ** -60)).toBe(exact);
    for (const lane of [0, 1, 2, 3, 5, 10]) {
      const n = 12;
      const rng = new XorShift32(70 + lane);
      const p = rng.uniformArray(n), g = rng.uniformArray(n), m = rng.uniformArray(n), v = rng.uniformArray(n, 0, 1);
      g[lane] = a;
      v[lane] = 2 ** -20;
      compareStep(o, p, g, m, v, `lane ${lane}`);
    }
  });

  it("second moment: a double-rounding trap in the float-subnormal range", () => {
    // β₂ = 2^-22: (1 − β₂)·g rounds to a = 2^-75·(1 − 2^-23) for g = 2^-75·(1 + 2^-23), so a·g = 2^-150·(1 − 2^-46);
    // exp_avg_sq·β₂ = 513·2^-149. In double the sum is 513.5·2^-149 (a subnormal midpoint, ties to 514);
    // exactly it lies just below (513)
    const o = { ...base, beta1: 0.9, beta2: 2 ** -22 };
    const g0 = 2 ** -75 * (1 + 2 ** -23), v0 = 513 * 2 ** -127;
    expect(f(f(1 - o.beta2) * g0)).toBe(2 ** -75 * (1 - 2 ** -23));
    expect(fmaf(f(f(1 - o.beta2) * g0), g0, f(v0 * f(o.beta2)))).toBe(513 * 2 ** -149);
    expect(f(f(f(1 - o.beta2) * g0) * g0 + f(v0 * f(o.beta2)))).toBe(514 * 2 ** -149);
    for (const lane of [0, 1, 2, 3, 7]) {
      const n = 9;
      const rng = new XorShift32(90 + lane);
      const p = rng.uniformArray(n), g = rng.uniformArray(n), m = rng.uniformArray(n), v = rng.uniformArray(n, 0, 1);
      g[lane] = g0;
      v[lane] = v0;
      compareStep(o, p, g, m, v, `lane ${lane}`);
    }
  });

  it("first moment: a double-rounding trap in the float-subnormal range (1 − β₁ < 2^-7 keeps its test)", () => {
    // 1 − β₁ = 2^-30·(1 + 2^-23) (β₁ rounds to 1 in float32); g = 2^-120·(1 − 2^-23): g·(1 − β₁) = 2^-150·(1 − 2^-46);
    // exp_avg = 513·2^-149: double sum 513.5·2^-149 (ties to 514), exact sum just below (513)
    const o = { ...base, beta1: 1 - 2 ** -30 - 2 ** -53, beta2: 0.999 };
    const omb1 = f(1 - o.beta1), g0 = 2 ** -120 * (1 - 2 ** -23), m0 = 513 * 2 ** -149;
    expect(omb1).toBe(2 ** -30 * (1 + 2 ** -23));
    expect(f(o.beta1)).toBe(1);
    expect(fmaf(g0, omb1, m0)).toBe(513 * 2 ** -149);
    expect(f(g0 * omb1 + m0)).toBe(514 * 2 ** -149);
    for (const lane of [0, 1, 2, 3, 4]) {
      const n = 8;
      const rng = new XorShift32(110 + lane);
      const p = rng.uniformArray(n), g = rng.uniformArray(n), m = rng.uniformArray(n), v = rng.uniformArray(n, 0, 1);
      g[lane] = g0;
      m[lane] = m0;
      compareStep(o, p, g, m, v, `lane ${lane}`);
    }
  });

  it("moments in the float-subnormal range, with β₁ on both sides of the 1 − β₁ >= 2^-7 shortcut", () => {
    // gradients and moments around 2^-150..2^-110 so that the moments (and their cancellations)
    // land in the float-subnormal range; β₁ = 0.9 skips the first moment's subnormal test (exact
    // in double, see csrc/optim.c), β₁ = 0.999 and 0.995 keep it
    for (const beta1 of [0.9, 0.999, 0.995, 0.5]) {
      const o = { ...base, beta1, beta2: 0.999 };
      const n = 4000;
      const rng = new XorShift32(Math.round(beta1 * 1000));
      const g = new Float32Array(n), m = new Float32Array(n), v = new Float32Array(n);
      const omb1 = f(1 - beta1), b1 = f(beta1);
      for (let i = 0; i < n; i++) {
        g[i] = f(rng.value(-140, 30));
        // half of the first moments nearly cancel g·(1 − β₁): exp_avg·β₁ ≈ −g·(1 − β₁)·(1 + tiny)
        m[i] = i % 2 === 0 ? f((-(g[i]! * omb1) / b1) * (1 + (rng.uniform() - 0.5) * 2 ** -18)) : f(rng.value(-148, 30));
        v[i] = Math.abs(f(rng.value(-149, 25)));
      }
      const p = rng.uniformArray(n);
      compareStep(o, p, g, m, v, `beta1 ${beta1}`);
    }
  });
});
