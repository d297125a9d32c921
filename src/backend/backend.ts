/**
 * The backend boundary: every numeric loop of descent lives behind this interface.
 *
 * Ops (src/ops) compute shapes, dtypes and autograd; they allocate outputs through the backend
 * and hand it strided views. A backend owns the loops: the CPU backend (plain TypeScript over
 * typed arrays) is the reference, and faster backends (WASM SIMD) implement the same methods and
 * are tested against it.
 *
 * Conventions for every kernel:
 * - A `Strided` operand is (storage, shape, strides, offset) in elements; strides may be 0
 *   (broadcast) or describe any view. Element i₀…iₙ lives at `offset + Σ iₖ·stridesₖ`.
 * - Elementwise kernels receive inputs already broadcast to the output's shape (stride 0 on
 *   broadcast dims) and write `out`, which may be strided too (in-place ops pass a view).
 * - Values are read as JavaScript numbers and written into the output's typed array, so a
 *   float32 output is rounded once per operation like a float32 CPU kernel in PyTorch, an int32
 *   output wraps, and a bool output stores 0/1.
 */
import type { DType, TypedArray } from "../tensor/dtype.js";
import type { Shape } from "../tensor/shape.js";

/** A flat buffer of elements of one dtype. Views share it; `version` counts in-place writes. */
export interface Storage {
  readonly dtype: DType;
  readonly size: number;
  /** The elements as a typed array (a view of the backend's memory). */
  readonly data: TypedArray;
  /** Bumped by every in-place modification; autograd checks it for saved tensors. */
  version: number;
}

