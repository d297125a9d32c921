/**
 * Element-wise kernels and reductions against plain float32 JavaScript: every op in every
 * broadcast mode, lengths that are not multiples of 4, in-place use, special values, and guard
 * regions around every output.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BinaryOp } from "../../../src/backend/wasm/module.js";
import { fmaf } from "../../../src/backend/wasm/reference.js";
import { bits, checkAndFreeAll, expectBitExact, expectClose, guarded, guardedI32, kernels, XorShift32 } from "./helpers.js";

afterEach(() => checkAndFreeAll());

const f = Math.fround;
const OPS: [string, number, (a: number, b: number) => number][] = [
  ["add", BinaryOp.add, (a, b) => f(a + b)],
  ["sub", BinaryOp.sub, (a, b) => f(a - b)],
  ["mul", BinaryOp.mul, (a, b) => f(a * b)],
  ["div", BinaryOp.div, (a, b) => f(a / b)],
];
const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 63, 1001];

/** Values with specials mixed in. */
function values(rng: XorShift32, n: number): Float32Array {
  const v = rng.values(n, -6, 10);
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e-40, -3e38];
  for (let i = 0; i < n; i += 11) v[i] = specials[(i / 11) % specials.length]!;
  return v;
}

describe("binary ops (bit-exact: one correctly rounded op each)", () => {
  const rng = new XorShift32(1);
  for (const [name, op, ref] of OPS) {
    it(`${name}: contiguous, scalar, reversed scalar`, () => {
      const k = kernels();
      for (const n of LENGTHS) {
        const av = values(rng, n), bv = values(rng, n);
        const a = guarded(n, av), b = guarded(n, bv), out = guarded(n);
        k.exports.f32_binary(op, a.ptr, b.ptr, out.ptr, n);
        expectBitExact(out.f32(), av.map((x, i) => ref(x, bv[i]!)), `${name} n=${n}`);
        const s = f(-1.75);
        k.exports.f32_binary_scalar(op, a.ptr, s, out.ptr, n, 0);
        expectBitExact(out.f32(), av.map((x) => ref(x, s)), `${name} scalar n=${n}`);
        k.exports.f32_binary_scalar(op, a.ptr, s, out.ptr, n, 1);
        expectBitExact(out.f32(), av.map((x) => ref(s, x)), `${name} rscalar n=${n}`);
        // in place
        k.exports.f32_binary(op, a.ptr, b.ptr, a.ptr, n);
        expectBitExact(a.f32(), av.map((x, i) => ref(x, bv[i]!)), `${name} in-place n=${n}`);
        checkAndFreeAll();
      }
    });

    it(`${name}: row and column broadcast`, () => {
      const k = kernels();
      for (const [m, n] of [[1, 1], [3, 5], [4, 8], [7, 13], [2, 0], [0, 3]] as const) {
        const av = values(rng, m * n), rv = values(rng, n), cv = values(rng, m);
        const a = guarded(m * n, av), r = guarded(n, rv), c = guarded(m, cv), out = guarded(m * n);
        for (const rev of [0, 1]) {
          k.exports.f32_binary_row(op, a.ptr, r.ptr, out.ptr, m, n, rev);
          expectBitExact(out.f32(), av.map((x, i) => (rev ? ref(rv[i % n]!, x) : ref(x, rv[i % n]!))), `${name} row ${m}x${n} rev=${rev}`);
          k.exports.f32_binary_col(op, a.ptr, c.ptr, out.ptr, m, n, rev);
          expectBitExact(out.f32(), av.map((x, i) => (rev ? ref(cv[Math.floor(i / n)]!, x) : ref(x, cv[Math.floor(i / n)]!))), `${name} col ${m}x${n} rev=${rev}`);
        }
        checkAndFreeAll();
      }
    });
  }
});

