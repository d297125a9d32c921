/**
 * WASM convolution, pooling and NLL / softmax cross-entropy kernels against the CPU reference.
 *
 * Convolutions accumulate in float32 (im2col + sgemm), so each output is compared with a float64
 * CPU convolution of the same values within (terms + 3)·2⁻²⁴·Σ|terms| — the float32 summation
 * bound, with Σ|terms| from a convolution of the absolute values. Max pooling is bit-identical;
 * average pooling sums its window in float32 (the CPU in float64). The NLL kernels evaluate in
 * double and round once like the CPU reference (1 ulp), except the fused softmax cross-entropy
 * over a contiguous class dim, whose exponentials are float32 (bounds stated at the assertions).
 */
import { describe, expect, test } from "vitest";
import type { AvgPool2dArgs, Conv2dArgs, Pool2dArgs, Strided } from "../../src/backend/backend.js";
import { CpuStorage } from "../../src/backend/cpu/storage.js";
import { cpu, dense, expectBitEqual, expectWithin, outStorage, randF32, randInt, view, wasm } from "./helpers.js";

const U = 2 ** -24;

function convArgs(p: Partial<Conv2dArgs> & { batch: number; inChannels: number; inH: number; inW: number; outChannels: number; kernelH: number; kernelW: number }): Conv2dArgs {
  const a = { strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, outH: 0, outW: 0, ...p };
  if (!p.outH) a.outH = Math.floor((a.inH + 2 * a.padH - a.dilationH * (a.kernelH - 1) - 1) / a.strideH) + 1;
  if (!p.outW) a.outW = Math.floor((a.inW + 2 * a.padW - a.dilationW * (a.kernelW - 1) - 1) / a.strideW) + 1;
  return a;
}

const f64 = (s: Strided): Strided => ({ ...s, storage: new CpuStorage(Float64Array.from(s.storage.data)) });
const abs64 = (s: Strided): Strided => ({ ...s, storage: new CpuStorage(Float64Array.from(s.storage.data, Math.abs)) });

const convCases: [string, Conv2dArgs][] = [
  ["3x3, padding 1", convArgs({ batch: 2, inChannels: 3, inH: 7, inW: 7, outChannels: 4, kernelH: 3, kernelW: 3, padH: 1, padW: 1 })],
  [
    "strided, dilated, grouped, rectangular",
    convArgs({ batch: 3, inChannels: 4, inH: 9, inW: 6, outChannels: 6, kernelH: 3, kernelW: 2, strideH: 2, padH: 1, dilationW: 2, groups: 2 }),
  ],
  ["1x1 pointwise", convArgs({ batch: 2, inChannels: 5, inH: 4, inW: 5, outChannels: 3, kernelH: 1, kernelW: 1 })],
  // PyTorch's padding="same" with an even kernel: 1 row/column before, 2 after
  ["asymmetric 'same' padding, even kernel", convArgs({ batch: 1, inChannels: 2, inH: 6, inW: 5, outChannels: 3, kernelH: 4, kernelW: 4, padH: 1, padW: 1, outH: 6, outW: 5 })],
  ["LeNet-like 5x5 on 28x28, batch 4", convArgs({ batch: 4, inChannels: 1, inH: 28, inW: 28, outChannels: 6, kernelH: 5, kernelW: 5, padH: 2, padW: 2 })],
];

