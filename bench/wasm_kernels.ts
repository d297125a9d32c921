/**
 * Micro-benchmarks of the WASM SIMD kernels, each against a plain-JavaScript loop measured in the
 * same run (the machine is shared and noisy: only same-run ratios mean much).
 *
 *   npx vite-node bench/wasm_kernels.ts            # full run (~1-2 minutes)
 *   npx vite-node bench/wasm_kernels.ts --quick    # fewer reps for the slow JS peers
 *
 * Reports medians over >= 30 repetitions after warm-up (the slowest JS peers use fewer with
 * --quick, and say so). GFLOP/s counts 2·M·N·K; the Adam GB/s counts 28 bytes per element
 * (read param, grad, exp_avg, exp_avg_sq; write param, exp_avg, exp_avg_sq).
 */
import { loadWasmKernels, lastWasmLoadFailure, BinaryOp, type WasmKernels } from "../src/backend/wasm/module.js";
import { adamStepRef, sgdStepRef } from "../src/backend/wasm/reference.js";

const quick = process.argv.includes("--quick");
const REPS = 30;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median milliseconds of `fn` over `reps` runs after `warmup` runs. */
function time(fn: () => void, reps = REPS, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** Plain-JS matmul C = op(A)·op(B), i-k-j order over Float32Arrays (a reasonable JS peer). */
function jsMatmul(M: number, N: number, K: number, A: Float32Array, transA: boolean, B: Float32Array, transB: boolean, C: Float32Array): void {
  C.fill(0, 0, M * N);
  if (transB) {
    // C[i,j] = sum_k A[i,k] B[j,k]: dot products over contiguous rows
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += (transA ? A[k * M + i]! : A[i * K + k]!) * B[j * K + k]!;
        C[i * N + j] = s;
      }
    }
    return;
  }
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    for (let k = 0; k < K; k++) {
      const a = transA ? A[k * M + i]! : A[i * K + k]!;
      const bk = k * N;
      for (let j = 0; j < N; j++) C[ci + j] = C[ci + j]! + a * B[bk + j]!;
    }
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function benchGemm(k: WasmKernels, label: string, M: number, N: number, K: number, transA: boolean, transB: boolean, jsReps: number): void {
  const Ah = rand(M * K), Bh = rand(K * N), Cjs = new Float32Array(M * N);
  const A = k.allocF32(M * K), B = k.allocF32(K * N), C = k.allocF32(M * N);
  k.f32(A, M * K).set(Ah);
  k.f32(B, K * N).set(Bh);
  const strideA: [number, number, number] = transA ? [0, 1, M] : [0, K, 1];
  const strideB: [number, number, number] = transB ? [0, 1, K] : [0, N, 1];
  const flops = 2 * M * N * K;
  const tw = time(() => k.sgemm({ M, N, K, A, B, C, strideA, strideB }));
  // wasm including copying A and B in and C out of the module memory (JS-heap tensors)
  const tc = time(() => {
    k.f32(A, M * K).set(Ah);
    k.f32(B, K * N).set(Bh);
    k.sgemm({ M, N, K, A, B, C, strideA, strideB });
    Cjs.set(k.f32(C, M * N));
  });
  const tj = time(() => jsMatmul(M, N, K, Ah, transA, Bh, transB, Cjs), jsReps, 1);
  const g = (t: number) => (flops / t / 1e6).toFixed(1).padStart(5);
  console.log(`${pad(label, 34)} wasm ${g(tw)} GFLOP/s (${tw.toFixed(2)} ms) | +copies ${g(tc)} | JS ${g(tj)} GFLOP/s (${tj.toFixed(1)} ms, ${jsReps} reps) | ×${(tj / tw).toFixed(1)}`);
  k.heap.free(A);
  k.heap.free(B);
  k.heap.free(C);
}

