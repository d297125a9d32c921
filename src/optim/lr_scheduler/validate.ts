/**
 * Option checks shared by the schedulers, for the bad inputs PyTorch 1.13.1 lets through (it
 * fails later with a ZeroDivisionError, or silently misbehaves). Messages name the option and
 * the bad value in PyTorch's style ("Expected positive integer T_0, but got 0").
 */
import { pyRepr } from "./internal.js";

/** A required number option: TypeError when it is missing or not a number. */
export function checkNumber(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    if (value === undefined) throw new TypeError(`${owner}: missing required option '${name}'`);
    throw new TypeError(`${owner}: expected ${name} to be a number, but got ${pyRepr(value)}`);
  }
}

/** A positive integer option (`stepSize`): RangeError otherwise. */
export function checkPositiveInt(owner: string, name: string, value: unknown): asserts value is number {
  checkNumber(owner, name, value);
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`Expected positive integer ${name}, but got ${pyRepr(value)}`);
  }
}

/** A decay factor: a number > 0. */
export function checkGamma(owner: string, gamma: unknown): asserts gamma is number {
  checkNumber(owner, "gamma", gamma);
  if (!(gamma > 0)) throw new RangeError(`Expected positive gamma, but got ${pyRepr(gamma)}`);
}

/** Milestones: integers in non-decreasing order (a repeated milestone decays once per repeat). */
export function checkMilestones(owner: string, milestones: unknown): asserts milestones is readonly number[] {
  if (!Array.isArray(milestones)) {
    if (milestones === undefined) throw new TypeError(`${owner}: missing required option 'milestones'`);
    throw new TypeError(`${owner}: expected milestones to be a list of integers, but got ${pyRepr(milestones)}`);
  }
  const ok = milestones.every((m, i) => Number.isInteger(m) && (i === 0 || m >= milestones[i - 1]));
  if (!ok) throw new RangeError(`Expected milestones to be a list of increasing integers, but got ${pyRepr(milestones)}`);
}
