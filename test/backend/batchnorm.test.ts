/**
 * Fused batch normalisation kernels (Backend.batchNormStats / batchNormForward /
 * batchNormBackward): the CPU reference against the textbook formulas evaluated in float64 here,
 * and the WASM kernels against the CPU reference on inputs big enough to take the WASM path (the
 * PyTorch fixtures of test/nn/batchnorm.test.ts are small, so they run the CPU code on both
 * backends). The forward pass is bit-identical across backends (same per-channel α, β, same
 * float32 multiply and add); statistics and gradients differ only by the order of float64 sums.
 */
import { afterEach, describe, expect, test } from "vitest";
import type { Storage, Strided } from "../../src/backend/backend.js";
import { CpuStorage } from "../../src/backend/cpu/storage.js";
import { nn, noGrad, setBackend, tensor, type Tensor } from "../../src/index.js";
import { cpu, dense, expectBitEqual, randF32, wasm } from "./helpers.js";

afterEach(() => setBackend("wasm"));

const SHAPES: number[][] = [
  [8, 4, 8, 8], // S = 64
  [16, 3, 7, 9], // S = 63: SIMD body and scalar tail
  [512, 4], // BatchNorm1d on (N, C): S = 1
  [2, 5, 3, 70], // few rows, long channel blocks
];

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
function f32(n: number): Storage {
  return new CpuStorage(new Float32Array(n));
}
function vec(v: Float32Array): Strided {
  return dense(v, [v.length]);
}
/** |a − b| ≤ rel·|b| + abs elementwise. */
function expectNear(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, abs: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= rel * Math.abs(b[i]!) + abs)) expect.fail(`${what}: element ${i} is ${a[i]}, expected ${b[i]} (rel ${rel}, abs ${abs})`);
  }
}

interface Case { x: Float32Array; gy: Float32Array; w: Float32Array; b: Float32Array; N: number; C: number; S: number }
function makeCase(shape: number[], seed: number): Case {
  const n = numel(shape);
  const x = randF32(n, seed, -2, 3); // a nonzero mean
  return {
    x, gy: randF32(n, seed + 1), w: randF32(shape[1]!, seed + 2, 0.5, 1.5), b: randF32(shape[1]!, seed + 3),
    N: shape[0]!, C: shape[1]!, S: numel(shape.slice(2)),
  };
}

describe("CPU reference against the textbook formulas (float64 here)", () => {
  test("statistics, output and gradients (training and evaluation)", () => {
    const shape = [6, 3, 5];
    const c = makeCase(shape, 7);
    const { N, C, S } = c;
    const count = N * S;
    const at = (n: number, ch: number, i: number): number => (n * C + ch) * S + i;
    const mean = f32(C), varSum = f32(C);
    cpu.batchNormStats(dense(c.x, shape), mean, varSum);
    const eps = 1e-5;
    for (let ch = 0; ch < C; ch++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) s += c.x[at(n, ch, i)]!;
      const mu = s / count;
      let v = 0;
      for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) v += (c.x[at(n, ch, i)]! - mu) ** 2;
      expectNear([mean.data[ch]!], [mu], 2 ** -23, 1e-7, "mean");
      expectNear([varSum.data[ch]!], [v], 2 ** -22, 0, "varSum");
    }
    const invstd = new Float32Array(C).map((_, ch) => 1 / Math.sqrt(varSum.data[ch]! / count + eps));
    const inv = new CpuStorage(invstd);
    const y = f32(N * C * S);
    cpu.batchNormForward(dense(c.x, shape), mean, inv, vec(c.w), vec(c.b), y);
    const gx = f32(N * C * S), gw = f32(C), gb = f32(C);
    cpu.batchNormBackward(dense(c.x, shape), dense(c.gy, shape), mean, inv, vec(c.w), true, gx, gw, gb);
    const gxEval = f32(N * C * S);
    cpu.batchNormBackward(dense(c.x, shape), dense(c.gy, shape), mean, inv, vec(c.w), false, gxEval, null, null);
    for (let ch = 0; ch < C; ch++) {
      const m = mean.data[ch]!, is = invstd[ch]!;
      let sum = 0, dot = 0;
      for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) {
        sum += c.gy[at(n, ch, i)]!;
        dot += c.gy[at(n, ch, i)]! * (c.x[at(n, ch, i)]! - m);
      }
      expectNear([gw.data[ch]!], [dot * is], 1e-6, 1e-6, "grad weight");
      expectNear([gb.data[ch]!], [sum], 1e-6, 1e-6, "grad bias");
      for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) {
        const k = at(n, ch, i);
        const xhat = (c.x[k]! - m) * is;
        // y = x̂·γ + β; dL/dx = γ·invstd·(gy − mean(gy) − x̂·mean(gy·x̂)) (Ioffe & Szegedy, eq. in §3)
        expectNear([y.data[k]!], [xhat * c.w[ch]! + c.b[ch]!], 1e-6, 1e-6, "y");
        const ref = c.w[ch]! * is * (c.gy[k]! - sum / count - xhat * (dot * is) / count);
        expectNear([gx.data[k]!], [ref], 1e-5, 1e-6, "grad input (training)");
        expectNear([gxEval.data[k]!], [c.gy[k]! * is * c.w[ch]!], 1e-6, 0, "grad input (evaluation)");
      }
    }
  });
});

