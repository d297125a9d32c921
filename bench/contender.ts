/**
 * What the benchmark runner needs from each contender (descent on some backend, TensorFlow.js on
 * some backend, PyTorch in a subprocess): make its engine current, build a workload from the
 * shared synthetic data, time repetitions of its step, and report each step's check value for
 * the cross-contender sanity check (the loss; Σ p·g after an Adam step; Σ C² of a matmul).
 */
import type { WorkloadId, WorkloadSizes } from "./workloads.js";
import { timeSync } from "./stats.js";

/** One built workload of one contender. */
export interface Runner {
  /** Milliseconds of each of `reps` successive steps. */
  run(reps: number): Promise<number[]>;
  /** The check value (see the workload's `check`) of each of `steps` successive steps, in float64. */
  check(steps: number): Promise<number[]>;
  /** Releases the workload's tensors. */
  dispose(): Promise<void>;
}

export interface Contender {
  /** Short id used on the command line and in the table (`descent`, `tfjs-wasm`, `torch`, …). */
  readonly id: string;
  /** Table label, e.g. `descent (wasm, 1 thread)`. */
  readonly label: string;
  /**
   * Switching to this contender is expensive or disturbs it (descent with 2 threads:
   * `setNumThreads(1)` for the other descent contenders stops its worker threads, and fresh
   * workers run unoptimised code until they warm up again), so it is prepared and timed alone,
   * its rounds back to back, after the interleaved contenders.
   */
  readonly exclusive?: boolean;
  /** Makes this contender's engine current (backend, thread count) before it runs. */
  activate(): Promise<void>;
  /** Builds the workload, or returns why this contender cannot run it (shown in the table). */
  build(workload: WorkloadId, sizes: WorkloadSizes): Promise<Runner | string>;
  /** Frees the contender's own resources at the end of the run. */
  close(): Promise<void>;
}

/**
 * One step of a synchronous workload. With `check` it returns its check value (read back to a
 * number); without, it returns NaN and reads nothing back (the timed form).
 */
export type SyncStep = (check: boolean) => number;

/** A Runner around a synchronous step. */
export function syncRunner(step: SyncStep, dispose: () => void = () => {}): Runner {
  const timed = (): number => step(false);
  return {
    run: async (reps) => timeSync(timed, reps),
    check: async (steps) => {
      const out: number[] = [];
      for (let i = 0; i < steps; i++) out.push(step(true));
      return out;
    },
    dispose: async () => dispose(),
  };
}

/** Σ a[i]·b[i] in float64 (the check value of the Adam workload). */
export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Σ a[i]² in float64 (the check value of the matmul workload: no cancellation, so a relative tolerance works). */
export function sumSquares64(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}
