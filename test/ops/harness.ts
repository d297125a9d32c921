/**
 * Runs the table-driven op fixtures of scripts/fixtures/ops_*.py through descent.
 *
 * A case names a descent function (`op`), its options (`args`) and its inputs: leaf tensors seen
 * through view steps (transpose, slice, expand, permute, select: so kernels meet non-contiguous
 * operands), plain numbers, or lists of tensors. `runCase` builds the same leaves, runs the op,
 * compares every output (values, dtype, shape and the grad_fn name) with PyTorch's, then
 * backpropagates loss = Σᵢ (outᵢ · wᵢ).sum() with the
 * fixture's fixed random weights and compares each leaf's gradient with PyTorch's.
 * OPS below must map each name exactly as OPS in scripts/fixtures/ops_common.py does for torch.
 */
import { expect } from "vitest";
import * as d from "../../src/index.js";
import { Tensor, type TensorOrScalar } from "../../src/index.js";
import { expectClose, fromFixture, type Tolerance } from "../helpers/compare.js";
import type { FixtureTensor } from "../helpers/fixtures.js";

export type ViewStep =
  | ["transpose", number, number]
  | ["slice", number, number | null, number | null, number]
  | ["expand", number[]]
  | ["permute", number[]]
  | ["select", number, number];

export type FixtureInput =
  | { t: FixtureTensor; grad: boolean; view: ViewStep[] }
  | { scalar: number }
  | { list: FixtureInput[] }
  | { lattice: LatticeSpec; grad: boolean; view: ViewStep[] };

/** A large input given by its formula: element i is ((i·mul) mod `mod` − ⌊mod/2⌋) / scale. */
export interface LatticeSpec {
  shape: number[];
  dtype: "float32" | "float64";
  mul: number;
  mod: number;
  scale: number;
}

export function latticeTensor(s: LatticeSpec): Tensor {
  let n = 1;
  for (const k of s.shape) n *= k;
  const data = s.dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  const half = Math.floor(s.mod / 2);
  for (let i = 0; i < n; i++) data[i] = (((i * s.mul) % s.mod) - half) / s.scale;
  return d.tensor(data, { shape: s.shape });
}

export type Args = Record<string, unknown>;

export interface OpCase {
  name: string;
  op: string;
  args: Args;
  inputs: FixtureInput[];
  out: FixtureTensor | FixtureTensor[];
  w: FixtureTensor | null | (FixtureTensor | null)[];
  grads: (FixtureTensor | null)[] | null;
  /** PyTorch's `type(out.grad_fn).__name__` per output (null without a graph). */
  gradFn: (string | null)[];
}

export interface ErrorCase {
  name: string;
  op: string;
  args: Args;
  inputs: FixtureInput[];
  error: string;
  message: string;
}

/** What an op receives: tensors, numbers or tensor lists, in fixture order. */
export type Value = Tensor | number | Tensor[];
type OpFn = (x: Value[], a: Args) => Tensor | Tensor[];

const ten = (v: Value | undefined): Tensor => {
  if (!(v instanceof Tensor)) throw new TypeError(`expected a Tensor operand, got ${typeof v}`);
  return v;
};
const tos = (v: Value | undefined): TensorOrScalar => (typeof v === "number" ? v : ten(v));
const list = (v: Value | undefined): Tensor[] => {
  if (!Array.isArray(v)) throw new TypeError("expected a list of tensors");
  return v;
};
const num = (a: Args, k: string, fallback?: number): number => {
  const v = a[k];
  if (v === undefined) {
    if (fallback === undefined) throw new Error(`missing arg ${k}`);
    return fallback;
  }
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return v as number;
};
const opt = (a: Args, k: string): number | null => (a[k] === undefined ? null : num(a, k));
const dims = (a: Args): number | number[] | null | undefined =>
  a.dim === undefined ? undefined : (a.dim as number | number[] | null);
const keep = (a: Args): boolean => (a.keepdim as boolean | undefined) ?? false;

const unary = (f: (x: Tensor) => Tensor): OpFn => (x) => f(ten(x[0]));
const binary = (f: (a: TensorOrScalar, b: TensorOrScalar) => Tensor): OpFn => (x) => f(tos(x[0]), tos(x[1]));
const binaryT = (f: (a: Tensor, b: Tensor) => Tensor): OpFn => (x) => f(ten(x[0]), ten(x[1]));
const reduce =
  (f: (x: Tensor, dim?: number | number[] | null, keepdim?: boolean) => Tensor): OpFn =>
  (x, a) =>
    a.dim === undefined ? f(ten(x[0])) : f(ten(x[0]), dims(a), keep(a));
const variance =
  (f: typeof d.var): OpFn =>
  (x, a) => {
    const o: d.VarOptions = { keepdim: keep(a) };
    if (a.correction !== undefined) o.correction = a.correction as number;
    if (a.unbiased !== undefined) o.unbiased = a.unbiased as boolean;
    return f(ten(x[0]), dims(a), o);
  };
const valuesIndices = (r: d.ValuesIndices): Tensor[] => [r[0], r[1]];

