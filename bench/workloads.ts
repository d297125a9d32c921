/**
 * The benchmark workloads: what one timed step is, its sizes, and what its time converts to.
 *
 * Definitions (shared with BENCHMARKS.md; every contender implements exactly these):
 * - mlp-adam / mlp-sgdm: 784-256-128-10 ReLU MLP, batch 128, softmax cross-entropy (mean),
 *   float32, fixed synthetic batch; one step = zero grads + forward + backward + optimizer step.
 *   Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8; SGD lr 0.01, momentum 0.9. ≈ 129 MFLOP a step.
 * - lenet-adam: conv5×5×6 → ReLU → maxpool 2 → conv5×5×16 → ReLU → maxpool 2 → flatten →
 *   256-120 → ReLU → 120-84 → ReLU → 84-10 on 1×28×28 inputs, batch 64, cross-entropy, Adam.
 * - adam-10m: one Adam step over one 10M-element float32 parameter whose gradient is given;
 *   GB/s counts 28 bytes per element (reads p, g, m, v; writes p, m, v).
 * - matmul-1024: 1024×1024 @ 1024×1024 float32 into a new output; GFLOP/s = 2·n³ / time.
 * - ce-128x10 / ce-1024x1000: softmax cross-entropy (mean over the batch) of logits [m, n] with
 *   integer class targets, forward + backward to the logits' gradient.
 */

export const WORKLOAD_IDS = [
  "mlp-adam", "mlp-sgdm", "lenet-adam", "adam-10m", "matmul-1024", "ce-128x10", "ce-1024x1000",
] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** Sizes a workload is built with (the real ones, or tiny ones for the smoke test). */
export interface WorkloadSizes {
  /** MLP layer widths, input first. */
  mlpSizes: readonly number[];
  mlpBatch: number;
  lenetBatch: number;
  /** Elements of the big Adam parameter. */
  adamSize: number;
  matmulN: number;
  /** Logit shapes [m, n] of the two cross-entropy workloads, keyed by workload id. */
  ce: Readonly<Record<"ce-128x10" | "ce-1024x1000", readonly [number, number]>>;
}

export const FULL_SIZES: WorkloadSizes = {
  mlpSizes: [784, 256, 128, 10],
  mlpBatch: 128,
  lenetBatch: 64,
  adamSize: 10_000_000,
  matmulN: 1024,
  ce: { "ce-128x10": [128, 10], "ce-1024x1000": [1024, 1000] },
};

/** Tiny sizes for the smoke test (test/bench) and its PyTorch fixture (bench/make_check_fixture.ts). */
export const TINY_SIZES: WorkloadSizes = {
  mlpSizes: [12, 8, 6, 4],
  mlpBatch: 5,
  lenetBatch: 2,
  adamSize: 1000,
  matmulN: 9,
  ce: { "ce-128x10": [4, 3], "ce-1024x1000": [6, 7] },
};

/** How a median time is shown besides milliseconds. */
export type Throughput = { unit: "GFLOP/s"; perStep: number } | { unit: "GB/s"; perStep: number } | null;

export interface WorkloadSpec {
  readonly id: WorkloadId;
  readonly title: string;
  /** What the step's check value is (compared across contenders after one step). */
  readonly check: string;
  /** FLOPs or bytes per step, for the throughput column. */
  throughput(sizes: WorkloadSizes): Throughput;
}

export const WORKLOADS: Readonly<Record<WorkloadId, WorkloadSpec>> = {
  "mlp-adam": { id: "mlp-adam", title: "MLP step, Adam (784-256-128-10, batch 128)", check: "loss", throughput: () => null },
  "mlp-sgdm": { id: "mlp-sgdm", title: "MLP step, SGD+momentum (784-256-128-10, batch 128)", check: "loss", throughput: () => null },
  "lenet-adam": { id: "lenet-adam", title: "LeNet step, Adam (batch 64)", check: "loss", throughput: () => null },
  "adam-10m": {
    id: "adam-10m", title: "Adam step, one 10M-element parameter", check: "Σ p·g",
    throughput: (s) => ({ unit: "GB/s", perStep: 28 * s.adamSize }),
  },
  "matmul-1024": {
    id: "matmul-1024", title: "matmul 1024×1024 @ 1024×1024", check: "Σ C²",
    throughput: (s) => ({ unit: "GFLOP/s", perStep: 2 * s.matmulN ** 3 }),
  },
  "ce-128x10": { id: "ce-128x10", title: "softmax cross-entropy fwd+bwd, 128×10", check: "loss", throughput: () => null },
  "ce-1024x1000": { id: "ce-1024x1000", title: "softmax cross-entropy fwd+bwd, 1024×1000", check: "loss", throughput: () => null },
};

/** Throughput in its unit for a step time in milliseconds (perStep / seconds / 1e9). */
export function throughputOf(t: Throughput, ms: number): number {
  return t === null ? NaN : t.perStep / (ms * 1e-3) / 1e9;
}