/** A strided view of a storage: what every kernel reads and writes. */
export interface Strided {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Elementwise functions of one tensor; `p0`/`p1` carry scalar parameters where noted. */
export type UnaryOp =
  | "neg" | "abs" | "sign" | "exp" | "expm1" | "log" | "log1p" | "log2" | "sqrt" | "rsqrt"
  | "square" | "reciprocal" | "sin" | "cos" | "tan" | "tanh" | "sigmoid" | "relu" | "floor"
  | "ceil" | "round" | "trunc" | "erf" | "logicalNot" | "isnan" | "isinf" | "isfinite"
  | "logsigmoid" // log σ(x), stable
  | "gelu" // x·Φ(x), exact (erf) form
  | "powScalar" // x ** p0
  | "rpowScalar" // p0 ** x
  | "clamp" // min(max(x, p0), p1); NaN bounds mean "no bound"
  | "leakyRelu" // x > 0 ? x : p0·x
  | "elu" // x > 0 ? x : p0·(eᕽ − 1)
  | "softplus" // (1/p0)·log(1 + e^(p0·x)), linear above p1
  | "addScalar" // x + p0
  | "mulScalar" // x · p0
  | "gtScalar" | "ltScalar" | "geScalar" | "leScalar" | "eqScalar" | "neScalar"; // x ⋚ p0 → bool

/** Elementwise functions of two tensors. */
export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "atan2" | "fmod" | "remainder"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "logicalAnd" | "logicalOr" | "logicalXor"
  | "xlogy" // a·log(b), 0 where a == 0
  | "addScaled" // a + p0·b, rounded once (PyTorch's add with alpha)
  // fused backward helpers (a = incoming gradient)
  | "reluBackward" // b = forward output or input: a · (b > 0)
  | "sigmoidBackward" // b = σ(x): a·b·(1 − b)
  | "tanhBackward" // b = tanh(x): a·(1 − b²)
  | "geluBackward" // b = x: a·(Φ(x) + x·φ(x))
  | "logsigmoidBackward"; // b = x: a·σ(−x)

export type ReduceOp = "sum" | "prod" | "max" | "min" | "amax" | "amin" | "anyNonzero" | "allNonzero";

export interface MatmulArgs {
  /** Batch count; a, b and out carry a leading batch dim (stride 0 where broadcast). */
  batch: number;
  m: number;
  n: number;
  k: number;
}

// ---- Convolution and pooling kernels (added with the nn layers) -------------------------------
// Everything below belongs to the nn layers (src/ops/conv.ts, src/ops/pool.ts). A backend that
// implements these methods supports Conv2d, MaxPool2d and AvgPool2d; the CPU reference lives in
// cpu/conv.ts and cpu/pool.ts. Layout is NCHW. Input operands (`Strided`) may have any strides;
// outputs are contiguous storages of the stated shape, fully overwritten. Padding is given as the
// top/left amount and the output size explicitly, so asymmetric padding (PyTorch's "same" with an
// even kernel) is expressed by an output size larger than the symmetric formula gives.

/** Sizes and hyper-parameters of a 2-D convolution (PyTorch's conv2d, zero padding). */
export interface Conv2dArgs {
  batch: number;
  inChannels: number;
  inH: number;
  inW: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  /** Zero rows added above the input (the bottom amount follows from outH). */
  padH: number;
  /** Zero columns added left of the input (the right amount follows from outW). */
  padW: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Sizes and hyper-parameters of a 2-D pooling window (each of the batch·channels planes is pooled alone). */
export interface Pool2dArgs {
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
}

/** Average pooling adds PyTorch's divisor rules (dilation is always 1). */
export interface AvgPool2dArgs extends Pool2dArgs {
  /** Divide by the window size including padding (clipped at input + padding), else by the in-input count. */
  countIncludePad: boolean;
  /** When non-null, divide every window sum by this instead. */
  divisorOverride: number | null;
}

// ---- Fused linear and optimizer steps (added with the WASM backend) --------------------------

/** Sizes of a fused linear layer: out [m, n] = x [m, k] · weightᵀ ([n, k]) + bias [n]. */
export interface LinearArgs {
  m: number;
  n: number;
  k: number;
}

/** Options of {@link Backend.alloc}. */
export interface AllocOptions {
  /**
   * A long-lived buffer (optimizer state): a backend may place it in its own memory, where its
   * kernels use it without copies (the WASM backend keeps it in the module memory and frees it
   * after the storage is garbage-collected). Never use it for per-step temporaries.
   */
  persistent?: boolean;
}

/** A flat float array an optimizer updates in place. */
export type FloatArray = Float32Array | Float64Array;

/** One `torch.optim.SGD` step over one parameter (src/optim/sgd.ts holds the reference kernel). */
export interface SgdStep {
  readonly kind: "sgd";
  readonly param: FloatArray;
  readonly grad: FloatArray;
  /** Null without momentum. */
  readonly momentumBuffer: FloatArray | null;
  /** The momentum buffer is new: it receives the (decayed) gradient. */
  readonly firstStep: boolean;
  readonly hyper: {
    readonly lr: number; readonly momentum: number; readonly dampening: number;
    readonly weightDecay: number; readonly nesterov: boolean; readonly maximize: boolean;
  };
}

/** One `torch.optim.Adam` / `AdamW` step over one parameter (src/optim/adam.ts holds the reference kernel). */
export interface AdamStep {
  readonly kind: "adam";
  readonly param: FloatArray;
  readonly grad: FloatArray;
  readonly expAvg: FloatArray;
  readonly expAvgSq: FloatArray;
  /** Required when amsgrad. */
  readonly maxExpAvgSq: FloatArray | null;
  /** The step count after incrementing (1 on the first step). */
  readonly step: number;
  /** AdamW's decoupled weight decay instead of Adam's L2 term. */
  readonly decoupled: boolean;
  readonly hyper: {
    readonly lr: number; readonly betas: readonly [number, number]; readonly eps: number;
    readonly weightDecay: number; readonly amsgrad: boolean; readonly maximize: boolean;
  };
}

/** A fused optimizer step. */
export type OptimizerStep = SgdStep | AdamStep;

export interface Backend {
  readonly name: string;

  /** Zero-filled storage (`options.persistent`: a long-lived buffer, see AllocOptions). */
  alloc(dtype: DType, size: number, options?: AllocOptions): Storage;
  /** Storage over an existing typed array (no copy). */
  wrap(data: TypedArray): Storage;

