/**
 * Layer functions of `nn.functional` (PyTorch's `torch.nn.functional`): linear, conv2d, the
 * pooling functions, dropout, batchNorm, embedding and the activations, including softmax and
 * logSoftmax with PyTorch's implicit-dim rule. The modules in nn/modules wrap these.
 *
 * - linear:    y = x·Wᵀ + b
 * - dropout:   y = x · m / (1 − p),  m ~ Bernoulli(1 − p) drawn with `bernoulli_` like PyTorch's
 *              CPU kernel, so a seeded generator gives torch's masks (Srivastava et al. 2014).
 * - batchNorm: y = (x − μ)/√(σ² + ε)·γ + β over every dim but the channel dim 1, with batch
 *              statistics in training (biased σ² to normalise, unbiased for the running update
 *              r ← (1 − momentum)·r + momentum·stat) and running statistics in evaluation
 *              (Ioffe & Szegedy 2015).
 * - embedding: rows of `weight` picked by int32 indices; the gradient skips `paddingIdx` and is
 *              divided by each index's count with `scaleGradByFreq`; `maxNorm` renormalises the
 *              looked-up rows in place first.
 *
 * PyTorch parity: batchNorm is one fused op (`NativeBatchNormBackward0`, backend kernels
 * batchNormStats / batchNormForward / batchNormBackward, formulas in src/backend/cpu/batchnorm.ts):
 * statistics summed in float64 and rounded to the input dtype, y = x·α + (β − μ·α) with
 * α = γ/√(σ² + ε) as PyTorch's CPU kernel computes it, running statistics updated in float64 and
 * rounded once, and PyTorch's backward formula. Errors use PyTorch's messages.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { backend } from "../../backend/registry.js";
import { record } from "../../autograd/node.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { isFloating, type DType } from "../../tensor/dtype.js";
import { fmtShape } from "../../tensor/shape.js";
import { defaultGenerator, type Generator } from "../../tensor/generator.js";
import { bernoulli_ } from "../../tensor/random.js";
import { ones } from "../../tensor/creation.js";
import { assertTensor, empty } from "../../ops/helpers.js";
import { add, div, gt, logicalAnd, mul, ne, rsqrt, sub, where, ge, lt, logicalOr } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { fusedLinear } from "../../ops/linear.js";
import { any, mean, norm, sum } from "../../ops/reduce.js";
import { reshape, t, view, unsqueeze, cast, contiguousOrSelf } from "../../ops/movement.js";
import { logSoftmax as logSoftmaxOp, softmax as softmaxOp } from "../../ops/softmax.js";
import { indexSelect } from "../../ops/indexing.js";

export { conv2d } from "../../ops/conv.js";
export type { Conv2dOptions, IntPair } from "../../ops/conv.js";
export { maxPool2d, maxPool2dWithIndices, avgPool2d } from "../../ops/pool.js";
export type { MaxPool2dOptions, AvgPool2dOptions } from "../../ops/pool.js";
export {
  relu, leakyRelu, elu, gelu, sigmoid, tanh, silu, softplus, logsigmoid, hardtanh, relu6,
} from "../../ops/activation.js";
export type { GeluApproximate } from "../../ops/activation.js";

const TENSOR_TYPE: Record<DType, string> = {
  float32: "torch.FloatTensor",
  float64: "torch.DoubleTensor",
  int32: "torch.IntTensor",
  bool: "torch.BoolTensor",
};

// ---- linear ---------------------------------------------------------------------------------

/**
 * `F.linear(input, weight, bias)`: y = x·Wᵀ + b for input (*, in), weight (out, in), bias (out).
 * Inputs with more than two dims are folded to 2-D for the product, as torch.matmul does.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  assertTensor(input, "linear", "input");
  assertTensor(weight, "linear", "weight");
  const fused = bias === null ? null : fusedLinear(input, weight, bias); // addmm, as PyTorch does
  if (fused !== null) return fused;
  let y: Tensor;
  if (input.ndim > 2) {
    const lead = input.shape.slice(0, -1);
    y = matmul(reshape(input, [-1, input.shape[input.ndim - 1]!]), t(weight));
    y = reshape(y, [...lead, y.shape[1]!]);
  } else y = matmul(input, t(weight));
  return bias === null ? y : add(y, bias);
}

// ---- dropout --------------------------------------------------------------------------------

export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Apply dropout only when true (default true, as in `F.dropout`). */
  training?: boolean;
  /** Multiply the input in place (default false). */
  inplace?: boolean;
  /** Generator for the mask (default: the default generator). */
  generator?: Generator;
}

