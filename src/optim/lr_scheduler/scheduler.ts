/**
 * `Scheduler`: anything `SequentialLR` and `ChainedScheduler` can drive — an epoch-driven
 * `LRScheduler` (composites included), or a metric-driven `ReduceLROnPlateau` — and the shared
 * pieces of composing them: checking the parts, reading the metric once, loading a composite's
 * state dict all-or-nothing.
 */
import { pyRepr, typeName } from "./internal.js";
import { LRScheduler } from "./lr_scheduler.js";
import { ReduceLROnPlateau, type Metric } from "./reduce_lr_on_plateau.js";
import type { SchedulerStateDict } from "./state.js";

/** A scheduler that composite schedulers accept. */
export type Scheduler = LRScheduler | ReduceLROnPlateau;

/** Throw a TypeError unless `schedulers` is a list of schedulers. */
export function checkSchedulers(owner: string, schedulers: unknown): asserts schedulers is readonly Scheduler[] {
  if (!Array.isArray(schedulers)) {
    throw new TypeError(`${owner}: expected a list of schedulers, but got ${typeName(schedulers)}`);
  }
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler) && !(s instanceof ReduceLROnPlateau)) {
      throw new TypeError(`${owner}: schedulers[${i}] is a ${typeName(s)}, not a scheduler`);
    }
  });
}

/**
 * The metric as a number, read once, or undefined when none is given. Throws torch's TypeError
 * when `needed` (a ReduceLROnPlateau is to be stepped) and there is none.
 */
export function readMetric(metric: Metric | undefined, needed: boolean): number | undefined {
  if (metric === undefined || metric === null) {
    if (needed) throw new TypeError("step() missing 1 required positional argument: 'metrics'");
    return undefined;
  }
  if (typeof metric === "number") return metric;
  if (typeof metric === "object" && typeof metric.item === "function") return Number(metric.item());
  throw new TypeError(`expected the metric to be a number or a one-element tensor, but got ${pyRepr(metric)}`);
}

/**
 * Check a composite scheduler's state dict — its own fields and each part's — and return the
 * assignment that loads all of them.
 */
export function prepareComposite(
  parts: readonly Scheduler[],
  stateDict: SchedulerStateDict,
  own: () => void,
  who: string,
): () => void {
  const states = (stateDict as Record<string, unknown>)["_schedulers"];
  if (states === undefined) return own;
  if (!Array.isArray(states) || states.length !== parts.length) {
    throw new TypeError(`${who}.loadStateDict: expected _schedulers to hold ${parts.length} state dicts`);
  }
  const loads = parts.map((s, i) => s._prepareLoad(states[i] as SchedulerStateDict));
  return () => {
    own();
    for (const load of loads) load();
  };
}