  // Elementwise
  unary(op: UnaryOp, x: Strided, out: Strided, p0?: number, p1?: number): void;
  binary(op: BinaryOp, a: Strided, b: Strided, out: Strided, p0?: number): void;
  /** out = cond ? a : b (cond is read as truthy/falsy). */
  where(cond: Strided, a: Strided, b: Strided, out: Strided): void;
  /** Copy with dtype conversion (float → int truncates toward zero, like a C cast). */
  copy(src: Strided, out: Strided): void;
  fill(out: Strided, value: number): void;

  // Reductions: `out` is contiguous with x's shape minus the reduced dims (in order).
  reduce(op: ReduceOp, x: Strided, dims: readonly number[], out: Storage): void;
  /** Index (int32) of the max/min along one dim; first occurrence wins, NaN counts as max. */
  argReduce(op: "argmax" | "argmin", x: Strided, dim: number, out: Storage): void;

  /** out[b] = a[b] @ b[b]: a is [batch, m, k], b is [batch, k, n] (any strides), out contiguous [batch, m, n]. */
  matmul(a: Strided, b: Strided, out: Storage, args: MatmulArgs): void;
  /**
   * Fused linear layer (PyTorch's addmm(bias, x, weightᵀ)): out [m, n] contiguous = x [m, k] ·
   * weight [n, k]ᵀ + bias [n] (any strides; bias null: none). The CPU reference rounds the product
   * once, then adds the bias (the unfused matmul + add).
   */
  linear(x: Strided, weight: Strided, bias: Strided | null, out: Storage, args: LinearArgs): void;
  /**
   * One optimizer step in place, bit-identical to the optimizer's reference kernel. Returns false
   * when this backend does not handle it (the CPU backend never does: the optimizer then runs its
   * reference kernel, which is the CPU implementation).
   */
  optimizerStep(step: OptimizerStep): boolean;

  /** Softmax (or log-softmax) along `dim` of a tensor; out contiguous, same shape. */
  softmax(x: Strided, dim: number, out: Storage, log: boolean): void;
  /** Gradient of softmax / log-softmax given the forward output y and upstream gradient gy. */
  softmaxBackward(y: Strided, gy: Strided, dim: number, out: Storage, log: boolean): void;
  /** log Σ exp along `dim` (stable); out contiguous in the reduced shape (dim removed). */
  logsumexp(x: Strided, dim: number, out: Storage): void;

  /** out[...i, j, k...] = x[...i, index[...i, j, k...], k...] along dim (index int32, shape of out). */
  gather(x: Strided, dim: number, index: Strided, out: Storage): void;
  /** out[...index[...j...]...] += src[...j...] along dim, in place on `out`. */
  scatterAdd(out: Strided, dim: number, index: Strided, src: Strided): void;
  /** out = x.index_select(dim, index) (index 1-D int32). */
  indexSelect(x: Strided, dim: number, index: Strided, out: Storage): void;
  /** out.index_add_(dim, index, src) in place (the gradient of indexSelect). */
  indexAdd(out: Strided, dim: number, index: Strided, src: Strided): void;

  // ---- Convolution and pooling (nn layers; see the block comment above Conv2dArgs) -----------
  /** out [batch, outChannels, outH, outW] = conv2d(x [batch, inChannels, inH, inW], w [outChannels, inChannels/groups, kernelH, kernelW]) + bias [outChannels] (bias null: none). */
  conv2d(x: Strided, w: Strided, bias: Strided | null, out: Storage, args: Conv2dArgs): void;
  /** gx [batch, inChannels, inH, inW] = gradient of conv2d with respect to its input, given gy [batch, outChannels, outH, outW]. */
  conv2dBackwardInput(gy: Strided, w: Strided, gx: Storage, args: Conv2dArgs): void;
  /** gw [outChannels, inChannels/groups, kernelH, kernelW] (and gbias [outChannels] unless null) = gradients of conv2d with respect to weight and bias. */
  conv2dBackwardWeight(x: Strided, gy: Strided, gw: Storage, gbias: Storage | null, args: Conv2dArgs): void;
  /**
   * out and indices [batch, channels, outH, outW]: the max of each window (padding never wins) and
   * its flat position ih·inW + iw in the input plane (int32). PyTorch's rule: the first maximum
   * wins, and a NaN beats everything (the last NaN of a window wins).
   */
  maxPool2d(x: Strided, out: Storage, indices: Storage, args: Pool2dArgs): void;
  /** gx [batch, channels, inH, inW] = Σ gy at the recorded indices (zero elsewhere). */
  maxPool2dBackward(gy: Strided, indices: Strided, gx: Storage, args: Pool2dArgs): void;
  /** out [batch, channels, outH, outW] = window sums divided by PyTorch's divisor (see AvgPool2dArgs). */
  avgPool2d(x: Strided, out: Storage, args: AvgPool2dArgs): void;
  /** gx [batch, channels, inH, inW] = the gradient of avgPool2d given gy. */
  avgPool2dBackward(gy: Strided, gx: Storage, args: AvgPool2dArgs): void;

