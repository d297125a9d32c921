/**
 * CPU backend matmul throughput: GFLOP/s (2·n³ flops per product) of a float32 n×n · n×n product
 * for n = 512 and 1024, through the CPU backend's blocked kernel (src/backend/cpu/matmul.ts,
 * float64 accumulation), beside a naive i-j-k triple loop in plain JavaScript (also accumulating
 * in float64) measured in the same run. The ratio is what counts; absolute numbers depend on the
 * machine and its load.
 *
 *   npx vite-node bench/matmul_cpu.ts [reps]
 *
 * Each measurement: 3 warm-up products, then `reps` timed products (default 30; the naive loop
 * at n = 1024 gets fewer, see NAIVE_BUDGET_MS), reporting the median and the minimum wall-clock
 * time, and the median CPU time of this process (steadier than wall-clock when other processes
 * compete for the cores).
 */
import { CpuBackend } from "../src/backend/cpu/index.js";
import type { Strided } from "../src/backend/backend.js";

const REPS = Number(process.argv[2] ?? 30);
/** The naive loop is stopped after this much time (but runs at least 3 timed reps). */
const NAIVE_BUDGET_MS = 60_000;

const cpu = new CpuBackend();

function lattice(n: number, mul: number): Float32Array {
  const a = new Float32Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = (((i * mul) % 101) - 50) / 64;
  return a;
}

function strided(data: Float32Array, n: number): Strided {
  return { storage: cpu.wrap(data), shape: [1, n, n], strides: [n * n, n, 1], offset: 0 };
}

/** The textbook triple loop: c[i][j] = Σₖ a[i][k]·b[k][j], accumulated in float64. */
function naive(a: Float32Array, b: Float32Array, c: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
      c[i * n + j] = s;
    }
  }
}

interface Timing {
  median: number;
  min: number;
  cpuMedian: number;
  reps: number;
}

function time(fn: () => void, reps: number, budgetMs = Infinity): Timing {
  for (let i = 0; i < 3; i++) fn();
  const ts: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (ts.length >= 3 && performance.now() - start > budgetMs) break;
  }
  const median = (xs: number[]): number => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return { median: median(ts), min: Math.min(...ts), cpuMedian: median(cpu), reps: ts.length };
}

const gflops = (n: number, ms: number): number => (2 * n ** 3) / (ms * 1e6);

console.log(`CPU matmul, float32, ${REPS} timed reps after 3 warm-up (node ${process.version})`);
for (const n of [512, 1024]) {
  const a = lattice(n, 37);
  const b = lattice(n, 53);
  const out = cpu.alloc("float32", n * n);
  const sa = strided(a, n);
  const sb = strided(b, n);
  const blocked = time(() => cpu.matmul(sa, sb, out, { batch: 1, m: n, n, k: n }), REPS);
  const c = new Float32Array(n * n);
  const plain = time(() => naive(a, b, c, n), REPS, NAIVE_BUDGET_MS);
  // the two must agree (same float64 accumulation up to summation order)
  let worst = 0;
  for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i]! - out.data[i]!));
  const row = (name: string, t: Timing): string =>
    `  ${name.padEnd(8)} median ${t.median.toFixed(1).padStart(8)} ms  ${gflops(n, t.median).toFixed(2).padStart(6)} GFLOP/s   ` +
    `min ${t.min.toFixed(1).padStart(8)} ms  ${gflops(n, t.min).toFixed(2).padStart(6)} GFLOP/s   ` +
    `cpu median ${gflops(n, t.cpuMedian).toFixed(2).padStart(6)} GFLOP/s   (${t.reps} reps)`;
  console.log(`n = ${n}`);
  console.log(row("blocked", blocked));
  console.log(row("naive", plain));
  console.log(`  speed-up (median) ${(plain.median / blocked.median).toFixed(1)}×   max |difference| ${worst.toExponential(1)}`);
}
