/**
 * The unpacked small-dimension products behind the convolutions (csrc/smallgemm.c) against a
 * float64 reference: gemm_rows (C = A·B with B's rows contiguous, A through any strides) and
 * gemm_dot (C = A·Bᵀ, both operands' rows contiguous along K), with M, N and K around the 4x8 /
 * 2x4 tile sizes, zero K, accumulate, and a padded C (ldc > N) whose padding must stay untouched.
 * Bound: |error| ≤ (K + 2)·2⁻²⁴·Σ|aᵢₖ·bₖⱼ| (float32 accumulation). Guard regions around every
 * buffer catch out-of-bounds writes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { checkAndFreeAll, guarded, kernels, XorShift32 } from "./helpers.js";

afterEach(() => checkAndFreeAll());

const U = 2 ** -24;

function run(kind: "rows" | "dot", M: number, N: number, K: number, accumulate: boolean, transA: boolean, rng: XorShift32): void {
  const k = kernels();
  const ldc = N + 3;
  const Ah = rng.uniformArray(M * K), Bh = rng.uniformArray(K * N), C0 = rng.uniformArray(M * ldc);
  const A = guarded(M * K, Ah), B = guarded(K * N, Bh), C = guarded(M * ldc, C0);
  // A(i, p): rows: stored [M, K] or transposed [K, M]; dot: always [M, K]
  const aAt = (i: number, p: number): number => (kind === "rows" && transA ? Ah[p * M + i]! : Ah[i * K + p]!);
  // B(p, j): rows: stored [K, N]; dot: stored [N, K]
  const bAt = (p: number, j: number): number => (kind === "rows" ? Bh[p * N + j]! : Bh[j * K + p]!);
  if (kind === "rows") {
    const [sAm, sAk] = transA ? [1, M] : [K, 1];
    k.exports.gemm_rows(M, N, K, A.ptr, sAm, sAk, B.ptr, N, C.ptr, ldc, accumulate ? 1 : 0);
  } else {
    k.exports.gemm_dot(M, N, K, A.ptr, K, B.ptr, K, C.ptr, ldc, accumulate ? 1 : 0);
  }
  const out = C.f32();
  for (let i = 0; i < M; i++)
    for (let j = 0; j < ldc; j++) {
      const got = out[i * ldc + j]!;
      if (j >= N) {
        expect(got, `padding (${i}, ${j}) untouched`).toBe(C0[i * ldc + j]);
        continue;
      }
      let exact = accumulate ? C0[i * ldc + j]! : 0;
      let abs = accumulate ? Math.abs(C0[i * ldc + j]!) : 0;
      for (let p = 0; p < K; p++) {
        exact += aAt(i, p) * bAt(p, j);
        abs += Math.abs(aAt(i, p) * bAt(p, j));
      }
      if (!(Math.abs(got - exact) <= (K + 2) * U * abs + 1e-30))
        expect.fail(`${kind} ${M}x${N}x${K}: C(${i}, ${j}) = ${got}, exact ${exact}`);
    }
}

describe("gemm_rows and gemm_dot match the exact product", () => {
  const rng = new XorShift32(77);
  const dims: [number, number, number][] = [
    [1, 1, 1], [3, 5, 7], [4, 8, 1], [5, 9, 25], [6, 576, 25], [16, 64, 150], [7, 13, 0], [2, 3, 1030], [9, 12, 2051],
  ];
  for (const [M, N, K] of dims)
    for (const accumulate of [false, true]) {
      it(`gemm_rows ${M}x${N}x${K}${accumulate ? " accumulate" : ""}`, () => run("rows", M, N, K, accumulate, false, rng));
      it(`gemm_rows ${M}x${N}x${K} with A transposed${accumulate ? " accumulate" : ""}`, () => run("rows", M, N, K, accumulate, true, rng));
      it(`gemm_dot ${M}x${N}x${K}${accumulate ? " accumulate" : ""}`, () => run("dot", M, N, K, accumulate, false, rng));
    }
});
