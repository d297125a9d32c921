/**
 * WASM matmul and fused linear against the CPU reference and an exact float64 product.
 *
 * Bound: the WASM sgemm accumulates in float32, so each output may differ from the exact sum by
 * (k + 2)·2⁻²⁴·Σ|aᵢₖ·bₖⱼ| (the standard float32 dot-product bound, γ_k plus the final rounding);
 * the CPU backend accumulates in float64 and rounds once (2⁻²⁴ relative).
 */
import { describe, expect, test } from "vitest";
import type { Strided } from "../../src/backend/backend.js";
import { CpuStorage } from "../../src/backend/cpu/storage.js";
import { cpu, dense, expectWithin, guardedStorage, outStorage, randF32, view, wasm } from "./helpers.js";

const U = 2 ** -24;

/** Element (indices) of a strided view. */
function at(x: Strided, ...idx: number[]): number {
  let o = x.offset;
  for (let d = 0; d < idx.length; d++) o += idx[d]! * x.strides[d]!;
  return x.storage.data[o]!;
}

/** Exact (float64) batched product and Σ|a·b| for the error bound. */
function reference(a: Strided, b: Strided, batch: number, m: number, n: number, k: number): { ref: Float64Array; abs: Float64Array } {
  const ref = new Float64Array(batch * m * n);
  const abs = new Float64Array(batch * m * n);
  for (let q = 0; q < batch; q++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0, t = 0;
        for (let p = 0; p < k; p++) {
          const v = at(a, q, i, p) * at(b, q, p, j);
          s += v;
          t += Math.abs(v);
        }
        ref[(q * m + i) * n + j] = s;
        abs[(q * m + i) * n + j] = t;
      }
  return { ref, abs };
}

interface Case {
  name: string;
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Build a and b views (default: contiguous). */
  make?: (seed: number) => { a: Strided; b: Strided };
}

function contiguousOperands(c: Case, seed: number): { a: Strided; b: Strided } {
  const a = dense(randF32(c.batch * c.m * c.k, seed), [c.batch, c.m, c.k]);
  const b = dense(randF32(c.batch * c.k * c.n, seed + 1), [c.batch, c.k, c.n]);
  return { a, b };
}

const cases: Case[] = [
  { name: "1x1x1", batch: 1, m: 1, n: 1, k: 1 },
  { name: "odd 3x5x7", batch: 1, m: 3, n: 5, k: 7 },
  { name: "not multiples of the tile 17x33x65", batch: 1, m: 17, n: 33, k: 65 },
  { name: "beyond one k block 37x29x300", batch: 1, m: 37, n: 29, k: 300 },
  { name: "wide 5x2100x9 (two column blocks)", batch: 1, m: 5, n: 2100, k: 9 },
  { name: "tall 260x6x11 (three row blocks)", batch: 1, m: 260, n: 6, k: 11 },
  { name: "batched 3x9x10x11", batch: 3, m: 9, n: 10, k: 11 },
  {
    name: "transposed a and b (strides only)",
    batch: 1, m: 13, n: 7, k: 21,
    make: (seed) => ({
      // a[i, p] stored as [k, m]; b[p, j] stored as [n, k]
      a: view(new CpuStorage(randF32(13 * 21, seed)), [1, 13, 21], [0, 1, 13]),
      b: view(new CpuStorage(randF32(7 * 21, seed + 1)), [1, 21, 7], [0, 1, 21]),
    }),
  },
  {
    name: "broadcast batch (stride 0) and offset views into guarded storage",
    batch: 4, m: 6, n: 5, k: 9,
    make: (seed) => {
      const ga = guardedStorage(randF32(6 * 9, seed));
      const gb = guardedStorage(randF32(4 * 9 * 5, seed + 1));
      return { a: view(ga.storage, [4, 6, 9], [0, 9, 1], ga.offset), b: view(gb.storage, [4, 9, 5], [45, 5, 1], gb.offset) };
    },
  },
  {
    name: "non-contiguous slices (every other row and column)",
    batch: 1, m: 11, n: 9, k: 15,
    make: (seed) => ({
      a: view(new CpuStorage(randF32(22 * 30, seed)), [1, 11, 15], [0, 60, 2], 1),
      b: view(new CpuStorage(randF32(30 * 18, seed + 1)), [1, 15, 9], [0, 36, 2], 3),
    }),
  },
  {
    name: "a sparse slice of a large storage (gathered, not span-copied)",
    batch: 1, m: 4, n: 3, k: 5,
    make: (seed) => ({
      a: view(new CpuStorage(randF32(4 * 5 * 1000, seed)), [1, 4, 5], [0, 5000, 1000]),
      b: view(new CpuStorage(randF32(15, seed + 1)), [1, 5, 3], [0, 3, 1]),
    }),
  },
];

