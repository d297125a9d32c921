/**
 * 2-D max and average pooling (`F.max_pool2d`, `F.avg_pool2d`) with their gradients.
 *
 *   maxPool: out[n, c, i, j] = max_{p<kH, q<kW} x[n, c, i·sH − padH + p·dH, j·sW − padW + q·dW]
 *   avgPool: out[n, c, i, j] = Σ_{window} x / divisor
 *
 * Output size per dim: ⌊(size + 2·pad − dilation·(k − 1) − 1 + (ceilMode ? stride − 1 : 0)) / stride⌋ + 1,
 * minus one when ceilMode lets the last window start beyond the input and left padding
 * (PyTorch's `pooling_output_shape`). Padding counts as −∞ for max pooling; for average pooling
 * it counts in the divisor only when `countIncludePad` (default true), and `divisorOverride`
 * replaces the divisor. Inputs are (N, C, H, W) or (C, H, W).
 *
 * PyTorch parity: the checks and messages follow `pool2d_shape_check` and
 * `pooling_output_shape` (stride defaults to the kernel size; padding at most half the kernel);
 * max pooling's NaN and tie rules are the CPU kernel's (see backend/cpu/pool.ts). Backward nodes
 * are `MaxPool2DWithIndicesBackward0` and `AvgPool2DBackward0` (not themselves differentiable).
 */
import type { AvgPool2dArgs, Pool2dArgs } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { isFloating } from "../tensor/dtype.js";
import { fmtShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { assertTensor, empty } from "./helpers.js";
import { squeeze, unsqueeze } from "./movement.js";
import type { IntPair } from "./conv.js";

export interface MaxPool2dOptions {
  /** Window stride (default: the kernel size; null also means the kernel size). */
  stride?: IntPair | null;
  /** Implicit −∞ padding on each side (default 0, at most half the kernel). */
  padding?: IntPair;
  /** Spacing between window taps (default 1). */
  dilation?: IntPair;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  /** Window stride (default: the kernel size; null also means the kernel size). */
  stride?: IntPair | null;
  /** Implicit zero padding on each side (default 0, at most half the kernel). */
  padding?: IntPair;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
  /** Count the padding in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead (default null). */
  divisorOverride?: number | null;
}

function pair(op: string, name: string, value: IntPair, what: string): [number, number] {
  const v = typeof value === "number" ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((e) => typeof e === "number" && Number.isInteger(e)))
    throw new TypeError(`${op}: ${name} must ${what}`);
  return [v[0]!, v[1]!];
}