describe("unary and update kernels", () => {
  const rng = new XorShift32(2);

  it("relu keeps -0 and NaN like torch.relu; relu_backward passes NaN", () => {
    const k = kernels();
    for (const n of LENGTHS) {
      const xv = values(rng, n), gv = values(rng, n);
      const x = guarded(n, xv), g = guarded(n, gv), out = guarded(n);
      k.exports.f32_relu(x.ptr, out.ptr, n);
      expectBitExact(out.f32(), xv.map((v) => (v < 0 ? 0 : v)), `relu n=${n}`);
      k.exports.f32_relu_backward(g.ptr, x.ptr, out.ptr, n);
      expectBitExact(out.f32(), gv.map((v, i) => (xv[i]! <= 0 ? 0 : v)), `relu_backward n=${n}`);
      checkAndFreeAll();
    }
    const x = guarded(4, [-0, 0, NaN, -1]), out = guarded(4);
    k.exports.f32_relu(x.ptr, out.ptr, 4);
    expect(Array.from(bits(out.f32())).map((b) => b >>> 0)).toEqual([0x80000000, 0, bits(Float32Array.of(NaN))[0]! >>> 0, 0]);
  });

  it("scale, fill, axpy (fused = exact fmaf, unfused = two roundings)", () => {
    const k = kernels();
    for (const n of LENGTHS) {
      const xv = values(rng, n), yv = values(rng, n);
      const x = guarded(n, xv), y = guarded(n, yv), out = guarded(n);
      k.exports.f32_scale(x.ptr, f(0.3), out.ptr, n);
      expectBitExact(out.f32(), xv.map((v) => f(v * f(0.3))), `scale n=${n}`);
      k.exports.f32_fill(out.ptr, 2.5, n);
      expectBitExact(out.f32(), new Float32Array(n).fill(2.5), `fill n=${n}`);
      const alpha = f(-0.37);
      k.exports.f32_axpy(n, alpha, x.ptr, y.ptr, 1);
      expectBitExact(y.f32(), yv.map((v, i) => fmaf(xv[i]!, alpha, v)), `axpy fused n=${n}`);
      y.set(yv);
      k.exports.f32_axpy(n, alpha, x.ptr, y.ptr, 0);
      expectBitExact(y.f32(), yv.map((v, i) => f(v + f(alpha * xv[i]!))), `axpy n=${n}`);
      checkAndFreeAll();
    }
  });

  it("fused axpy is exact on double-rounding traps in SIMD lanes and tails", () => {
    const k = kernels();
    const a = f(1 + 2 ** -12), c = 2 ** -60;
    const n = 7;
    const x = guarded(n, new Float32Array(n).fill(a)), y = guarded(n, new Float32Array(n).fill(c));
    k.exports.f32_axpy(n, a, x.ptr, y.ptr, 1);
    expectBitExact(y.f32(), new Float32Array(n).fill(1 + 2 ** -11 + 2 ** -23), "axpy trap");
    // subnormal results: x*alpha + y tiny
    const rng2 = new XorShift32(9);
    const xs = new Float32Array(1000), ys = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) {
      xs[i] = f(rng2.value(-70, 10));
      ys[i] = f(-xs[i]! * 0.75 * (1 + rng2.uniform() * 2 ** -20));
    }
    const X = guarded(1000, xs), Y = guarded(1000, ys);
    k.exports.f32_axpy(1000, 0.75, X.ptr, Y.ptr, 1);
    expectBitExact(Y.f32(), ys.map((v, i) => fmaf(xs[i]!, 0.75, v)), "axpy subnormal");
  });
});

describe("reductions", () => {
  const rng = new XorShift32(3);

  it("sum, row sums, column sums (accurate to float32)", () => {
    const k = kernels();
    for (const n of [0, 1, 5, 16, 17, 1023, 1024, 1025, 5000]) {
      const xv = rng.uniformArray(n);
      const x = guarded(n, xv);
      let ref = 0, mag = 0;
      for (const v of xv) { ref += v; mag += Math.abs(v); }
      expect(Math.abs(k.exports.f32_sum(x.ptr, n) - ref)).toBeLessThanOrEqual(2 ** -20 * mag + 1e-30);
    }
    for (const [m, n] of [[1, 1], [3, 7], [5, 16], [9, 33], [4, 1030], [70, 3], [0, 4], [4, 0]] as const) {
      const xv = rng.uniformArray(m * n);
      const x = guarded(m * n, xv), rows = guarded(m), cols = guarded(n, new Float32Array(n).fill(1));
      k.exports.f32_row_sum(x.ptr, rows.ptr, m, n);
      const rref = Array.from({ length: m }, (_, i) => xv.subarray(i * n, (i + 1) * n).reduce((s, v) => s + v, 0));
      expectClose(rows.f32(), rref, 1e-6, 1e-6, `row_sum ${m}x${n}`);
      const cref = Array.from({ length: n }, (_, j) => { let s = 0; for (let i = 0; i < m; i++) s += xv[i * n + j]!; return s; });
      k.exports.f32_col_sum(x.ptr, cols.ptr, m, n, 1);
      expectClose(cols.f32(), cref.map((v) => v + 1), 1e-6, 1e-5, `col_sum acc ${m}x${n}`);
      k.exports.f32_col_sum(x.ptr, cols.ptr, m, n, 0);
      expectClose(cols.f32(), cref, 1e-6, 1e-5, `col_sum ${m}x${n}`);
      checkAndFreeAll();
    }
  });

  it("row max with first index, NaN propagation", () => {
    const k = kernels();
    for (const [m, n] of [[1, 1], [3, 7], [4, 8], [5, 9], [2, 100]] as const) {
      const xv = rng.uniformArray(m * n, -3, 3);
      if (n >= 7) { xv[n + 5] = NaN; xv[n + 6] = NaN; } // row 1 has NaNs
      if (n >= 8) xv[2 * n + 7] = xv[2 * n + 1] = 5; // row 2: tie, first index wins
      const x = guarded(m * n, xv), out = guarded(m), idx = guardedI32(m);
      k.exports.f32_row_max(x.ptr, out.ptr, idx.ptr, m, n);
      for (let i = 0; i < m; i++) {
        const row = Array.from(xv.subarray(i * n, (i + 1) * n));
        const nanAt = row.findIndex((v) => Number.isNaN(v));
        const mx = nanAt >= 0 ? NaN : Math.max(...row);
        const at = nanAt >= 0 ? nanAt : row.indexOf(mx);
        expect(out.f32()[i]).toBe(mx);
        expect(idx.i32()[i]).toBe(at);
      }
      k.exports.f32_row_max(x.ptr, out.ptr, 0, m, n);
      checkAndFreeAll();
    }
  });
});