export const OPS: Record<string, OpFn> = {
  // elementwise
  add: (x, a) => d.add(tos(x[0]), tos(x[1]), opt(a, "alpha") ?? undefined),
  sub: (x, a) => d.sub(tos(x[0]), tos(x[1]), opt(a, "alpha") ?? undefined),
  mul: binary(d.mul),
  div: binary(d.div),
  pow: binary(d.pow),
  maximum: binaryT(d.maximum),
  minimum: binaryT(d.minimum),
  where: (x) => d.where(ten(x[0]), tos(x[1]), tos(x[2])),
  lerp: (x) => d.lerp(ten(x[0]), ten(x[1]), tos(x[2])),
  clamp: (x, a) => d.clamp(ten(x[0]), opt(a, "min"), opt(a, "max")),
  neg: unary(d.neg), exp: unary(d.exp), expm1: unary(d.expm1), log: unary(d.log), log1p: unary(d.log1p),
  log2: unary(d.log2), sqrt: unary(d.sqrt), rsqrt: unary(d.rsqrt), square: unary(d.square),
  reciprocal: unary(d.reciprocal), abs: unary(d.abs), sign: unary(d.sign), sin: unary(d.sin), cos: unary(d.cos),
  floor: unary(d.floor), ceil: unary(d.ceil), round: unary(d.round), trunc: unary(d.trunc),
  isnan: unary(d.isnan), isinf: unary(d.isinf), isfinite: unary(d.isfinite), logicalNot: unary(d.logicalNot),
  relu: unary(d.relu), sigmoid: unary(d.sigmoid), tanh: unary(d.tanh),
  eq: binary(d.eq), ne: binary(d.ne), lt: binary(d.lt), le: binary(d.le), gt: binary(d.gt), ge: binary(d.ge),
  logicalAnd: binaryT(d.logicalAnd), logicalOr: binaryT(d.logicalOr), logicalXor: binaryT(d.logicalXor),
  // reductions
  sum: reduce(d.sum),
  mean: reduce(d.mean),
  prod: (x, a) => (a.dim === undefined ? d.prod(ten(x[0])) : d.prod(ten(x[0]), a.dim as number, keep(a))),
  var: variance(d.var),
  std: variance(d.std),
  norm: (x, a) => d.norm(ten(x[0]), num(a, "p", 2), dims(a), keep(a)),
  max: unary(d.max),
  min: unary(d.min),
  maxDim: (x, a) => valuesIndices(d.maxDim(ten(x[0]), a.dim as number, keep(a))),
  minDim: (x, a) => valuesIndices(d.minDim(ten(x[0]), a.dim as number, keep(a))),
  amax: (x, a) => d.amax(ten(x[0]), dims(a), keep(a)),
  amin: (x, a) => d.amin(ten(x[0]), dims(a), keep(a)),
  argmax: (x, a) => d.argmax(ten(x[0]), a.dim as number | null | undefined, keep(a)),
  argmin: (x, a) => d.argmin(ten(x[0]), a.dim as number | null | undefined, keep(a)),
  all: (x, a) => d.all(ten(x[0]), a.dim as number | undefined, keep(a)),
  any: (x, a) => d.any(ten(x[0]), a.dim as number | undefined, keep(a)),
  logsumexp: (x, a) => d.logsumexp(ten(x[0]), a.dim as number | number[], keep(a)),
  // linear algebra
  matmul: binaryT(d.matmul),
  // shape
  reshape: (x, a) => d.reshape(ten(x[0]), a.shape as number[]),
  view: (x, a) => d.view(ten(x[0]), a.shape as number[]),
  flatten: (x, a) => d.flatten(ten(x[0]), num(a, "start", 0), num(a, "end", -1)),
  transpose: (x, a) => d.transpose(ten(x[0]), num(a, "dim0"), num(a, "dim1")),
  t: unary(d.t),
  permute: (x, a) => d.permute(ten(x[0]), a.dims as number[]),
  squeeze: (x, a) => d.squeeze(ten(x[0]), a.dim as number | undefined),
  unsqueeze: (x, a) => d.unsqueeze(ten(x[0]), num(a, "dim")),
  expand: (x, a) => d.expand(ten(x[0]), a.shape as number[]),
  contiguous: unary(d.contiguous),
  clone: unary(d.clone),
  narrow: (x, a) => d.narrow(ten(x[0]), num(a, "dim"), num(a, "start"), num(a, "length")),
  select: (x, a) => d.select(ten(x[0]), num(a, "dim"), num(a, "index")),
  slice: (x, a) => d.slice(ten(x[0]), num(a, "dim"), opt(a, "start"), opt(a, "end"), num(a, "step", 1)),
  split: (x, a) => d.split(ten(x[0]), a.split as number | number[], num(a, "dim", 0)),
  chunk: (x, a) => d.chunk(ten(x[0]), num(a, "chunks"), num(a, "dim", 0)),
  unbind: (x, a) => d.unbind(ten(x[0]), num(a, "dim", 0)),
  cat: (x, a) => d.cat(list(x[0]), num(a, "dim", 0)),
  stack: (x, a) => d.stack(list(x[0]), num(a, "dim", 0)),
  to: (x, a) => ten(x[0]).to(a.dtype as d.DType),
  // indexing
  gather: (x, a) => d.gather(ten(x[0]), num(a, "dim"), ten(x[1])),
  indexSelect: (x, a) => d.indexSelect(ten(x[0]), num(a, "dim"), ten(x[1])),
  scatterAdd: (x, a) => d.scatterAdd(ten(x[0]), num(a, "dim"), ten(x[1]), ten(x[2])),
  indexAdd: (x, a) => d.indexAdd(ten(x[0]), num(a, "dim"), ten(x[1]), ten(x[2])),
  maskedFill: (x, a) => d.maskedFill(ten(x[0]), ten(x[1]), num(a, "value")),
  // activations
  gelu: (x, a) => d.gelu(ten(x[0]), (a.approximate as "none" | "tanh" | undefined) ?? "none"),
  leakyRelu: (x, a) => d.leakyRelu(ten(x[0]), num(a, "negativeSlope", 0.01)),
  elu: (x, a) => d.elu(ten(x[0]), num(a, "alpha", 1)),
  silu: unary(d.silu),
  softplus: (x, a) => d.softplus(ten(x[0]), num(a, "beta", 1), num(a, "threshold", 20)),
  logsigmoid: unary(d.logsigmoid),
  hardtanh: (x, a) => d.hardtanh(ten(x[0]), num(a, "minVal", -1), num(a, "maxVal", 1)),
  relu6: unary(d.relu6),
  softmax: (x, a) => d.softmax(ten(x[0]), num(a, "dim")),
  logSoftmax: (x, a) => d.logSoftmax(ten(x[0]), num(a, "dim")),
};

