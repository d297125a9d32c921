/**
 * The fused linear layer y = x·Wᵀ + b as one differentiable op (PyTorch's `addmm(bias, x, W.t())`,
 * which `F.linear` calls for a 2-D input with a bias, and for a contiguous 3-D input folded to
 * 2-D). One backend call computes the product and adds the bias (`Backend.linear`).
 *
 * Gradients (AddmmBackward0): ∂x = g·W, ∂W = gᵀ·x, ∂b = Σ_rows g — built from differentiable ops,
 * so double backward works.
 *
 * PyTorch parity: the fused path is taken only where PyTorch takes it (2-D input with a bias;
 * contiguous 3-D input with a bias, viewed back to 3-D) and when shapes and dtypes are valid;
 * everything else (no bias, other ranks, mismatches and their error messages) stays with the
 * unfused matmul + add in `nn.functional.linear`.
 */
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import type { Tensor } from "../tensor/tensor.js";
import { empty } from "./helpers.js";
import { matmul } from "./matmul.js";
import { reshape, t } from "./movement.js";
import { sum } from "./reduce.js";

/** x [m, k] · weight [n, k]ᵀ + bias [n] for valid 2-D operands of one dtype. */
function addmmLinear(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const [m, k] = x.shape as [number, number];
  const n = weight.shape[0]!;
  const out = empty([m, n], x.dtype);
  backend().linear(x, weight, bias, out.storage, { m, n, k });
  return record(
    out,
    "AddmmBackward0",
    [x, weight, bias],
    (g) => [
      x.requiresGrad ? matmul(g, weight) : null,
      weight.requiresGrad ? matmul(t(g), x) : null,
      bias.requiresGrad ? sum(g, 0) : null,
    ],
    [x, weight],
  );
}

/**
 * `F.linear(input, weight, bias)` through the fused op when PyTorch fuses it and the operands
 * are valid (see the file comment); null otherwise (the caller then runs the unfused path).
 */
export function fusedLinear(input: Tensor, weight: Tensor, bias: Tensor): Tensor | null {
  const dtype = input.dtype;
  if (weight.dtype !== dtype || bias.dtype !== dtype || (dtype !== "float32" && dtype !== "float64")) return null;
  if (weight.ndim !== 2 || bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) return null;
  const k = weight.shape[1]!;
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== k) return null;
  if (input.ndim === 2) return addmmLinear(input, weight, bias);
  if (input.ndim === 3 && input.isContiguous()) {
    const y = addmmLinear(reshape(input, [-1, k]), weight, bias);
    return reshape(y, [input.shape[0]!, input.shape[1]!, weight.shape[0]!]);
  }
  return null;
}
