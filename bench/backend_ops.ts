/**
 * Where the WASM backend's elementwise ops and sums start to beat the CPU backend, copies
 * included: median microseconds per call of the CPU loop and of the WASM path (operands copied
 * into module memory, kernel, result copied out) for growing sizes. The crossover justifies
 * WasmBackend.elementwiseMin.
 *
 *   npx vite-node bench/backend_ops.ts
 */
import type { Backend, Strided } from "../src/backend/backend.js";
import { CpuStorage } from "../src/backend/cpu/storage.js";
import { cpuBackend, wasmBackend } from "../src/backend/registry.js";

const cpu = cpuBackend();
const wasm = wasmBackend()!;
wasm.elementwiseMin = 0; // force the WASM path at every size

function dense(n: number, shape: number[]): Strided {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.random() - 0.5;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return { storage: new CpuStorage(d), shape, strides, offset: 0 };
}

function time(f: () => void): number {
  const reps = 200;
  for (let i = 0; i < 20; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[reps >> 1]! * 1000;
}

console.log("size     | op                    |  cpu µs | wasm µs | wasm/cpu");
for (const n of [256, 1024, 2048, 4096, 16384, 65536, 262144]) {
  const cols = 128;
  const shape = [n / cols, cols];
  const a = dense(n, shape);
  const b = dense(n, shape);
  const row: Strided = { ...dense(cols, [cols]), shape, strides: [0, 1] };
  const out: Strided = dense(n, shape);
  const sumOut = new CpuStorage(new Float32Array(cols));
  const cases: [string, (bk: Backend) => void][] = [
    ["add (same shape)", (bk) => bk.binary("add", a, b, out)],
    ["add (row broadcast)", (bk) => bk.binary("add", a, row, out)],
    ["relu", (bk) => bk.unary("relu", a, out)],
    ["reluBackward", (bk) => bk.binary("reluBackward", a, b, out)],
    ["sum over rows", (bk) => bk.reduce("sum", a, [0], sumOut)],
  ];
  for (const [name, f] of cases) {
    const c = time(() => f(cpu));
    const w = time(() => f(wasm));
    console.log(`${String(n).padStart(8)} | ${name.padEnd(21)} | ${c.toFixed(1).padStart(7)} | ${w.toFixed(1).padStart(7)} | ${(w / c).toFixed(2)}`);
  }
}
