/**
 * Smoke test of `npm run bench`'s workload builders at tiny sizes (no timing assertions): every
 * workload built by descent (on the backend chosen at import, and on the CPU backend forced)
 * and by TensorFlow.js's cpu backend gives, for its first two steps, the check values PyTorch
 * 1.13.1 computed from the same synthetic data (test/bench/torch_checks.json, written by
 * bench/make_check_fixture.ts): the loss at the initial weights, then the loss after one
 * optimizer step (Σ p·g after the Adam step; Σ C² of the matmul). Agreement here means the
 * benchmark's contenders start from bit-identical data and compute the same function.
 * Plus the report's arithmetic: medians, throughput and the issue's targets, hand-derived.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { DescentContender } from "../../bench/contenders/descent.js";
import { TfjsContender } from "../../bench/contenders/tfjs.js";
import type { Contender } from "../../bench/contender.js";
import { hash32, uniformArray } from "../../bench/data.js";
import { targets, type RunReport, type WorkloadResult } from "../../bench/report.js";
import { median } from "../../bench/stats.js";
import { FULL_SIZES, TINY_SIZES, WORKLOAD_IDS, WORKLOADS, throughputOf, type WorkloadId } from "../../bench/workloads.js";

const fixture = JSON.parse(readFileSync(new URL("./torch_checks.json", import.meta.url), "utf8")) as {
  sizes: unknown;
  checks: Record<WorkloadId, Record<string, [number, number]>>;
};

/** |a − b| ≤ rtol·max(1, |b|): the runner's own sanity-check rule. */
function expectAgree(actual: number, expected: number, rtol: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs PyTorch ${expected}`).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(expected)));
}

/**
 * Tensors a workload may leave alive in tfjs 4.22: MomentumOptimizer.dispose() does not call
 * SGDOptimizer.dispose(), so its learning-rate scalar (`this.c`) is never freed.
 */
const TFJS_KNOWN_LEAKS: Partial<Record<WorkloadId, number>> = { "mlp-sgdm": 1 };

async function checkAll(c: Contender, rtol: number, liveObjects?: () => number): Promise<void> {
  for (const id of WORKLOAD_IDS) {
    await c.activate();
    const before = liveObjects?.();
    const r = await c.build(id, TINY_SIZES);
    if (typeof r === "string") throw new Error(`${c.id} cannot build ${id}: ${r}`);
    const [v0, v1] = await r.check(2);
    const [t0, t1] = fixture.checks[id]["torch"]!;
    expectAgree(v0!, t0, rtol, `${c.id} ${id} first step`);
    expectAgree(v1!, t1, rtol, `${c.id} ${id} after one step`);
    await r.dispose();
    // the benchmark leaves nothing behind (tfjs: live tensors back to their count before the build)
    if (liveObjects) expect(liveObjects(), `${c.id} ${id} live tensors`).toBe(before! + (TFJS_KNOWN_LEAKS[id] ?? 0));
  }
}

describe("bench workloads at tiny sizes agree with PyTorch", () => {
  const opened: Contender[] = [];
  afterAll(async () => {
    for (const c of opened) await c.close();
  });

  it("the fixture was made with the sizes the test uses", () => {
    expect(fixture.sizes).toEqual(TINY_SIZES);
  });

  it("the Adam steps really change the loss (so agreement after one step tests the optimizer)", () => {
    const [a0, a1] = fixture.checks["mlp-adam"]["torch"]!;
    expect(Math.abs(a1 - a0)).toBeGreaterThan(1e-4);
  });

  // float32 end to end: PyTorch's default tolerance for float32 (1e-5 relative)
  it("descent, backend chosen at import", async () => {
    const c = new DescentContender("chosen", 1);
    opened.push(c);
    await checkAll(c, 1e-5);
  });

  it("descent, CPU backend forced", async () => {
    const c = new DescentContender("cpu", 1);
    opened.push(c);
    await checkAll(c, 1e-5);
  });

  // tfjs's Adam uses eps/√(1 − β₂ᵗ) in place of eps; at these sizes the difference is < 1e-6
  it("TensorFlow.js cpu backend (transposed layouts, NHWC LeNet)", async () => {
    const c = await TfjsContender.create("cpu");
    if (typeof c === "string") throw new Error(c);
    opened.push(c);
    await checkAll(c, 1e-5, TfjsContender.numTensors);
  });
});

describe("bench data and report arithmetic", () => {
  it("hash32 is MurmurHash3's fmix32 of i + seed·0x9E3779B9", () => {
    // fmix32(0) = 0 (every step maps 0 to 0); fmix32(1) = 0x514E28B7 (MurmurHash3 reference value)
    expect(hash32(0, 0)).toBe(0);
    expect(hash32(1, 0)).toBe(0x514e28b7);
    // seed 1, i = 0x61C88647 = 2³² − 0x9E3779B9: the sum wraps to 0
    expect(hash32(0x61c88647, 1)).toBe(0);
  });

  it("uniformArray maps the top 24 hash bits to [lo, hi)", () => {
    // element 1, seed 0: (0x514E28B7 >>> 8) / 2²⁴ = 0x514E28 / 2²⁴ = 5328424 / 16777216
    expect(uniformArray(2, 0, 0, 1)[1]).toBe(Math.fround(5328424 / 16777216));
    expect(uniformArray(2, 0, -1, 1)[0]).toBe(-1);
  });

  it("median of an even count is the mean of the middle two", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
  });

  it("throughput: 2·1024³ FLOP in 80 ms is 26.84 GFLOP/s; 28 B × 10M in 14 ms is 20 GB/s", () => {
    expect(throughputOf(WORKLOADS["matmul-1024"].throughput(FULL_SIZES), 80)).toBeCloseTo(26.8435456, 6);
    expect(throughputOf(WORKLOADS["adam-10m"].throughput(FULL_SIZES), 14)).toBeCloseTo(20, 10);
  });

  it("targets: ✓/✗ from the medians", () => {
    const w = (id: WorkloadId, medians: Record<string, number>): WorkloadResult => ({
      id, title: id, throughput: WORKLOADS[id].throughput(FULL_SIZES),
      cells: Object.entries(medians).map(([contenderId, m]) => ({
        contenderId, times: [m], note: null, checkAfterStep: null, firstCheck: null,
      })),
    });
    const report = {
      workloads: [
        // tfjs-wasm 30 / descent 5 = 6× ≥ 5 ✓; descent 5 / fastest PyTorch 2 = 2.5 ≤ 3 ✓
        w("mlp-adam", { descent: 5, "tfjs-wasm": 30, torch: 8, "torch-foreach": 2 }),
        // 2·1024³ / 0.09 s = 23.9 GFLOP/s < 25 ✗
        w("matmul-1024", { descent: 90 }),
        // 28e7 B / 0.01 s = 28 GB/s ≥ 20 ✓
        w("adam-10m", { descent: 10 }),
      ],
      start: { command: "npm start", seconds: 31, exitCode: 0, lastLine: "" },
    } as unknown as RunReport;
    expect(targets(report).map((t) => t.met)).toEqual([true, true, false, true, false]);
  });
});
