/**
 * gradcheck (float64 central differences, PyTorch's defaults eps 1e-6, atol 1e-5, rtol 1e-3) for every
 * differentiable op: the analytical Jacobian autograd builds from each op's backward closure must
 * equal the numerical one. Inputs come from a seeded Generator and avoid the ops' kinks (|x| > 0.1
 * for abs/relu-like ops, no ties for max/min), so the finite differences are well defined.
 * Ops with integer steps (floor, ceil, round, trunc, sign) have a zero Jacobian away from the
 * steps, which gradcheck confirms too.
 */
import { describe, it } from "vitest";
import * as d from "../../src/index.js";
import { Generator, Tensor, gradcheck } from "../../src/index.js";

const gen = new Generator().manualSeed(1234);
const F64 = { dtype: "float64" as const };

/** Standard normal float64 leaf requiring grad. */
const rn = (...shape: number[]): Tensor => d.randn(shape, { ...F64, generator: gen }).requiresGrad_();
/** Uniform in [lo, hi) float64 leaf requiring grad. */
const ru = (lo: number, hi: number, ...shape: number[]): Tensor =>
  d.add(d.mul(d.rand(shape, { ...F64, generator: gen }), hi - lo), lo).requiresGrad_();
/** Normal values pushed away from 0 by at least `gap` (for kinks at 0). */
const away = (gap: number, ...shape: number[]): Tensor => {
  const x = d.randn(shape, { ...F64, generator: gen });
  return d.add(x, d.mul(d.sign(x), gap)).requiresGrad_();
};
const idx = (values: number[], shape?: number[]): Tensor =>
  d.tensor(Int32Array.from(values), shape ? { shape } : {});
/** Sum of several outputs, weighted so that each output's Jacobian is distinct. */
const joined = (outs: Tensor[]): Tensor => d.cat(outs.map((o, i) => d.mul(d.flatten(o), i + 1)));

type Case = [name: string, fn: (...x: Tensor[]) => Tensor | Tensor[], inputs: () => Tensor[]];

