/**
 * Shared helpers of the optimizer tests: the optimizer classes by PyTorch name, PyTorch kwargs
 * as descent options, the xorshift32 stream of scripts/fixtures/optim_kernels.py, and
 * comparisons of state-dict values with fixtures.
 */
import { expect } from "vitest";
import { optim, Tensor, type DType } from "../../src/index.js";
import type { FixtureTensor } from "../helpers/fixtures.js";

/** Anything that builds an optimizer from parameters (or groups) and options. */
export type OptimizerCtor = new (params: Iterable<Tensor> | Iterable<Record<string, unknown>>, options?: object) => optim.Optimizer;

/** The optimizers by their PyTorch class name. */
export const OPTIMIZERS: Record<string, OptimizerCtor> = {
  SGD: optim.SGD as unknown as OptimizerCtor,
  Adam: optim.Adam as unknown as OptimizerCtor,
  AdamW: optim.AdamW as unknown as OptimizerCtor,
  Adagrad: optim.Adagrad as unknown as OptimizerCtor,
  RMSprop: optim.RMSprop as unknown as OptimizerCtor,
  Adadelta: optim.Adadelta as unknown as OptimizerCtor,
  Adamax: optim.Adamax as unknown as OptimizerCtor,
  NAdam: optim.NAdam as unknown as OptimizerCtor,
  RAdam: optim.RAdam as unknown as OptimizerCtor,
  ASGD: optim.ASGD as unknown as OptimizerCtor,
  Rprop: optim.Rprop as unknown as OptimizerCtor,
  LBFGS: optim.LBFGS as unknown as OptimizerCtor,
};

/** PyTorch kwargs (snake_case, tuples as arrays) as descent options (camelCase). */
export function optionsOf(kwargs: Record<string, unknown> | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs ?? {})) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

/**
 * The xorshift32 stream of the kernel fixtures: values ±(0.5 + m)·2^e over many binades (with
 * zeros and tiny values), rounded to the dtype when stored, as torch.tensor(..., dtype) rounds them.
 */
export class XorShift32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    this.s = s;
    return s;
  }
  value(loExp: number, span: number): number {
    const r = this.next();
    const m = (this.next() >>> 8) / 2 ** 24;
    const sign = (r >>> 4) & 1 ? -1 : 1;
    const kind = r % 16;
    if (kind === 0) return 0;
    const e = kind === 1 ? -40 + ((r >>> 5) % 12) : loExp + ((r >>> 5) % span);
    return sign * (0.5 + m) * 2 ** e;
  }
  array(n: number, loExp: number, span: number, dtype: DType): Float32Array | Float64Array {
    const out = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.value(loExp, span);
    return out;
  }
}

/** Distance in float32 units in the last place between two float32 values (0 when equal, NaN = NaN). */
export function ulpDistance32(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const ord = (x: number): number => (x < 0 ? -2147483648 - x : x);
  return Math.abs(ord(i[0]!) - ord(i[1]!));
}

/** Assert a descent tensor equals a fixture tensor bit for bit (reporting the worst ulp distance). */
export function expectBitExact(actual: Tensor, expected: FixtureTensor, label: string): void {
  expect(actual.dtype, `${label}: dtype`).toBe(expected.dtype);
  expect([...actual.shape], `${label}: shape`).toEqual(expected.shape);
  const got = actual.dataSync();
  let worst = 0, at = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const d = ulpDistance32(got[i]!, expected.data[i]!);
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  if (at >= 0) expect.fail(`${label}: element ${at} is ${got[at]}, PyTorch gives ${expected.data[at]} (${worst} ulp apart)`);
}
