/**
 * `nn.init`: PyTorch's weight initialisers (torch.nn.init), filling tensors in place without
 * recording gradients. Random fills draw from the default generator (or the one passed), with
 * PyTorch's streams, so `manualSeed(s)` followed by the same calls reproduces torch's values bit
 * for bit (except `truncNormal_` and `orthogonal_`, see below).
 *
 * - uniform_(a, b), normal_(mean, std), constant_, ones_, zeros_, eye_, dirac_
 * - xavierUniform_ / xavierNormal_ (Glorot & Bengio 2010): std = gain·√(2/(fan_in + fan_out)),
 *   uniform bound √3·std
 * - kaimingUniform_ / kaimingNormal_ (He et al. 2015): std = gain/√fan, gain = calculateGain(nonlinearity, a)
 * - truncNormal_: N(mean, std²) truncated to [a, b] by the inverse-CDF method, like PyTorch:
 *   u ~ U(2Φ(α) − 1, 2Φ(β) − 1), x = mean + std·√2·erfinv(u), clamped to [a, b]
 * - orthogonal_ (Saxe et al. 2013): Q of the QR factorisation of a standard normal matrix, with
 *   R's diagonal made positive; sparse_ (Martens 2010)
 *
 * PyTorch parity: the bounds and standard deviations are computed with the same double
 * arithmetic as torch.nn.init, and the fills are PyTorch's `uniform_`/`normal_`/`randperm`, so
 * the values are identical. `truncNormal_` evaluates erfinv in float64 (PyTorch: in the tensor's
 * dtype), so float32 results agree to float32 rounding; `orthogonal_` uses Gram–Schmidt (twice)
 * instead of LAPACK's Householder QR, which gives the same Q to rounding.
 */
import type { Tensor } from "../tensor/tensor.js";
import { isFloating } from "../tensor/dtype.js";
import { defaultGenerator, type Generator } from "../tensor/generator.js";
import { normal_ as fillNormal, uniform_ as fillUniform, randperm } from "../tensor/random.js";
import { eye, zeros } from "../tensor/creation.js";
import { noGrad } from "../autograd/grad_mode.js";
import { backend } from "../backend/registry.js";
import { empty } from "../ops/helpers.js";
import { abs, add, div, eq, exp, le, log, mul, sign, sqrt, sub, where } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { norm } from "../ops/reduce.js";
import { cast, reshape, t as transpose2d } from "../ops/movement.js";

/** Non-linearities known to {@link calculateGain} (PyTorch's `nn.functional` names). */
export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

export type FanMode = "fan_in" | "fan_out";

const LINEAR_FNS = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];

/**
 * The recommended gain for a non-linearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for relu,
 * √(2/(1 + slope²)) for leaky_relu (slope `param`, default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param: number | null = null): number {
  if (LINEAR_FNS.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    let slope: number;
    if (param === null) slope = 0.01;
    else if (typeof param === "number" && Number.isFinite(param)) slope = param;
    else throw new RangeError(`negative_slope ${String(param)} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new RangeError(`Unsupported nonlinearity ${String(nonlinearity)}`);
}

/**
 * (fan_in, fan_out) of a weight: dim 1 and dim 0 sizes times the receptive field (the product of
 * the remaining dims), like PyTorch's `_calculate_fan_in_and_fan_out`.
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  if (tensor.ndim < 2)
    throw new RangeError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  let receptive = 1;
  for (let d = 2; d < tensor.ndim; d++) receptive *= tensor.shape[d]!;
  return [tensor.shape[1]! * receptive, tensor.shape[0]! * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") throw new RangeError(`Mode ${mode} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

function checkFloat(tensor: Tensor, fn: string): void {
  if (!isFloating(tensor.dtype)) throw new TypeError(`nn.init.${fn}: expected a floating point tensor, but got ${tensor.dtype}`);
}

/** Fill with U(a, b) (PyTorch's `uniform_`). */
export function uniform_(tensor: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  checkFloat(tensor, "uniform_");
  return fillUniform(tensor, a, b, generator);
}

/** Fill with N(mean, std²) (PyTorch's `normal_`). */
export function normal_(tensor: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  checkFloat(tensor, "normal_");
  if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  return fillNormal(tensor, mean, std, generator);
}

