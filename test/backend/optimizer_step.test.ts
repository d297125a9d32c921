/**
 * The WASM backend's fused optimizer steps are bit-identical to the optimizers' reference kernels
 * (`sgd` in src/optim/sgd.ts, `adam` in src/optim/adam.ts — which are themselves bit-exact with
 * PyTorch 1.13.1, see test/optim), for every option, with state on the JavaScript heap or
 * resident in module memory, over sizes that are not multiples of the SIMD width.
 */
import { describe, expect, test } from "vitest";
import type { AdamStep, SgdStep } from "../../src/backend/backend.js";
import { sgd } from "../../src/optim/sgd.js";
import { adam } from "../../src/optim/adam.js";
import { cpu, expectBitEqual, randF32, wasm } from "./helpers.js";
import { ResidentStorage } from "../../src/backend/wasm/storage.js";

const N = 1031; // odd, > PERSISTENT_MIN

function arrays(seed: number, count: number, resident: boolean): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const v = randF32(N, seed + i, -1, 1);
    v[7] = 0;
    v[8] = -0;
    v[9] = 1e-30;
    if (resident) {
      const s = wasm().alloc("float32", N, { persistent: true });
      expect(s).toBeInstanceOf(ResidentStorage);
      (s.data as Float32Array).set(v);
      out.push(s.data as Float32Array);
    } else out.push(v);
  }
  return out;
}

const clone = (xs: Float32Array[]): Float32Array[] => xs.map((x) => Float32Array.from(x));

describe("SGD step: bit-identical to the reference kernel", () => {
  const configs = [
    { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
    { momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
    { momentum: 0.9, dampening: 0.1, weightDecay: 1e-2, nesterov: false, maximize: true },
    { momentum: 0.8, dampening: 0, weightDecay: 5e-3, nesterov: true, maximize: false },
  ];
  for (const cfg of configs)
    for (const resident of [false, true])
      test(`${JSON.stringify(cfg)}${resident ? ", resident buffers" : ""}`, () => {
        const hyper = { lr: 0.03, ...cfg };
        const [p, g, b] = arrays(100, 3, resident);
        const [rp, rg, rb] = clone([p!, g!, b!]);
        for (let step = 0; step < 3; step++) {
          const first = step === 0;
          const buf = cfg.momentum !== 0 ? b! : null;
          const s: SgdStep = { kind: "sgd", param: p!, grad: g!, momentumBuffer: buf, firstStep: first, hyper };
          expect(wasm().optimizerStep(s)).toBe(true);
          sgd(rp!, rg!, cfg.momentum !== 0 ? rb! : null, first, hyper);
        }
        expectBitEqual(p!, rp!, "param");
        if (cfg.momentum !== 0) expectBitEqual(b!, rb!, "momentum buffer");
        expectBitEqual(g!, rg!, "grad untouched");
      });
});

describe("Adam / AdamW step: bit-identical to the reference kernel", () => {
  const configs = [
    { weightDecay: 0, amsgrad: false, maximize: false, decoupled: false },
    { weightDecay: 1e-2, amsgrad: false, maximize: false, decoupled: false },
    { weightDecay: 1e-2, amsgrad: true, maximize: true, decoupled: false },
    { weightDecay: 1e-2, amsgrad: false, maximize: false, decoupled: true },
    { weightDecay: 0.1, amsgrad: true, maximize: false, decoupled: true },
  ];
  for (const cfg of configs)
    for (const resident of [false, true])
      test(`${JSON.stringify(cfg)}${resident ? ", resident state" : ""}`, () => {
        const hyper = { lr: 1e-3, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: cfg.weightDecay, amsgrad: cfg.amsgrad, maximize: cfg.maximize };
        const [p, g, m, v, mx] = arrays(200, 5, resident);
        v!.forEach((x, i) => (v![i] = Math.abs(x)));
        mx!.forEach((x, i) => (mx![i] = Math.abs(x)));
        const [rp, rg, rm, rv, rmx] = clone([p!, g!, m!, v!, mx!]);
        for (let step = 1; step <= 3; step++) {
          const s: AdamStep = {
            kind: "adam", param: p!, grad: g!, expAvg: m!, expAvgSq: v!, maxExpAvgSq: cfg.amsgrad ? mx! : null,
            step, decoupled: cfg.decoupled, hyper,
          };
          expect(wasm().optimizerStep(s)).toBe(true);
          adam(rp!, rg!, rm!, rv!, cfg.amsgrad ? rmx! : null, step, hyper, cfg.decoupled);
        }
        expectBitEqual(p!, rp!, "param");
        expectBitEqual(m!, rm!, "exp_avg");
        expectBitEqual(v!, rv!, "exp_avg_sq");
        if (cfg.amsgrad) expectBitEqual(mx!, rmx!, "max_exp_avg_sq");
      });

  test("resident neighbours are untouched by a step (no write outside the arrays)", () => {
    const w = wasm();
    const blocks = [0, 1, 2, 3, 4, 5].map(() => w.alloc("float32", N, { persistent: true }).data as Float32Array);
    for (const b of blocks) b.fill(5);
    const [p, g, m, v] = [blocks[1]!, blocks[2]!, blocks[3]!, blocks[4]!];
    p.set(randF32(N, 1));
    g.set(randF32(N, 2));
    m.fill(0);
    v.fill(0);
    const hyper = { lr: 1e-3, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
    w.optimizerStep({ kind: "adam", param: p, grad: g, expAvg: m, expAvgSq: v, maxExpAvgSq: null, step: 1, decoupled: false, hyper });
    expect(blocks[0]!.every((x) => x === 5)).toBe(true);
    expect(blocks[5]!.every((x) => x === 5)).toBe(true);
  });
});

describe("what the fused steps do not take", () => {
  test("float64 parameters and the CPU backend fall back to the reference kernels", () => {
    const p = new Float64Array(10), g = new Float64Array(10);
    const hyper = { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
    expect(wasm().optimizerStep({ kind: "sgd", param: p, grad: g, momentumBuffer: null, firstStep: false, hyper })).toBe(false);
    expect(cpu.optimizerStep({ kind: "sgd", param: new Float32Array(4), grad: new Float32Array(4), momentumBuffer: null, firstStep: false, hyper })).toBe(false);
  });

  test("persistent allocation: float32 of at least 1024 elements is resident and zero-filled; others stay on the heap", () => {
    const w = wasm();
    const big = w.alloc("float32", 5000, { persistent: true });
    expect(big).toBeInstanceOf(ResidentStorage);
    expect(big.data.length).toBe(5000);
    expect(big.data.every((x) => x === 0)).toBe(true);
    expect(w.alloc("float32", 10, { persistent: true })).not.toBeInstanceOf(ResidentStorage);
    expect(w.alloc("float64", 5000, { persistent: true })).not.toBeInstanceOf(ResidentStorage);
    expect(w.alloc("float32", 5000)).not.toBeInstanceOf(ResidentStorage);
  });
});
