/**
 * WASM elementwise ops, sums and the softmax family against the CPU reference.
 *
 * Elementwise add/sub/mul/div, relu and relu's backward are single correctly rounded float32
 * operations in both backends: bit-identical. exp/log round a double-precision evaluation once in
 * both (≤ 1 ulp apart). Sums and softmax accumulate in float32 lanes in WASM (float64 on the CPU):
 * bounds are stated per assertion. Sizes are ≥ 4096 (above the WASM threshold of 1024 elements), odd, and include views
 * with offsets into guarded storage; special values (±0, ±inf, NaN, subnormals) are mixed in.
 */
import { describe, expect, test } from "vitest";
import type { Backend, BinaryOp, Strided } from "../../src/backend/backend.js";
import { CpuStorage } from "../../src/backend/cpu/storage.js";
import { cpu, dense, expectBitEqual, expectUlps, expectWithin, guardedStorage, checkGuards, outStorage, randF32, view, wasm, EPS32 } from "./helpers.js";

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1];

function withSpecials(a: Float32Array): Float32Array {
  for (let i = 0; i < SPECIAL.length; i++) a[(i * 97) % a.length] = SPECIAL[i]!;
  return a;
}

/** Run op on both backends into fresh outputs of `shape`; return [wasm, cpu] results. */
function both(run: (b: Backend, out: Strided) => void, shape: number[]): [Float32Array, Float32Array] {
  const n = shape.reduce((x, y) => x * y, 1);
  const ow = outStorage(n), oc = outStorage(n);
  run(wasm(), view(ow, shape));
  run(cpu, view(oc, shape));
  ow.checkGuards();
  return [ow.data as Float32Array, oc.data as Float32Array];
}

describe("binary ops: bit-identical to the CPU backend", () => {
  const M = 67, N = 65; // 4355 elements, neither dim a multiple of 4
  const shape = [M, N];
  const a = dense(withSpecials(randF32(M * N, 1, -3, 3)), shape);
  const b = dense(withSpecials(randF32(M * N, 2, -3, 3)), shape);
  const row = view(new CpuStorage(randF32(N, 3, -2, 2)), shape, [0, 1]);
  const col = view(new CpuStorage(randF32(M, 4, -2, 2)), shape, [1, 0]);
  const scalar = view(new CpuStorage(Float32Array.of(0, 1.7)), shape, [0, 0], 1);
  const rowsOfCol = view(new CpuStorage(randF32(M * 2, 5)), shape, [2, 0], 1); // column broadcast of a strided column
  const layouts: [string, Strided, Strided][] = [
    ["same shape", a, b],
    ["b broadcast over rows", a, row],
    ["a broadcast over rows (reversed)", row, b],
    ["b broadcast over columns", a, col],
    ["a broadcast over columns (reversed)", col, b],
    ["b a scalar", a, scalar],
    ["a a scalar (reversed)", scalar, b],
    ["b a strided column (CPU fallback)", a, rowsOfCol],
  ];
  const ops: BinaryOp[] = ["add", "sub", "mul", "div", "reluBackward"];
  for (const op of ops)
    for (const [name, x, y] of layouts) {
      if (op === "reluBackward" && name !== "same shape") continue;
      test(`${op}: ${name}`, () => {
        const [w, c] = both((bk, out) => bk.binary(op, x, y, out), shape);
        expectBitEqual(w, c, op);
      });
    }

  test("in place into an offset view of a larger storage (nothing outside is touched)", () => {
    const n = M * N;
    const gw = guardedStorage(randF32(n, 9));
    const gc = guardedStorage(randF32(n, 9));
    const outW = view(gw.storage, shape, undefined, gw.offset);
    const outC = view(gc.storage, shape, undefined, gc.offset);
    wasm().binary("mul", outW, b, outW);
    cpu.binary("mul", outC, b, outC);
    checkGuards(gw.storage, n, "in-place output");
    expectBitEqual(gw.storage.data, gc.storage.data, "in place");
  });

  test("small tensors stay in JavaScript and agree too", () => {
    const x = dense(randF32(10, 1), [10]);
    const y = dense(randF32(10, 2), [10]);
    const [w, c] = both((bk, out) => bk.binary("div", x, y, out), [10]);
    expectBitEqual(w, c, "div");
  });
});

describe("unary ops", () => {
  const shape = [4099];
  const x = dense(withSpecials(randF32(4099, 7, -90, 90)), shape);
  test("relu: bit-identical (keeps -0 and NaN like torch.relu)", () => {
    const [w, c] = both((bk, out) => bk.unary("relu", x, out), shape);
    expectBitEqual(w, c, "relu");
  });
  test("exp: within 1 ulp of the CPU (both round a double evaluation once)", () => {
    const [w, c] = both((bk, out) => bk.unary("exp", x, out), shape);
    expectUlps(w, c, 1, "exp");
  });
  test("log: within 1 ulp of the CPU", () => {
    const pos = dense(withSpecials(randF32(4099, 8, 0, 50)), shape);
    const [w, c] = both((bk, out) => bk.unary("log", pos, out), shape);
    expectUlps(w, c, 1, "log");
  });
  test("other unary ops are delegated (bit-identical)", () => {
    const [w, c] = both((bk, out) => bk.unary("tanh", x, out), shape);
    expectBitEqual(w, c, "tanh");
  });
});

