/**
 * Views vs copies, strides and storage offsets against PyTorch 1.13.1 (fixtures from
 * scripts/fixtures/ops_tensor.py, "views"): every op PyTorch answers with a view (reshape of
 * compatible strides, view, transpose, permute, squeeze/unsqueeze, expand, narrow/select/slice,
 * split/chunk/unbind, contiguous of a contiguous tensor, same-dtype `to`) must share the input's
 * storage here too, with PyTorch's strides and offset; ops that copy in PyTorch must copy.
 * Values are compared exactly (they are small integers).
 */
import { describe, expect, it } from "vitest";
import * as d from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { OPS, buildInputs, type Args, type FixtureInput } from "../ops/harness.js";

interface ViewCase {
  name: string;
  op: string;
  args: Args;
  input: FixtureInput;
  outputs: { shape: number[]; stride: number[]; offset: number; view: boolean; contiguous: boolean; value: FixtureTensor }[];
}

const { views } = loadFixture<{ views: ViewCase[] }>("ops_tensor");

/**
 * Known, deliberate differences. PyTorch's clone uses memory_format=preserve_format: a dense but
 * permuted input keeps its strides ([1, 3] for a transposed 3×2). descent's copies (clone,
 * contiguous, and elementwise results in general) are always row-major; values and views are
 * unaffected, only the strides of the copy differ (so `.view()` of such a copy succeeds in descent
 * where PyTorch would ask for `.reshape()`).
 */
const ROW_MAJOR_COPY = new Set(["clone keeps strides of dense non-contiguous"]);
const rowMajor = (shape: readonly number[]): number[] => {
  const s: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= Math.max(shape[i]!, 1);
  }
  return s;
};

describe("views and copies match PyTorch", () => {
  it.each(views.map((c) => [c.name, c] as const))("%s", (name, c) => {
    const { values, leaves } = buildInputs([c.input]);
    const result = OPS[c.op]!(values, c.args);
    const outs = Array.isArray(result) ? result : [result];
    expect(outs.length, name).toBe(c.outputs.length);
    outs.forEach((o, i) => {
      const e = c.outputs[i]!;
      const label = `${name} [${i}]`;
      expect([...o.shape], `${label} shape`).toEqual(e.shape);
      expect(o.storage === leaves[0]!.storage, `${label} shares storage`).toBe(e.view);
      if (ROW_MAJOR_COPY.has(name)) {
        expect([...o.stride()], `${label} stride (descent copies row-major)`).toEqual(rowMajor(e.shape));
        expect(o.isContiguous(), `${label} contiguous`).toBe(true);
      } else {
        expect([...o.stride()], `${label} stride`).toEqual(e.stride);
        expect(o.isContiguous(), `${label} contiguous`).toBe(e.contiguous);
      }
      if (e.view) expect(o.offset, `${label} storage offset`).toBe(e.offset);
      expectClose(o, e.value, { rtol: 0, atol: 0 }, label);
    });
  });
});

describe("views write through to their base", () => {
  it("an in-place op on a slice changes the base (and a copy does not)", () => {
    const base = d.arange(0, 6, 1, { dtype: "float64" }).reshape(2, 3);
    const row = base.select(0, 1);
    row.mul_(10); // base[1] = [30, 40, 50]
    expect(base.tolist()).toEqual([[0, 1, 2], [30, 40, 50]]);
    const copy = base.t().contiguous();
    copy.zero_();
    expect(base.tolist()).toEqual([[0, 1, 2], [30, 40, 50]]);
  });
  it("an expanded view reads the same element for every broadcast position", () => {
    const col = d.tensor([[1], [2]]);
    const e = col.expand(2, 3);
    col.add_(1);
    expect(e.tolist()).toEqual([[2, 2, 2], [3, 3, 3]]);
    expect([...e.stride()]).toEqual([1, 0]);
  });
});
