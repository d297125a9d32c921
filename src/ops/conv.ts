/**
 * 2-D convolution (`torch.nn.functional.conv2d`) with its gradients.
 *
 *   out[n, o] = bias[o] + Σ_{c ∈ group(o)} w[o, c] ⋆ x[n, c]      (⋆: cross-correlation)
 *
 * with stride, zero padding (a number, a pair, "valid" = 0, or "same" = the output keeps the
 * input's size), dilation and groups. Inputs are (N, C, H, W), or (C, H, W) unbatched.
 *
 * PyTorch parity: the argument checks and their messages follow aten's `check_shape_forward`
 * and conv2d's own checks; "same" with an even effective kernel pads one more row/column at the
 * bottom/right, as `_convolution_mode` does; "same" refuses strides other than 1. The backward
 * node is `ConvolutionBackward0` (input, weight and bias gradients); it is not itself
 * differentiable (no double backward).
 */
import type { Conv2dArgs } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { isFloating, type DType } from "../tensor/dtype.js";
import { fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { assertTensor, empty } from "./helpers.js";
import { sum } from "./reduce.js";
import { squeeze, unsqueeze } from "./movement.js";

/** An int, or an (H, W) pair, like PyTorch's `_pair` arguments. */
export type IntPair = number | readonly [number, number];

export interface Conv2dOptions {
  /** Stride of the window (default 1). */
  stride?: IntPair;
  /** Zero padding on each side (default 0), or "valid" (none) or "same" (output size = input size, stride 1 only). */
  padding?: IntPair | "same" | "valid";
  /** Spacing between kernel taps (default 1). */
  dilation?: IntPair;
  /** Number of blocked connections from input to output channels (default 1). */
  groups?: number;
}

/** Normalise an int-or-pair argument to [h, w], refusing non-integers (TypeError). */
export function intPair(value: IntPair, op: string, name: string): [number, number] {
  const pair = typeof value === "number" ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2)
    throw new TypeError(`${op}(): argument '${name}' must be an int or a pair of ints, but got ${String(value)}`);
  for (const v of pair as readonly unknown[])
    if (typeof v !== "number" || !Number.isInteger(v))
      throw new TypeError(`${op}(): argument '${name}' must be an int or a pair of ints, but got ${String(value)}`);
  return [pair[0]!, pair[1]!];
}

const C_TYPE: Record<DType, string> = { float32: "float", float64: "double", int32: "int", bool: "bool" };
const TENSOR_TYPE: Record<DType, string> = {
  float32: "torch.FloatTensor",
  float64: "torch.DoubleTensor",
  int32: "torch.IntTensor",
  bool: "torch.BoolTensor",
};

