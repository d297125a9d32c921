/**
 * `randomSplit` (torch.utils.data.random_split): split a dataset into non-overlapping random
 * subsets of the given lengths, or of the given fractions of its length.
 *
 * Fractions (when they sum to 1 within 1e-9 and not above 1): each split gets ⌊n·fraction⌋ items
 * and the remainder is dealt one by one to the splits in order (round robin). The items are
 * `randperm(n)` from `generator` (default: the default generator), cut in order.
 *
 * PyTorch parity: the same rounding, the same single `randperm` draw and PyTorch's messages, so a
 * seeded generator gives PyTorch's subsets.
 */
import { defaultGenerator, type Generator as RandomGenerator } from "../tensor/generator.js";
import { Subset, type Dataset } from "./dataset.js";

export interface RandomSplitOptions {
  generator?: RandomGenerator;
}

/** Python's math.isclose(a, b) with its default rel_tol 1e-9. */
function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options: RandomSplitOptions = {}): Subset<T>[] {
  const n = dataset.length;
  let sizes = lengths.slice();
  const total = sizes.reduce((s, v) => s + v, 0);
  if (isClose(total, 1) && total <= 1) {
    const split: number[] = [];
    sizes.forEach((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      split.push(Math.floor(n * frac));
    });
    const remainder = n - split.reduce((s, v) => s + v, 0);
    for (let i = 0; i < remainder; i++) split[i % split.length]! += 1;
    sizes = split;
  }
  for (const s of sizes)
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`randomSplit: lengths must be non-negative integers or fractions, got ${s}`);
  if (sizes.reduce((s, v) => s + v, 0) !== n)
    throw new RangeError("Sum of input lengths does not equal the length of the input dataset!");
  const perm = (options.generator ?? defaultGenerator).randperm(n);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const len of sizes) {
    out.push(new Subset(dataset, Array.from(perm.subarray(offset, offset + len))));
    offset += len;
  }
  return out;
}
