/**
 * What every loss shares: the `reduction` option and its application, argument checks, and two
 * small differentiable helpers PyTorch's composite losses rely on (`xlogy`, and a clamp whose
 * gradient passes straight through, as `gaussian_nll_loss`'s `no_grad` clamp does).
 *
 * A loss maps a prediction and a target to one number to minimise; `reduction` chooses how the
 * per-element (or per-sample) losses become that number: `"mean"` (the default) averages them,
 * `"sum"` adds them, `"none"` returns them unreduced.
 */
import { record } from "../../autograd/node.js";
import { backend } from "../../backend/registry.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { isFloating } from "../../tensor/dtype.js";
import { fmtShape, broadcastShapes, type Shape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { broadcastView, empty, resultTypeOf } from "../../ops/helpers.js";
import { div, log, mul, ne, where } from "../../ops/elementwise.js";
import { mean, sum, sumTo } from "../../ops/reduce.js";

/** How per-element losses are combined: averaged, added, or returned as they are. */
export type Reduction = "mean" | "sum" | "none";

export interface ReductionOptions {
  /** `"mean"` (default), `"sum"` or `"none"`. */
  reduction?: Reduction;
}

/** Tensor options that may hold a per-class weight. */
export interface WeightOptions {
  /** A manual rescaling weight per class (or per element where noted), like PyTorch's `weight`. */
  weight?: Tensor | null;
}

/** The reduction option, validated: PyTorch's `ValueError: x is not a valid value for reduction`. */
export function reductionOf(options: { reduction?: string } | undefined, allowed: readonly string[] = ["mean", "sum", "none"]): string {
  const r = options?.reduction ?? "mean";
  if (!allowed.includes(r)) throw new RangeError(`${r} is not a valid value for reduction`);
  return r;
}

/** PyTorch's `apply_loss_reduction`. */
export function applyReduction(loss: Tensor, reduction: string): Tensor {
  if (reduction === "mean") return mean(loss);
  if (reduction === "sum") return sum(loss);
  return loss;
}

export function checkTensor(x: unknown, fn: string, arg: string): asserts x is Tensor {
  if (!(x instanceof Tensor))
    throw new TypeError(`${fn}(): argument '${arg}' must be Tensor, not ${x === null ? "None" : typeof x}`);
}

export function checkFloat(x: Tensor, fn: string, arg: string): void {
  if (!isFloating(x.dtype))
    throw new TypeError(`${fn}(): expected a floating point tensor for argument '${arg}', but got ${x.dtype}`);
}

/** PyTorch's error for a tensor argument whose derivative is not implemented. */
export function checkNotDifferentiable(x: Tensor, fn: string, arg: string): void {
  if (x.requiresGrad)
    throw new TypeError(
      `The function '${fn}' is not differentiable with respect to argument '${arg}'. This input cannot have requires_grad True.`,
    );
}

/** The C++ message for an index tensor of the wrong dtype (torch says Long where descent has int32). */
export function checkIndexTarget(target: Tensor): void {
  if (target.dtype !== "int32") throw new TypeError(`expected scalar type int32 but found ${target.dtype}`);
}

/** Shapes equal, else the deprecation error of the BCE family (`torch.Size` printed as `[…]`). */
export function sameShapeOrThrow(input: Tensor, target: Tensor, message: (t: string, i: string) => string): void {
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i]))
    throw new RangeError(message(fmtShape(target.shape), fmtShape(input.shape)));
}

/** Broadcast of two shapes (PyTorch's message on mismatch). */
export function broadcastPair(a: Shape, b: Shape): number[] {
  return broadcastShapes(a, b);
}

/** xlogy(a, b) = a·log(b), 0 where a = 0; gradients: xlogy([a ≠ 0], b) for a and a/b for b (PyTorch's). */
export function xlogy(a: Tensor, b: Tensor): Tensor {
  const dt = resultTypeOf(a, b);
  const shape = broadcastShapes(a.shape, b.shape);
  const out = empty(shape, dt);
  const A = a.dtype === dt ? a : a.to(dt);
  const B = b.dtype === dt ? b : b.to(dt);
  backend().binary("xlogy", broadcastView(A, shape), broadcastView(B, shape), out);
  return record(
    out,
    "XlogyBackward0",
    [a, b],
    (g) => [
      a.requiresGrad ? sumTo(mul(g, xlogyPlain(ne(A, 0).to(dt), B)), a.shape) : null,
      b.requiresGrad ? sumTo(mul(g, div(A, B)), b.shape) : null,
    ],
    [a, b],
  );
}

function xlogyPlain(a: Tensor, b: Tensor): Tensor {
  return noGrad(() => where(ne(a, 0), mul(a, log(b)), 0));
}

/**
 * max(x, min) in value, identity in gradient: PyTorch's `var = var.clone(); with no_grad: var.clamp_(min=eps)`.
 */
export function clampMinStraightThrough(x: Tensor, min: number): Tensor {
  const out = noGrad(() => x.clamp(min, null));
  return record(out, "CloneBackward0", [x], (g) => [g]);
}
