/**
 * The loader: feature detection, shared and unshared memories (the unshared module variant is
 * made by patching the memory import), the size-class allocator, the scratch arena, views after
 * memory growth, and the embedded bytes matching kernels.wasm.
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  kernelsWasmBytes, loadWasmKernels, sizeClass, wasmUnsupportedReason, withUnsharedMemoryImport,
} from "../../../src/backend/wasm/module.js";
import { KERNELS_WASM_SHA256 } from "../../../src/backend/wasm/kernels_wasm.js";

describe("wasm module loader", () => {
  it("the embedded base64 is kernels.wasm", () => {
    const file = readFileSync(new URL("../../../src/backend/wasm/kernels.wasm", import.meta.url));
    expect(Buffer.from(kernelsWasmBytes()).equals(file)).toBe(true);
    expect(createHash("sha256").update(file).digest("hex")).toBe(KERNELS_WASM_SHA256);
  });

  it("detects SIMD support in Node 20", () => {
    expect(wasmUnsupportedReason()).toBeNull();
  });

  it("imports a shared memory, and the patched variant an unshared one", () => {
    const shared = WebAssembly.Module.imports(new WebAssembly.Module(kernelsWasmBytes() as BufferSource));
    expect(shared).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
    const bytes = withUnsharedMemoryImport(kernelsWasmBytes());
    expect(bytes.length).toBe(kernelsWasmBytes().length);
    let diff = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== kernelsWasmBytes()[i]) diff++;
    expect(diff).toBe(1);
    // an unshared memory is accepted only by the patched module
    const mem = new WebAssembly.Memory({ initial: 4, maximum: 16 });
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env: { memory: mem } })).not.toThrow();
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(kernelsWasmBytes() as BufferSource), { env: { memory: mem } })).toThrow();
  });

  for (const shared of [true, false]) {
    it(`runs kernels on a ${shared ? "shared" : "non-shared"} memory, across memory growth`, () => {
      const k = loadWasmKernels({ shared, initialBytes: 4 << 20, maximumBytes: 1 << 30 })!;
      expect(k).not.toBeNull();
      expect(k.shared).toBe(shared);
      expect(k.memory.buffer instanceof SharedArrayBuffer).toBe(shared);
      const n = 1000;
      const a = k.allocF32(n), b = k.allocF32(n);
      k.f32(a, n).fill(1.5);
      k.f32(b, n).fill(2);
      const oldView = k.f32(a, n);
      const before = k.memory.buffer.byteLength;
      const big = k.heap.alloc(64 << 20); // forces growth
      expect(k.memory.buffer.byteLength).toBeGreaterThan(before);
      if (shared) expect(oldView[0]).toBe(1.5); // shared views stay valid
      else expect(oldView.length).toBe(0); // non-shared views are detached: re-derive
      k.exports.f32_binary(2, a, b, big, n);
      expect(k.f32(big, n)[n - 1]).toBe(3);
      expect(k.exports.f32_sum(big, n)).toBe(3000);
    });
  }

  it("size classes: 64-byte multiples, at most ~25% waste", () => {
    for (const bytes of [0, 1, 63, 64, 65, 1000, 1024, 1025, 5000, 123457, 40e6]) {
      const c = sizeClass(bytes);
      expect(c % 64).toBe(0);
      expect(c).toBeGreaterThanOrEqual(Math.max(bytes, 64));
      if (bytes > 1024) expect(c).toBeLessThanOrEqual(bytes * 1.26 + 64);
    }
  });

  it("allocator: aligned, reuses freed blocks, rejects double free", () => {
    const k = loadWasmKernels({ initialBytes: 1 << 20 })!;
    const ptrs = [1, 100, 4096, 10000, 3].map((n) => k.heap.alloc(n));
    for (const p of ptrs) expect(p % 64).toBe(0);
    // blocks do not overlap
    const spans = ptrs.map((p) => [p, p + k.heap.blockSize(p)] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    const inUse = k.heap.stats().bytesInUse;
    k.heap.free(ptrs[2]!);
    expect(k.heap.stats().bytesInUse).toBe(inUse - sizeClass(4096));
    expect(k.heap.alloc(4000)).toBe(ptrs[2]); // same class, reused
    k.heap.free(ptrs[0]!);
    expect(() => k.heap.free(ptrs[0]!)).toThrow();
    expect(() => k.heap.free(12345)).toThrow();
  });

  it("scratch arena: bump allocation, chunks that never move, consolidation on reset", () => {
    const k = loadWasmKernels({ initialBytes: 1 << 20 })!;
    const s = k.scratch;
    const cap = s.capacity();
    const a = s.alloc(100), b = s.alloc(100);
    expect(b - a).toBe(128);
    const m = s.mark();
    const big = s.alloc(cap * 2); // new chunk; a and b stay where they are
    k.f32(big, 4).set([1, 2, 3, 4]);
    expect(s.alloc(10) % 64).toBe(0);
    s.release(m);
    expect(s.alloc(100)).toBe(b + 128);
    s.reset();
    expect(s.capacity()).toBeGreaterThanOrEqual(cap * 3);
    const c = s.alloc(cap * 2);
    expect(s.alloc(64)).toBe(c + cap * 2); // fits in the consolidated chunk
    s.reset();
    const p = k.scratchFrom(Float32Array.of(1, 2, 3));
    expect(Array.from(k.f32(p, 3))).toEqual([1, 2, 3]);
    const q = k.scratchFrom(Int32Array.of(-1, 7));
    expect(Array.from(k.i32(q, 2))).toEqual([-1, 7]);
  });
});
