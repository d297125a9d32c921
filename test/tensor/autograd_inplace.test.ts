/**
 * Autograd through in-place ops and views vs PyTorch 1.13.1 (fixtures from
 * scripts/fixtures/ops_autograd.py). Each scenario below replays the Python function of the same
 * name with descent and compares the loss and every leaf gradient (float64, relative 1e-10):
 * - an op recorded before an in-place update keeps its own view of the graph (the engine follows
 *   the edges captured when the op ran, not the tensor's current gradFn);
 * - an in-place op on a view routes the base's gradient through the new values (CopySlices);
 * - a view whose base was modified in place through another alias takes its graph from the base
 *   (a regenerated AsStridedBackward0), expanded views included;
 * - what an in-place op's backward needs of the old values is kept (PyTorch's original_self).
 * And PyTorch's errors for in-place misuse.
 */
import { describe, expect, it } from "vitest";
import * as d from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { expectClose, fromFixture } from "../helpers/compare.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";

interface Scenario {
  inputs: Record<string, FixtureTensor>;
  grads: Record<string, FixtureTensor | null>;
  out: FixtureTensor;
}
const fixture = loadFixture<{ scenarios: Record<string, Scenario>; errors: Record<string, string> }>("ops_autograd");

type V = Record<string, Tensor>;
const F64 = { dtype: "float64" as const };

/** The same functions as in ops_autograd.py, written with descent. */
const SCENARIOS: Record<string, (v: V) => Tensor> = {
  "consumer before in-place": ({ a, w, u }) => {
    const x = d.clone(a!);
    const y = d.mul(x, w!.detach());
    x.mul_(2);
    return d.add(d.sum(d.mul(y, 1.5)), d.sum(d.mul(x, u!)));
  },
  "view of modified base": ({ b, u }) => {
    const c = d.clone(b!);
    const v = c.select(0, 1);
    c.mul_(u!);
    return d.add(d.sum(d.mul(v, 3)), d.sum(c));
  },
  "in-place on slice": ({ e, t, w }) => {
    const f = d.mul(e!, 1);
    f.slice(0, 0, 2).mul_(t!);
    return d.sum(d.mul(f, w!));
  },
  "in-place on view of view": ({ h, k, w }) => {
    const g = d.clone(h!).reshape(2, 3);
    g.t().select(0, 1).add_(k!);
    return d.sum(d.mul(g, w!));
  },
  "zero_ on view": ({ e, w }) => {
    const f = d.mul(e!, 2);
    f.select(1, 0).zero_();
    return d.sum(d.mul(f, w!));
  },
  "mul_ by a tensor requiring grad": ({ p, w }) => {
    const z = d.mul(d.ones([3], F64), 2);
    z.mul_(p!);
    return d.sum(d.mul(z, w!));
  },
  "exp_": ({ a, w }) => d.sum(d.mul(d.mul(a!, 2).exp_(), w!)),
  "chain of in-place ops": ({ a, w }) => {
    const y = d.mul(a!, 1);
    y.mul_(3);
    y.add_(a!);
    y.sigmoid_();
    return d.sum(d.mul(y, w!));
  },
  "expanded view of modified base": ({ a, w }) => {
    const c = d.clone(a!);
    const e = c.unsqueeze(0).expand(3, -1);
    c.mul_(d.add(c.detach(), 1));
    return d.sum(d.mul(e, w!));
  },
  "transposed view in-place": ({ a, m, w }) => {
    const c = d.clone(a!);
    c.t().mul_(m!);
    return d.sum(d.mul(c, w!));
  },
  "copy_ into a row": ({ a, s, w }) => {
    const c = d.mul(a!, 1);
    c.select(0, 1).copy_(s!);
    return d.sum(d.mul(c, w!));
  },
  "view used after base changed twice": ({ a, w }) => {
    const c = d.clone(a!);
    const v = c.slice(1, 1);
    c.add_(c.detach());
    const dd = d.mul(v, w!.detach());
    c.select(0, 0).mul_(3);
    return d.add(d.add(d.sum(dd), d.sum(d.mul(v, 2))), d.sum(c));
  },
};

describe("autograd through in-place ops and views matches PyTorch", () => {
  it.each(Object.keys(fixture.scenarios))("%s", (name) => {
    const sc = fixture.scenarios[name]!;
    const fn = SCENARIOS[name];
    expect(fn, `no descent version of scenario '${name}'`).toBeDefined();
    const leaves: V = {};
    for (const [k, t] of Object.entries(sc.inputs)) leaves[k] = fromFixture(t, { requiresGrad: true });
    const out = fn!(leaves);
    expectClose(out, sc.out, {}, `${name}: loss`);
    out.backward();
    for (const [k, g] of Object.entries(sc.grads)) {
      if (g === null) expect(leaves[k]!.grad, `${name}: ${k}.grad should be None`).toBeNull();
      else expectClose(leaves[k]!.grad, g, {}, `${name}: ${k}.grad`);
    }
  });
  it("covers every scenario of the fixture", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(Object.keys(fixture.scenarios).sort());
  });
});

describe("in-place misuse raises PyTorch's errors", () => {
  const leaf = (...shape: number[]): Tensor => d.randn(shape, F64).requiresGrad_();
  // descent's saved-tensor message stops before PyTorch's ", which is output 0 of …" and the Hint
  const savedPrefix = (m: string): string => m.slice(0, m.indexOf("]") + 1);

  it("in-place op on a saved result (pow_ after exp)", () => {
    const a = leaf(3);
    const e = d.exp(a);
    e.pow_(2);
    expect(() => d.sum(e).backward()).toThrow(savedPrefix(fixture.errors["pow_ after exp"]!));
  });
  it("in-place op on the saved result of an in-place op (mul_ after sigmoid_)", () => {
    const y = d.mul(leaf(3), 1).sigmoid_();
    y.mul_(2);
    expect(() => d.sum(y).backward()).toThrow(savedPrefix(fixture.errors["modified after sigmoid_"]!));
  });
  it("saved input modified", () => {
    const a = leaf(3);
    const x = d.mul(a, 1);
    const y = d.sin(x);
    x.add_(1);
    expect(() => d.sum(y).backward()).toThrow(savedPrefix(fixture.errors["saved input modified"]!));
  });
  it("in-place on a leaf that requires grad", () => {
    expect(() => leaf(3).mul_(2)).toThrow(fixture.errors["in-place on a leaf"]!);
  });
  it("in-place on a view of a leaf that requires grad (and the leaf is left unchanged)", () => {
    const w = leaf(2, 3);
    const before = w.tolist();
    expect(() => w.select(0, 0).mul_(2)).toThrow(fixture.errors["in-place on a view of a leaf"]!);
    expect(w.tolist()).toEqual(before);
  });
  it("in-place under noGrad on a leaf is allowed and leaves no graph", () => {
    const w = leaf(3);
    d.noGrad(() => w.mul_(2));
    expect(w.isLeaf).toBe(true);
    expect(w.gradFn).toBeNull();
  });
});
