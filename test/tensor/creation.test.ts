/**
 * Creation functions against PyTorch 1.13.1 (fixtures from scripts/fixtures/ops_tensor.py, "creation"):
 * arange (integer and float steps, negative steps, empty), linspace, eye, full, zeros and ones in
 * float32, float64, int32 and bool, all bit for bit (arange and linspace reproduce the order of
 * operations of PyTorch's x86 kernels, fused multiply-adds included; the long ranges exercise
 * their SIMD blocks).
 */
import { describe, expect, it } from "vitest";
import * as d from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";

interface CreationCase {
  name: string;
  fn: "arange" | "linspace" | "eye" | "full" | "zeros" | "ones";
  args: Record<string, number | string | number[] | undefined>;
  out: FixtureTensor;
}
const { creation } = loadFixture<{ creation: CreationCase[] }>("ops_tensor");

const num = (v: unknown): number => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));

function create(c: CreationCase): Tensor {
  const a = c.args;
  const o = { dtype: a.dtype as DType };
  switch (c.fn) {
    case "arange":
      return d.arange(num(a.start), a.end === undefined ? undefined : num(a.end), a.step === undefined ? 1 : num(a.step), o);
    case "linspace":
      return d.linspace(num(a.start), num(a.end), num(a.steps), o);
    case "eye":
      return d.eye(num(a.n), a.m === undefined ? num(a.n) : num(a.m), o);
    case "full":
      return d.full(a.shape as number[], num(a.value), o);
    case "zeros":
      return d.zeros(a.shape as number[], o);
    case "ones":
      return d.ones(a.shape as number[], o);
    default:
      return c.fn satisfies never;
  }
}

describe("creation functions match PyTorch", () => {
  it.each(creation.map((c) => [c.name, c] as const))("%s", (name, c) => {
    expectClose(create(c), c.out, { rtol: 0, atol: 0 }, name);
  });

  it("arange rejects a zero step and bounds inconsistent with the step's sign", () => {
    expect(() => d.arange(0, 1, 0)).toThrow(RangeError);
    expect(() => d.arange(0, 5, -1)).toThrow(RangeError);
  });

  it("zerosLike/onesLike/fullLike keep shape and dtype", () => {
    const x = d.zeros([2, 3], { dtype: "float64" });
    const f = d.fullLike(x, 2.5);
    expect([f.dtype, ...f.shape]).toEqual(["float64", 2, 3]);
    expect(f.tolist()).toEqual([[2.5, 2.5, 2.5], [2.5, 2.5, 2.5]]);
    expect(d.onesLike(x, { dtype: "int32" }).tolist()).toEqual([[1, 1, 1], [1, 1, 1]]);
  });
});