describe("conv2d forward and backward", () => {
  for (const [name, a] of convCases) {
    const xShape = [a.batch, a.inChannels, a.inH, a.inW];
    const wShape = [a.outChannels, a.inChannels / a.groups, a.kernelH, a.kernelW];
    const yShape = [a.batch, a.outChannels, a.outH, a.outW];
    const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);
    const x = dense(randF32(size(xShape), 1), xShape);
    const w = dense(randF32(size(wShape), 2), wShape);
    const bias = dense(randF32(a.outChannels, 3), [a.outChannels]);
    const gy = dense(randF32(size(yShape), 4), yShape);

    test(`${name}: forward`, () => {
      const out = outStorage(size(yShape));
      wasm().conv2d(x, w, bias, out, a);
      out.checkGuards();
      const exact = new CpuStorage(new Float64Array(size(yShape)));
      const absS = new CpuStorage(new Float64Array(size(yShape)));
      cpu.conv2d(f64(x), f64(w), f64(bias), exact, a);
      cpu.conv2d(abs64(x), abs64(w), abs64(bias), absS, a);
      const terms = (a.inChannels / a.groups) * a.kernelH * a.kernelW + 1;
      // float32 im2col + sgemm: (terms + 3)·2⁻²⁴·Σ|terms|
      expectWithin(out.data, exact.data, (i) => (terms + 3) * U * absS.data[i]! + 1e-30, "conv2d");
    });

    test(`${name}: input gradient`, () => {
      const gx = outStorage(size(xShape));
      wasm().conv2dBackwardInput(gy, w, gx, a);
      gx.checkGuards();
      const exact = new CpuStorage(new Float64Array(size(xShape)));
      const absS = new CpuStorage(new Float64Array(size(xShape)));
      cpu.conv2dBackwardInput(f64(gy), f64(w), exact, a);
      cpu.conv2dBackwardInput(abs64(gy), abs64(w), absS, a);
      const terms = (a.outChannels / a.groups) * a.kernelH * a.kernelW;
      expectWithin(gx.data, exact.data, (i) => (terms + 3) * U * absS.data[i]! + 1e-30, "conv2d input gradient");
    });

    test(`${name}: weight and bias gradients`, () => {
      const gw = outStorage(size(wShape));
      const gb = outStorage(a.outChannels);
      wasm().conv2dBackwardWeight(x, gy, gw, gb, a);
      gw.checkGuards();
      gb.checkGuards();
      const ew = new CpuStorage(new Float64Array(size(wShape)));
      const eb = new CpuStorage(new Float64Array(a.outChannels));
      const aw = new CpuStorage(new Float64Array(size(wShape)));
      const ab = new CpuStorage(new Float64Array(a.outChannels));
      cpu.conv2dBackwardWeight(f64(x), f64(gy), ew, eb, a);
      cpu.conv2dBackwardWeight(abs64(x), abs64(gy), aw, ab, a);
      const terms = a.batch * a.outH * a.outW;
      expectWithin(gw.data, ew.data, (i) => (terms + 3) * U * aw.data[i]! + 1e-30, "conv2d weight gradient");
      expectWithin(gb.data, eb.data, (i) => (terms + 3) * U * ab.data[i]! + 1e-30, "conv2d bias gradient");
    });
  }

  test("a non-contiguous input (a transposed view) is gathered first", () => {
    const a = convArgs({ batch: 2, inChannels: 3, inH: 5, inW: 6, outChannels: 2, kernelH: 3, kernelW: 3 });
    const raw = randF32(2 * 3 * 6 * 5, 9);
    // logical [2, 3, 5, 6] over storage laid out [2, 3, 6, 5]
    const x = view(new CpuStorage(raw), [2, 3, 5, 6], [90, 30, 1, 5]);
    const w = dense(randF32(2 * 3 * 9, 10), [2, 3, 3, 3]);
    const out = outStorage(2 * 2 * 3 * 4);
    const ref = new CpuStorage(new Float64Array(2 * 2 * 3 * 4));
    const absS = new CpuStorage(new Float64Array(2 * 2 * 3 * 4));
    wasm().conv2d(x, w, null, out, a);
    cpu.conv2d(f64(x), f64(w), null, ref, a);
    cpu.conv2d(abs64(x), abs64(w), null, absS, a);
    expectWithin(out.data, ref.data, (i) => 30 * U * absS.data[i]! + 1e-30, "conv2d of a view");
  });

  test("zero-size batch writes nothing", () => {
    const a = convArgs({ batch: 0, inChannels: 2, inH: 4, inW: 4, outChannels: 3, kernelH: 3, kernelW: 3 });
    const out = outStorage(0);
    wasm().conv2d(dense(new Float32Array(0), [0, 2, 4, 4]), dense(randF32(54, 1), [3, 2, 3, 3]), null, out, a);
    const gw = outStorage(54);
    wasm().conv2dBackwardWeight(dense(new Float32Array(0), [0, 2, 4, 4]), dense(new Float32Array(0), [0, 3, 2, 2]), gw, null, a);
    out.checkGuards();
    gw.checkGuards();
    expect(Array.from(gw.data).every((v) => v === 0)).toBe(true);
  });
});

function poolArgs(p: Partial<Pool2dArgs> & { batch: number; channels: number; inH: number; inW: number; kernelH: number; kernelW: number }): Pool2dArgs {
  const a = { strideH: p.kernelH, strideW: p.kernelW, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 0, outW: 0, ...p };
  if (!p.outH) a.outH = Math.floor((a.inH + 2 * a.padH - a.dilationH * (a.kernelH - 1) - 1) / a.strideH) + 1;
  if (!p.outW) a.outW = Math.floor((a.inW + 2 * a.padW - a.dilationW * (a.kernelW - 1) - 1) / a.strideW) + 1;
  return a;
}