/** Fill with `val`. */
export function constant_(tensor: Tensor, val: number): Tensor {
  noGrad(() => tensor.fill_(val));
  return tensor;
}

export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

export function zeros_(tensor: Tensor): Tensor {
  return constant_(tensor, 0);
}

/** The identity matrix (a 2-D tensor only). */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.ndim !== 2) throw new RangeError("Only tensors with 2 dimensions are supported");
  noGrad(() => tensor.copy_(eye(tensor.shape[0]!, tensor.shape[1]!, { dtype: tensor.dtype })));
  return tensor;
}

/**
 * The Dirac delta of a {3, 4, 5}-D convolution weight: output channel g·(out/groups) + d passes
 * input channel d through at the kernel centre, for d < min(out/groups, in).
 */
export function dirac_(tensor: Tensor, groups = 1): Tensor {
  const dims = tensor.ndim;
  if (dims < 3 || dims > 5) throw new RangeError("Only tensors with 3, 4, or 5 dimensions are supported");
  const sizes = tensor.shape;
  if (sizes[0]! % groups !== 0) throw new RangeError("dim 0 must be divisible by groups");
  const outPerGroup = sizes[0]! / groups;
  const minDim = Math.min(outPerGroup, sizes[1]!);
  noGrad(() => {
    tensor.zero_();
    for (let g = 0; g < groups; g++) {
      for (let d = 0; d < minDim; d++) {
        let v = tensor.select(0, g * outPerGroup + d).select(0, d);
        for (let k = 2; k < dims; k++) v = v.select(0, Math.floor(sizes[k]! / 2));
        v.fill_(1);
      }
    }
  });
  return tensor;
}

/** U(−a, a) with a = gain·√(6/(fan_in + fan_out)). */
export function xavierUniform_(tensor: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a, generator);
}

/** N(0, std²) with std = gain·√(2/(fan_in + fan_out)). */
export function xavierNormal_(tensor: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(tensor, 0, std, generator);
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (used with leaky_relu; default 0). */
  a?: number;
  /** "fan_in" (default) preserves forward variance, "fan_out" backward variance. */
  mode?: FanMode;
  /** Default "leaky_relu". */
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

/** U(−bound, bound) with bound = gain·√(3/fan). Zero-element tensors are left alone. */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  if (tensor.shape.includes(0)) return tensor;
  const fan = correctFan(tensor, options.mode ?? "fan_in");
  const gain = calculateGain(options.nonlinearity ?? "leaky_relu", options.a ?? 0);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound, options.generator);
}

/** N(0, std²) with std = gain/√fan. Zero-element tensors are left alone. */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  if (tensor.shape.includes(0)) return tensor;
  const fan = correctFan(tensor, options.mode ?? "fan_in");
  const gain = calculateGain(options.nonlinearity ?? "leaky_relu", options.a ?? 0);
  const std = gain / Math.sqrt(fan);
  return normal_(tensor, 0, std, options.generator);
}

export interface TruncNormalOptions {
  mean?: number;
  std?: number;
  /** Lower cut-off (default −2). */
  a?: number;
  /** Upper cut-off (default 2). */
  b?: number;
  generator?: Generator;
}

/** erf of a float64 tensor (the backend's kernel). */
function erf(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  backend().unary("erf", x, out);
  return out;
}

/** Scalar erf for the cut-off CDF values (float64). */
function erfScalar(x: number): number {
  const t = zeros([1], { dtype: "float64" });
  t.fill_(x);
  return erf(t).item();
}

/** erfinv of a float64 tensor: PyTorch's `calc_erfinv` (rational start, two Newton steps). */
function erfinv(y: Tensor): Tensor {
  const A = [0.886226899, -1.645349621, 0.914624893, -0.140543331];
  const B = [-2.118377725, 1.442710462, -0.329097515, 0.012229801];
  const C = [-1.970840454, -1.624906493, 3.429567803, 1.641345311];
  const D = [3.5438892, 1.6370678];
  const ay = abs(y);
  const z = mul(y, y);
  const num = add(mul(add(mul(add(mul(z, A[3]!), A[2]!), z), A[1]!), z), A[0]!);
  const dem = add(mul(add(mul(add(mul(add(mul(z, B[3]!), B[2]!), z), B[1]!), z), B[0]!), z), 1);
  const central = div(mul(y, num), dem);
  const zt = sqrt(log(div(sub(1, ay), 2)).neg());
  const numT = add(mul(add(mul(add(mul(zt, C[3]!), C[2]!), zt), C[1]!), zt), C[0]!);
  const demT = add(mul(add(mul(zt, D[1]!), D[0]!), zt), 1);
  const tail = div(mul(sign(y), numT), demT);
  let x = where(le(ay, 0.7), central, tail);
  const k = 2 / Math.sqrt(Math.PI);
  for (let i = 0; i < 2; i++) x = sub(x, div(sub(erf(x), y), mul(exp(mul(x, x).neg()), k)));
  // |y| = 1 gives ±inf, |y| > 1 NaN (the Newton steps would turn inf into NaN)
  return where(eq(ay, 1), mul(sign(y), Infinity), x);
}

