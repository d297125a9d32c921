/**
 * Small helpers shared by the schedulers: the structural optimizer they drive, reading and writing
 * named entries of a parameter group, Python-style number formatting for error messages, Python's
 * modulo and `bisect_right`, and PyTorch's `_format_param` (one value or one value per group).
 *
 * Not part of the public surface (only the types `SchedulerOptimizer` and `SchedulerParamGroup`
 * are re-exported).
 */

/**
 * A parameter group as the schedulers see it: a plain, mutable object with an `lr`, and other
 * entries (`momentum`, `betas`, `initialLr`, …) read and written by name.
 */
export interface SchedulerParamGroup {
  lr: number;
}

/**
 * What a scheduler needs from an optimizer: its parameter groups (plain mutable objects) and,
 * optionally, its `defaults` (used to tell whether it has `momentum` or `betas` to cycle).
 * Every `optim.*` optimizer satisfies it.
 */
export interface SchedulerOptimizer {
  readonly paramGroups: readonly SchedulerParamGroup[];
  readonly defaults?: object;
}

/** A group viewed as a record, to read and write its named entries. */
export function groupRecord(group: SchedulerParamGroup): Record<string, unknown> {
  return group as unknown as Record<string, unknown>;
}

/** `group[key]` as a number; throws a KeyError-like Error when it is missing. */
export function groupNumber(group: SchedulerParamGroup, key: string, index: number): number {
  const v = groupRecord(group)[key];
  if (typeof v !== "number") {
    throw new TypeError(`param '${key}' is not specified in paramGroups[${index}]`);
  }
  return v;
}

/** Python's `type(x).__name__`, approximately, for "… is not an Optimizer" messages. */
export function typeName(x: unknown): string {
  if (x === null || x === undefined) return "NoneType";
  if (typeof x === "number") return Number.isInteger(x) ? "int" : "float";
  if (typeof x === "string") return "str";
  if (typeof x === "boolean") return "bool";
  if (Array.isArray(x)) return "list";
  if (typeof x === "function") return "function";
  const ctor = (x as { constructor?: { name?: string } }).constructor;
  return ctor?.name || "object";
}

/** Throw PyTorch's TypeError unless `x` looks like an optimizer (an object with `paramGroups`). */
export function checkOptimizer(x: unknown): SchedulerOptimizer {
  if (typeof x !== "object" || x === null || !Array.isArray((x as { paramGroups?: unknown }).paramGroups)) {
    throw new TypeError(`${typeName(x)} is not an Optimizer`);
  }
  return x as SchedulerOptimizer;
}

/** Does the optimizer have a `key` hyper-parameter (in `defaults`, or else in its first group)? */
export function optimizerHas(optimizer: SchedulerOptimizer, key: string): boolean {
  const d = optimizer.defaults ?? optimizer.paramGroups[0];
  return d !== undefined && key in d;
}

/**
 * Python's `repr` of a number, list or string as it appears in PyTorch's messages: integral
 * values print like Python ints (`5`), others like Python floats (`1.5`, `1e-05`, `inf`);
 * `undefined`/`null` print as `None`.
 */
export function pyRepr(x: unknown): string {
  if (x === undefined || x === null) return "None";
  if (typeof x === "boolean") return x ? "True" : "False";
  if (typeof x === "string") return x;
  if (Array.isArray(x)) return `[${x.map((v) => (typeof v === "string" ? `'${v}'` : pyRepr(v))).join(", ")}]`;
  if (typeof x === "number") {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
    const exp = x.toExponential(); // shortest round-trip digits, like Python's repr
    const [mant, e] = exp.split("e") as [string, string];
    const ev = Number(e);
    if (ev >= -4 && ev < 16) return String(x);
    const sign = ev < 0 ? "-" : "+";
    const digits = String(Math.abs(ev)).padStart(2, "0");
    return `${mant}e${sign}${digits}`;
  }
  return String(x);
}

/** Python's `%` for numbers: the result has the sign of the divisor. */
export function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** Python's `bisect.bisect_right` on a sorted array: the number of entries `<= x`. */
export function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < sorted[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** PyTorch's `_format_param`: one value per group, from a scalar or a list of the right length. */
export function formatParam(name: string, optimizer: SchedulerOptimizer, param: number | readonly number[]): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(param)) {
    if (param.length !== n) throw new RangeError(`expected ${n} values for ${name}, got ${param.length}`);
    return [...(param as readonly number[])];
  }
  return new Array<number>(n).fill(param as number);
}

/** Python's `'{:.4e}'.format(x)`. */
export function formatE4(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const [mant, e] = x.toExponential(4).split("e") as [string, string];
  const ev = Number(e);
  return `${mant}e${ev < 0 ? "-" : "+"}${String(Math.abs(ev)).padStart(2, "0")}`;
}

/** PyTorch's `print_lr`: the message printed for each group when `verbose` is set. */
export function printLr(verbose: boolean, group: number, lr: number, epoch?: number): void {
  if (!verbose) return;
  if (epoch === undefined) {
    console.log(`Adjusting learning rate of group ${group} to ${formatE4(lr)}.`);
  } else {
    const epochStr = Number.isInteger(epoch)
      ? (epoch < 0 ? "-" : "") + String(Math.abs(epoch)).padStart(epoch < 0 ? 4 : 5, "0")
      : epoch.toFixed(2);
    console.log(`Epoch ${epochStr}: adjusting learning rate of group ${group} to ${formatE4(lr)}.`);
  }
}

/** Python's float division: throws Python's ZeroDivisionError message instead of giving ±inf/NaN. */
export function pyDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError("float division by zero");
  return a / b;
}

/** Set every group's lr back to its `initialLr` (where it has one). */
export function resetLrs(optimizer: SchedulerOptimizer): void {
  for (const g of optimizer.paramGroups) {
    const initial = groupRecord(g)["initialLr"];
    if (typeof initial === "number") g.lr = initial;
  }
}