describe("WASM matmul equals the exact product within float32 accumulation error", () => {
  for (const c of cases) {
    test(c.name, () => {
      const { a, b } = (c.make ?? ((s) => contiguousOperands(c, s)))(7);
      const size = c.batch * c.m * c.n;
      const outW = outStorage(size);
      const outC = outStorage(size);
      wasm().matmul(a, b, outW, c);
      cpu.matmul(a, b, outC, c);
      outW.checkGuards();
      const { ref, abs } = reference(a, b, c.batch, c.m, c.n, c.k);
      // bound: (k + 2)·2⁻²⁴·Σ|a·b| (float32 accumulation); the CPU result: one rounding
      expectWithin(outW.data, ref, (i) => (c.k + 2) * U * abs[i]! + 1e-30, "wasm vs exact");
      expectWithin(outC.data, ref, (i) => U * Math.abs(ref[i]!) + 1e-30, "cpu vs exact");
    });
  }

  test("k = 0 gives zeros; m = 0 or batch = 0 writes nothing", () => {
    const a = dense(new Float32Array(0), [1, 3, 0]);
    const b = dense(new Float32Array(0), [1, 0, 4]);
    const out = outStorage(12);
    out.data.fill(7);
    wasm().matmul(a, b, out, { batch: 1, m: 3, n: 4, k: 0 });
    expect(Array.from(out.data)).toEqual(new Array(12).fill(0));
    const empty = outStorage(0);
    wasm().matmul(dense(new Float32Array(0), [1, 0, 5]), dense(randF32(20, 1), [1, 5, 4]), empty, { batch: 1, m: 0, n: 4, k: 5 });
    wasm().matmul(dense(new Float32Array(0), [0, 2, 5]), dense(new Float32Array(0), [0, 5, 4]), empty, { batch: 0, m: 2, n: 4, k: 5 });
    empty.checkGuards();
  });

  test("float64 operands are delegated to the CPU backend (bit-identical)", () => {
    const a = dense(Float64Array.from(randF32(35, 3)), [1, 5, 7]);
    const b = dense(Float64Array.from(randF32(28, 4)), [1, 7, 4]);
    const w = new CpuStorage(new Float64Array(20));
    const c = new CpuStorage(new Float64Array(20));
    wasm().matmul(a, b, w, { batch: 1, m: 5, n: 4, k: 7 });
    cpu.matmul(a, b, c, { batch: 1, m: 5, n: 4, k: 7 });
    expect(Array.from(w.data)).toEqual(Array.from(c.data));
  });
});

describe("WASM fused linear (x·Wᵀ + b) equals the exact result within float32 accumulation error", () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [19, 10, 33], [128, 10, 128], [7, 300, 260]];
  for (const [m, n, k] of shapes) {
    for (const withBias of [true, false]) {
      test(`${m}x${k} · (${n}x${k})ᵀ ${withBias ? "+ bias" : "without bias"}`, () => {
        const x = dense(randF32(m * k, 11), [m, k]);
        const w = dense(randF32(n * k, 12), [n, k]);
        const gb = guardedStorage(randF32(n, 13));
        const bias = withBias ? view(gb.storage, [n], [1], gb.offset) : null;
        const outW = outStorage(m * n);
        const outC = outStorage(m * n);
        wasm().linear(x, w, bias, outW, { m, n, k });
        cpu.linear(x, w, bias, outC, { m, n, k });
        outW.checkGuards();
        // exact: Σ x·w + b; bound (k + 3)·2⁻²⁴·(Σ|x·w| + |b|)
        const wt: Strided = { storage: w.storage, shape: [1, k, n], strides: [0, 1, k], offset: 0 };
        const { ref, abs } = reference({ ...x, shape: [1, m, k], strides: [0, k, 1] }, wt, 1, m, n, k);
        const bd = bias ? bias.storage.data : null;
        const exact = Float64Array.from(ref, (v, i) => v + (bd ? bd[gb.offset + (i % n)]! : 0));
        const absB = Float64Array.from(abs, (v, i) => v + (bd ? Math.abs(bd[gb.offset + (i % n)]!) : 0));
        expectWithin(outW.data, exact, (i) => (k + 3) * U * absB[i]! + 1e-30, "wasm vs exact");
        expectWithin(outC.data, exact, (i) => 2 * U * absB[i]! + 1e-30, "cpu vs exact");
      });
    }
  }

  test("a transposed (non-contiguous) weight and a strided bias", () => {
    const m = 6, n = 5, k = 9;
    const x = dense(randF32(m * k, 21), [m, k]);
    const w = view(new CpuStorage(randF32(n * k, 22)), [n, k], [1, n]); // W stored as [k, n]
    const bias = view(new CpuStorage(randF32(2 * n, 23)), [n], [2], 1);
    const outW = outStorage(m * n);
    const outC = outStorage(m * n);
    wasm().linear(x, w, bias, outW, { m, n, k });
    cpu.linear(x, w, bias, outC, { m, n, k });
    // both within (k + 3)·2⁻²⁴·Σ|terms| of each other's exact value; compare them directly with twice that
    let worst = 0;
    for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(outW.data[i]! - outC.data[i]!));
    expect(worst).toBeLessThan(2 * (k + 3) * U * 10);
  });
});
