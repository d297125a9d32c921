/**
 * Optimizer-step benchmark: one step of Adam, SGD and SGD with momentum over one 10M-element
 * float32 parameter with its gradient given, for descent and TensorFlow.js 4.22 in the same run.
 *
 *   npx vite-node bench/optim.ts [--size N] [--reps R] [--tfjs-cpu-reps R] [--skip-tfjs-cpu]
 *   NODE_OPTIONS=--expose-gc npx vite-node bench/optim.ts     (heap figures after a full GC)
 *
 * Throughput is effective memory traffic per step: Adam 28 B/element (reads p, g, m, v; writes p,
 * m, v), SGD 12 (reads p, g; writes p), SGD+momentum 20 (reads p, g, b; writes p, b) — the
 * definitions of BENCHMARKING.md. Each contender is warmed up, then timed in 3 interleaved rounds
 * of R/3 steps (median and minimum over all R), one thread.
 *
 * Contenders:
 * - descent, WASM backend (the default): `optim.Adam` etc. on an ordinary parameter (a JS-heap
 *   Float32Array) — the backend copies parameter and gradient into module memory and back; the
 *   optimizer state is persistent, so it lives in module memory.
 * - descent, WASM backend, parameter and gradient in module memory (persistent storages): the
 *   kernel runs in place, no copies — the floor the fused kernel reaches.
 * - descent, CPU backend: the reference kernels of src/optim (plain TypeScript, exact float32 FMA
 *   emulation), what runs where WebAssembly SIMD is unavailable.
 * - TensorFlow.js `tf.train.adam/sgd/momentum` on the `wasm` backend (XNNPACK) and the `cpu`
 *   backend (pure JS; very slow, so fewer repetitions by default).
 *
 * Allocation: after the timed steps, descent runs 100 more steps per contender and reports how
 * much the JS heap, the ArrayBuffer total and the WASM memory grew (a step should allocate no
 * buffers: parameters are updated in place and state is allocated once).
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { backend, optim, setBackend, Tensor } from "../src/index.js";

type OptName = "adam" | "sgd" | "sgdm";
const BYTES: Record<OptName, number> = { adam: 28, sgd: 12, sgdm: 20 };
const LABEL: Record<OptName, string> = { adam: "Adam", sgd: "SGD", sgdm: "SGD+momentum" };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SIZE = arg("size", 10_000_000);
const REPS = Math.max(3, arg("reps", 30));
const TFJS_CPU_REPS = Math.max(3, arg("tfjs-cpu-reps", 6));
const SKIP_TFJS_CPU = process.argv.includes("--skip-tfjs-cpu");
const ROUNDS = 3;

/** Uniform values in [lo, hi) from a fixed xorshift32 seed (the same for every contender). */
function uniform(n: number, seed: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}
const PARAM = uniform(SIZE, 300, -1, 1);
const GRAD = uniform(SIZE, 301, -1, 1);

interface Contender {
  name: string;
  reps: number;
  /** One optimizer step. */
  step(): void;
  /** Memory growth over `n` more steps (descent only). */
  heapCheck?(n: number): string;
  dispose?(): void;
}

function makeOptimizer(name: OptName, p: Tensor): optim.Optimizer {
  if (name === "adam") return new optim.Adam([p], { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 });
  if (name === "sgd") return new optim.SGD([p], { lr: 1e-3 });
  return new optim.SGD([p], { lr: 1e-3, momentum: 0.9 });
}

function memory(): { heap: number; arrayBuffers: number; wasm: number } {
  const g = globalThis as { gc?: () => void };
  g.gc?.();
  const m = process.memoryUsage();
  const k = (backend() as unknown as { kernels?: { memory: WebAssembly.Memory } }).kernels;
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers, wasm: k ? k.memory.buffer.byteLength : 0 };
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

/** descent on a backend; `resident`: parameter and gradient in the backend's persistent memory. */
function descent(name: OptName, which: "wasm" | "cpu", resident: boolean): Contender | string {
  try {
    setBackend(which);
  } catch (e) {
    return String(e);
  }
  const alloc = (data: Float32Array): Tensor => {
    const storage = resident ? backend().alloc("float32", SIZE, { persistent: true }) : backend().wrap(data.slice());
    if (resident) storage.data.set(data);
    return new Tensor(storage, [SIZE]);
  };
  const p = alloc(PARAM).requiresGrad_();
  p.grad = alloc(GRAD);
  if (resident && (backend() as unknown as { kernels?: { addressOf(a: Float32Array): number } }).kernels?.addressOf(p.storage.data as Float32Array) === -1)
    return "persistent storages are not in module memory on this backend";
  const opt = makeOptimizer(name, p);
  const label = which === "cpu" ? "descent cpu (TS reference kernel)" : resident ? "descent wasm, resident param+grad" : "descent wasm (default)";
  return {
    name: label,
    reps: REPS,
    step: () => {
      setBackend(which);
      opt.step();
    },
    heapCheck: (n) => {
      setBackend(which);
      const before = memory();
      const stores = [p.storage.data, ...[...opt.state.values()].flatMap((s) => Object.values(s as object).filter((v) => v instanceof Tensor).map((t) => (t as Tensor).storage.data))];
      for (let i = 0; i < n; i++) opt.step();
      const after = memory();
      const same = stores.every((d, i) => d === [p.storage.data, ...[...opt.state.values()].flatMap((s) => Object.values(s as object).filter((v) => v instanceof Tensor).map((t) => (t as Tensor).storage.data))][i]);
      return `heap ${mb(after.heap - before.heap)}, ArrayBuffers ${mb(after.arrayBuffers - before.arrayBuffers)}, WASM memory ${mb(after.wasm - before.wasm)}, storages kept: ${same}`;
    },
  };
}

