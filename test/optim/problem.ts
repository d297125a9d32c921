/**
 * The test problem of the optimizer table (the same as scripts/fixtures/optim.py): four
 * parameters in two groups — w1 (2×3, a non-contiguous transposed view, except for LBFGS) and
 * b1 in group 0, w2 and a `frozen` parameter that never gets a gradient in group 1 — and the
 * elementwise non-quadratic loss Σ log(1 + (w − t)²) + 0.05·Σ (w²)², negated for maximize cases.
 */
import { tensor, Tensor, type optim } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import type { OptimizerCase } from "./cases.js";
import { OPTIMIZERS } from "./helpers.js";

export interface TrajectoryCase {
  name: string;
  optim: string;
  dtype: "float32" | "float64";
  w1_transposed: boolean;
  kwargs: Record<string, unknown>;
  group1: Record<string, unknown> | null;
  steps: number;
  trajectory: FixtureTensor[][];
  losses: number[];
  state_dict: FixtureStateDict;
}

/** A fixture value of a state dict: {tensor} wrappers, numbers, booleans, null, strings, lists. */
export type FixtureValue = { tensor: FixtureTensor } | number | boolean | string | null | FixtureValue[];

export interface FixtureStateDict {
  state: Record<string, Record<string, FixtureValue>>;
  param_groups: Record<string, FixtureValue>[];
}

export interface TrajectoryFixture {
  params: string[];
  init: Record<string, FixtureTensor>;
  targets: Record<string, FixtureTensor>;
  cases: TrajectoryCase[];
}

export const fixture = loadFixture<TrajectoryFixture>("optim");
export const PARAM_NAMES = ["w1", "b1", "w2", "frozen"] as const;

/** The parameters, the optimizer and one step of the problem. */
export interface Problem {
  params: Record<(typeof PARAM_NAMES)[number], Tensor>;
  opt: optim.Optimizer;
  /** Loss before the step, as a number. */
  step(): number;
  closure(): Tensor;
}

/** Values of the four parameters (row-major): from the fixture's init unless given. */
export function makeParams(
  dtype: "float32" | "float64", transposed: boolean, values?: Record<string, ArrayLike<number>>,
): Problem["params"] {
  const out = {} as Problem["params"];
  for (const name of PARAM_NAMES) {
    const f = fixture.init[name]!;
    const data = values?.[name] ?? f.data;
    let t = tensor(dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data), { dtype, shape: f.shape });
    if (name === "w1" && transposed) t = t.t().contiguous().t(); // same values, strides [1, 2]
    t.requiresGrad = true;
    out[name] = t;
  }
  return out;
}

export function makeProblem(c: OptimizerCase, dtype: "float32" | "float64", values?: Record<string, ArrayLike<number>>): Problem {
  const transposed = c.optim !== "LBFGS";
  const params = makeParams(dtype, transposed, values);
  const targets: Record<string, Tensor> = {};
  for (const name of ["w1", "b1", "w2"]) {
    const f = fixture.targets[name]!;
    targets[name] = tensor(dtype === "float32" ? Float32Array.from(f.data) : Float64Array.from(f.data), { dtype, shape: f.shape });
  }
  const Ctor = OPTIMIZERS[c.optim]!;
  const { w1, b1, w2, frozen } = params;
  const opt =
    c.group1 === null
      ? new Ctor([w1, b1, w2, frozen], c.options)
      : new Ctor([{ params: [w1, b1] }, { params: [w2, frozen], ...c.group1 }], c.options);
  const sign = c.options["maximize"] === true ? -1 : 1;
  const closure = (): Tensor => {
    opt.zeroGrad();
    let total: Tensor | null = null;
    for (const name of ["w1", "b1", "w2"] as const) {
      const w = params[name];
      const term = w.sub(targets[name]!).square().add(1).log().sum().add(w.square().square().sum().mul(0.05));
      total = total === null ? term : total.add(term);
    }
    const loss = total!.mul(sign);
    loss.backward();
    return loss;
  };
  const step = (): number => {
    if (c.optim === "LBFGS") return (opt.step(closure) as Tensor).item();
    const loss = closure();
    opt.step();
    return loss.item();
  };
  return { params, opt, step, closure };
}

/** The fixture case of a table entry and dtype. */
export function fixtureCase(name: string, dtype: string): TrajectoryCase {
  const c = fixture.cases.find((x) => x.name === name && x.dtype === dtype);
  if (!c) throw new Error(`no fixture for ${name} ${dtype}`);
  return c;
}
