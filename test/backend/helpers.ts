/**
 * Helpers for the WASM-backend-vs-CPU-reference tests: the two backends, deterministic operands,
 * strided views with guard elements around them, and float32 comparisons.
 */
import { expect } from "vitest";
import type { Storage, Strided } from "../../src/backend/backend.js";
import { cpuBackend, wasmBackend } from "../../src/backend/registry.js";
import type { WasmBackend } from "../../src/backend/wasm/backend.js";
import { CpuStorage } from "../../src/backend/cpu/storage.js";
import { contiguousStrides } from "../../src/tensor/shape.js";

export const cpu = cpuBackend();

/** The WASM backend (the test fails when the engine cannot run it). */
export function wasm(): WasmBackend {
  const w = wasmBackend();
  if (!w) throw new Error("the WASM backend is unavailable in this engine");
  return w;
}

/** float32 machine epsilon (2^-23); a rounding is at most half of it, relatively. */
export const EPS32 = 2 ** -23;

/** Deterministic values in [lo, hi) (xorshift32, exact float32). */
export function randF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + ((hi - lo) * (s >>> 8)) / 2 ** 24;
  }
  return out;
}

/** Integers in [0, k) as int32. */
export function randInt(n: number, k: number, seed: number): Int32Array {
  const u = randF32(n, seed, 0, 1);
  return Int32Array.from(u, (v) => Math.min(k - 1, Math.floor(v * k)));
}

/**
 * A view over `data` placed after GUARD sentinel elements inside a larger array: `view.storage`
 * holds guards on both sides, so a kernel writing outside the view is caught by {@link checkGuards}.
 */
export const GUARD = 37;
const SENTINEL = -12345; // exact in every dtype

export function guardedStorage(data: Float32Array | Int32Array | Float64Array): { storage: Storage; offset: number } {
  const Ctor = data.constructor as { new (n: number): Float32Array | Int32Array | Float64Array };
  const big = new Ctor(data.length + 2 * GUARD);
  big.fill(SENTINEL);
  big.set(data, GUARD);
  return { storage: new CpuStorage(big), offset: GUARD };
}

/** Every element outside [GUARD, GUARD + n) still holds the sentinel. */
export function checkGuards(s: Storage, n: number, what = ""): void {
  const d = s.data;
  for (let i = 0; i < GUARD; i++) expect(d[i], `${what}: guard before`).toBe(SENTINEL);
  for (let i = GUARD + n; i < d.length; i++) expect(d[i], `${what}: guard after`).toBe(SENTINEL);
}

/** A strided view (contiguous unless strides are given) of a storage. */
export function view(storage: Storage, shape: number[], strides?: number[], offset = 0): Strided {
  return { storage, shape, strides: strides ?? contiguousStrides(shape), offset };
}

/** A contiguous view of fresh data. */
export function dense(data: Float32Array | Int32Array | Float64Array, shape: number[]): Strided {
  return view(new CpuStorage(data), shape);
}

/**
 * A zero-filled output storage of n elements whose data is a window of a larger guarded array:
 * `checkGuards()` asserts nothing was written outside the window.
 */
export function outStorage(n: number, dtype: "float32" | "int32" | "float64" = "float32"): Storage & { checkGuards(): void } {
  const init = dtype === "float32" ? new Float32Array(n) : dtype === "int32" ? new Int32Array(n) : new Float64Array(n);
  const g = guardedStorage(init);
  const payload = g.storage.data.subarray(GUARD, GUARD + n);
  const storage = new CpuStorage(payload) as CpuStorage & { checkGuards(): void };
  storage.checkGuards = () => checkGuards(g.storage, n, "output");
  return storage;
}

/** Bitwise float32 equality (NaN matches any NaN). */
export function expectBitEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what = ""): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = new Float32Array(Array.from(actual));
  const e = new Float32Array(Array.from(expected));
  const ab = new Int32Array(a.buffer), eb = new Int32Array(e.buffer);
  for (let i = 0; i < a.length; i++) {
    if (ab[i] !== eb[i] && !(Number.isNaN(a[i]) && Number.isNaN(e[i])))
      expect.fail(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (bit-exact)`);
  }
}

/**
 * |actual − expected| ≤ bound[i] elementwise (bound per element, e.g. a float32 rounding bound of
 * a sum), NaN matching NaN and infinities matching exactly.
 */
export function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: (i: number) => number, what = ""): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) expect.fail(`${what}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    const b = bound(i);
    if (!(Math.abs(a - e) <= b)) expect.fail(`${what}: element ${i} is ${a}, expected ${e} (allowed error ${b.toExponential(2)})`);
  }
}

/** |actual − expected| ≤ ulps float32 ulps of expected (plus a tiny absolute floor). */
export function expectUlps(actual: ArrayLike<number>, expected: ArrayLike<number>, ulps: number, what = ""): void {
  expectWithin(actual, expected, (i) => ulps * EPS32 * Math.abs(expected[i]!) + 1e-38, what);
}