/** N(mean, std²) truncated to [a, b] (values outside are redrawn, in distribution). */
export function truncNormal_(tensor: Tensor, options: TruncNormalOptions = {}): Tensor {
  checkFloat(tensor, "truncNormal_");
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const a = options.a ?? -2;
  const b = options.b ?? 2;
  const normCdf = (x: number): number => (1 + erfScalar(x / Math.sqrt(2))) / 2;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  noGrad(() => {
    fillUniform(tensor, 2 * l - 1, 2 * u - 1, options.generator ?? defaultGenerator);
    const x = cast(erfinv(cast(tensor, "float64")), tensor.dtype);
    tensor.copy_(x);
    tensor.mul_(std * Math.sqrt(2));
    tensor.add_(mean);
    tensor.clamp_(a, b);
  });
  return tensor;
}

/**
 * A (semi-)orthogonal matrix times `gain` (trailing dims flattened): rows·cols standard normal
 * draws in the tensor's dtype, transposed when rows < cols, orthonormalised.
 */
export function orthogonal_(tensor: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  if (tensor.ndim < 2) throw new RangeError("Only tensors with 2 or more dimensions are supported");
  checkFloat(tensor, "orthogonal_");
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.shape[0]!;
  const cols = tensor.numel() / rows;
  noGrad(() => {
    const flat = zeros([rows, cols], { dtype: tensor.dtype });
    fillNormal(flat, 0, 1, generator);
    let m = cast(flat, "float64");
    if (rows < cols) m = transpose2d(m);
    let q = gramSchmidt(m);
    if (rows < cols) q = transpose2d(q);
    tensor.copy_(reshape(mul(q, gain), tensor.shape));
  });
  return tensor;
}

/** Q of A = QR (A: n × k, n ≥ k) with R's diagonal positive: classical Gram–Schmidt, applied twice per column. */
function gramSchmidt(a: Tensor): Tensor {
  const [n, k] = a.shape as [number, number];
  const q = zeros([n, k], { dtype: "float64" });
  for (let j = 0; j < k; j++) {
    let v = a.select(1, j);
    if (j > 0) {
      const basis = q.narrow(1, 0, j);
      for (let pass = 0; pass < 2; pass++) v = sub(v, matmul(basis, matmul(transpose2d(basis), v)));
    }
    q.select(1, j).copy_(div(v, norm(v)));
  }
  return q;
}

/**
 * A 2-D sparse matrix: N(0, std²) entries with ⌈sparsity·rows⌉ zeros per column, the zero rows of
 * each column chosen by `randperm(rows)` (one permutation per column, as PyTorch draws them).
 */
export function sparse_(tensor: Tensor, sparsity: number, std = 0.01, generator: Generator = defaultGenerator): Tensor {
  if (tensor.ndim !== 2) throw new RangeError("Only tensors with 2 dimensions are supported");
  const [rows, cols] = tensor.shape as [number, number];
  const numZeros = Math.ceil(sparsity * rows);
  noGrad(() => {
    normal_(tensor, 0, std, generator);
    for (let c = 0; c < cols; c++) {
      const perm = randperm(rows, { generator });
      const zeroRows = perm.narrow(0, 0, Math.min(numZeros, rows));
      const mask = zeros([rows], { dtype: tensor.dtype });
      backend().indexAdd(mask, 0, zeroRows, zeros([zeroRows.numel()], { dtype: tensor.dtype }).add(1));
      const col = tensor.select(1, c);
      col.copy_(where(eq(mask, 0), col, 0));
    }
  });
  return tensor;
}
