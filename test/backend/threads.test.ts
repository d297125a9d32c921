/**
 * Worker threads: with 2 threads the split kernels (sgemm behind matmul and linear, the per-image
 * convolutions, optimizer steps by element ranges) give bit-identical results to one thread —
 * every output element is computed by the same instructions, only on another thread.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Conv2dArgs } from "../../src/backend/backend.js";
import { dense, expectBitEqual, outStorage, randF32, wasm } from "./helpers.js";

const w = wasm();
/** Threads need SharedArrayBuffer and worker_threads through process.getBuiltinModule (Node ≥ 20.16). */
const canThread = typeof SharedArrayBuffer === "function" && typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === "function";

beforeAll(() => {
  if (canThread) expect(w.pool, "a runtime with SharedArrayBuffer and worker_threads gets a pool").not.toBeNull();
});
afterAll(() => w.setThreads(1));

/** Run `f` with 1 and then 2 threads; return both outputs and how many jobs went to workers. */
function oneAndTwo(f: () => Float32Array): { one: Float32Array; two: Float32Array; jobs: number } {
  w.setThreads(1);
  const one = Float32Array.from(f());
  w.setThreads(2);
  expect(w.pool!.waitReady(20_000), "worker ready").toBe(true);
  expect(w.pool!.available()).toBe(2);
  const before = w.pool!.jobs;
  const two = Float32Array.from(f());
  return { one, two, jobs: w.pool!.jobs - before };
}

describe.skipIf(!canThread)("2 threads give the same bits as 1", () => {
  const mm: [string, number, number, number, number][] = [
    ["rows split (m ≥ n)", 1, 203, 150, 301],
    ["columns split (n > m)", 1, 37, 501, 129],
    ["batch split", 4, 66, 63, 65],
  ];
  for (const [name, batch, m, n, k] of mm) {
    test(`matmul ${batch}x${m}x${n}x${k}, ${name}`, () => {
      const a = dense(randF32(batch * m * k, 1), [batch, m, k]);
      const b = dense(randF32(batch * k * n, 2), [batch, k, n]);
      const r = oneAndTwo(() => {
        const out = outStorage(batch * m * n);
        w.matmul(a, b, out, { batch, m, n, k });
        out.checkGuards();
        return out.data as Float32Array;
      });
      expect(r.jobs).toBeGreaterThan(0);
      expectBitEqual(r.two, r.one, "matmul");
    });
  }

  test("linear 128x256 · (300x256)ᵀ + bias", () => {
    const x = dense(randF32(128 * 256, 3), [128, 256]);
    const wt = dense(randF32(300 * 256, 4), [300, 256]);
    const bias = dense(randF32(300, 5), [300]);
    const r = oneAndTwo(() => {
      const out = outStorage(128 * 300);
      w.linear(x, wt, bias, out, { m: 128, n: 300, k: 256 });
      return out.data as Float32Array;
    });
    expect(r.jobs).toBeGreaterThan(0);
    expectBitEqual(r.two, r.one, "linear");
  });

  test("conv2d forward and input gradient, batch 16, 5x5 on 28x28", () => {
    const a: Conv2dArgs = {
      batch: 16, inChannels: 1, inH: 28, inW: 28, outChannels: 6, kernelH: 5, kernelW: 5, outH: 28, outW: 28,
      strideH: 1, strideW: 1, padH: 2, padW: 2, dilationH: 1, dilationW: 1, groups: 1,
    };
    const x = dense(randF32(16 * 28 * 28, 6), [16, 1, 28, 28]);
    const wt = dense(randF32(6 * 25, 7), [6, 1, 5, 5]);
    const bias = dense(randF32(6, 8), [6]);
    const gy = dense(randF32(16 * 6 * 28 * 28, 9), [16, 6, 28, 28]);
    const fwd = oneAndTwo(() => {
      const out = outStorage(16 * 6 * 28 * 28);
      w.conv2d(x, wt, bias, out, a);
      return out.data as Float32Array;
    });
    expect(fwd.jobs).toBeGreaterThan(0);
    expectBitEqual(fwd.two, fwd.one, "conv2d");
    const bwd = oneAndTwo(() => {
      const gx = outStorage(16 * 28 * 28);
      w.conv2dBackwardInput(gy, wt, gx, a);
      return gx.data as Float32Array;
    });
    expect(bwd.jobs).toBeGreaterThan(0);
    expectBitEqual(bwd.two, bwd.one, "conv2d input gradient");
  });

  test("Adam step over 200,003 parameters", () => {
    const n = 200_003;
    const g = randF32(n, 10);
    const hyper = { lr: 1e-3, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false };
    const r = oneAndTwo(() => {
      const p = randF32(n, 11), m = new Float32Array(n), v = new Float32Array(n);
      for (let step = 1; step <= 2; step++)
        w.optimizerStep({ kind: "adam", param: p, grad: g, expAvg: m, expAvgSq: v, maxExpAvgSq: null, step, decoupled: true, hyper });
      return p;
    });
    expect(r.jobs).toBeGreaterThan(0);
    expectBitEqual(r.two, r.one, "adam");
  });

  test("setThreads(1) stops the workers; small problems never use them", () => {
    w.setThreads(2);
    w.pool!.waitReady(20_000);
    const before = w.pool!.jobs;
    const out = outStorage(16);
    w.matmul(dense(randF32(16, 1), [1, 4, 4]), dense(randF32(16, 2), [1, 4, 4]), out, { batch: 1, m: 4, n: 4, k: 4 });
    expect(w.pool!.jobs).toBe(before);
    w.setThreads(1);
    expect(w.pool!.available()).toBe(1);
  });
});
