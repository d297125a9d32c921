/**
 * Memory stays bounded without `dispose`: 10,000 Adam training steps of an MLP on the WASM
 * backend (matmul/linear, relu and its backward, bias-gradient sums, fused softmax cross-entropy
 * and the fused Adam step all in WASM) grow neither the JavaScript heap (after full collections;
 * vitest runs workers with --expose-gc) nor the WASM memory, and the resident optimizer state is
 * allocated once; the same with an nn.Sequential whose weights are resident Parameters.
 */
import { expect, test } from "vitest";
import { manualSeed, nn, randint, randn, setBackend, type Tensor } from "../../src/index.js";
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

test("10,000 steps of an nn.Sequential with resident Parameters keep the WASM memory and the resident set fixed", () => {
  expect(gc, "run the tests with node --expose-gc").toBeTypeOf("function");
  const w = wasm();
  setBackend("wasm");
  manualSeed(1);
  const x = randn([32, 20]);
  const y = randint(0, 10, [32], { dtype: "int32" });
  // Linear(20, 256).weight (5120) and Linear(256, 10).weight (2560) are resident Parameters
  const model = new nn.Sequential(new nn.Linear(20, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const weights = [model.parameters()[0]!, model.parameters()[2]!];
  for (const p of weights) expect(w.kernels.addressOf(p.storage.data)).toBeGreaterThanOrEqual(0);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const losses: number[] = [];
  const step = (): void => {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  };
  for (let i = 0; i < 300; i++) step();
  const heapBefore = heapAfterGc();
  const wasmBefore = w.kernels.memory.buffer.byteLength;
  const inUseBefore = w.kernels.heap.stats().bytesInUse;
  const residentBefore = w.residentCount;
  // the two weights and their exp_avg / exp_avg_sq
  expect(residentBefore).toBeGreaterThanOrEqual(6);
  for (let i = 0; i < 10_000; i++) step();
  expect(heapAfterGc() - heapBefore).toBeLessThan(1 << 20);
  expect(w.kernels.memory.buffer.byteLength).toBe(wasmBefore);
  expect(w.kernels.heap.stats().bytesInUse).toBe(inUseBefore);
  expect(w.residentCount).toBe(residentBefore);
  // the weights are still the same resident blocks, updated in place
  for (const p of weights) expect(w.kernels.addressOf(p.storage.data)).toBeGreaterThanOrEqual(0);
  expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
});