let wasmPathSet = false;
async function tfjs(name: OptName, which: "wasm" | "cpu"): Promise<Contender | string> {
  try {
    if (which === "wasm" && !wasmPathSet) {
      const req = createRequire(import.meta.url);
      setWasmPaths(join(dirname(req.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
      wasmPathSet = true;
    }
    if (!(await tf.setBackend(which))) return `tfjs ${which} backend failed to initialise`;
    await tf.ready();
    tf.enableProdMode();
  } catch (e) {
    return `tfjs ${which}: ${String(e)}`;
  }
  const p = tf.variable(tf.tensor1d(PARAM));
  const g = tf.tensor1d(GRAD);
  const opt = name === "adam" ? tf.train.adam(1e-3, 0.9, 0.999, 1e-8) : name === "sgd" ? tf.train.sgd(1e-3) : tf.train.momentum(1e-3, 0.9);
  const grads = [{ name: p.name, tensor: g }];
  return {
    name: `tfjs ${which}`,
    reps: which === "cpu" ? TFJS_CPU_REPS : REPS,
    step: () => {
      if (tf.getBackend() !== which) throw new Error("tfjs backend switched under a contender");
      opt.applyGradients(grads);
    },
    dispose: () => {
      opt.dispose();
      p.dispose();
      g.dispose();
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function benchOptimizer(name: OptName): Promise<void> {
  console.log(`\n## ${LABEL[name]} step, ${SIZE.toLocaleString("en")} float32 elements (${BYTES[name]} B/element)\n`);
  const results: { name: string; times: number[]; note?: string }[] = [];
  const contenders: Contender[] = [];
  const skipped: string[] = [];
  const add = (c: Contender | string, label: string): void => {
    if (typeof c === "string") skipped.push(`${label}: ${c}`);
    else contenders.push(c);
  };
  add(descent(name, "wasm", false), "descent wasm");
  add(descent(name, "wasm", true), "descent wasm resident");
  add(descent(name, "cpu", false), "descent cpu");
  // tfjs contenders run after descent's (tf.setBackend is global)
  for (const c of contenders) {
    for (let w = 0; w < 3; w++) c.step();
    results.push({ name: c.name, times: [] });
  }
  for (let round = 0; round < ROUNDS; round++) {
    contenders.forEach((c, i) => {
      const n = Math.ceil(c.reps / ROUNDS);
      for (let r = 0; r < n; r++) {
        const t0 = performance.now();
        c.step();
        results[i]!.times.push(performance.now() - t0);
      }
    });
  }
  for (const c of contenders) if (c.heapCheck) results.find((r) => r.name === c.name)!.note = c.heapCheck(100);
  setBackend("wasm");
  const tfjsBackends: ("wasm" | "cpu")[] = SKIP_TFJS_CPU ? ["wasm"] : ["wasm", "cpu"];
  for (const which of tfjsBackends) {
    const c = await tfjs(name, which);
    if (typeof c === "string") {
      skipped.push(c);
      continue;
    }
    for (let w = 0; w < (which === "cpu" ? 1 : 3); w++) c.step();
    const times: number[] = [];
    for (let r = 0; r < c.reps; r++) {
      const t0 = performance.now();
      c.step();
      times.push(performance.now() - t0);
    }
    c.dispose?.();
    results.push({ name: c.name, times });
  }
  const ref = results.find((r) => r.name.startsWith("tfjs wasm"));
  console.log("| contender | median ms | min ms | GB/s (median) | reps | vs tfjs wasm |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of results) {
    const med = median(r.times);
    const gbs = (BYTES[name] * SIZE) / (med * 1e6);
    const ratio = ref ? `${(median(ref.times) / med).toFixed(2)}×` : "–";
    console.log(`| ${r.name} | ${med.toFixed(2)} | ${Math.min(...r.times).toFixed(2)} | ${gbs.toFixed(2)} | ${r.times.length} | ${ratio} |`);
  }
  for (const r of results) if (r.note) console.log(`- ${r.name}, 100 more steps: ${r.note}`);
  for (const s of skipped) console.log(`- skipped: ${s}`);
}

console.log(`# descent optimizer steps vs TensorFlow.js (Node ${process.version}, one thread)`);
for (const name of ["adam", "sgd", "sgdm"] as const) await benchOptimizer(name);
