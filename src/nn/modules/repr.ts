/**
 * Python-style formatting for module reprs (`extraRepr`), so descent prints modules exactly as
 * PyTorch does: floats like Python's `repr` (`1e-05`, `0.1`, `1.0`), booleans `True`/`False`,
 * pairs as tuples `(3, 3)`, null as `None`.
 */

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 or from 1e16, `.0` on integers. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = Math.abs(x).toExponential().split("e") as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace(".", "");
  const sign = x < 0 ? "-" : "";
  const decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** Python's `repr(bool)`. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** A tuple of ints as Python prints it: `(3, 3)`. */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(", ")})`;
}
