/**
 * The CPU backend's float32 elementwise loops (UNARY_F32 / BINARY_F32, chosen when every operand
 * is a Float32Array) and its dense fast path (operands with the same row-major layout run as one
 * row) compute exactly what the generic loops compute: the same double arithmetic, rounded once
 * to float32 when stored. Reference: the generic loops over float64 copies of the operands, whose
 * results rounded with Math.fround must equal the float32 results bit for bit — for dense views
 * (with offsets, and size-1 dims of any stride), transposed views, broadcasts, 0-d and empty
 * tensors.
 */
import { describe, expect, test } from "vitest";
import type { BinaryOp, Strided, UnaryOp } from "../../src/backend/backend.js";
import { CpuStorage } from "../../src/backend/cpu/storage.js";
import { isDense } from "../../src/backend/cpu/iterate.js";
import { cpu, expectBitEqual, randF32 } from "./helpers.js";

const UNARY: [UnaryOp, number, number][] = [
  ["neg", 0, 0], ["abs", 0, 0], ["exp", 0, 0], ["log", 0, 0], ["sqrt", 0, 0], ["rsqrt", 0, 0], ["square", 0, 0],
  ["reciprocal", 0, 0], ["tanh", 0, 0], ["sigmoid", 0, 0], ["relu", 0, 0], ["powScalar", 2, 0], ["powScalar", 0.5, 0],
  ["powScalar", 1.7, 0], ["clamp", -0.25, 0.5], ["leakyRelu", 0.01, 0], ["addScalar", 0.3, 0], ["mulScalar", -1.5, 0],
];
const BINARY: [BinaryOp, number][] = [
  ["add", 0], ["sub", 0], ["mul", 0], ["div", 0], ["maximum", 0], ["minimum", 0], ["addScaled", 0.37],
  ["reluBackward", 0], ["sigmoidBackward", 0], ["tanhBackward", 0],
];

/** Data with zeros, signed zeros, NaN and infinities among random values. */
function data(n: number, seed: number): Float32Array {
  const d = randF32(n, seed, -3, 3);
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-40, -2];
  for (let i = 0; i < Math.min(n, special.length); i++) d[(i * 5) % n] = special[i]!;
  return d;
}

function view(d: Float32Array | Float64Array, shape: number[], strides: number[], offset: number): Strided {
  return { storage: new CpuStorage(d), shape, strides, offset };
}

/** Layouts over a 40-element buffer: [shape, strides, offset] for the inputs (output is dense). */
const LAYOUTS: [string, number[], number[], number][] = [
  ["dense 4x6", [4, 6], [6, 1], 0],
  ["dense with offset and a size-1 dim of any stride", [2, 1, 6], [6, 99, 1], 5],
  ["transposed", [6, 4], [1, 6], 0],
  ["row broadcast", [5, 6], [0, 1], 3],
  ["0-d", [], [], 7],
  ["empty", [0, 3], [3, 1], 0],
];

function denseOut<T extends Float32Array | Float64Array>(ctor: new (n: number) => T, shape: number[]): Strided {
  let n = 1;
  for (const s of shape) n *= s;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return view(new ctor(n + 3), shape, strides, 3);
}

describe("CPU float32 elementwise loops equal the generic loops rounded to float32", () => {
  for (const [name, shape, strides, offset] of LAYOUTS) {
    test(`unary ops, ${name}`, () => {
      const src = data(40, 11);
      for (const [op, p0, p1] of UNARY) {
        const out32 = denseOut(Float32Array, shape), out64 = denseOut(Float64Array, shape);
        cpu.unary(op, view(src, shape, strides, offset), out32, p0, p1);
        cpu.unary(op, view(Float64Array.from(src), shape, strides, offset), out64, p0, p1);
        expectBitEqual(out32.storage.data as Float32Array, (out64.storage.data as Float64Array).map(Math.fround), `${op}(${p0})`);
      }
    });
    test(`binary ops, ${name}`, () => {
      const a = data(40, 21), b = data(40, 22);
      for (const [op, p0] of BINARY) {
        const out32 = denseOut(Float32Array, shape), out64 = denseOut(Float64Array, shape);
        // b as a dense operand of the output's shape, a in the layout under test
        const bShape = denseOut(Float32Array, shape);
        (bShape.storage.data as Float32Array).set(b.subarray(0, bShape.storage.data.length));
        cpu.binary(op, view(a, shape, strides, offset), bShape, out32, p0);
        cpu.binary(op, view(Float64Array.from(a), shape, strides, offset), { ...bShape, storage: new CpuStorage(Float64Array.from(bShape.storage.data)) }, out64, p0);
        expectBitEqual(out32.storage.data as Float32Array, (out64.storage.data as Float64Array).map(Math.fround), op);
      }
    });
  }

  test("in place (out aliases the input) and the value of a hand-checked case", () => {
    const d = new Float32Array([1, -2, 3.5, -0.25]);
    const v = view(d, [4], [1], 0);
    cpu.binary("add", v, v, v);
    expect(Array.from(d)).toEqual([2, -4, 7, -0.5]);
    cpu.unary("relu", v, v);
    expect(Array.from(d)).toEqual([2, 0, 7, 0]);
    // 0.1 + 0.2 in float32: fround(fround(0.1) + fround(0.2)) = 0.30000001192092896
    const a = view(new Float32Array([0.1]), [1], [1], 0), b = view(new Float32Array([0.2]), [1], [1], 0);
    const o = view(new Float32Array(1), [1], [1], 0);
    cpu.binary("add", a, b, o);
    expect(o.storage.data[0]).toBe(0.30000001192092896);
  });

  test("isDense: row-major strides, size-1 dims ignored", () => {
    expect(isDense([2, 3], [3, 1])).toBe(true);
    expect(isDense([2, 1, 3], [3, 7, 1])).toBe(true);
    expect(isDense([], [])).toBe(true);
    expect(isDense([3, 2], [1, 3])).toBe(false);
    expect(isDense([2, 3], [0, 1])).toBe(false);
    expect(isDense([2, 3], [4, 1])).toBe(false);
  });
});
