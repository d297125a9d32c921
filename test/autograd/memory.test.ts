/**
 * The graph is released after backward: 10,000 training iterations do not grow the heap.
 * Measured after full collections (vitest runs workers with --expose-gc).
 */
import { expect, test } from "vitest";
import { manualSeed, noGrad, randn, Tensor } from "../../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

test("10,000 training iterations do not grow the heap", () => {
  expect(gc, "run the tests with node --expose-gc").toBeTypeOf("function");
  manualSeed(0);
  const x = randn([64, 16]);
  const y = randn([64, 1]);
  const w1 = randn([16, 32]).mul(0.1).requiresGrad_();
  const w2 = randn([32, 1]).mul(0.1).requiresGrad_();
  const losses: number[] = [];
  const step = (): void => {
    const pred = x.matmul(w1).tanh().matmul(w2);
    const loss = pred.sub(y).pow(2).mean();
    w1.grad = null;
    w2.grad = null;
    loss.backward();
    noGrad(() => {
      w1.sub_((w1.grad as Tensor).mul(0.05));
      w2.sub_((w2.grad as Tensor).mul(0.05));
    });
    losses.push(loss.item());
  };
  for (let i = 0; i < 500; i++) step();
  const before = heapAfterGc();
  for (let i = 0; i < 10_000; i++) step();
  const after = heapAfterGc();
  // the loss values array grows by 10,000 numbers (~80 KB of doubles plus array slack); allow 1 MB
  expect(after - before).toBeLessThan(1 << 20);
  // and training did something: the loss fell
  expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.9);
});