const CASES: Case[] = [
  // arithmetic and broadcasting
  ["add", (a, b) => d.add(a!, b!), () => [rn(2, 3), rn(3)]],
  ["add alpha", (a, b) => d.add(a!, b!, -1.5), () => [rn(2, 3), rn(2, 1)]],
  ["add scalar", (a) => d.add(a!, 0.7), () => [rn(4)]],
  ["sub", (a, b) => d.sub(a!, b!, 2), () => [rn(2, 1, 3), rn(4, 1)]],
  ["mul", (a, b) => d.mul(a!, b!), () => [rn(2, 3), rn(2, 1)]],
  ["mul same tensor", (a) => d.mul(a!, a!), () => [rn(3)]],
  ["div", (a, b) => d.div(a!, b!), () => [rn(2, 3), ru(0.5, 2, 3)]],
  ["div scalar numerator", (a) => d.div(2, a!), () => [ru(0.5, 2, 4)]],
  ["pow tensor exponent", (a, b) => d.pow(a!, b!), () => [ru(0.5, 2, 2, 3), rn(3)]],
  ["pow scalar exponent", (a) => d.pow(a!, 2.5), () => [ru(0.5, 2, 5)]],
  ["pow integer exponent on negatives", (a) => d.pow(a!, 3), () => [rn(5)]],
  ["pow negative exponent", (a) => d.pow(a!, -1.5), () => [ru(0.5, 2, 5)]],
  ["pow scalar base", (a) => d.pow(1.7, a!), () => [rn(5)]],
  ["neg", (a) => d.neg(a!), () => [rn(4)]],
  ["lerp scalar weight", (a, b) => d.lerp(a!, b!, 0.3), () => [rn(4), rn(4)]],
  ["lerp high weight", (a, b) => d.lerp(a!, b!, 0.8), () => [rn(4), rn(4)]],
  ["lerp tensor weight", (a, b, w) => d.lerp(a!, b!, w!), () => [rn(2, 3), rn(3), ru(0, 1, 2, 3)]],
  ["where", (a, b) => d.where(d.tensor([true, false, true]), a!, b!), () => [rn(2, 3), rn(3)]],
  ["maximum", (a, b) => d.maximum(a!, b!), () => [rn(2, 3), rn(3)]],
  ["minimum", (a, b) => d.minimum(a!, b!), () => [rn(2, 3), rn(2, 1)]],
  ["clamp both", (a) => d.clamp(a!, -0.5, 0.5), () => [away(0.05, 6)]],
  ["clamp min", (a) => d.clamp(a!, 0.2), () => [away(0.05, 6)]],
  ["maskedFill", (a) => d.maskedFill(a!, d.tensor([true, false, false, true]), 3), () => [rn(2, 4)]],
  // unary math
  ["exp", (a) => d.exp(a!), () => [rn(5)]],
  ["expm1", (a) => d.expm1(a!), () => [rn(5)]],
  ["log", (a) => d.log(a!), () => [ru(0.2, 3, 5)]],
  ["log1p", (a) => d.log1p(a!), () => [ru(-0.5, 3, 5)]],
  ["log2", (a) => d.log2(a!), () => [ru(0.2, 3, 5)]],
  ["sqrt", (a) => d.sqrt(a!), () => [ru(0.2, 3, 5)]],
  ["rsqrt", (a) => d.rsqrt(a!), () => [ru(0.2, 3, 5)]],
  ["square", (a) => d.square(a!), () => [rn(5)]],
  ["reciprocal", (a) => d.reciprocal(a!), () => [away(0.3, 5)]],
  ["abs", (a) => d.abs(a!), () => [away(0.1, 5)]],
  ["sin", (a) => d.sin(a!), () => [rn(5)]],
  ["cos", (a) => d.cos(a!), () => [rn(5)]],
  ["sign (zero Jacobian)", (a) => d.sign(a!), () => [away(0.1, 5)]],
  ["floor (zero Jacobian)", (a) => d.floor(a!), () => [d.tensor([0.3, 1.4, -2.6], F64).requiresGrad_()]],
  ["ceil (zero Jacobian)", (a) => d.ceil(a!), () => [d.tensor([0.3, 1.4, -2.6], F64).requiresGrad_()]],
  ["round (zero Jacobian)", (a) => d.round(a!), () => [d.tensor([0.3, 1.2, -2.6], F64).requiresGrad_()]],
  ["trunc (zero Jacobian)", (a) => d.trunc(a!), () => [d.tensor([0.3, 1.4, -2.6], F64).requiresGrad_()]],
  // reductions
  ["sum all", (a) => d.sum(a!), () => [rn(2, 3)]],
  ["sum dims keepdim", (a) => d.sum(a!, [0, 2], true), () => [rn(2, 3, 2)]],
  ["mean dim", (a) => d.mean(a!, 1), () => [rn(2, 3)]],
  ["prod all", (a) => d.prod(a!), () => [rn(2, 3)]],
  ["prod dim", (a) => d.prod(a!, 1), () => [rn(3, 4)]],
  ["prod with one zero", (a) => d.prod(a!, 1), () => [d.tensor([[1.5, 0, -2], [0.5, 1, 2]], F64).requiresGrad_()]],
  ["var", (a) => d.var(a!, 1), () => [rn(3, 4)]],
  ["var correction 0 all", (a) => d.var(a!, null, { correction: 0 }), () => [rn(3, 4)]],
  ["std", (a) => d.std(a!, [0, 1], { keepdim: true }), () => [rn(3, 4, 2)]],
  ["norm p=2", (a) => d.norm(a!, 2, 1), () => [rn(3, 4)]],
  ["norm p=1", (a) => d.norm(a!, 1), () => [away(0.1, 3, 4)]],
  ["norm p=3", (a) => d.norm(a!, 3, 0, true), () => [away(0.1, 3, 4)]],
  ["norm p=0.5", (a) => d.norm(a!, 0.5, 1), () => [away(0.1, 3, 4)]],
  ["norm p=inf", (a) => d.norm(a!, Infinity, 1), () => [rn(3, 4)]],
  ["max all", (a) => d.max(a!), () => [rn(3, 4)]],
  ["min all", (a) => d.min(a!), () => [rn(3, 4)]],
  ["maxDim values", (a) => d.maxDim(a!, 1)[0], () => [rn(3, 4)]],
  ["minDim values keepdim", (a) => d.minDim(a!, 0, true)[0], () => [rn(3, 4)]],
  ["amax dims", (a) => d.amax(a!, [0, 2]), () => [rn(2, 3, 2)]],
  ["amin dim", (a) => d.amin(a!, -1, true), () => [rn(3, 4)]],
  ["logsumexp", (a) => d.logsumexp(a!, 1), () => [rn(3, 4)]],
  ["logsumexp dims", (a) => d.logsumexp(a!, [0, 2], true), () => [rn(2, 3, 2)]],
  // matmul
  ["matmul dot", (a, b) => d.matmul(a!, b!), () => [rn(4), rn(4)]],
  ["matmul mat vec", (a, b) => d.matmul(a!, b!), () => [rn(3, 4), rn(4)]],
  ["matmul vec mat", (a, b) => d.matmul(a!, b!), () => [rn(3), rn(3, 2)]],
  ["matmul mat mat", (a, b) => d.matmul(a!, b!), () => [rn(3, 4), rn(4, 2)]],
  ["matmul transposed", (a, b) => d.matmul(d.t(a!), d.t(b!)), () => [rn(4, 3), rn(2, 4)]],
  ["matmul batched broadcast", (a, b) => d.matmul(a!, b!), () => [rn(2, 1, 2, 3), rn(3, 3, 2)]],
  ["matmul batched @ vec", (a, b) => d.matmul(a!, b!), () => [rn(2, 2, 3), rn(3)]],
  // shape
  ["reshape", (a) => d.reshape(a!, [3, 2]), () => [rn(2, 3)]],
  ["reshape of transposed (copy)", (a) => d.reshape(d.t(a!), [6]), () => [rn(2, 3)]],
  ["view", (a) => d.view(a!, [-1]), () => [rn(2, 3)]],
  ["flatten", (a) => d.flatten(a!, 1), () => [rn(2, 2, 2)]],
  ["transpose", (a) => d.transpose(a!, 0, 2), () => [rn(2, 3, 2)]],
  ["t", (a) => d.t(a!), () => [rn(2, 3)]],
  ["permute", (a) => d.permute(a!, [2, 0, 1]), () => [rn(2, 3, 2)]],
  ["squeeze", (a) => d.squeeze(a!), () => [rn(2, 1, 3)]],
  ["unsqueeze", (a) => d.unsqueeze(a!, 1), () => [rn(2, 3)]],
  ["expand", (a) => d.expand(a!, [2, 3, 4]), () => [rn(3, 1)]],
  ["contiguous", (a) => d.contiguous(d.t(a!)), () => [rn(2, 3)]],
  ["clone", (a) => d.clone(a!), () => [rn(2, 3)]],
  ["narrow", (a) => d.narrow(a!, 1, 1, 2), () => [rn(2, 4)]],
  ["select", (a) => d.select(a!, 0, -1), () => [rn(3, 2)]],
  ["slice with step", (a) => d.slice(a!, 1, 0, 5, 2), () => [rn(2, 5)]],
  ["split", (a) => joined(d.split(a!, [1, 3], 1)), () => [rn(2, 4)]],
  ["chunk", (a) => joined(d.chunk(a!, 3)), () => [rn(5, 2)]],
  ["unbind", (a) => joined(d.unbind(a!, 1)), () => [rn(2, 3)]],
  ["cat", (a, b) => d.cat([a!, b!], 1), () => [rn(2, 1), rn(2, 3)]],
  ["cat same tensor twice", (a) => d.cat([a!, d.mul(a!, 2), a!]), () => [rn(2)]],
  ["stack", (a, b) => d.stack([a!, b!], -1), () => [rn(2, 3), rn(2, 3)]],
  ["to float64 (identity)", (a) => a!.to("float64"), () => [rn(3)]],
  // indexing
  ["gather", (a) => d.gather(a!, 1, idx([0, 2, 2, 1, 0, 0], [2, 3])), () => [rn(2, 3)]],
  ["indexSelect", (a) => d.indexSelect(a!, 0, idx([2, 0, 2])), () => [rn(3, 2)]],
  ["scatterAdd", (a, s) => d.scatterAdd(a!, 1, idx([0, 0, 2, 1], [2, 2]), s!), () => [rn(2, 3), rn(2, 2)]],
  ["indexAdd", (a, s) => d.indexAdd(a!, 0, idx([1, 1]), s!), () => [rn(3, 2), rn(2, 2)]],
  // activations and softmax
  ["relu", (a) => d.relu(a!), () => [away(0.1, 6)]],
  ["sigmoid", (a) => d.sigmoid(a!), () => [rn(6)]],
  ["tanh", (a) => d.tanh(a!), () => [rn(6)]],
  ["gelu", (a) => d.gelu(a!), () => [rn(6)]],
  ["gelu tanh", (a) => d.gelu(a!, "tanh"), () => [rn(6)]],
  ["leakyRelu", (a) => d.leakyRelu(a!, 0.2), () => [away(0.1, 6)]],
  ["elu", (a) => d.elu(a!, 0.7), () => [away(0.1, 6)]],
  ["silu", (a) => d.silu(a!), () => [rn(6)]],
  ["softplus", (a) => d.softplus(a!, 2, 3), () => [d.tensor([-2, -0.5, 0.3, 1.2, 1.6], F64).requiresGrad_()]],
  ["logsigmoid", (a) => d.logsigmoid(a!), () => [rn(6)]],
  ["hardtanh", (a) => d.hardtanh(a!, -0.5, 0.8), () => [d.tensor([-2, -0.3, 0.1, 0.7, 1.6], F64).requiresGrad_()]],
  ["relu6", (a) => d.relu6(a!), () => [d.tensor([-2, 0.3, 5.9, 7], F64).requiresGrad_()]],
  ["softmax", (a) => d.softmax(a!, 1), () => [rn(3, 4)]],
  ["softmax dim 0", (a) => d.softmax(a!, 0), () => [rn(3, 4)]],
  ["logSoftmax", (a) => d.logSoftmax(a!, -1), () => [rn(3, 4)]],
  // in-place ops on non-leaves (the graph goes through them)
  ["add_", (a, b) => d.clone(a!).add_(b!, 2), () => [rn(2, 3), rn(3)]],
  ["mul_", (a, b) => d.clone(a!).mul_(b!), () => [rn(2, 3), rn(3)]],
  ["div_", (a, b) => d.clone(a!).div_(b!), () => [rn(3), ru(0.5, 2, 3)]],
  ["sub_", (a) => d.clone(a!).sub_(0.5), () => [rn(3)]],
  ["pow_", (a) => d.mul(a!, 2).pow_(2), () => [rn(3)]],
  ["mul_ then sigmoid_", (a) => d.mul(a!, 1).mul_(d.add(a!, 1)).sigmoid_(), () => [rn(3)]],
  ["exp_ after mul", (a) => d.mul(a!, 2).exp_(), () => [rn(3)]],
  ["copy_", (a, b) => d.clone(a!).copy_(b!), () => [rn(2, 3), rn(3)]],
  ["in-place on a row (CopySlices)", (a, b) => {
    const c = d.clone(a!);
    c.select(0, 1).mul_(b!);
    return c;
  }, () => [rn(3, 2), rn(2)]],
  ["in-place on a transposed view", (a, b) => {
    const c = d.mul(a!, 1);
    c.t().add_(b!);
    return d.exp(c);
  }, () => [rn(2, 3), rn(3, 1)]],
  ["view of a base changed in place", (a) => {
    const c = d.clone(a!);
    const v = c.slice(1, 1);
    c.mul_(a!);
    return v;
  }, () => [rn(2, 3)]],
];

describe("gradcheck every differentiable op (float64)", () => {
  it.each(CASES)("%s", (_name, fn, inputs) => {
    gradcheck((...x) => {
      const out = fn(...x);
      return Array.isArray(out) ? out : out;
    }, inputs());
  });
});