/** PyTorch's `pooling_output_shape` for one dim (checks included). */
function outputSize(size: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  if (stride === 0) throw new RangeError("stride should not be zero");
  if (pad < 0) throw new RangeError(`pad must be non-negative, but got pad: ${pad}`);
  if (pad > Math.trunc(k / 2))
    throw new RangeError(`pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${k}`);
  let out = Math.floor((size + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

interface Geometry {
  batched: boolean;
  x: Tensor;
  args: Pool2dArgs;
}

function geometry(
  op: "max_pool2d" | "avg_pool2d",
  input: Tensor,
  kernelSize: IntPair,
  stride: IntPair | null | undefined,
  padding: IntPair,
  dilation: IntPair,
  ceilMode: boolean,
): Geometry {
  assertTensor(input, op, "input");
  const [kH, kW] = pair(op, "kernel_size", kernelSize, "either be a single int, or a tuple of two ints");
  const [sH, sW] =
    stride == null ? [kH, kW] : pair(op, "stride", stride, "either be omitted, a single int, or a tuple of two ints");
  const [pH, pW] = pair(op, "padding", padding, "either be a single int, or a tuple of two ints");
  const [dH, dW] = pair(op, "dilation", dilation, "either be a single int, or a tuple of two ints");
  if (input.ndim !== 3 && input.ndim !== 4) {
    if (op === "max_pool2d") throw new RangeError("non-empty 3D or 4D (batch mode) tensor expected for input");
    throw new RangeError(
      `Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${fmtShape(input.shape)}`,
    );
  }
  const batched = input.ndim === 4;
  const x = batched ? input : unsqueeze(input, 0);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const oH = outputSize(H, kH, pH, sH, dH, ceilMode);
  const oW = outputSize(W, kW, pW, sW, dW, ceilMode);
  if (kW <= 0 || kH <= 0) throw new RangeError(`kernel size should be greater than zero, but got kH: ${kH} kW: ${kW}`);
  if (sW <= 0 || sH <= 0) throw new RangeError(`stride should be greater than zero, but got dH: ${sH} dW: ${sW}`);
  if (dW <= 0 || dH <= 0)
    throw new RangeError(`dilation should be greater than zero, but got dilationH: ${dH} dilationW: ${dW}`);
  if (C === 0 || H === 0 || W === 0)
    throw new RangeError(
      `Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${fmtShape(input.shape)}`,
    );
  if (oW < 1 || oH < 1)
    throw new RangeError(
      `Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${oH}x${oW}). Output size is too small`,
    );
  if (!isFloating(x.dtype)) throw new TypeError(`"${op}" not implemented for '${x.dtype}'`);
  return {
    batched,
    x,
    args: {
      batch: N, channels: C, inH: H, inW: W, outH: oH, outW: oW, kernelH: kH, kernelW: kW,
      strideH: sH, strideW: sW, padH: pH, padW: pW, dilationH: dH, dilationW: dW,
    },
  };
}

/**
 * `F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)`:
 * the pooled values and the flat in-plane index (ih·W + iw, int32) of each maximum.
 */
export function maxPool2dWithIndices(input: Tensor, kernelSize: IntPair, options: MaxPool2dOptions = {}): [Tensor, Tensor] {
  const { batched, x, args } = geometry(
    "max_pool2d", input, kernelSize, options.stride, options.padding ?? 0, options.dilation ?? 1, options.ceilMode ?? false,
  );
  const shape = [args.batch, args.channels, args.outH, args.outW];
  const out = empty(shape, x.dtype);
  const indices = empty(shape, "int32");
  backend().maxPool2d(x, out.storage, indices.storage, args);
  record(
    out,
    "MaxPool2DWithIndicesBackward0",
    [x],
    (g) => {
      const gx = empty(x.shape, g.dtype);
      backend().maxPool2dBackward(g, indices, gx.storage, args);
      return [gx];
    },
    [indices],
  );
  return batched ? [out, indices] : [squeeze(out, 0), squeeze(indices, 0)];
}

/** `F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)`. */
export function maxPool2d(input: Tensor, kernelSize: IntPair, options: MaxPool2dOptions = {}): Tensor {
  return maxPool2dWithIndices(input, kernelSize, options)[0];
}

/** `F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)`. */
export function avgPool2d(input: Tensor, kernelSize: IntPair, options: AvgPool2dOptions = {}): Tensor {
  const divisorOverride = options.divisorOverride ?? null;
  const { batched, x, args: base } = geometry(
    "avg_pool2d", input, kernelSize, options.stride, options.padding ?? 0, 1, options.ceilMode ?? false,
  );
  if (divisorOverride !== null) {
    if (!Number.isInteger(divisorOverride))
      throw new TypeError(`avg_pool2d(): argument 'divisor_override' must be int, but got ${divisorOverride}`);
    if (divisorOverride === 0) throw new RangeError("divisor must be not zero");
  }
  const args: AvgPool2dArgs = { ...base, countIncludePad: options.countIncludePad ?? true, divisorOverride };
  const out = empty([args.batch, args.channels, args.outH, args.outW], x.dtype);
  backend().avgPool2d(x, out.storage, args);
  record(out, "AvgPool2DBackward0", [x], (g) => {
    const gx = empty(x.shape, g.dtype);
    backend().avgPool2dBackward(g, gx.storage, args);
    return [gx];
  });
  return batched ? out : squeeze(out, 0);
}
