/**
 * `nn.Conv2d`: a 2-D convolution layer over (N, C, H, W) or (C, H, W) inputs.
 *
 *   out[n, o] = bias[o] + Σ_{c ∈ group(o)} weight[o, c] ⋆ input[n, c]
 *
 * weight has shape (outChannels, inChannels/groups, kH, kW), bias (outChannels).
 * Initialisation (PyTorch's `reset_parameters`): weight ~ kaiming_uniform(a = √5), i.e.
 * U(−1/√fan_in, 1/√fan_in) with fan_in = inChannels/groups·kH·kW, then bias from the same range.
 *
 * PyTorch parity: constructor checks and messages, `padding` as a number, a pair, "same" or
 * "valid", `paddingMode` "zeros" | "reflect" | "replicate" | "circular" (the non-zero modes pad
 * explicitly first, split like PyTorch's `_reversed_padding_repeated_twice`), and the repr.
 */
import type { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { tensor, zeros } from "../../tensor/creation.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { conv2d, type IntPair } from "../functional/layers.js";
import { intPair } from "../../ops/conv.js";
import { indexSelect } from "../../ops/indexing.js";
import { fmtShape } from "../../tensor/shape.js";
import { pyTuple } from "./repr.js";

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface Conv2dModuleOptions {
  stride?: IntPair;
  padding?: IntPair | "same" | "valid";
  dilation?: IntPair;
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** How the border is padded (default "zeros"). */
  paddingMode?: PaddingMode;
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
}

const PADDING_MODES: readonly string[] = ["zeros", "reflect", "replicate", "circular"];

export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | "same" | "valid";
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: IntPair, options: Conv2dModuleOptions = {}) {
    super();
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError("groups must be a positive integer");
    if (inChannels % groups !== 0) throw new RangeError("in_channels must be divisible by groups");
    if (outChannels % groups !== 0) throw new RangeError("out_channels must be divisible by groups");
    const stride = intPair(options.stride ?? 1, "Conv2d", "stride");
    const pad = options.padding ?? 0;
    let padding: [number, number] | "same" | "valid";
    if (typeof pad === "string") {
      if (pad !== "same" && pad !== "valid")
        throw new RangeError(`Invalid padding string '${pad}', should be one of {'same', 'valid'}`);
      if (pad === "same" && (stride[0] !== 1 || stride[1] !== 1))
        throw new RangeError("padding='same' is not supported for strided convolutions");
      padding = pad;
    } else padding = intPair(pad, "Conv2d", "padding");
    const paddingMode = options.paddingMode ?? "zeros";
    if (!PADDING_MODES.includes(paddingMode))
      throw new RangeError(
        `padding_mode must be one of {'reflect', 'replicate', 'circular', 'zeros'}, but got padding_mode='${paddingMode}'`,
      );
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = intPair(kernelSize, "Conv2d", "kernel_size");
    this.stride = stride;
    this.padding = padding;
    this.dilation = intPair(options.dilation ?? 1, "Conv2d", "dilation");
    this.groups = groups;
    this.paddingMode = paddingMode;
    const dtype = options.dtype ?? "float32";
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, ...this.kernelSize], { dtype }));
    this.bias = options.bias ?? true ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  /** PyTorch's default initialisation (see the file comment). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  forward(input: Tensor): Tensor {
    const opts = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === "zeros") return conv2d(input, this.weight, this.bias, { ...opts, padding: this.padding });
    return conv2d(this.padBorder(input), this.weight, this.bias, { ...opts, padding: 0 });
  }

  /** Pad H and W with the non-zero padding mode (PyTorch's F.pad before the convolution). */
  private padBorder(input: Tensor): Tensor {
    if (input.ndim !== 3 && input.ndim !== 4)
      throw new RangeError(
        `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${fmtShape(input.shape)}`,
      );
    let x = input;
    for (let k = 0; k < 2; k++) {
      let before: number;
      let after: number;
      if (this.padding === "valid") before = after = 0;
      else if (this.padding === "same") {
        const total = this.dilation[k]! * (this.kernelSize[k]! - 1);
        before = Math.floor(total / 2);
        after = total - before;
      } else before = after = this.padding[k]!;
      if (before === 0 && after === 0) continue;
      const dim = x.ndim - 2 + k;
      x = indexSelect(x, dim, borderIndex(this.paddingMode, x.shape[dim]!, before, after, x.shape, dim));
    }
    return x;
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** Source positions of a border-padded dim: position p of the padded dim reads index[p]. */
function borderIndex(mode: PaddingMode, size: number, before: number, after: number, shape: readonly number[], dim: number): Tensor {
  if (mode === "reflect" && (before >= size || after >= size))
    throw new RangeError(
      `Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${before}, ${after}) at dimension ${dim} of input ${fmtShape(shape)}`,
    );
  if (mode === "circular" && (before > size || after > size))
    throw new RangeError("Padding value causes wrapping around more than once.");
  const idx: number[] = [];
  for (let p = -before; p < size + after; p++) {
    if (mode === "reflect") idx.push(p < 0 ? -p : p >= size ? 2 * (size - 1) - p : p);
    else if (mode === "replicate") idx.push(Math.min(Math.max(p, 0), size - 1));
    else idx.push(((p % size) + size) % size);
  }
  return tensor(idx, { dtype: "int32" });
}