/** The geometry of a convolution: checked arguments and the kernel's argument record. */
function convArgs(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions): Conv2dArgs {
  const stride = intPair(options.stride ?? 1, "conv2d", "stride");
  const dilation = intPair(options.dilation ?? 1, "conv2d", "dilation");
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups)) throw new TypeError(`conv2d(): argument 'groups' must be int, but got ${groups}`);
  const padOpt = options.padding ?? 0;
  let same = false;
  let padding: [number, number] = [0, 0];
  if (typeof padOpt === "string") {
    if (padOpt === "same") same = true;
    else if (padOpt !== "valid") throw new RangeError(`Invalid padding string: '${padOpt}'`);
  } else padding = intPair(padOpt, "conv2d", "padding");
  if (same && (stride[0] !== 1 || stride[1] !== 1))
    throw new RangeError("padding='same' is not supported for strided convolutions");

  const ws = weight.shape;
  if (padding[0] < 0 || padding[1] < 0) throw new RangeError("negative padding is not supported");
  if (stride[0] <= 0 || stride[1] <= 0) throw new RangeError("non-positive stride is not supported");
  if (dilation[0] <= 0 || dilation[1] <= 0)
    throw new RangeError(`dilation should be greater than zero, but got ${fmtShape(dilation)}`);
  if (groups <= 0) throw new RangeError("non-positive groups is not supported");
  if (weight.ndim !== 4)
    throw new RangeError(
      `Expected ${weight.ndim}-dimensional input for ${weight.ndim}-dimensional weight ${fmtShape(ws)}, but got 4-dimensional input of size ${fmtShape(x.shape)} instead`,
    );
  if (ws[0]! < groups)
    throw new RangeError(
      `Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${fmtShape(ws)} instead`,
    );
  if (ws[0]! % groups !== 0)
    throw new RangeError(
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${fmtShape(ws)}] instead`,
    );
  if (x.shape[1] !== ws[1]! * groups)
    throw new RangeError(
      `Given groups=${groups}, weight of size ${fmtShape(ws)}, expected input${fmtShape(x.shape)} to have ${ws[1]! * groups} channels, but got ${x.shape[1]} channels instead`,
    );
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== ws[0]))
    throw new RangeError(
      `Given weight of size ${fmtShape(ws)}, expected bias to be 1-dimensional with ${ws[0]} elements, but got bias of size ${fmtShape(bias.shape)} instead`,
    );
  const [kH, kW] = [ws[2]!, ws[3]!];
  const effH = dilation[0] * (kH - 1) + 1;
  const effW = dilation[1] * (kW - 1) + 1;
  const [H, W] = [x.shape[2]!, x.shape[3]!];
  // "same": total padding dilation·(k − 1), the smaller half before (top/left)
  const padTop = same ? Math.floor((effH - 1) / 2) : padding[0];
  const padLeft = same ? Math.floor((effW - 1) / 2) : padding[1];
  const paddedH = same ? H + effH - 1 : H + 2 * padding[0];
  const paddedW = same ? W + effW - 1 : W + 2 * padding[1];
  if (paddedH < effH || paddedW < effW)
    throw new RangeError(
      `Calculated padded input size per channel: (${paddedH} x ${paddedW}). Kernel size: (${effH} x ${effW}). Kernel size can't be greater than actual input size`,
    );
  if (weight.dtype !== x.dtype)
    throw new TypeError(
      `Input type (${TENSOR_TYPE[x.dtype]}) and weight type (${TENSOR_TYPE[weight.dtype]}) should be the same or input should be a MKLDNN tensor and weight is a dense tensor`,
    );
  if (bias !== null && bias.dtype !== x.dtype)
    throw new TypeError(`Input type (${C_TYPE[x.dtype]}) and bias type (${C_TYPE[bias.dtype]}) should be the same`);
  if (!isFloating(x.dtype)) throw new TypeError(`"slow_conv2d_cpu" not implemented for '${x.dtype}'`);
  return {
    batch: x.shape[0]!,
    inChannels: x.shape[1]!,
    inH: H,
    inW: W,
    outChannels: ws[0]!,
    kernelH: kH,
    kernelW: kW,
    outH: Math.floor((paddedH - effH) / stride[0]) + 1,
    outW: Math.floor((paddedW - effW) / stride[1]) + 1,
    strideH: stride[0],
    strideW: stride[1],
    padH: padTop,
    padW: padLeft,
    dilationH: dilation[0],
    dilationW: dilation[1],
    groups,
  };
}

/**
 * `F.conv2d(input, weight, bias, stride, padding, dilation, groups)`: input (N, C, H, W) or
 * (C, H, W), weight (OC, C/groups, kH, kW), bias (OC) or null.
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  assertTensor(input, "conv2d", "input");
  assertTensor(weight, "conv2d", "weight");
  if (bias !== null) assertTensor(bias, "conv2d", "bias");
  if (input.ndim !== 3 && input.ndim !== 4)
    throw new RangeError(
      `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${fmtShape(input.shape)}`,
    );
  const batched = input.ndim === 4;
  const x = batched ? input : unsqueeze(input, 0);
  const args = convArgs(x, weight, bias, options);
  const out = empty([args.batch, args.outChannels, args.outH, args.outW], x.dtype);
  backend().conv2d(x, weight, bias, out.storage, args);
  record(
    out,
    "ConvolutionBackward0",
    [x, weight, bias],
    (g) => {
      let gx: Tensor | null = null;
      let gw: Tensor | null = null;
      let gb: Tensor | null = null;
      if (x.requiresGrad) {
        gx = empty(x.shape, g.dtype);
        backend().conv2dBackwardInput(g, weight, gx.storage, args);
      }
      if (weight.requiresGrad) {
        gw = empty(weight.shape, g.dtype);
        gb = bias?.requiresGrad ? empty([args.outChannels], g.dtype) : null;
        backend().conv2dBackwardWeight(x, g, gw.storage, gb?.storage ?? null, args);
      } else if (bias?.requiresGrad) gb = sum(g, [0, 2, 3]);
      return [gx, gw, gb];
    },
    [x, weight],
  );
  return batched ? out : squeeze(out, 0);
}
