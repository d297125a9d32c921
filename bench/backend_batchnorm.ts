/**
 * nn.BatchNorm2d(32) forward + backward on a 64×32×28×28 float32 input (training mode: batch
 * statistics, running-statistics update, gradients for the input, weight and bias), on the CPU
 * and WASM backends; plus evaluation mode forward. Medians over 20 runs after warm-up.
 *
 *   npx vite-node bench/backend_batchnorm.ts
 */
import { nn, randn, setBackend } from "../src/index.js";

function time(f: () => void, reps = 20): number {
  for (let i = 0; i < 3; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[reps >> 1]!;
}

for (const b of ["cpu", "wasm"] as const) {
  setBackend(b);
  const m = new nn.BatchNorm2d(32);
  const x = randn([64, 32, 28, 28]).requiresGrad_();
  const gy = randn([64, 32, 28, 28]);
  const train = time(() => {
    x.grad = null;
    m.zeroGrad();
    m.forward(x).backward(gy);
  });
  m.eval();
  const evalFwd = time(() => m.forward(x.detach()));
  console.log(`${b.padEnd(5)} train fwd+bwd ${train.toFixed(1).padStart(7)} ms   eval fwd ${evalFwd.toFixed(1).padStart(6)} ms`);
}
