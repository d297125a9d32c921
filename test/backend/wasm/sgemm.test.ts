/**
 * sgemm and linear_forward against a float64 naive matmul: odd sizes, transposed operands through
 * strides, batches (including a broadcast operand with batch stride 0), zero-size dimensions,
 * accumulate, a padded C (ldc > N), sizes that cross the KC/MC/NC cache blocks. Every output buffer
 * is surrounded by guard regions that must stay untouched.
 */
import { afterEach, describe, expect, it } from "vitest";
import { checkAndFreeAll, guarded, kernels, XorShift32 } from "./helpers.js";

afterEach(() => checkAndFreeAll());

interface Case {
  batch: number; M: number; N: number; K: number;
  transA?: boolean; transB?: boolean; bcastA?: boolean; bcastB?: boolean;
  accumulate?: boolean; ldcPad?: number;
}

/** Run one sgemm case and compare with the float64 reference within the rounding-error bound. */
function check(c: Case, rng: XorShift32): void {
  const k = kernels();
  const { batch, M, N, K } = c;
  const ldc = N + (c.ldcPad ?? 0);
  const nA = (c.bcastA ? 1 : batch) * M * K, nB = (c.bcastB ? 1 : batch) * K * N;
  const Ah = rng.uniformArray(nA), Bh = rng.uniformArray(nB);
  const C0 = rng.uniformArray(Math.max(0, batch * M * ldc));
  const A = guarded(nA, Ah), B = guarded(nB, Bh), C = guarded(batch * M * ldc, C0);
  // A[b] element (i, k): transposed A is stored [K, M]
  const [sAm, sAk] = c.transA ? [1, M] : [K, 1];
  const [sBk, sBn] = c.transB ? [1, K] : [N, 1];
  const sAb = c.bcastA ? 0 : M * K, sBb = c.bcastB ? 0 : K * N;
  k.sgemm({ M, N, K, A: A.ptr, B: B.ptr, C: C.ptr, batch, strideA: [sAb, sAm, sAk], strideB: [sBb, sBk, sBn], strideC: [M * ldc, ldc], accumulate: c.accumulate });
  const out = C.f32();
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < ldc; j++) {
        const got = out[b * M * ldc + i * ldc + j]!;
        if (j >= N) {
          expect(got, `padding column ${j} untouched`).toBe(C0[b * M * ldc + i * ldc + j]);
          continue;
        }
        let ref = c.accumulate ? C0[b * M * ldc + i * ldc + j]! : 0;
        let mag = Math.abs(ref);
        for (let q = 0; q < K; q++) {
          const p = Ah[b * sAb + i * sAm + q * sAk]! * Bh[b * sBb + q * sBk + j * sBn]!;
          ref += p;
          mag += Math.abs(p);
        }
        const tol = (K + 3) * 2 ** -24 * mag + 1e-30;
        if (!(Math.abs(got - ref) <= tol)) {
          throw new Error(`${JSON.stringify(c)}: C[${b},${i},${j}] = ${got}, expected ${ref} (tol ${tol})`);
        }
      }
    }
  }
}

describe("sgemm", () => {
  const rng = new XorShift32(42);

  it("odd sizes, every operand layout", () => {
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17];
    for (const M of sizes) for (const N of [1, 3, 8, 9, 16, 17]) for (const K of [1, 2, 5, 8, 31]) {
      for (const transA of [false, true]) for (const transB of [false, true]) {
        check({ batch: 1, M, N, K, transA, transB }, rng);
      }
    }
  });

  it("accumulate and a padded C", () => {
    for (const [M, N, K] of [[5, 7, 3], [33, 19, 40], [4, 8, 8]] as const) {
      check({ batch: 1, M, N, K, accumulate: true }, rng);
      check({ batch: 1, M, N, K, ldcPad: 3 }, rng);
      check({ batch: 2, M, N, K, ldcPad: 5, accumulate: true, transA: true }, rng);
    }
  });

  it("batches, with broadcast operands", () => {
    check({ batch: 3, M: 6, N: 10, K: 7 }, rng);
    check({ batch: 4, M: 9, N: 5, K: 12, transA: true, transB: true }, rng);
    check({ batch: 3, M: 5, N: 9, K: 6, bcastA: true }, rng);
    check({ batch: 3, M: 5, N: 9, K: 6, bcastB: true, transB: true }, rng);
  });

  it("zero-size dimensions", () => {
    for (const [M, N, K] of [[0, 5, 3], [5, 0, 3], [0, 0, 0], [4, 6, 0], [1, 1, 0]] as const) {
      check({ batch: 2, M, N, K }, rng);
      check({ batch: 2, M, N, K, accumulate: true }, rng);
    }
    // batch 0 touches nothing
    check({ batch: 0, M: 3, N: 3, K: 3 }, rng);
  });

  it("sizes crossing the cache blocks (KC=256, MC=128, NC=2048)", () => {
    check({ batch: 1, M: 131, N: 37, K: 300 }, rng);
    check({ batch: 1, M: 130, N: 45, K: 513, transA: true, accumulate: true }, rng);
    check({ batch: 1, M: 5, N: 2053, K: 9, transB: true }, rng);
    check({ batch: 2, M: 67, N: 70, K: 257, ldcPad: 2 }, rng);
  });

  it("MLP-shaped products and the transposed products of their backward pass", () => {
    // forward x[32,100]·W^T (W [64,100]); backward dX = dY·W, dW = dY^T·X
    check({ batch: 1, M: 32, N: 64, K: 100, transB: true }, rng);
    check({ batch: 1, M: 32, N: 100, K: 64 }, rng);
    check({ batch: 1, M: 64, N: 100, K: 32, transA: true }, rng);
  });

  it("special values propagate (inf, NaN)", () => {
    const k = kernels();
    const A = guarded(4, [1, Infinity, 2, 3]), B = guarded(4, [1, 0, 2, NaN]), C = guarded(4);
    k.sgemm({ M: 2, N: 2, K: 2, A: A.ptr, B: B.ptr, C: C.ptr });
    const c = C.f32();
    expect(c[0]).toBe(Infinity); // 1*1 + inf*2
    expect(c[1]).toBeNaN(); // 1*0 + inf*NaN
    expect(c[2]).toBe(8); // 2*1 + 3*2
    expect(c[3]).toBeNaN();
  });
});

describe("linear_forward", () => {
  it("X·W^T + bias, with and without bias, both weight layouts", () => {
    const k = kernels();
    const rng = new XorShift32(5);
    for (const [M, N, K] of [[7, 13, 9], [1, 1, 1], [33, 10, 64], [16, 5, 0]] as const) {
      for (const wT of [true, false]) for (const withBias of [true, false]) {
        const Xh = rng.uniformArray(M * K), Wh = rng.uniformArray(N * K), bh = rng.uniformArray(N);
        const X = guarded(M * K, Xh), W = guarded(N * K, Wh), bias = guarded(N, bh), Y = guarded(M * N, new Float32Array(M * N).fill(99));
        k.exports.linear_forward(X.ptr, W.ptr, withBias ? bias.ptr : 0, Y.ptr, M, N, K, wT ? 1 : 0, k.gemmWorkspace);
        const y = Y.f32();
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let ref = withBias ? bh[j]! : 0;
          for (let q = 0; q < K; q++) ref += Xh[i * K + q]! * (wT ? Wh[j * K + q]! : Wh[q * N + j]!);
          expect(Math.abs(y[i * N + j]! - ref)).toBeLessThanOrEqual(1e-5 * (K + 1));
        }
        checkAndFreeAll();
      }
    }
  });
});
