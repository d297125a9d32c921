/**
 * `nn.MaxPool2d` and `nn.AvgPool2d`: pooling layers over (N, C, H, W) or (C, H, W) inputs, thin
 * wrappers of `F.maxPool2d` / `F.avgPool2d` (window rules in src/ops/pool.ts).
 *
 * PyTorch parity: `stride` defaults to the kernel size; the reprs print the arguments as given
 * (`MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)`).
 * PyTorch's `return_indices=True` is `forwardWithIndices(input)` here, which returns [values, indices].
 */
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";
import { avgPool2d, maxPool2d, maxPool2dWithIndices, type IntPair } from "../functional/layers.js";
import { pyBool, pyTuple } from "./repr.js";

function show(v: IntPair | null): string {
  if (v === null) return "None";
  return typeof v === "number" ? String(v) : pyTuple(v);
}

export interface MaxPool2dModuleOptions {
  stride?: IntPair | null;
  padding?: IntPair;
  dilation?: IntPair;
  ceilMode?: boolean;
}

export class MaxPool2d extends Module {
  readonly kernelSize: IntPair;
  readonly stride: IntPair;
  readonly padding: IntPair;
  readonly dilation: IntPair;
  readonly ceilMode: boolean;

  constructor(kernelSize: IntPair, options: MaxPool2dModuleOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.ceilMode = options.ceilMode ?? false;
  }

  private options() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }

  forward(input: Tensor): Tensor {
    return maxPool2d(input, this.kernelSize, this.options());
  }

  /** The pooled values and the flat in-plane index of each maximum (`return_indices=True`). */
  forwardWithIndices(input: Tensor): [Tensor, Tensor] {
    return maxPool2dWithIndices(input, this.kernelSize, this.options());
  }

  override extraRepr(): string {
    return (
      `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, ` +
      `dilation=${show(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`
    );
  }
}

export interface AvgPool2dModuleOptions {
  stride?: IntPair | null;
  padding?: IntPair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

export class AvgPool2d extends Module {
  readonly kernelSize: IntPair;
  readonly stride: IntPair;
  readonly padding: IntPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: IntPair, options: AvgPool2dModuleOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}
