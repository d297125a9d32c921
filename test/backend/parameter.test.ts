/**
 * nn.Parameter owns a contiguous copy of the tensor it wraps, allocated as a persistent buffer of
 * the active backend: on the WASM backend a float32 parameter of >= 1024 elements lives in the
 * module memory (kernels use it in place) and its block returns to the heap once the parameter
 * is garbage-collected. The values are the wrapped tensor's; later writes to either side do not
 * reach the other (a documented difference from torch.nn.Parameter, which shares storage).
 */
import { afterEach, expect, test } from "vitest";
import { nn, noGrad, optim, setBackend, tensor, type Tensor } from "../../src/index.js";
import { ResidentStorage } from "../../src/backend/wasm/storage.js";
import { cpu, expectBitEqual, randF32, wasm } from "./helpers.js";
import { adam } from "../../src/optim/adam.js";

const gc = (globalThis as { gc?: () => void }).gc;

afterEach(() => setBackend("wasm"));

function fromArray(a: Float32Array, shape: number[]): Tensor {
  return tensor(a.slice(), { shape });
}

test("on the WASM backend a float32 Parameter of >= 1024 elements is a resident copy", () => {
  const w = wasm();
  setBackend(w);
  const src = randF32(32 * 64, 1);
  const t = fromArray(src, [32, 64]);
  const p = new nn.Parameter(t);
  expect(p.storage).toBeInstanceOf(ResidentStorage);
  expect(w.kernels.addressOf(p.storage.data)).toBeGreaterThanOrEqual(0);
  expect(p.shape).toEqual([32, 64]);
  expect(p.requiresGrad).toBe(true);
  expect(p.isContiguous()).toBe(true);
  expectBitEqual(p.dataSync() as Float32Array, src, "values");
  // no aliasing either way: t.mul_(2) leaves p alone, p.add_(1) leaves t alone
  noGrad(() => t.mul_(2));
  expectBitEqual(p.dataSync() as Float32Array, src, "after t.mul_(2)");
  noGrad(() => p.add_(1));
  expectBitEqual(t.dataSync() as Float32Array, src.map((v) => Math.fround(2 * v)), "t after p.add_(1)");
  expectBitEqual(p.dataSync() as Float32Array, src.map((v) => Math.fround(v + 1)), "p after p.add_(1)");
});

test("small, float64 and CPU-backend Parameters are own copies on the JavaScript heap", () => {
  const w = wasm();
  setBackend(w);
  const small = new nn.Parameter(fromArray(randF32(1000, 2), [1000]));
  expect(w.kernels.addressOf(small.storage.data)).toBe(-1);
  const t64 = tensor([1.5, -2.25, 3], { dtype: "float64" });
  const p64 = new nn.Parameter(t64, false);
  expect(p64.dtype).toBe("float64");
  expect(p64.requiresGrad).toBe(false);
  expect(p64.storage).not.toBe(t64.storage);
  expect(p64.tolist()).toEqual([1.5, -2.25, 3]);
  setBackend(cpu);
  const t = tensor([1, 2, 3, 4]);
  const p = new nn.Parameter(t);
  expect(p.storage).not.toBe(t.storage);
  noGrad(() => t.zero_());
  expect(p.tolist()).toEqual([1, 2, 3, 4]);
});

test("a Parameter of a non-contiguous view is a contiguous copy of the view's elements", () => {
  setBackend(wasm());
  // [[0, 1, 2], [3, 4, 5]]ᵀ = [[0, 3], [1, 4], [2, 5]]
  const t = tensor(new Float32Array([0, 1, 2, 3, 4, 5]), { shape: [2, 3] }).t();
  const p = new nn.Parameter(t);
  expect(p.isContiguous()).toBe(true);
  expect(p.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
});

test("Adam on a resident Parameter matches the reference kernel bit for bit", () => {
  setBackend(wasm());
  const n = 4099; // a SIMD body and a scalar tail
  const p0 = randF32(n, 3), g0 = randF32(n, 4, -1e-2, 1e-2);
  const p = new nn.Parameter(fromArray(p0, [n]));
  const opt = new optim.Adam([p], { lr: 1e-2, weightDecay: 0.1 });
  const rp = Float32Array.from(p0), rm = new Float32Array(n), rv = new Float32Array(n);
  const hyper = { lr: 1e-2, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false };
  for (let step = 1; step <= 3; step++) {
    p.grad = fromArray(g0, [n]);
    opt.step();
    adam(rp, g0, rm, rv, null, step, hyper);
  }
  expectBitEqual(p.dataSync() as Float32Array, rp, "param after 3 steps");
});

test("resident Parameters are freed once unreachable: building and dropping models does not grow the WASM heap", async () => {
  expect(gc, "run the tests with node --expose-gc").toBeTypeOf("function");
  const w = wasm();
  setBackend(w);
  const settle = async (): Promise<void> => {
    // FinalizationRegistry callbacks run after a collection, on a later turn of the event loop
    for (let i = 0; i < 5; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  const build = (): number => {
    // 20 models × (256·256 + 256·10) floats ≈ 5.4 MB of resident weights
    let total = 0;
    for (let i = 0; i < 20; i++) {
      const m = new nn.Sequential(new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
      total += m.parameters().length;
    }
    return total;
  };
  await settle();
  const countBefore = w.residentCount;
  expect(build()).toBe(80);
  expect(w.residentCount).toBeGreaterThanOrEqual(countBefore + 40); // two big weights per model
  await settle();
  expect(w.residentCount).toBe(countBefore);
  const inUse = w.kernels.heap.stats().bytesInUse;
  const memory = w.kernels.memory.buffer.byteLength;
  // a second round reuses the freed blocks: the heap holds what it held, the memory did not grow
  build();
  await settle();
  expect(w.residentCount).toBe(countBefore);
  expect(w.kernels.heap.stats().bytesInUse).toBe(inUse);
  expect(w.kernels.memory.buffer.byteLength).toBe(memory);
});
