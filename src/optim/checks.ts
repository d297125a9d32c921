/**
 * Hyper-parameter checks shared by the optimizers, with PyTorch's messages word for word
 * (`Invalid learning rate: -0.1`, `Invalid beta parameter at index 0: 1.0`, …).
 *
 * Values print like Python prints a float (`1.0`, `1e-05`, `nan`), since PyTorch formats the
 * float the user passed. A value of the wrong kind (a string where a number belongs) is a
 * `TypeError`; a number out of range is a `RangeError` (PyTorch's `ValueError`).
 */

/** Python's `repr` of a float: `0.1`, `1.0`, `1e-05`, `1e+16`, `nan`, `inf`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, e] = x.toExponential().split("e") as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const s = String(x);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

/** Throw a TypeError unless `value` is a number. */
export function checkNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${describe(value)}`);
}

/** Throw a TypeError unless `value` is a boolean. */
export function checkBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
}

/** Throw a TypeError unless `value` is an array of two numbers. */
export function checkPair(value: unknown, name: string): asserts value is readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== "number" || typeof value[1] !== "number")
    throw new TypeError(`${name} must be an array of two numbers, got ${describe(value)}`);
}

/** `if not 0.0 <= value: raise ValueError(f"Invalid {what}: {value}")`, after a kind check. */
export function checkNonNegative(value: unknown, name: string, what: string): void {
  checkNumber(value, name);
  if (!(0 <= value)) throw new RangeError(`Invalid ${what}: ${pyFloat(value)}`);
}

/** `Invalid learning rate: …` for a negative (or NaN) learning rate. */
export function checkLr(value: unknown): void {
  checkNonNegative(value, "lr", "learning rate");
}

/** `Invalid epsilon value: …` */
export function checkEps(value: unknown): void {
  checkNonNegative(value, "eps", "epsilon value");
}

/** `Invalid weight_decay value: …` */
export function checkWeightDecay(value: unknown): void {
  checkNonNegative(value, "weightDecay", "weight_decay value");
}

/** Adam-family betas: each in [0, 1) (`Invalid beta parameter at index i: …`). */
export function checkBetas(value: unknown): void {
  checkPair(value, "betas");
  for (let i = 0; i < 2; i++) {
    const b = value[i]!;
    if (!(0 <= b && b < 1)) throw new RangeError(`Invalid beta parameter at index ${i}: ${pyFloat(b)}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map((v) => describe(v)).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return String(value);
}
