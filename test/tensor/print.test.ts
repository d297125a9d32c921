/**
 * `toString`, `tolist` and `item` of computed results against PyTorch 1.13.1's repr(), tolist() and
 * item() (fixtures from scripts/fixtures/ops_tensor.py, "repr"). The inputs are exact binary
 * fractions, so descent's values are bit-identical and the reprs (grad_fn names included) must
 * match character for character. Each result below is built the same way as in repr_cases().
 */
import { describe, expect, it } from "vitest";
import * as d from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { loadFixture } from "../helpers/fixtures.js";

interface ReprCase {
  name: string;
  repr: string;
  tolist: unknown;
  item: number | boolean | null;
}
const { repr } = loadFixture<{ repr: ReprCase[] }>("ops_tensor");

function results(): Record<string, Tensor> {
  const x = d.tensor([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], { requiresGrad: true });
  const w = d.tensor([[0.5, 1.0], [-1.0, 2.0], [4.0, 0.0]], { requiresGrad: true });
  const y = x.matmul(w);
  const idx = (v: number[]): Tensor => d.tensor(v, { dtype: "int32" });
  return {
    "leaf requiring grad": x,
    matmul: y,
    "relu of matmul": y.relu(),
    "sum (loss)": y.sum(),
    "mean (loss)": y.mean(),
    "mean over dim": y.mean(1),
    "sum over dim keepdim": x.sum(0, true),
    "add scalar": x.add(1),
    mul: x.mul(x),
    sub: x.sub(w.t()),
    div: x.div(4),
    neg: x.neg(),
    pow: x.pow(2),
    "exp of zeros": x.mul(0).exp(),
    transpose: x.t(),
    view: x.view(3, 2),
    reshape: x.reshape(-1),
    "index select": x.indexSelect(1, idx([2, 0])),
    "max over dim values": x.max(1).values,
    argmax: x.argmax(1),
    comparison: x.gt(0),
    detached: x.mul(2).detach(),
    float64: x.double(),
    int: idx([3, -1, 2]),
    "0-d int": d.tensor(7, { dtype: "int32" }),
    bool: d.tensor([true, false]),
    "softmax of equal logits": d.zeros([2, 4], { requiresGrad: true }).softmax(1),
    cat: d.cat([x, x]),
    stack: d.stack([x.select(0, 0), x.select(0, 1)]),
    clamp: x.clamp(-1, 1),
    abs: x.abs(),
    empty: d.zeros([0, 3]),
  };
}

describe("printed results match PyTorch's repr", () => {
  const made = results();
  it("covers every fixture case", () => {
    expect(Object.keys(made).sort()).toEqual(repr.map((c) => c.name).sort());
  });
  it.each(repr.map((c) => [c.name, c] as const))("%s", (name, c) => {
    const t = made[name]!;
    expect(t.toString(), `${name}: repr`).toBe(c.repr);
    expect(t.tolist(), `${name}: tolist`).toEqual(c.tolist);
    if (c.item !== null) expect(t.item(), `${name}: item`).toBe(typeof c.item === "boolean" ? (c.item ? 1 : 0) : c.item);
    else expect(() => t.item()).toThrow(`a Tensor with ${t.numel()} elements cannot be converted to Scalar`);
  });
});
