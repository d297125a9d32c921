/**
 * optim.Adam step over one 10M-element float32 parameter through the public optimizer: on the
 * CPU backend (the TypeScript reference kernel) and on the WASM backend with 1 and 2 threads, for
 * an nn.Parameter (resident in WASM memory: only the gradient is copied in) and for a plain
 * tensor with requiresGrad (on the JavaScript heap: parameter and gradient copied in, parameter
 * copied back out). GB/s counts 28 bytes per element (read param, grad, exp_avg, exp_avg_sq;
 * write param, exp_avg, exp_avg_sq), as bench/wasm_kernels.ts does. Medians over >= 30 steps after
 * warm-up.
 *
 *   npx vite-node bench/backend_adam.ts [elements]
 */
import { nn, randn, setBackend, setNumThreads, type Tensor } from "../src/index.js";
import { waitForThreads } from "../src/backend/registry.js";
import { Adam } from "../src/optim/adam.js";

const n = Number(process.argv[2] ?? 10_000_000);

function bench(label: string, reps: number, resident: boolean): void {
  const p: Tensor = resident ? new nn.Parameter(randn([n])) : randn([n]).requiresGrad_();
  p.grad = randn([n]).mul(1e-3);
  const opt = new Adam([p], { lr: 1e-3 });
  for (let i = 0; i < 3; i++) opt.step();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    opt.step();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  const med = ts[reps >> 1]!;
  console.log(`${label.padEnd(34)} median ${med.toFixed(2).padStart(8)} ms  ${((28 * n) / med / 1e6).toFixed(1).padStart(5)} GB/s   (min ${ts[0]!.toFixed(2)} ms)`);
}

setBackend("cpu");
bench("cpu (TS kernel)", 5, false);
setBackend("wasm");
setNumThreads(1);
bench("wasm, 1 thread, nn.Parameter", 30, true);
bench("wasm, 1 thread, JS-heap tensor", 30, false);
setNumThreads(2);
waitForThreads();
bench("wasm, 2 threads, nn.Parameter", 30, true);
bench("wasm, 2 threads, JS-heap tensor", 30, false);
setNumThreads(1);
