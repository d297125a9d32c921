/**
 * Type promotion and broadcasting against PyTorch 1.13.1 (fixtures from scripts/fixtures/ops_tensor.py):
 * `resultType` against `torch.result_type` for every pair of operand kinds (1-d tensor, 0-d tensor,
 * Python int/float/bool) over every dtype, `promoteTypes` against `torch.promote_types`, and
 * `broadcastShapes` against `torch.broadcast_shapes`. descent's int32 plays torch's int64.
 */
import { describe, expect, it } from "vitest";
import { broadcastShapes, promoteTypes, resultType, type DType } from "../../src/index.js";
import { loadFixture } from "../helpers/fixtures.js";

type Operand = { kind: "dim" | "zero"; dtype: DType } | { kind: "int" | "float" | "bool" };
interface Fixture {
  promotion: {
    result_type: { a: Operand; b: Operand; dtype: DType }[];
    promote_types: { a: DType; b: DType; dtype: DType }[];
  };
  broadcast: { a: number[]; b: number[]; shape: number[] | null }[];
}
const fx = loadFixture<Fixture>("ops_tensor");

function operand(o: Operand): { dtype: DType; ndim: number } | number | boolean {
  switch (o.kind) {
    case "dim":
      return { dtype: o.dtype, ndim: 1 };
    case "zero":
      return { dtype: o.dtype, ndim: 0 };
    case "int":
      return 3;
    case "float":
      return 2.5;
    case "bool":
      return true;
    default:
      return o satisfies never;
  }
}
const show = (o: Operand): string => ("dtype" in o ? `${o.kind} ${o.dtype}` : o.kind);

describe("resultType matches torch.result_type", () => {
  it.each(fx.promotion.result_type.map((c) => [`${show(c.a)} with ${show(c.b)}`, c] as const))("%s", (_n, c) => {
    expect(resultType(operand(c.a), operand(c.b))).toBe(c.dtype);
  });
});

describe("promoteTypes matches torch.promote_types", () => {
  it.each(fx.promotion.promote_types.map((c) => [`${c.a} with ${c.b}`, c] as const))("%s", (_n, c) => {
    expect(promoteTypes(c.a, c.b)).toBe(c.dtype);
  });
});

describe("broadcastShapes matches torch.broadcast_shapes", () => {
  it.each(fx.broadcast.map((c) => [`${JSON.stringify(c.a)} with ${JSON.stringify(c.b)}`, c] as const))("%s", (_n, c) => {
    if (c.shape === null) expect(() => broadcastShapes(c.a, c.b)).toThrow(RangeError);
    else expect(broadcastShapes(c.a, c.b)).toEqual(c.shape);
  });
});
