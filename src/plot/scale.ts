/**
 * Axis scales and tick marks for the line charts: "nice" ticks on linear axes and decades on log axes.
 *
 * Linear ticks follow Heckbert's "nice numbers" idea (Graphics Gems, 1990): the step is 1, 2, 2.5
 * or 5 times a power of ten, the smallest that covers the data in at most `maxTicks` ticks, and the
 * axis is widened to whole steps so the first and last ticks bound the data. Log ticks are the
 * powers of ten that cover the data (every second, third … decade when there are many), with
 * unlabelled minor ticks at 2…9 × 10^k; a range narrower than one decade falls back to nice
 * linear tick values placed on the log axis.
 *
 * Pure functions on numbers: no DOM, no Node.
 */

/** `"linear"` or `"log"` (base 10). */
export type ScaleType = "linear" | "log";

/** An axis: its domain (data units), its tick values, labels and minor ticks. */
export interface Axis {
  type: ScaleType;
  /** The shown interval [min, max] in data units; on a log axis both are > 0. */
  domain: [number, number];
  /** Labelled tick values, increasing. */
  ticks: number[];
  /** The text of each tick in `ticks`. */
  labels: string[];
  /** Unlabelled minor ticks (log axes), increasing. */
  minor: number[];
}

export interface AxisOptions {
  type?: ScaleType;
  /** The most labelled ticks wanted (default 7). */
  maxTicks?: number;
  /** Only integer ticks (epochs, steps). */
  integer?: boolean;
  /** Force the domain's ends (each may be left undefined to fit the data). */
  min?: number;
  max?: number;
}

const STEP_MULTIPLIERS = [1, 2, 2.5, 5, 10];