function applyView(t: Tensor, steps: readonly ViewStep[]): Tensor {
  let v = t;
  for (const s of steps) {
    switch (s[0]) {
      case "transpose":
        v = v.transpose(s[1], s[2]);
        break;
      case "slice":
        v = v.slice(s[1], s[2], s[3], s[4]);
        break;
      case "expand":
        v = v.expand(s[1]);
        break;
      case "permute":
        v = v.permute(s[1]);
        break;
      case "select":
        v = v.select(s[1], s[2]);
        break;
      default:
        s satisfies never;
    }
  }
  return v;
}

/** The op's operands and the leaves (in fixture order) whose gradients the fixture records. */
export function buildInputs(inputs: readonly FixtureInput[]): { values: Value[]; leaves: Tensor[] } {
  const leaves: Tensor[] = [];
  const build = (x: FixtureInput): Value => {
    if ("scalar" in x) return x.scalar;
    if ("list" in x) return x.list.map((y) => build(y) as Tensor);
    const leaf = "lattice" in x ? latticeTensor(x.lattice) : fromFixture(x.t, { requiresGrad: x.grad });
    if (x.grad) leaf.requiresGrad = true;
    leaves.push(leaf);
    return applyView(leaf, x.view);
  };
  const values = inputs.map(build);
  return { values, leaves };
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Run one fixture case: outputs, then gradients of Σ (out · w).sum(). */
export function runCase(c: OpCase, tol: Tolerance = {}, gradTol: Tolerance = tol): void {
  const fn = OPS[c.op];
  if (!fn) throw new Error(`no descent op for fixture op '${c.op}'`);
  const { values, leaves } = buildInputs(c.inputs);
  const result = fn(values, c.args);
  const outs = asList(result);
  const expected = asList(c.out);
  expect(outs.length, `${c.name}: number of outputs`).toBe(expected.length);
  outs.forEach((o, i) => expectClose(o, expected[i]!, tol, `${c.name} out[${i}]`));
  // the graph node's name is what a printed result shows (grad_fn=<…>)
  expect(outs.map((o) => o.gradFn?.name ?? null), `${c.name}: grad_fn names`).toEqual(c.gradFn);
  if (c.grads === null) return;
  const ws = asList(c.w);
  let loss: Tensor | null = null;
  outs.forEach((o, i) => {
    const w = ws[i];
    if (!w || !o.requiresGrad) return;
    const term = d.sum(d.mul(o, fromFixture(w)));
    loss = loss === null ? term : d.add(loss, term);
  });
  expect(loss, `${c.name}: loss needs an output that requires grad`).not.toBeNull();
  (loss as unknown as Tensor).backward();
  c.grads.forEach((g, i) => {
    const leaf = leaves[i]!;
    if (g === null) {
      expect(leaf.grad, `${c.name} grad[${i}] should be None`).toBeNull();
      return;
    }
    expectClose(leaf.grad, g, gradTol, `${c.name} grad[${i}]`);
  });
}

/** Run an error case: descent must throw; returns the error for the caller to compare. */
export function runError(c: ErrorCase): Error {
  const fn = OPS[c.op];
  if (!fn) throw new Error(`no descent op for fixture op '${c.op}'`);
  const { values } = buildInputs(c.inputs);
  try {
    fn(values, c.args);
  } catch (e) {
    expect(e, `${c.name}: should throw an Error`).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error(`${c.name}: descent did not throw (PyTorch: ${c.message})`);
}
