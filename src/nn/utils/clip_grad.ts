/**
 * Gradient clipping — `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`.
 *
 * `clipGradNorm` treats the gradients of all parameters as one vector g and rescales them in
 * place when their p-norm exceeds `maxNorm`:
 *
 *     ‖g‖ₚ = ‖(‖g₁‖ₚ, …, ‖gₖ‖ₚ)‖ₚ          (‖g‖∞ = maxᵢ |gᵢ|)
 *     g ← g · min(1, maxNorm / (‖g‖ₚ + 1e-6))
 *
 * and returns ‖g‖ₚ as a 0-d tensor. `clipGradValue` clamps every gradient element to
 * [−clipValue, clipValue]. Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent
 * neural networks" (ICML 2013).
 *
 * PyTorch parity: parameters without gradient are skipped; with none at all the norm is
 * `tensor(0.)`; the gradients are always multiplied by the clamped coefficient (by 1 when the
 * norm is small), computed like PyTorch as reciprocal(‖g‖ + 1e-6)·maxNorm in the gradients'
 * dtype; a non-finite norm scales the gradients (to NaN) unless `errorIfNonfinite`, which throws
 * PyTorch's message instead (and changes nothing).
 *
 * @example
 * loss.backward();
 * const norm = nn.utils.clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
import { Tensor } from "../../tensor/tensor.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { norm } from "../../ops/reduce.js";
import { stack } from "../../ops/join.js";
import { scalarTensor } from "../../ops/helpers.js";
import { pyFloat } from "../../optim/checks.js";

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite (default false). */
  errorIfNonfinite?: boolean;
}

function gradsOf(parameters: Tensor | Iterable<Tensor>, fn: string): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : Array.from(parameters);
  for (const p of list)
    if (!(p instanceof Tensor)) throw new TypeError(`${fn}(): parameters must be Tensors, got ${typeof p}`);
  return list.filter((p) => p.grad !== null).map((p) => p.grad!);
}

/**
 * Rescale the gradients of `parameters` in place so that their total `normType`-norm is at most
 * `maxNorm`; returns the total norm before clipping.
 */
export function clipGradNorm(
  parameters: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: ClipGradNormOptions = {},
): Tensor {
  if (typeof maxNorm !== "number") throw new TypeError(`clipGradNorm(): maxNorm must be a number, got ${typeof maxNorm}`);
  if (typeof normType !== "number") throw new TypeError(`clipGradNorm(): normType must be a number, got ${typeof normType}`);
  const grads = gradsOf(parameters, "clipGradNorm");
  if (grads.length === 0) return scalarTensor(0, "float32");
  return noGrad(() => {
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => g.abs().max());
      total = norms.length === 1 ? norms[0]! : stack(norms).max();
    } else {
      total = norm(stack(grads.map((g) => norm(g, normType))), normType);
    }
    if (options.errorIfNonfinite === true && !Number.isFinite(total.item()))
      throw new RangeError(
        `The total norm of order ${pyFloat(normType)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
          "To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`",
      );
    // clip_coef = max_norm / (total_norm + 1e-6); torch.clamp(clip_coef, max=1.0)
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamp every gradient element of `parameters` to [−clipValue, clipValue], in place. */
export function clipGradValue(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== "number") throw new TypeError(`clipGradValue(): clipValue must be a number, got ${typeof clipValue}`);
  const grads = gradsOf(parameters, "clipGradValue");
  noGrad(() => {
    for (const g of grads) g.clamp_(-clipValue, clipValue);
  });
}