function benchAdam(k: WasmKernels, n: number, jsReps: number): void {
  const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupled: false };
  const p = k.allocF32(n), g = k.allocF32(n), m = k.allocF32(n), v = k.allocF32(n);
  k.f32(p, n).set(rand(n));
  k.f32(g, n).set(rand(n));
  k.f32(m, n).fill(0);
  k.f32(v, n).fill(0);
  let step = 0;
  const bytes = 28 * n;
  const gbs = (t: number) => (bytes / t / 1e6).toFixed(1).padStart(5);
  const tf = time(() => k.adamStep({ param: p, grad: g, expAvg: m, expAvgSq: v }, n, ++step, { ...h, fused: true }));
  const tu = time(() => k.adamStep({ param: p, grad: g, expAvg: m, expAvgSq: v }, n, ++step, { ...h, fused: false }));
  // JS peers on JS-heap arrays: the exact (fused) reference, and a plain unfused Math.fround loop
  const P = rand(n), G = rand(n), Mm = new Float32Array(n), V = new Float32Array(n);
  let js = 0;
  const tr = time(() => adamStepRef(P, G, Mm, V, null, ++js, { ...h, fused: true }), jsReps, 1);
  const f = Math.fround;
  const tp = time(() => {
    js++;
    const bc1 = 1 - h.beta1 ** js, bc2 = 1 - h.beta2 ** js;
    const ss = f(-(h.lr / bc1)), bc2s = f(Math.sqrt(bc2)), b1 = f(h.beta1), b2 = f(h.beta2);
    const omb1 = f(1 - h.beta1), omb2 = f(1 - h.beta2), eps = f(h.eps);
    for (let i = 0; i < n; i++) {
      const gi = G[i]!;
      const mi = f(f(Mm[i]! * b1) + f(omb1 * gi));
      const vi = f(f(V[i]! * b2) + f(f(omb2 * gi) * gi));
      Mm[i] = mi;
      V[i] = vi;
      P[i] = f(P[i]! + f(f(ss * mi) / f(f(f(Math.sqrt(vi)) / bc2s) + eps)));
    }
  }, jsReps, 1);
  console.log(`Adam ${n / 1e6}M floats: wasm fused (exact PyTorch) ${gbs(tf)} GB/s (${tf.toFixed(1)} ms) | wasm unfused ${gbs(tu)} GB/s (${tu.toFixed(1)} ms)`);
  console.log(`                   JS exact reference ${gbs(tr)} GB/s (${tr.toFixed(1)} ms) | JS plain unfused loop ${gbs(tp)} GB/s (${tp.toFixed(1)} ms) (${jsReps} reps) | ×${(tp / tf).toFixed(1)} vs plain JS`);
  // SGD with momentum (16 bytes read + 8 written per element after the first step)
  let first = true;
  const sg = (fused: boolean) => time(() => {
    k.sgdStep(p, g, m, n, first, { lr: 0.01, momentum: 0.9, fused });
    first = false;
  });
  const tsf = sg(true), tsu = sg(false);
  const ts = time(() => sgdStepRef(P, G, Mm, false, { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, fused: true }), jsReps, 1);
  const sgb = (t: number) => ((20 * n) / t / 1e6).toFixed(1).padStart(5);
  console.log(`SGD momentum ${n / 1e6}M: wasm fused ${sgb(tsf)} GB/s (${tsf.toFixed(1)} ms) | wasm unfused ${sgb(tsu)} GB/s | JS exact reference ${sgb(ts)} GB/s (${ts.toFixed(1)} ms, ${jsReps} reps)  [20 B/elem]`);
  for (const ptr of [p, g, m, v]) k.heap.free(ptr);
}

function benchElementwise(k: WasmKernels, n: number): void {
  const a = rand(n), b = rand(n), out = new Float32Array(n);
  const A = k.allocF32(n), B = k.allocF32(n), O = k.allocF32(n);
  k.f32(A, n).set(a);
  k.f32(B, n).set(b);
  const tRes = time(() => k.exports.f32_binary(BinaryOp.add, A, B, O, n));
  const tCopy = time(() => {
    k.f32(A, n).set(a);
    k.f32(B, n).set(b);
    k.exports.f32_binary(BinaryOp.add, A, B, O, n);
    out.set(k.f32(O, n));
  });
  const tJs = time(() => {
    for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
  });
  const tSet = time(() => k.f32(A, n).set(a));
  const gbs = (bytes: number, t: number) => (bytes / t / 1e6).toFixed(1).padStart(5);
  console.log(`add ${n / 1e6}M: wasm resident ${gbs(12 * n, tRes)} GB/s | wasm incl. copy in/out ${gbs(12 * n, tCopy)} GB/s | JS loop ${gbs(12 * n, tJs)} GB/s | memcpy into wasm (set) ${gbs(4 * n, tSet)} GB/s`);

  const x = rand(n).map((v) => v * 20);
  k.f32(A, n).set(x);
  const tExp = time(() => k.exports.f32_exp(A, O, n));
  const tExpJs = time(() => {
    for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
  });
  const tLog = time(() => k.exports.f32_log(B, O, n));
  const tLogJs = time(() => {
    for (let i = 0; i < n; i++) out[i] = Math.log(b[i]!);
  });
  const ns = (t: number) => ((t * 1e6) / n).toFixed(2);
  console.log(`exp ${n / 1e6}M: wasm ${ns(tExp)} ns/elem | JS Math.exp ${ns(tExpJs)} ns/elem;  log: wasm ${ns(tLog)} | JS Math.log ${ns(tLogJs)} ns/elem`);
  for (const ptr of [A, B, O]) k.heap.free(ptr);
}