describe("sums", () => {
  const shape = [37, 5, 29]; // 5365 elements
  const n = 37 * 5 * 29;
  const data = randF32(n, 13, -1, 1);
  const x = dense(data, shape);
  const absSum = (dims: number[]): Float64Array => {
    const out = new CpuStorage(new Float64Array(dims.length === 3 ? 1 : n / dims.reduce((p, d) => p * shape[d]!, 1)));
    cpu.reduce("sum", dense(Float64Array.from(data, Math.abs), shape), dims, out);
    return out.data as Float64Array;
  };
  const exact = (dims: number[]): Float64Array => {
    const out = new CpuStorage(new Float64Array(absSum(dims).length));
    cpu.reduce("sum", dense(Float64Array.from(data), shape), dims, out);
    return out.data as Float64Array;
  };
  for (const dims of [[0, 1, 2], [0], [0, 1], [2], [1, 2], [1]]) {
    test(`sum over dims [${dims}]`, () => {
      const size = exact(dims).length;
      const ow = outStorage(size);
      wasm().reduce("sum", x, dims, ow);
      ow.checkGuards();
      // float32 lanes over at most `count` terms: |err| ≤ (count + 1)·2⁻²⁴·Σ|x|
      const count = n / size;
      const abs = absSum(dims);
      expectWithin(ow.data, exact(dims), (i) => (count + 1) * 2 ** -24 * abs[i]! + 1e-30, `sum [${dims}]`);
    });
  }
  test("max is delegated (bit-identical)", () => {
    const ow = outStorage(37 * 5), oc = outStorage(37 * 5);
    wasm().reduce("max", x, [2], ow);
    cpu.reduce("max", x, [2], oc);
    expectBitEqual(ow.data, oc.data, "max");
  });
});

describe("softmax and log-softmax, forward and backward", () => {
  const rows = 33, n = 130;
  const shape = [rows, n];
  const data = randF32(rows * n, 17, -30, 30);
  data[5] = -Infinity; // one -inf logit
  for (let j = 0; j < n; j++) data[2 * n + j] = 1e4 + j; // a row of huge logits
  const x = dense(data, shape);
  for (const log of [false, true]) {
    test(`${log ? "log_softmax" : "softmax"} forward: within a few float32 ulps of the CPU`, () => {
      const ow = outStorage(rows * n), oc = outStorage(rows * n);
      wasm().softmax(x, 1, ow, log);
      cpu.softmax(x, 1, oc, log);
      ow.checkGuards();
      // softmax: x − max is rounded to float32 before exp (as in PyTorch's vectorized kernel; the
      // CPU reference subtracts in double), so the relative error is |x − max|·2⁻²⁴ plus a few ulps
      // for exp, the float-lane sum and the division; log_softmax: absolute error of x − max − lse,
      // a few ulps of |x − max| + |lse|
      const rowMax = (i: number): number => {
        const r = Math.floor(i / n);
        let m = -Infinity;
        for (let j = 0; j < n; j++) m = Math.max(m, data[r * n + j]!);
        return m;
      };
      if (log) expectWithin(ow.data, oc.data, (i) => 4 * EPS32 * (Math.abs(oc.data[i]!) + 5), "log_softmax");
      else
        expectWithin(ow.data, oc.data, (i) => oc.data[i] === 0 ? 0 : (4 * EPS32 + Math.abs(data[i]! - rowMax(i)) * 2 ** -24) * Math.abs(oc.data[i]!) + 1e-38, "softmax");
    });
    test(`${log ? "log_softmax" : "softmax"} backward: within float32 rounding of the CPU`, () => {
      const y = outStorage(rows * n);
      cpu.softmax(x, 1, y, log);
      const gy = dense(randF32(rows * n, 19), shape);
      const ow = outStorage(rows * n), oc = outStorage(rows * n);
      wasm().softmaxBackward(view(y, shape), gy, 1, ow, log);
      cpu.softmaxBackward(view(y, shape), gy, 1, oc, log);
      ow.checkGuards();
      // gx = y·(gy − Σgy·y) or gy − e^y·Σgy: the row sum (≤ n terms in float32) dominates
      expectWithin(ow.data, oc.data, () => (n + 4) * 2 ** -24 * 4 * n, log ? "log_softmax backward" : "softmax backward");
    });
  }
  test("softmax over a non-last dim is delegated (bit-identical)", () => {
    const ow = outStorage(rows * n), oc = outStorage(rows * n);
    wasm().softmax(x, 0, ow, false);
    cpu.softmax(x, 0, oc, false);
    expectBitEqual(ow.data, oc.data, "softmax dim 0");
  });
  test("zero-size rows", () => {
    const ow = outStorage(0);
    wasm().softmax(dense(new Float32Array(0), [0, 5]), 1, ow, true);
    wasm().softmax(dense(new Float32Array(0), [3, 0]), 1, ow, false);
    ow.checkGuards();
    expect(ow.size).toBe(0);
  });
});