describe("WASM kernels against the CPU reference", () => {
  for (const shape of SHAPES) {
    test(`${JSON.stringify(shape)}`, () => {
      const w = wasm();
      const c = makeCase(shape, numel(shape));
      const { C } = c;
      const n = numel(shape);
      const x = dense(c.x, shape), gy = dense(c.gy, shape);
      // statistics: the same up to the order of the float64 sums (an ulp of the float32 result at most)
      const mc = f32(C), vc = f32(C), mw = f32(C), vw = f32(C);
      cpu.batchNormStats(x, mc, vc);
      w.batchNormStats(x, mw, vw);
      expectNear(mw.data, mc.data, 2 ** -23, 1e-7, "mean");
      expectNear(vw.data, vc.data, 2 ** -23, 0, "varSum");
      const inv = new CpuStorage(new Float32Array(C).map((_, ch) => 1 / Math.sqrt(vc.data[ch]! / (n / C) + 1e-5)));
      // forward: bit-identical, with and without affine parameters
      for (const [wt, bs] of [[vec(c.w), vec(c.b)], [null, null]] as const) {
        const yc = f32(n), yw = f32(n);
        cpu.batchNormForward(x, mc, inv, wt, bs, yc);
        w.batchNormForward(x, mc, inv, wt, bs, yw);
        expectBitEqual(yw.data, yc.data, `y${wt === null ? " (no affine)" : ""}`);
      }
      // backward: gradients within float32 rounding
      for (const training of [true, false]) {
        const gc = f32(n), gwc = f32(C), gbc = f32(C), gw2 = f32(n), gww = f32(C), gbw = f32(C);
        cpu.batchNormBackward(x, gy, mc, inv, vec(c.w), training, gc, gwc, gbc);
        w.batchNormBackward(x, gy, mc, inv, vec(c.w), training, gw2, gww, gbw);
        expectNear(gw2.data, gc.data, 2 ** -22, 1e-7, `grad input (training ${training})`);
        expectNear(gww.data, gwc.data, 2 ** -22, 1e-6, "grad weight");
        expectNear(gbw.data, gbc.data, 2 ** -22, 1e-6, "grad bias");
      }
      // null outputs are skipped
      const only = f32(C);
      w.batchNormBackward(x, gy, mc, inv, null, true, null, null, only);
      expectNear(only.data, (() => { const g = f32(C); cpu.batchNormBackward(x, gy, mc, inv, null, true, null, null, g); return g.data; })(), 2 ** -22, 1e-6, "grad bias only");
    });
  }
});

describe("nn.BatchNorm2d end to end: WASM backend against the CPU backend on a large input", () => {
  test("training steps (output, gradients, running statistics) and evaluation", () => {
    const shape = [8, 6, 9, 7];
    const x0 = randF32(numel(shape), 99, -1, 2), gy0 = randF32(numel(shape), 100);
    const run = (backendName: "cpu" | "wasm"): Float32Array[] => {
      setBackend(backendName);
      const m = new nn.BatchNorm2d(6);
      noGrad(() => {
        m.weight!.copy_(tensor(randF32(6, 5, 0.5, 1.5)));
        m.bias!.copy_(tensor(randF32(6, 6)));
      });
      const outs: Float32Array[] = [];
      for (let step = 0; step < 2; step++) {
        m.zeroGrad();
        const x: Tensor = tensor(x0.map((v) => v + step), { shape }).requiresGrad_();
        const y = m.forward(x);
        y.backward(tensor(gy0.slice(), { shape }));
        outs.push(y.dataSync() as Float32Array, x.grad!.dataSync() as Float32Array, m.weight!.grad!.dataSync() as Float32Array,
          m.bias!.grad!.dataSync() as Float32Array, m.runningMean!.dataSync() as Float32Array, m.runningVar!.dataSync() as Float32Array);
      }
      m.eval();
      outs.push(m.forward(tensor(x0.slice(), { shape })).dataSync() as Float32Array);
      return outs;
    };
    const a = run("cpu"), b = run("wasm");
    const names = ["y", "grad input", "grad weight", "grad bias", "running_mean", "running_var"];
    a.forEach((v, i) => expectNear(b[i]!, v, 2 ** -21, 1e-6, i < 12 ? `step ${i < 6 ? 0 : 1} ${names[i % 6]}` : "eval y"));
    expect(b[0]!.length).toBe(numel(shape));
  });
});
