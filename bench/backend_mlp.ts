/**
 * MLP 784-256-128-10 training step (batch 128, Adam, softmax cross-entropy) on the active
 * backend: median milliseconds per step over >= 30 steps after warm-up.
 *
 *   npx vite-node bench/backend_mlp.ts [cpu|wasm] [threads] [adam|sgd]      (REPS=100 steps)
 *
 * Also prints the mean process CPU time per step (user + system, all threads): on a shared, loaded
 * machine the wall-clock median is inflated by time slices lost to other processes.
 */
import { manualSeed, randn, randint, setBackend, setNumThreads, type Tensor } from "../src/index.js";
import { linear } from "../src/nn/functional/layers.js";
import { crossEntropy } from "../src/nn/functional/loss_classification.js";
import { Adam } from "../src/optim/adam.js";
import { SGD } from "../src/optim/sgd.js";
import { waitForThreads } from "../src/backend/registry.js";

const which = (process.argv[2] ?? "wasm") as "cpu" | "wasm";
const threads = Number(process.argv[3] ?? 1);
const optName = process.argv[4] ?? "adam";
setBackend(which);
setNumThreads(threads);
if (threads > 1) waitForThreads();

manualSeed(0);
const sizes = [784, 256, 128, 10];
const params: Tensor[] = [];
for (let i = 0; i + 1 < sizes.length; i++) {
  params.push(randn([sizes[i + 1]!, sizes[i]!]).mul(Math.sqrt(2 / sizes[i]!)).requiresGrad_());
  params.push(randn([sizes[i + 1]!]).mul(0.01).requiresGrad_());
}
const x = randn([128, 784]);
const y = randint(0, 10, [128], { dtype: "int32" });
const opt = optName === "sgd" ? new SGD(params, { lr: 0.01, momentum: 0.9 }) : new Adam(params, { lr: 1e-3 });

function step(): number {
  let h: Tensor = x;
  for (let i = 0; i < 3; i++) {
    h = linear(h, params[2 * i]!, params[2 * i + 1]!);
    if (i < 2) h = h.relu();
  }
  const loss = crossEntropy(h, y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  return loss.item();
}

const reps = Number(process.env["REPS"] ?? 100);
for (let i = 0; i < 20; i++) step();
const times: number[] = [];
let last = 0;
const c0 = process.cpuUsage();
for (let i = 0; i < reps; i++) {
  const t0 = performance.now();
  last = step();
  times.push(performance.now() - t0);
}
const c = process.cpuUsage(c0);
const cpuPerStep = (c.user + c.system) / 1000 / reps;
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(
  `${which} threads=${threads} ${optName}: median ${med(times).toFixed(3)} ms/step (min ${Math.min(...times).toFixed(3)}), ` +
    `process CPU time ${cpuPerStep.toFixed(3)} ms/step (mean, all threads), loss ${last.toFixed(4)}`,
);
