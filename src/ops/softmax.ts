/**
 * softmax, logSoftmax and logsumexp along a dim. Each subtracts the maximum before
 * exponentiating, so logits of ±1e4 give finite results, as in PyTorch.
 */
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { isFloating } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { empty } from "./helpers.js";
import { exp, mul, sub } from "./elementwise.js";
import { reductionDims, type Dims } from "./reduce.js";
import { expand, permute, reshape, view } from "./movement.js";
import { noGrad } from "../autograd/grad_mode.js";

function checkFloat(x: Tensor, op: string): void {
  if (!isFloating(x.dtype)) throw new TypeError(`${op}(): expected a floating point input, but got ${x.dtype}`);
}

function softmaxImpl(x: Tensor, dim: number, log: boolean): Tensor {
  const op = log ? "log_softmax" : "softmax";
  checkFloat(x, op);
  const d = x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim);
  const src = x.ndim === 0 ? reshape(x.detach(), [1]) : x;
  const out = empty(x.shape, x.dtype);
  backend().softmax(src, x.ndim === 0 ? 0 : d, out.storage, log);
  return record(
    out,
    log ? "LogSoftmaxBackward0" : "SoftmaxBackward0",
    [x],
    (g) => {
      const gx = empty(x.shape, g.dtype);
      if (x.ndim === 0) backend().softmaxBackward(reshape(out, [1]), reshape(g, [1]), 0, gx.storage, log);
      else backend().softmaxBackward(out, g, d, gx.storage, log);
      return [gx];
    },
    [out],
  );
}

/** exp(xᵢ − max) / Σⱼ exp(xⱼ − max) along `dim`. */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxImpl(x, dim, false);
}

/** xᵢ − max − log Σⱼ exp(xⱼ − max) along `dim`. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxImpl(x, dim, true);
}

/** log Σ exp(x) over `dim` (one dim or several), stably. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  checkFloat(x, "logsumexp");
  const dims = reductionDims(dim, x.ndim);
  const keptShape = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  const outShape = keepdim ? keptShape : x.shape.filter((_, i) => !dims.includes(i));
  const out = empty(outShape, x.dtype);
  noGrad(() => {
    if (x.ndim === 0) {
      backend().logsumexp(reshape(x, [1]), 0, out.storage);
    } else if (dims.length === 1) {
      backend().logsumexp(x, dims[0]!, out.storage);
    } else {
      // move the reduced dims last and merge them into one
      const rest = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
      const moved = permute(x, [...rest, ...dims]);
      const merged = reshape(moved, [...rest.map((i) => x.shape[i]!), -1]);
      backend().logsumexp(merged, merged.ndim - 1, out.storage);
    }
  });
  return record(
    out,
    "LogsumexpBackward0",
    [x],
    (g) => {
      const gk = view(g, keptShape);
      const lse = view(out, keptShape);
      return [mul(expand(gk, x.shape), exp(sub(x, lse)))];
    },
    [x, out],
  );
}
