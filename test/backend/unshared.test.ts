/**
 * The WASM backend over an unshared memory (what browsers without cross-origin isolation get: no
 * SharedArrayBuffer, so no threads). Growing an unshared memory detaches its old buffer: resident
 * storages must be re-pointed, and kernels must keep working across growth (as must an optimizer
 * stepping a resident nn.Parameter).
 */
import { expect, test } from "vitest";
import { loadWasmKernels } from "../../src/backend/wasm/module.js";
import { WasmBackend } from "../../src/backend/wasm/backend.js";
import { ResidentStorage } from "../../src/backend/wasm/storage.js";
import { cpu, dense, expectBitEqual, expectWithin, outStorage, randF32 } from "./helpers.js";
import { adam } from "../../src/optim/adam.js";
import { nn, optim, setBackend, tensor } from "../../src/index.js";

test("an unshared memory: kernels, resident storages and optimizer steps survive memory growth", () => {
  const k = loadWasmKernels({ shared: false, initialBytes: 4 << 20 });
  expect(k).not.toBeNull();
  expect(k!.shared).toBe(false);
  const w = new WasmBackend(k!, null);
  w.setThreads(4); // no pool: stays single-threaded
  expect(w.getThreads()).toBe(1);

  const n = 5000;
  const p = w.alloc("float32", n, { persistent: true }) as ResidentStorage;
  const m = w.alloc("float32", n, { persistent: true }) as ResidentStorage;
  const v = w.alloc("float32", n, { persistent: true }) as ResidentStorage;
  expect(p).toBeInstanceOf(ResidentStorage);
  p.data.set(randF32(n, 1));
  const before = k!.memory.buffer.byteLength;
  // a product big enough to grow the memory through the scratch arena (3 × 4 MB operands)
  const M = 1024, K = 1024;
  const a = dense(randF32(M * K, 2), [1, M, K]);
  const b = dense(randF32(K * 8, 3), [1, K, 8]);
  const out = outStorage(M * 8);
  w.matmul(a, b, out, { batch: 1, m: M, n: 8, k: K });
  expect(k!.memory.buffer.byteLength).toBeGreaterThan(before);
  // the resident views were re-pointed at the grown buffer and still hold their values
  expect(p.data.length).toBe(n);
  expect(p.data.buffer).toBe(k!.memory.buffer);
  // product within float32 accumulation error of the CPU reference: (K + 2)·2⁻²⁴·Σ|a·b| ≤ (K + 2)·2⁻²⁴·K
  const ref = outStorage(M * 8);
  cpu.matmul(a, b, ref, { batch: 1, m: M, n: 8, k: K });
  expectWithin(out.data, ref.data, () => (K + 2) * 2 ** -24 * K, "matmul");
  // an Adam step on resident state after the growth: bit-identical to the reference kernel
  const g = randF32(n, 4);
  const rp = Float32Array.from(p.data), rm = new Float32Array(n), rv = new Float32Array(n);
  const hyper = { lr: 1e-3, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
  expect(w.optimizerStep({ kind: "adam", param: p.data, grad: g, expAvg: m.data, expAvgSq: v.data, maxExpAvgSq: null, step: 1, decoupled: false, hyper })).toBe(true);
  adam(rp, g, rm, rv, null, 1, hyper);
  expectBitEqual(p.data, rp, "param");
  expectBitEqual(m.data, rm, "exp_avg");
});

test("an unshared memory: a resident Parameter keeps training across memory growth", () => {
  const k = loadWasmKernels({ shared: false, initialBytes: 4 << 20 });
  const w = new WasmBackend(k!, null);
  const n = 5000;
  const p0 = randF32(n, 5), g0 = randF32(n, 6, -0.1, 0.1);
  setBackend(w);
  try {
    const p = new nn.Parameter(tensor(p0.slice(), { shape: [n] }));
    expect(p.storage).toBeInstanceOf(ResidentStorage);
    const opt = new optim.Adam([p], { lr: 1e-2 });
    const rp = Float32Array.from(p0), rm = new Float32Array(n), rv = new Float32Array(n);
    const hyper = { lr: 1e-2, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
    const step = (t: number): void => {
      p.grad = tensor(g0.slice(), { shape: [n] });
      opt.step();
      adam(rp, g0, rm, rv, null, t, hyper);
    };
    step(1);
    const before = k!.memory.buffer.byteLength;
    const M = 1024, K = 1024;
    w.matmul(dense(randF32(M * K, 7), [1, M, K]), dense(randF32(K * 8, 8), [1, K, 8]), outStorage(M * 8), { batch: 1, m: M, n: 8, k: K });
    expect(k!.memory.buffer.byteLength).toBeGreaterThan(before);
    // the optimizer's cached view of the parameter was detached by the growth: it must follow the storage
    step(2);
    step(3);
    expect(p.storage.data.buffer).toBe(k!.memory.buffer);
    expectBitEqual(p.dataSync() as Float32Array, rp, "param after 3 steps across growth");
  } finally {
    setBackend("wasm");
  }
});
