/**
 * The reference CPU backend: plain TypeScript loops over typed arrays on the JavaScript heap.
 * Every other backend is tested against this one.
 */
import type { AllocOptions, Backend, OptimizerStep, Storage } from "../backend.js";
import { typedArrayFor, type DType, type TypedArray } from "../../tensor/dtype.js";
import { CpuStorage } from "./storage.js";
import { binary, copy, fill, unary, where } from "./elementwise.js";
import { argReduce, reduce } from "./reduce.js";
import { matmul } from "./matmul.js";
import { linear } from "./linear.js";
import { logsumexp, softmax, softmaxBackward } from "./softmax.js";
import { gather, indexAdd, indexSelect, scatterAdd } from "./indexing.js";
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from "./conv.js";
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from "./pool.js";
import { ctcLoss, ctcLossBackward, multilabelMarginMask, nllLoss, nllLossBackward } from "./loss.js";
import { batchNormBackward, batchNormForward, batchNormStats } from "./batchnorm.js";

export class CpuBackend implements Backend {
  readonly name = "cpu";
  alloc(dtype: DType, size: number, _options?: AllocOptions): Storage {
    return new CpuStorage(typedArrayFor(dtype, size));
  }
  wrap(data: TypedArray): Storage {
    return new CpuStorage(data);
  }
  unary = unary;
  binary = binary;
  where = where;
  copy = copy;
  fill = fill;
  reduce = reduce;
  argReduce = argReduce;
  matmul = matmul;
  linear = linear;
  /** The optimizers' own kernels (src/optim) are the CPU implementation: nothing is fused here. */
  optimizerStep(_step: OptimizerStep): boolean {
    return false;
  }
  softmax = softmax;
  softmaxBackward = softmaxBackward;
  logsumexp = logsumexp;
  gather = gather;
  scatterAdd = scatterAdd;
  indexSelect = indexSelect;
  indexAdd = indexAdd;
  nllLoss = nllLoss;
  nllLossBackward = nllLossBackward;
  ctcLoss = ctcLoss;
  ctcLossBackward = ctcLossBackward;
  multilabelMarginMask = multilabelMarginMask;
  // convolution and pooling (nn layers)
  conv2d = conv2d;
  conv2dBackwardInput = conv2dBackwardInput;
  conv2dBackwardWeight = conv2dBackwardWeight;
  maxPool2d = maxPool2d;
  maxPool2dBackward = maxPool2dBackward;
  avgPool2d = avgPool2d;
  avgPool2dBackward = avgPool2dBackward;
  // batch normalisation
  batchNormStats = batchNormStats;
  batchNormForward = batchNormForward;
  batchNormBackward = batchNormBackward;
}