  // ---- Losses (src/backend/cpu/loss.ts documents the formulas) -------------------------------
  /**
   * Negative log-likelihood over the class dim of x [N, C, K] with int32 targets [N, K], fused with
   * log-softmax when `lse` ([N·K]) is given (softmax cross-entropy). Writes out[N·K] (0 where the
   * target is ignoreIndex) and returns Σ w[target] over the non-ignored positions.
   */
  nllLoss(x: Strided, target: Strided, weight: Strided | null, ignoreIndex: number, out: Storage, lse: Storage | null): number;
  /** Gradient of nllLoss into gx (contiguous [N, C, K], zero-filled), scaled by scale·gOut[n, k]. */
  nllLossBackward(
    x: Strided, target: Strided, weight: Strided | null, ignoreIndex: number,
    gOut: Strided, scale: number, lse: Storage | null, gx: Storage,
  ): void;
  /** CTC forward over logProbs [T, N, C]: nll [N] and logAlpha [N, T, 2·max(targetLengths)+1]. */
  ctcLoss(
    logProbs: Strided, targets: Strided, inputLengths: Int32Array, targetLengths: Int32Array,
    blank: number, nll: Storage, logAlpha: Storage,
  ): void;
  /** CTC gradient (PyTorch's formula) into grad, contiguous [T, N, C]. */
  ctcLossBackward(
    logProbs: Strided, targets: Strided, inputLengths: Int32Array, targetLengths: Int32Array,
    blank: number, nll: Storage, logAlpha: Storage, gOut: Strided, zeroInfinity: boolean, grad: Storage,
  ): void;
  /** multilabel_margin_loss's masks: isTarget [N, C] and valid [N, C] (bool, zero-filled) from target [N, C]. */
  multilabelMarginMask(target: Strided, isTarget: Storage, valid: Storage): void;

  // ---- Batch normalisation (fused; src/nn/functional/layers.ts, formulas in cpu/batchnorm.ts) --
  // x and gy are contiguous views [N, C, *] (read as [N, C, S]); mean, varSum and invstd are
  // storages of x's dtype with C elements; weight and bias are [C] views (null: 1 and 0).
  /** Batch statistics: mean[c] = Σ x / (N·S), varSum[c] = Σ (x − mean[c])² (float64 sums, rounded to x's dtype). */
  batchNormStats(x: Strided, mean: Storage, varSum: Storage): void;
  /** out [N, C, S] = x·α[c] + β[c] with α = invstd·weight, β = bias − mean·α rounded to x's dtype. */
  batchNormForward(x: Strided, mean: Storage, invstd: Storage, weight: Strided | null, bias: Strided | null, out: Storage): void;
  /**
   * Gradients of batchNormForward given gy: gx [N, C, S] (through the batch statistics when
   * `training`), gWeight and gBias [C]; each may be null (not computed).
   */
  batchNormBackward(
    x: Strided, gy: Strided, mean: Storage, invstd: Storage, weight: Strided | null, training: boolean,
    gx: Storage | null, gWeight: Storage | null, gBias: Storage | null,
  ): void;
}
