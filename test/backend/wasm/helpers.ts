/**
 * Shared helpers for the WASM kernel tests: one kernels instance, buffers with guard regions
 * (asserted untouched after every kernel call), a deterministic float32 stream, and float32
 * comparison helpers.
 */
import { expect } from "vitest";
import { loadWasmKernels, lastWasmLoadFailure, type WasmKernels } from "../../../src/backend/wasm/module.js";

let instance: WasmKernels | null = null;

/** The shared kernels instance (loads once; fails the test if the engine lacks SIMD). */
export function kernels(): WasmKernels {
  if (!instance) {
    instance = loadWasmKernels();
    if (!instance) throw new Error(`WASM kernels unavailable: ${lastWasmLoadFailure()}`);
  }
  return instance;
}

const GUARD = 64; // floats on each side
const SENTINEL = 0x7fc0dead; // a NaN bit pattern no kernel produces

/** A float32/int32 buffer in wasm memory with guard regions on both sides. */
export interface Guarded {
  ptr: number;
  length: number;
  f32(): Float32Array;
  i32(): Int32Array;
  set(data: ArrayLike<number>): Guarded;
  checkGuards(): void;
}

const live: Guarded[] = [];

/** Allocate `length` elements (4 bytes each) surrounded by sentinel-filled guards. */
export function guarded(length: number, init?: ArrayLike<number>): Guarded {
  const k = kernels();
  const base = k.heap.alloc(4 * (length + 2 * GUARD));
  const ptr = base + 4 * GUARD;
  const g: Guarded = {
    ptr,
    length,
    f32: () => k.f32(ptr, length),
    i32: () => k.i32(ptr, length),
    set(data) {
      k.f32(ptr, length).set(data instanceof Float32Array ? data : Float32Array.from(data));
      return g;
    },
    checkGuards() {
      const before = k.i32(base, GUARD);
      const after = k.i32(ptr + 4 * length, GUARD);
      for (let i = 0; i < GUARD; i++) {
        if (before[i] !== SENTINEL) throw new Error(`guard before buffer overwritten at -${GUARD - i}`);
        if (after[i] !== SENTINEL) throw new Error(`guard after buffer overwritten at +${i}`);
      }
    },
  };
  k.i32(base, length + 2 * GUARD).fill(SENTINEL);
  if (init) g.set(init);
  live.push(g);
  (g as Guarded & { base: number }).base = base;
  return g;
}

/** Int32 variant of {@link guarded}. */
export function guardedI32(length: number, init?: ArrayLike<number>): Guarded {
  const g = guarded(length);
  if (init) kernels().i32(g.ptr, length).set(Int32Array.from(init));
  return g;
}

/** Check every live guarded buffer and free them all. */
export function checkAndFreeAll(): void {
  const k = kernels();
  for (const g of live) g.checkGuards();
  for (const g of live) k.heap.free((g as Guarded & { base: number }).base);
  live.length = 0;
}

/** xorshift32: the same stream as scripts/fixtures/wasm_optim.py. */
export class XorShift32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    this.s = s;
    return s;
  }
  /** Uniform float in [0, 1) with 24 random bits. */
  uniform(): number {
    return (this.next() >>> 8) / 2 ** 24;
  }
  /** Exact float32: 0 (1/16), tiny +-[0.5,1)*2^[-70,-59] (1/16), else +-[0.5,1)*2^[lo, lo+span). */
  value(loExp: number, span: number): number {
    const r = this.next();
    const m = (this.next() >>> 8) / 2 ** 24;
    const sign = (r >>> 4) & 1 ? -1 : 1;
    const kind = r % 16;
    if (kind === 0) return 0;
    const e = kind === 1 ? -70 + ((r >>> 5) % 12) : loExp + ((r >>> 5) % span);
    return sign * (0.5 + m) * 2 ** e;
  }
  values(n: number, loExp: number, span: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.value(loExp, span);
    return out;
  }
  /** n floats uniform in [lo, hi). */
  uniformArray(n: number, lo = -1, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }
}

/** Bit patterns of a float32 array (NaNs compare by bits too). */
export function bits(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/**
 * Assert two float32 arrays are bit-identical (signed zeros included), reporting the first
 * mismatch. NaNs match any NaN: payloads are not observable reliably through JavaScript.
 */
export function expectBitExact(actual: Float32Array, expected: Float32Array, what = ""): void {
  expect(actual.length).toBe(expected.length);
  const a = bits(actual), e = bits(expected);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) {
      throw new Error(`${what}: element ${i} differs: got ${actual[i]} (0x${(a[i]! >>> 0).toString(16)}), expected ${expected[i]} (0x${(e[i]! >>> 0).toString(16)})`);
    }
  }
}

/** Assert |actual - expected| <= atol + rtol*|expected| elementwise (NaN matches NaN, inf matches inf). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what = ""): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`${what}: element ${i}: got ${a}, expected NaN`);
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) throw new Error(`${what}: element ${i}: got ${a}, expected ${e}`);
      continue;
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${what}: element ${i}: got ${a}, expected ${e} (diff ${Math.abs(a - e)})`);
    }
  }
}
