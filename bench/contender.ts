/**
 * What the benchmark runner needs from each contender (descent on some backend, TensorFlow.js on
 * some backend, PyTorch in a subprocess): make its engine current, build a workload from the
 * shared synthetic data, time repetitions of its step, and report its losses for the
 * cross-contender sanity check.
 */
import type { WorkloadId, WorkloadSizes } from "./workloads.js";
import { timeSync } from "./stats.js";

/** One built workload of one contender. */
export interface Runner {
  /** Milliseconds of each of `reps` successive steps. */
  run(reps: number): Promise<number[]>;
  /** The loss computed by each of `steps` successive steps (workloads with a loss only). */
  losses?(steps: number): Promise<number[]>;
  /** Releases the workload's tensors. */
  dispose(): Promise<void>;
}

export interface Contender {
  /** Short id used on the command line and in the table (`descent`, `tfjs-wasm`, `torch`, …). */
  readonly id: string;
  /** Table label, e.g. `descent (wasm, 1 thread)`. */
  readonly label: string;
  /** Makes this contender's engine current (backend, thread count) before it runs. */
  activate(): Promise<void>;
  /** Builds the workload, or returns why this contender cannot run it (shown in the table). */
  build(workload: WorkloadId, sizes: WorkloadSizes): Promise<Runner | string>;
  /** Frees the contender's own resources at the end of the run. */
  close(): Promise<void>;
}

/**
 * One step of a synchronous workload. With `wantLoss` it returns the loss it computed (read back
 * to a number); without, it returns NaN and reads nothing back (the timed form).
 */
export type SyncStep = (wantLoss: boolean) => number;

/** A Runner around a synchronous step; `hasLoss` says whether `losses` is offered. */
export function syncRunner(step: SyncStep, hasLoss: boolean, dispose: () => void = () => {}): Runner {
  const timed = (): number => step(false);
  const runner: Runner = {
    run: async (reps) => timeSync(timed, reps),
    dispose: async () => dispose(),
  };
  if (hasLoss) {
    runner.losses = async (steps) => {
      const out: number[] = [];
      for (let i = 0; i < steps; i++) out.push(step(true));
      return out;
    };
  }
  return runner;
}
