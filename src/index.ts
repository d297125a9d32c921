/**
 * descent: deep learning in TypeScript that behaves like PyTorch.
 * The one entry point: tensor functions, autograd, and the nn / optim / data namespaces.
 */
export { Tensor } from "./tensor/tensor.js";
export type { NestedArray, TensorOrScalar } from "./tensor/tensor.js";
export type { DType, FloatDType, TypedArray } from "./tensor/dtype.js";
export { promoteTypes, resultType } from "./tensor/dtype.js";
export type { Shape } from "./tensor/shape.js";
export { broadcastShapes } from "./tensor/shape.js";
export {
  tensor, fromTypedArray, zeros, ones, full, empty, arange, linspace, eye,
  zerosLike, onesLike, fullLike, emptyLike,
} from "./tensor/creation.js";
export type { TensorOptions, TypedArrayOptions, ShapeArg } from "./tensor/creation.js";
export { rand, randn, randint, randperm, randLike, randnLike } from "./tensor/random.js";
export type { RandomOptions } from "./tensor/random.js";
export { Generator, defaultGenerator, manualSeed } from "./tensor/generator.js";
export { formatTensor, setPrintOptions } from "./tensor/format.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad_mode.js";
export { gradcheck } from "./autograd/gradcheck.js";
export type { GradcheckOptions } from "./autograd/gradcheck.js";
export {
  add, sub, mul, div, pow, neg, exp, expm1, log, log1p, log2, sqrt, rsqrt, square, reciprocal, abs, sign,
  sin, cos, floor, ceil, round, trunc, clamp, maximum, minimum, where, lerp,
  eq, ne, lt, le, gt, ge, logicalNot, logicalAnd, logicalOr, logicalXor, isnan, isinf, isfinite,
} from "./ops/elementwise.js";
export {
  sum, mean, prod, variance as var, std, norm, max, min, maxDim, minDim, amax, amin, argmax, argmin, all, any,
} from "./ops/reduce.js";
export type { ValuesIndices, VarOptions } from "./ops/reduce.js";
export { matmul } from "./ops/matmul.js";
export {
  reshape, view, flatten, transpose, t, permute, squeeze, unsqueeze, expand, contiguous, clone,
  narrow, select, slice, split, chunk, unbind,
} from "./ops/movement.js";
export { cat, stack } from "./ops/join.js";
export { gather, scatterAdd, indexSelect, indexAdd, maskedFill } from "./ops/indexing.js";
export { relu, sigmoid, tanh, gelu, leakyRelu, elu, silu, softplus, logsigmoid, hardtanh, relu6 } from "./ops/activation.js";
export { softmax, logSoftmax, logsumexp } from "./ops/softmax.js";
export type { Backend, Storage, Strided } from "./backend/backend.js";
export { backend, setBackend, setNumThreads, getNumThreads, initBackend } from "./backend/registry.js";
export type { BackendName } from "./backend/registry.js";

import { Tensor } from "./tensor/tensor.js";
/** `detach(t)` as a function, like torch.detach. */
export const detach = (t: Tensor): Tensor => t.detach();

export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as train from "./train/index.js";