function checkDropoutP(p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

/**
 * `F.dropout(input, p, training, inplace)`: zero each element with probability p and scale the
 * rest by 1/(1 − p). Returns the input itself when not training, when p = 0 or when it is empty.
 */
export function dropout(input: Tensor, options: DropoutOptions = {}): Tensor {
  assertTensor(input, "dropout", "input");
  const p = options.p ?? 0.5;
  checkDropoutP(p);
  const training = options.training ?? true;
  const inplace = options.inplace ?? false;
  if (!training || p === 0 || input.numel() === 0) return input;
  if (!isFloating(input.dtype)) throw new TypeError(`dropout(): expected a floating point input, but got ${input.dtype}`);
  if (p === 1) return inplace ? input.mul_(0) : mul(input, 0);
  const noise = empty(input.shape, input.dtype);
  bernoulli_(noise, 1 - p, options.generator ?? defaultGenerator);
  const scaled = div(noise, 1 - p);
  return inplace ? input.mul_(scaled) : mul(input, scaled);
}

// ---- batch normalisation --------------------------------------------------------------------

export interface BatchNormOptions {
  /** γ, shape (C), or null (default). */
  weight?: Tensor | null;
  /** β, shape (C), or null (default). */
  bias?: Tensor | null;
  /** Use batch statistics (and update running ones when given); default false, as in `F.batch_norm`. */
  training?: boolean;
  /** Weight of the new statistic in the running average (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

function checkFeatures(name: string, expected: number, t: Tensor | null): void {
  if (t !== null && t.numel() !== expected)
    throw new RangeError(`${name} should contain ${expected} elements not ${t.numel()}`);
}

/**
 * `F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)` for
 * input (N, C, *). In training the running statistics (when given) are updated in place.
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  assertTensor(input, "batch_norm", "input");
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if (input.ndim < 2)
    throw new RangeError(`batch_norm(): expected an input with at least 2 dims (N, C, *), but got shape ${fmtShape(input.shape)}`);
  if (!isFloating(input.dtype)) throw new TypeError(`batch_norm(): expected a floating point input, but got ${input.dtype}`);
  const C = input.shape[1]!;
  let count = 1;
  input.shape.forEach((d, i) => {
    if (i !== 1) count *= d;
  });
  if (training && count === 1)
    throw new RangeError(
      `Expected more than 1 value per channel when training, got input size torch.Size(${fmtShape(input.shape)})`,
    );
  if (runningMean !== null) checkFeatures("running_mean", C, runningMean);
  else if (!training) throw new RangeError("running_mean must be defined in evaluation mode");
  if (runningVar !== null) checkFeatures("running_var", C, runningVar);
  else if (!training) throw new RangeError("running_var must be defined in evaluation mode");
  checkFeatures("weight", C, weight);
  checkFeatures("bias", C, bias);

  const bshape = input.shape.map((_, i) => (i === 1 ? C : 1));
  if (input.numel() === 0) {
    // PyTorch: an empty batch passes through (scaled by weight[0], shifted by bias[0]) with no statistics
    let out = input.clone();
    if (weight !== null) out = mul(out, weight.select(0, 0));
    if (bias !== null) out = add(out, bias.select(0, 0));
    return out;
  }
  const dt = input.dtype;
  const x = contiguousOrSelf(input);
  /** A fresh [C] tensor of the input's dtype holding `t`'s C values (running statistics may be views). */
  const ownC = (t: Tensor): Tensor => {
    const o = empty([C], dt);
    backend().copy(t.dtype === dt ? reshape(t, [C]) : cast(reshape(t, [C]), dt), o);
    return o;
  };
  let mean: Tensor;
  let invstd: Tensor;
  if (training) {
    mean = empty([C], dt);
    const varSum = empty([C], dt);
    backend().batchNormStats(x, mean.storage, varSum.storage);
    // save_invstd = 1/√(varSum/count + ε), evaluated in float64 and rounded once
    invstd = noGrad(() => cast(rsqrt(add(div(cast(varSum, "float64"), count), eps)), dt));
    noGrad(() => {
      // running ← momentum·stat + (1 − momentum)·running, evaluated in float64 and rounded once
      if (runningMean !== null) {
        const rm = add(mul(cast(mean, "float64"), momentum), mul(cast(reshape(runningMean, [C]), "float64"), 1 - momentum));
        runningMean.copy_(reshape(rm, runningMean.shape));
      }
      if (runningVar !== null) {
        const v64 = cast(varSum, "float64");
        const rv = add(div(mul(v64, momentum), count - 1), mul(cast(reshape(runningVar, [C]), "float64"), 1 - momentum));
        runningVar.copy_(reshape(rv, runningVar.shape));
      }
    });
  } else {
    mean = noGrad(() => ownC(runningMean!));
    invstd = noGrad(() => ownC(rsqrt(add(reshape(runningVar!, [C]), eps))));
  }
  const w = weight === null ? null : reshape(weight, [C]);
  const bvec = bias === null ? null : reshape(bias, [C]);
  const out = empty(input.shape, dt);
  backend().batchNormForward(x, mean.storage, invstd.storage, w, bvec, out.storage);
  const saved = weight === null ? [input] : [input, weight];
  return record(out, "NativeBatchNormBackward0", [input, weight, bias], (g) => {
    const gy = contiguousOrSelf(g);
    const gx = input.requiresGrad ? empty(input.shape, dt) : null;
    const gw = weight !== null && weight.requiresGrad ? empty([C], dt) : null;
    const gb = bias !== null && bias.requiresGrad ? empty([C], dt) : null;
    backend().batchNormBackward(x, gy, mean.storage, invstd.storage, w, training, gx?.storage ?? null, gw?.storage ?? null, gb?.storage ?? null);
    return [gx, gw === null ? null : reshape(gw, weight!.shape), gb === null ? null : reshape(gb, bias!.shape)];
  }, saved);
}

// ---- embedding ------------------------------------------------------------------------------

export interface EmbeddingOptions {
  /** Row whose gradient is always zero (negative counts from the end); default none. */
  paddingIdx?: number | null;
  /** Renormalise looked-up rows whose `normType`-norm exceeds this, in place (default none). */
  maxNorm?: number | null;
  /** The p of the norm for `maxNorm` (default 2). */
  normType?: number;
  /** Divide each row's gradient by how often its index occurs in the batch (default false). */
  scaleGradByFreq?: boolean;
  /** Sparse gradients are not supported; must be false. */
  sparse?: boolean;
}

/** PyTorch's padding_idx normalisation: in [-V, V), negative counts from the end; -1 when absent. */
export function normalizePaddingIdx(paddingIdx: number | null | undefined, numEmbeddings: number): number {
  if (paddingIdx == null) return -1;
  if (!Number.isInteger(paddingIdx)) throw new TypeError(`padding_idx must be an integer, but got ${paddingIdx}`);
  if (paddingIdx > 0 && paddingIdx >= numEmbeddings) throw new RangeError("Padding_idx must be within num_embeddings");
  if (paddingIdx < 0) {
    if (paddingIdx < -numEmbeddings) throw new RangeError("Padding_idx must be within num_embeddings");
    return numEmbeddings + paddingIdx;
  }
  return paddingIdx;
}

/** `torch.embedding_renorm_`: rows of `weight` named in `indices` with norm > maxNorm are scaled to maxNorm/(norm + 1e-7). */
function embeddingRenorm_(weight: Tensor, flat: Tensor, maxNorm: number, normType: number): void {
  noGrad(() => {
    const V = weight.shape[0]!;
    const counts = empty([V], weight.dtype);
    backend().indexAdd(counts, 0, flat, ones([flat.numel()], { dtype: weight.dtype }));
    const norms = cast(norm(weight, normType, 1), "float64");
    const hit = logicalAnd(gt(counts, 0), gt(norms, maxNorm));
    const scale = cast(where(hit, div(maxNorm, add(norms, 1e-7)), 1), weight.dtype);
    weight.mul_(unsqueeze(scale, 1));
  });
}

/**
 * `F.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse)`:
 * out[..., :] = weight[input[...], :] for int32 indices of any shape.
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  assertTensor(input, "embedding", "input");
  assertTensor(weight, "embedding", "weight");
  if (input.dtype !== "int32")
    throw new TypeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${TENSOR_TYPE[input.dtype]} instead (while checking arguments for embedding)`,
    );
  if (weight.ndim !== 2) throw new RangeError(`'weight' must be 2-D`);
  if (options.sparse) throw new RangeError("embedding(): sparse gradients are not supported by descent (use sparse: false)");
  const [V, D] = weight.shape as [number, number];
  const paddingIdx = normalizePaddingIdx(options.paddingIdx, V);
  const flat = reshape(input, [-1]);
  if (flat.numel() > 0 && any(logicalOr(lt(flat, 0), ge(flat, V))).item() !== 0)
    throw new RangeError("index out of range in self");
  if (options.maxNorm != null) embeddingRenorm_(weight, flat, options.maxNorm, options.normType ?? 2);
  const rows = empty([flat.numel(), D], weight.dtype);
  backend().indexSelect(weight, 0, flat, rows.storage);
  const out = view(rows, [...input.shape, D]);
  const scaleGradByFreq = options.scaleGradByFreq ?? false;
  return record(
    out,
    "EmbeddingBackward0",
    [weight],
    (g) => {
      let src = reshape(g, [-1, D]);
      if (scaleGradByFreq) {
        const counts = empty([V], g.dtype);
        backend().indexAdd(counts, 0, flat, ones([flat.numel()], { dtype: g.dtype }));
        src = div(src, unsqueeze(indexSelect(counts, 0, flat), 1));
      }
      if (paddingIdx >= 0) src = where(unsqueeze(ne(flat, paddingIdx), 1), src, 0);
      const gw = empty([V, D], g.dtype);
      backend().indexAdd(gw, 0, flat, src);
      return [gw];
    },
    [input],
  );
}

// ---- softmax --------------------------------------------------------------------------------

/** PyTorch's `_get_softmax_dim` for dim=None: 0 for 0-, 1- and 3-D inputs, else 1. */
function implicitDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** `F.softmax(input, dim)`; `dim` null/omitted picks PyTorch's implicit dim (deprecated there too). */
export function softmax(input: Tensor, dim?: number | null): Tensor {
  return softmaxOp(input, dim ?? implicitDim(input.ndim));
}

/** `F.log_softmax(input, dim)`; `dim` null/omitted picks PyTorch's implicit dim. */
export function logSoftmax(input: Tensor, dim?: number | null): Tensor {
  return logSoftmaxOp(input, dim ?? implicitDim(input.ndim));
}