describe("pooling", () => {
  const cases: [string, Pool2dArgs][] = [
    ["2x2 stride 2 on 28x28", poolArgs({ batch: 2, channels: 3, inH: 28, inW: 28, kernelH: 2, kernelW: 2 })],
    ["3x3 stride 2 padding 1, odd sizes", poolArgs({ batch: 1, channels: 5, inH: 9, inW: 7, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
    ["dilated 2x3", poolArgs({ batch: 2, channels: 2, inH: 10, inW: 11, kernelH: 2, kernelW: 3, strideH: 1, strideW: 2, dilationH: 2, dilationW: 2 })],
    // ceil mode: one more output row/column than the floor formula
    ["ceil mode (extra partial window)", poolArgs({ batch: 1, channels: 2, inH: 7, inW: 7, kernelH: 2, kernelW: 2, outH: 4, outW: 4 })],
  ];
  for (const [name, a] of cases) {
    const n = a.batch * a.channels;
    const data = randF32(n * a.inH * a.inW, 5, -4, 4);
    data[3] = NaN; // a NaN wins its window
    const x = dense(data, [a.batch, a.channels, a.inH, a.inW]);
    const outN = n * a.outH * a.outW;
    test(`max pool ${name}: values and indices bit-identical, backward bit-identical`, () => {
      const ow = outStorage(outN), oc = outStorage(outN);
      const iw = outStorage(outN, "int32"), ic = outStorage(outN, "int32");
      wasm().maxPool2d(x, ow, iw, a);
      cpu.maxPool2d(x, oc, ic, a);
      ow.checkGuards();
      iw.checkGuards();
      expectBitEqual(ow.data, oc.data, "max values");
      expect(Array.from(iw.data)).toEqual(Array.from(ic.data));
      const gy = dense(randF32(outN, 6), [a.batch, a.channels, a.outH, a.outW]);
      const gw = outStorage(n * a.inH * a.inW), gc = outStorage(n * a.inH * a.inW);
      const idx = view(ic, [a.batch, a.channels, a.outH, a.outW]);
      wasm().maxPool2dBackward(gy, idx, gw, a);
      cpu.maxPool2dBackward(gy, idx, gc, a);
      gw.checkGuards();
      expectBitEqual(gw.data, gc.data, "max pool gradient");
    });
    for (const countIncludePad of [true, false]) {
      for (const divisorOverride of [null, 5]) {
        if (a.dilationH !== 1) continue; // average pooling has no dilation
        test(`avg pool ${name}, countIncludePad ${countIncludePad}, divisor ${divisorOverride}`, () => {
          const av: AvgPool2dArgs = { ...a, countIncludePad, divisorOverride };
          const clean = dense(randF32(n * a.inH * a.inW, 7, -4, 4), [a.batch, a.channels, a.inH, a.inW]);
          const ow = outStorage(outN), oc = outStorage(outN);
          wasm().avgPool2d(clean, ow, av);
          cpu.avgPool2d(clean, oc, av);
          ow.checkGuards();
          // float32 window sum of ≤ kH·kW terms, then one division: (kH·kW + 2)·2⁻²⁴·4 (|x| < 4)
          expectWithin(ow.data, oc.data, () => (a.kernelH * a.kernelW + 2) * U * 4, "avg pool");
          const gy = dense(randF32(outN, 8), [a.batch, a.channels, a.outH, a.outW]);
          const gw = outStorage(n * a.inH * a.inW), gc = outStorage(n * a.inH * a.inW);
          wasm().avgPool2dBackward(gy, gw, av);
          cpu.avgPool2dBackward(gy, gc, av);
          gw.checkGuards();
          // each input gathers ≤ kH·kW window shares of |gy| < 1
          expectWithin(gw.data, gc.data, () => (a.kernelH * a.kernelW + 2) * U * a.kernelH * a.kernelW, "avg pool gradient");
        });
      }
    }
  }
});

describe("NLL and softmax cross-entropy (fused log-softmax)", () => {
  const cases: [string, number, number, number][] = [["N=128, C=10", 128, 10, 1], ["N=5, C=37, K=3 (spatial)", 5, 37, 3], ["N=1, C=1", 1, 1, 1]];
  for (const [name, N, C, K] of cases) {
    for (const fused of [true, false]) {
      for (const weighted of [false, true]) {
        test(`${name}, ${fused ? "fused" : "log-probabilities"}, ${weighted ? "weighted" : "unweighted"}`, () => {
          // x as a permuted (non-contiguous) view when K > 1: storage [N, K, C], logical [N, C, K]
          const xd = randF32(N * C * K, 31, -8, 8);
          const xs = new CpuStorage(xd);
          const x: Strided = K > 1 ? view(xs, [N, C, K], [C * K, 1, C]) : view(xs, [N, C, 1]);
          const xAt = (n: number, c: number, k: number): number => xd[n * C * K + (K > 1 ? k * C + c : c)]!;
          const tgt = randInt(N * K, C, 32);
          tgt[0] = -100; // ignored
          const t = dense(tgt, [N, K]);
          const wd = weighted ? randF32(C, 33, 0.5, 2) : null;
          const weight = wd ? dense(wd, [C]) : null;
          const ow = outStorage(N * K), oc = outStorage(N * K);
          const lw = fused ? outStorage(N * K, "float64") : null;
          const lc = fused ? outStorage(N * K, "float64") : null;
          const totW = wasm().nllLoss(x, t, weight, -100, ow, lw);
          const totC = cpu.nllLoss(x, t, weight, -100, oc, lc);
          ow.checkGuards();
          expect(totW).toBe(totC); // Σ w[target] in double, same order
          // The fused kernel over a contiguous class dim (C ≥ 4) takes e^(x − max) in float32 (as
          // PyTorch's log_softmax does): its log-sum-exp may move by 2⁻²⁴·(3 + Σ|d|e^d / Σe^d),
          // d = x − max, from the CPU's all-double value; elsewhere everything is double (1 ulp).
          const floatExp = fused && C >= 4;
          const lseBound = new Float64Array(N * K);
          for (let n = 0; n < N; n++)
            for (let k = 0; k < K; k++) {
              let mx = -Infinity;
              for (let c = 0; c < C; c++) mx = Math.max(mx, xAt(n, c, k));
              let num = 0, den = 0;
              for (let c = 0; c < C; c++) {
                const d = xAt(n, c, k) - mx;
                num += Math.abs(d) * Math.exp(d);
                den += Math.exp(d);
              }
              lseBound[n * K + k] = floatExp ? 2 ** -24 * (3 + num / den) : 1e-12 * (Math.abs(mx) + 10);
            }
          if (lw && lc) expectWithin(lw.data, lc.data, (i) => lseBound[i]!, "log-sum-exp");
          const wOf = (i: number): number => (tgt[i]! === -100 ? 0 : wd ? wd[tgt[i]!]! : 1);
          // loss = −w·(x_t − lse): the lse error times w, plus one rounding
          expectWithin(ow.data, oc.data, (i) => (fused ? wOf(i) * lseBound[i]! : 0) + U * Math.abs(oc.data[i]!) + 1e-30, "nll");
          // backward: per-element upstream gradient and a broadcast one
          for (const gOut of [dense(randF32(N * K, 34), [N, K]), view(new CpuStorage(Float32Array.of(0.5)), [N, K], [0, 0])]) {
            const gw = outStorage(N * C * K), gc = outStorage(N * C * K);
            wasm().nllLossBackward(x, t, weight, -100, gOut, 0.25, lc, gw);
            cpu.nllLossBackward(x, t, weight, -100, gOut, 0.25, lc, gc);
            gw.checkGuards();
            // float32 exponentials: e^((x − max) − (lse − max)) with both differences rounded to
            // float32, exp within 2 ulps, times s rounded to float32 — relative 2⁻²⁴·(|x − max| +
            // |lse − max| + 8); the target entries are computed in double (1 ulp)
            const bound = (i: number): number => {
              const n = Math.floor(i / (C * K)), c = Math.floor(i / K) % C, k = i % K;
              if (!floatExp || K > 1 || c === tgt[n * K + k]) return U * Math.abs(gc.data[i]!) + 1e-38;
              let mx = -Infinity;
              for (let j = 0; j < C; j++) mx = Math.max(mx, xAt(n, j, k));
              const l = lc!.data[n * K + k]!;
              return 2 ** -24 * (Math.abs(xAt(n, c, k) - mx) + Math.abs(l - mx) + 8) * Math.abs(gc.data[i]!) + 1e-38;
            };
            expectWithin(gw.data, gc.data, bound, "nll gradient");
          }
        });
      }
    }
  }

  test("an out-of-range target throws PyTorch's message before anything is written", () => {
    const x = dense(randF32(12, 1), [4, 3, 1]);
    const t = dense(Int32Array.of(0, 2, 3, 1), [4, 1]);
    const out = outStorage(4);
    out.data.fill(9);
    expect(() => wasm().nllLoss(x, t, null, -100, out, new CpuStorage(new Float64Array(4)))).toThrow(new RangeError("Target 3 is out of bounds."));
    expect(Array.from(out.data)).toEqual([9, 9, 9, 9]);
  });

  test("all-ignored rows give zero loss, zero total and zero gradient", () => {
    const x = dense(randF32(12, 1), [4, 3, 1]);
    const t = dense(Int32Array.of(-1, -1, -1, -1), [4, 1]);
    const out = outStorage(4);
    const lse = outStorage(4, "float64");
    expect(wasm().nllLoss(x, t, null, -1, out, lse)).toBe(0);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0]);
    const gx = outStorage(12);
    wasm().nllLossBackward(x, t, null, -1, dense(Float32Array.of(1, 1, 1, 1), [4, 1]), 1, lse, gx);
    expect(Array.from(gx.data).every((v) => v === 0)).toBe(true);
  });
});
