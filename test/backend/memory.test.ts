/**
 * Memory stays bounded without `dispose`: 10,000 Adam training steps of an MLP on the WASM
 * backend (matmul/linear, relu and its backward, bias-gradient sums, fused softmax cross-entropy
 * and the fused Adam step all in WASM) grow neither the JavaScript heap (after full collections;
 * vitest runs workers with --expose-gc) nor the WASM memory, and the resident optimizer state is
 * allocated once.
 */
import { expect, test } from "vitest";
import { manualSeed, randint, randn, setBackend, type Tensor } from "../../src/index.js";
import { linear } from "../../src/nn/functional/layers.js";
import { crossEntropy } from "../../src/nn/functional/loss_classification.js";
import { Adam } from "../../src/optim/adam.js";
import { wasm } from "./helpers.js";

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

test("10,000 training steps on the WASM backend keep the JS heap and the WASM memory bounded", () => {
  expect(gc, "run the tests with node --expose-gc").toBeTypeOf("function");
  const w = wasm();
  setBackend("wasm");
  manualSeed(0);
  // hidden width 256 × batch 32 = 8192 elements: relu, its backward and the bias sums take the WASM path
  const x = randn([32, 20]);
  const y = randint(0, 10, [32], { dtype: "int32" });
  const params = [randn([256, 20]).mul(0.2), randn([256]).mul(0.1), randn([10, 256]).mul(0.05), randn([10]).mul(0.1)];
  for (const p of params) p.requiresGrad_();
  // the first layer's weight has 5120 elements: its Adam state is resident in module memory
  const opt = new Adam(params, { lr: 1e-3 });
  const losses: number[] = [];
  const step = (): void => {
    const h = linear(x, params[0]!, params[1]!).relu();
    const loss = crossEntropy(linear(h, params[2]!, params[3]!), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  };
  for (let i = 0; i < 300; i++) step();
  const heapBefore = heapAfterGc();
  const wasmBefore = w.kernels.memory.buffer.byteLength;
  const inUseBefore = w.kernels.heap.stats().bytesInUse;
  const residentBefore = w.residentCount;
  for (let i = 0; i < 10_000; i++) step();
  const heapAfter = heapAfterGc();
  // the loss array grows by 10,000 doubles (~80 KB plus slack); allow 1 MB
  expect(heapAfter - heapBefore).toBeLessThan(1 << 20);
  // the module memory did not grow, the allocator holds what it held, no resident buffer was added
  expect(w.kernels.memory.buffer.byteLength).toBe(wasmBefore);
  expect(w.kernels.heap.stats().bytesInUse).toBe(inUseBefore);
  expect(w.residentCount).toBe(residentBefore);
  expect(residentBefore).toBeGreaterThanOrEqual(2); // exp_avg and exp_avg_sq of the 256x20 weight
  // and training did something: the loss fell
  expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
});
