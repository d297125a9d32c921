/**
 * The float32 arithmetic of the optimizer kernels (src/optim/arith.ts): the emulated fused
 * multiply-add `fmaf` against an exact reference (BigInt arithmetic, round to nearest even) on
 * random operands over many binades, exact float32 midpoints, crafted double-rounding cases,
 * subnormal results, overflow and special values; and PyTorch's `sign` and NaN-propagating
 * maximum.
 */
import { describe, expect, it } from "vitest";
import { fmaf, maximum, sign } from "../../src/optim/arith.js";
import { XorShift32 } from "./helpers.js";

const fr = Math.fround;
/** A float32 value from the stream. */
const v32 = (rng: XorShift32, lo: number, span: number): number => fr(rng.value(lo, span));

/** float32 value → [integer mantissa, exponent] with value = m·2^e exactly. */
function decompose(x: number): [bigint, number] {
  const f = new Float32Array([x]);
  const bits = new Uint32Array(f.buffer)[0]!;
  const neg = bits >>> 31 === 1;
  const exp = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  const m = BigInt(exp === 0 ? frac : frac | 0x800000);
  const e = (exp === 0 ? 1 : exp) - 150;
  return [neg ? -m : m, e];
}

/** The float32 nearest (ties to even) to n·2^e. */
function roundToFloat32(n: bigint, e: number): number {
  if (n === 0n) return 0;
  const neg = n < 0n;
  const a = neg ? -n : n;
  const bitLen = a.toString(2).length;
  // value = a·2^e in [2^(k), 2^(k+1)) with k = bitLen − 1 + e; quantum 2^(max(k − 23, −149))
  const k = bitLen - 1 + e;
  const q = Math.max(k - 23, -149);
  const shift = q - e;
  let m: bigint;
  if (shift <= 0) m = a << BigInt(-shift);
  else {
    const div = 1n << BigInt(shift);
    m = a / div;
    const rem = a % div;
    const half = div / 2n;
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  }
  const v = Number(m) * 2 ** q;
  const out = v >= 2 ** 128 ? Infinity : fr(v); // fr is exact here unless it overflows
  return neg ? -out : out;
}

function exactFma(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return fr(a * b + c);
  const [ma, ea] = decompose(a), [mb, eb] = decompose(b), [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const n = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (n === 0n) {
    // signed zero: +0 unless both addends are −0 (or the product and c are zeros of sign −)
    return Object.is(a * b + c, -0) ? -0 : 0;
  }
  return roundToFloat32(n, e);
}

function check(a: number, b: number, c: number): void {
  const got = fmaf(a, b, c);
  const want = exactFma(a, b, c);
  if (!Object.is(got, want)) expect.fail(`fmaf(${a}, ${b}, ${c}) = ${got}, exact ${want}`);
}

describe("fmaf", () => {
  it("is the correctly rounded a·b + c on random operands over many binades", () => {
    const rng = new XorShift32(42);
    for (let i = 0; i < 100_000; i++) {
      const a = v32(rng, -20, 40), b = v32(rng, -20, 40), c = v32(rng, -40, 80);
      check(a, b, c);
      check(a, b, -fr(a * b)); // cancellation
    }
  });

  it("handles exact midpoints (sums of floats of one binade) and crafted double-rounding cases", () => {
    const rng = new XorShift32(7);
    for (let i = 0; i < 50_000; i++) {
      const a = v32(rng, 0, 3), c = v32(rng, 0, 3);
      check(a, 1, c); // a + c often needs 25 bits: an exact midpoint, ties to even
      // c on a binade, a·b just off a midpoint of it by a tiny product: double rounding traps
      const big = fr(1 + (rng.next() >>> 9) * 2 ** -23);
      const tiny = (rng.next() & 1 ? 1 : -1) * 2 ** -24 * big;
      check(fr(tiny), fr(1 + 2 ** -23 * (rng.next() % 8)), big);
    }
    // (1 + 2⁻²³)(1 − 2⁻²³) = 1 − 2⁻⁴⁶: added to 2²⁴ + 2 the double sum rounds to the float32
    // midpoint 2²⁴ + 3, whose even neighbour is 2²⁴ + 4, but the exact sum lies below it
    for (let k = -120; k <= 100; k += 7) {
      const a = fr((1 + 2 ** -23) * 2 ** k), b = fr(1 - 2 ** -23), c = fr((2 ** 24 + 2) * 2 ** k);
      check(a, b, c);
      check(-a, b, -c);
      expect(fmaf(a, b, c)).toBe(c);
    }
  });

  it("handles subnormal results, overflow and special values", () => {
    const rng = new XorShift32(9);
    for (let i = 0; i < 50_000; i++) check(v32(rng, -80, 10), v32(rng, -80, 10), v32(rng, -150, 30));
    const max = 3.4028234663852886e38;
    check(max, 1, fr(2 ** 103)); // exactly the top midpoint: ties to even → Infinity
    check(max, 1, fr(2 ** 102)); // below it: FLT_MAX
    check(max, 2, -max); // FLT_MAX exactly
    check(max, 1.5, 0);
    expect(fmaf(Infinity, 0, 1)).toBeNaN();
    expect(fmaf(NaN, 1, 1)).toBeNaN();
    expect(fmaf(Infinity, 1, 1)).toBe(Infinity);
    expect(Object.is(fmaf(-0, 1, -0), -0)).toBe(true);
  });
});

describe("sign and maximum", () => {
  it("follow PyTorch: sign(NaN) = 0, maximum propagates NaN", () => {
    expect([sign(-2), sign(-0), sign(0), sign(3), sign(NaN)]).toEqual([-1, 0, 0, 1, 0]);
    expect(maximum(1, 2)).toBe(2);
    expect(maximum(NaN, 2)).toBeNaN();
    expect(maximum(2, NaN)).toBeNaN();
  });
});
