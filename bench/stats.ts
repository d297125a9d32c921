/**
 * Timing statistics for the benchmark runner: medians and minima of per-repetition times, and
 * the throughput a workload's time stands for (GFLOP/s for matmul, GB/s for optimizer steps).
 */

/** Median of `xs` (the mean of the two middle values for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Smallest of `xs`; NaN when empty. */
export function minimum(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : Math.min(...xs);
}

/** Times `reps` calls of `step`, in milliseconds each (performance.now around every call). */
export function timeSync(step: () => unknown, reps: number): number[] {
  const times = new Array<number>(reps);
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step();
    times[i] = performance.now() - t0;
  }
  return times;
}
