/**
 * formatTensor against PyTorch 1.13.1's repr() (fixtures from scripts/fixtures/format.py), and the exact
 * float formatting against Python's '{:.Nf}' / '{:.Ne}'.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  formatFixed,
  formatScientific,
  formatTensor,
  getPrintOptions,
  setPrintOptions,
  type FormatOptions,
  type TensorDescription,
} from "../../src/tensor/format.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";

interface FormatCase {
  name: string;
  tensor: FixtureTensor;
  requiresGrad: boolean;
  gradFnName: string | null;
  options: FormatOptions | null;
  repr: string;
}

interface FloatCase {
  value: number;
  precision: number;
  fixed: string | null;
  sci: string;
}

const fixture = loadFixture<{ cases: FormatCase[]; floats: FloatCase[] }>("format");

function describeTensor(c: FormatCase): TensorDescription {
  const { dtype, shape, data } = c.tensor;
  const values =
    dtype === "float32" ? Float32Array.from(data) : dtype === "int32" ? Int32Array.from(data) : dtype === "bool" ? Uint8Array.from(data) : Float64Array.from(data);
  return { values, shape, dtype, requiresGrad: c.requiresGrad, gradFnName: c.gradFnName };
}

afterEach(() => setPrintOptions({ profile: "default" }));

describe("formatTensor matches PyTorch repr()", () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(formatTensor(describeTensor(c), c.options ?? undefined)).toBe(c.repr);
  });

  it("uses global print options set with setPrintOptions", () => {
    for (const c of fixture.cases.filter((x) => x.options !== null)) {
      setPrintOptions(c.options ?? {});
      expect(formatTensor(describeTensor(c)), c.name).toBe(c.repr);
      setPrintOptions({ profile: "default" });
    }
  });

  it("accepts plain number arrays for float32", () => {
    const c = fixture.cases.find((x) => x.name === "f32 ties fixed");
    if (!c) throw new Error("missing case");
    expect(formatTensor({ values: c.tensor.data, shape: c.tensor.shape, dtype: "float32" })).toBe(c.repr);
    expect(formatTensor({ values: [0.1, 1 / 3], shape: [2], dtype: "float32" })).toBe("tensor([0.1000, 0.3333])");
  });

  it("rejects a value count that does not match the shape", () => {
    expect(() => formatTensor({ values: [1, 2, 3], shape: [2, 2], dtype: "float32" })).toThrow();
  });
});

describe("setPrintOptions", () => {
  it("applies profiles and resets sciMode like torch.set_printoptions", () => {
    setPrintOptions({ profile: "short", sciMode: true });
    expect(getPrintOptions()).toEqual({ precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80, sciMode: true });
    setPrintOptions({ precision: 3 });
    expect(getPrintOptions()).toEqual({ precision: 3, threshold: 1000, edgeitems: 2, linewidth: 80, sciMode: null });
    setPrintOptions({ profile: "full" });
    expect(getPrintOptions().threshold).toBe(Infinity);
    setPrintOptions({ profile: "default" });
    expect(getPrintOptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
  });

  it("per-call options override the global ones", () => {
    setPrintOptions({ precision: 2 });
    const t: TensorDescription = { values: [1.23456], shape: [1], dtype: "float64" };
    expect(formatTensor(t)).toBe("tensor([1.23], dtype=torch.float64)");
    expect(formatTensor(t, { precision: 5 })).toBe("tensor([1.23456], dtype=torch.float64)");
  });
});

describe("Python float formatting", () => {
  it("'{:.Nf}' and '{:.Ne}'", () => {
    let checked = 0;
    for (const c of fixture.floats) {
      if (c.fixed !== null) expect(formatFixed(c.value, c.precision), `${c.value} .${c.precision}f`).toBe(c.fixed);
      expect(formatScientific(c.value, c.precision), `${c.value} .${c.precision}e`).toBe(c.sci);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