function benchSoftmax(k: WasmKernels, m: number, n: number): void {
  const x = rand(m * n).map((v) => v * 10), out = new Float32Array(m * n);
  const X = k.allocF32(m * n), Y = k.allocF32(m * n), T = k.heap.alloc(4 * m);
  k.f32(X, m * n).set(x);
  k.i32(T, m).set(Int32Array.from({ length: m }, (_, i) => i % n));
  const tw = time(() => k.exports.f32_softmax_rows(X, Y, m, n));
  const tce = time(() => {
    k.exports.softmax_cross_entropy_forward(X, T, m, n, -100, 0);
    k.exports.softmax_cross_entropy_backward(X, T, Y, m, n, -100, 1);
  });
  const tj = time(() => {
    for (let r = 0; r < m; r++) {
      const o = r * n;
      let mx = -Infinity;
      for (let j = 0; j < n; j++) mx = Math.max(mx, x[o + j]!);
      let s = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(x[o + j]! - mx);
        out[o + j] = e;
        s += e;
      }
      const inv = 1 / s;
      for (let j = 0; j < n; j++) out[o + j] = out[o + j]! * inv;
    }
  });
  console.log(`softmax ${m}x${n}: wasm ${tw.toFixed(3)} ms | JS ${tj.toFixed(3)} ms | ×${(tj / tw).toFixed(1)};  cross-entropy fwd+bwd wasm ${tce.toFixed(3)} ms`);
  for (const ptr of [X, Y, T]) k.heap.free(ptr);
}

function benchConv(k: WasmKernels): void {
  const s = { N: 32, C: 16, H: 28, W: 28, OC: 32, KH: 3, KW: 3, padding: [1, 1] as [number, number] };
  const [OH, OW] = k.convOut(s);
  const nx = s.N * s.C * s.H * s.W, nw = s.OC * s.C * 9, ny = s.N * s.OC * OH * OW;
  const x = k.allocF32(nx), w = k.allocF32(nw), b = k.allocF32(s.OC), y = k.allocF32(ny), gx = k.allocF32(nx), gw = k.allocF32(nw);
  k.f32(x, nx).set(rand(nx));
  k.f32(w, nw).set(rand(nw));
  k.f32(b, s.OC).set(rand(s.OC));
  k.f32(y, ny).set(rand(ny));
  const flops = 2 * ny * s.C * 9;
  const tf = time(() => k.conv2dForward(s, x, w, b, y), 10);
  const ti = time(() => k.conv2dBackwardInput(s, y, w, gx), 10);
  const tg = time(() => k.conv2dBackwardWeight(s, x, y, gw, b), 10);
  const g = (t: number) => (flops / t / 1e6).toFixed(1);
  console.log(`conv2d 32x16x28x28 -> 32ch 3x3 pad 1: forward ${g(tf)} GFLOP/s (${tf.toFixed(1)} ms) | grad input ${g(ti)} (${ti.toFixed(1)} ms) | grad weight ${g(tg)} (${tg.toFixed(1)} ms)  [10 reps]`);
  for (const ptr of [x, w, b, y, gx, gw]) k.heap.free(ptr);
}

function main(): void {
  const k = loadWasmKernels();
  if (!k) {
    console.error(`WASM kernels unavailable: ${lastWasmLoadFailure()}`);
    process.exit(1);
  }
  console.log(`node ${process.version}, shared memory: ${k.shared}${quick ? ", --quick" : ""}`);
  console.log("-- sgemm (C = A·B, row-major unless marked ᵀ)");
  benchGemm(k, "1024x1024 · 1024x1024", 1024, 1024, 1024, false, false, quick ? 3 : REPS);
  benchGemm(k, "512x512 · 512x512", 512, 512, 512, false, false, quick ? 5 : REPS);
  console.log("-- MLP 784-256-10, batch 128: forward and backward products");
  benchGemm(k, "128x784 · 784x256", 128, 256, 784, false, false, REPS);
  benchGemm(k, "x·Wᵀ 128x784 · (256x784)ᵀ", 128, 256, 784, false, true, REPS);
  benchGemm(k, "dX = dY·W 128x256 · 256x784", 128, 784, 256, false, false, REPS);
  benchGemm(k, "dW = dYᵀ·X (128x256)ᵀ · 128x784", 256, 784, 128, true, false, REPS);
  benchGemm(k, "x·Wᵀ 128x256 · (10x256)ᵀ", 128, 10, 256, false, true, REPS);
  console.log("-- optimizer");
  benchAdam(k, 10_000_000, quick ? 5 : REPS);
  console.log("-- element-wise, transcendental, softmax, conv");
  benchElementwise(k, 1 << 20);
  benchSoftmax(k, 128, 1000);
  benchConv(k);
}

main();