/** Digits after the decimal point needed to print multiples of `step` exactly. */
function decimalsFor(step: number): number {
  for (let d = 0; d <= 15; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 15;
}

/** Round `v` to `decimals` places, turning -0 into 0. */
function roundTo(v: number, decimals: number): number {
  const r = Number(v.toFixed(Math.min(decimals, 100)));
  return r === 0 ? 0 : r;
}

/** A tick label: plain decimals for ordinary magnitudes, scientific notation for tiny or huge ones. */
export function formatTick(v: number, step: number): string {
  const a = Math.abs(v);
  if (v === 0) return step >= 1e-4 && step < 1e6 ? (0).toFixed(decimalsFor(step)) : "0";
  if (a >= 1e6 || a < 1e-4) {
    // mantissa digits enough to tell neighbouring ticks apart
    const exp = Math.floor(Math.log10(a));
    const digits = Math.max(0, Math.min(6, exp - Math.floor(Math.log10(step))));
    const [m, e] = v.toExponential(digits).split("e") as [string, string];
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    return `${mant}e${e.replace("+", "")}`;
  }
  return v.toFixed(decimalsFor(step));
}

/** The finite extent of a list of numbers (NaN and ±Infinity skipped); null when none is finite. */
export function extent(values: Iterable<number>, positiveOnly = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Nice linear ticks covering [lo, hi]: the domain becomes [first tick, last tick].
 * Example: [0.03, 2.3] → ticks 0, 0.5, 1, 1.5, 2, 2.5.
 */
export function linearAxis(lo: number, hi: number, options: AxisOptions = {}): Axis {
  const maxTicks = Math.max(2, options.maxTicks ?? 7);
  if (!(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new RangeError(`linearAxis: expected finite lo <= hi, got [${lo}, ${hi}]`);
  }
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
    if (options.integer) {
      lo = Math.floor(lo);
      hi = Math.ceil(hi);
      if (lo === hi) hi = lo + 1;
    }
  }
  const span = hi - lo;
  let step = 0;
  let first = 0;
  let last = 0;
  const base = 10 ** Math.floor(Math.log10(span / (maxTicks - 1)));
  search: for (let mag = base; ; mag *= 10) {
    for (const m of STEP_MULTIPLIERS) {
      const s = m * mag;
      if (options.integer && (s < 1 || !Number.isInteger(s))) continue;
      const f = Math.floor(lo / s + 1e-9);
      const l = Math.ceil(hi / s - 1e-9);
      if (l - f + 1 <= maxTicks) {
        step = s;
        first = f;
        last = l;
        break search;
      }
    }
  }
  const decimals = decimalsFor(step);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(roundTo(k * step, decimals));
  const min = options.min ?? ticks[0]!;
  const max = options.max ?? ticks[ticks.length - 1]!;
  const shown = ticks.filter((t) => t >= min - 1e-12 * Math.abs(step) && t <= max + 1e-12 * Math.abs(step));
  return {
    type: "linear",
    domain: [min, max],
    ticks: shown,
    labels: shown.map((t) => formatTick(t, step)),
    minor: [],
  };
}

/** A log-axis label: 0.001 … 100000 written out, anything else as 1e-6 / 1e7. */
function formatPower(k: number): string {
  if (k >= -3 && k <= 5) return formatTick(10 ** k, 10 ** Math.min(k, 0));
  return `1e${k}`;
}

/**
 * Base-10 log ticks covering [lo, hi] (both > 0): the domain is widened to whole decades.
 * Example: [0.03, 2.3] → ticks 0.01, 0.1, 1, 10 with minor ticks at 0.02 … 0.09, 0.2 … 9.
 */
export function logAxis(lo: number, hi: number, options: AxisOptions = {}): Axis {
  if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) {
    throw new RangeError(`logAxis: expected 0 < lo <= hi, got [${lo}, ${hi}]`);
  }
  const maxTicks = Math.max(2, options.maxTicks ?? 7);
  let kLo = Math.floor(Math.log10(lo) + 1e-12);
  let kHi = Math.ceil(Math.log10(hi) - 1e-12);
  if (kHi === kLo) kHi += 1;
  if (kHi - kLo === 1 && hi / lo < 10) {
    // Less than a decade of data: nice linear values placed on the log axis.
    const lin = linearAxis(lo, hi, { maxTicks: Math.min(maxTicks, 6) });
    const ticks = lin.ticks.filter((t) => t > 0);
    const labels = lin.labels.filter((_, i) => lin.ticks[i]! > 0);
    const min = options.min ?? Math.min(lo, ticks[0] ?? lo);
    const max = options.max ?? Math.max(hi, ticks[ticks.length - 1] ?? hi);
    return { type: "log", domain: [min, max], ticks, labels, minor: [] };
  }
  const every = Math.ceil((kHi - kLo + 1) / maxTicks);
  kLo = Math.floor(kLo / every) * every;
  kHi = Math.ceil(kHi / every) * every;
  const ticks: number[] = [];
  const labels: string[] = [];
  const minor: number[] = [];
  for (let k = kLo; k <= kHi; k += every) {
    ticks.push(Number(`1e${k}`));
    labels.push(formatPower(k));
  }
  for (let k = kLo; k < kHi; k++) {
    if (every === 1) {
      for (let m = 2; m <= 9; m++) minor.push(Number(`${m}e${k}`));
    } else if ((k - kLo) % every !== 0) {
      minor.push(Number(`1e${k}`));
    }
  }
  if (every > 1) minor.sort((a, b) => a - b);
  return {
    type: "log",
    domain: [options.min ?? ticks[0]!, options.max ?? ticks[ticks.length - 1]!],
    ticks,
    labels,
    minor,
  };
}

/** An axis fitted to `values` (non-finite values, and non-positive ones on a log axis, ignored). */
export function fitAxis(values: Iterable<number>, options: AxisOptions = {}): Axis {
  const type = options.type ?? "linear";
  const ext = extent(values, type === "log");
  let lo = ext?.[0] ?? (type === "log" ? 0.1 : 0);
  let hi = ext?.[1] ?? (type === "log" ? 10 : 1);
  if (options.min !== undefined) lo = Math.min(lo, options.min);
  if (options.max !== undefined) hi = Math.max(hi, options.max);
  if (type === "log") return logAxis(lo, hi, options);
  return linearAxis(lo, hi, options);
}

/** Map a data value to [0, 1] along the axis (0 at domain[0]); log axes use log10. */
export function project(axis: Axis, v: number): number {
  const [a, b] = axis.domain;
  if (axis.type === "log") {
    const la = Math.log10(a);
    const lb = Math.log10(b);
    return lb === la ? 0.5 : (Math.log10(v) - la) / (lb - la);
  }
  return b === a ? 0.5 : (v - a) / (b - a);
}
