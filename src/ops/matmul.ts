/**
 * Matrix products with `torch.matmul`'s rules: 1-D·1-D is a dot product, 2-D·2-D a matrix
 * product, 1-D operands get a dim prepended/appended and removed again, and leading batch dims
 * broadcast. The backend kernel reads any strides, so transposed operands are never copied.
 */
import type { Strided } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { broadcastShapes, broadcastStrides, fmtShape, type Shape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { empty } from "./helpers.js";
import { sumTo } from "./reduce.js";
import { contiguousOrSelf, named, squeeze, transpose, unsqueeze, expand } from "./movement.js";
import { noGrad } from "../autograd/grad_mode.js";

/** View x as [batch, rows, cols] after broadcasting its batch dims to `batchShape`. */
function batched(x: Tensor, batchShape: Shape, rows: number, cols: number): Strided {
  const shape = [...batchShape, rows, cols];
  const strides = broadcastStrides(x.shape, x.strides, shape);
  const nb = batchShape.length;
  let batch = 1;
  for (const d of batchShape) batch *= d;
  // the (non-trivial) batch dims must collapse into one stride, else materialise the broadcast copy
  const dims = batchShape.map((_, i) => i).filter((i) => batchShape[i] !== 1);
  let ok = true;
  for (let j = 0; j + 1 < dims.length; j++)
    if (strides[dims[j]!] !== strides[dims[j + 1]!]! * batchShape[dims[j + 1]!]!) ok = false;
  if (ok) {
    const bStride = dims.length ? strides[dims[dims.length - 1]!]! : 0;
    return { storage: x.storage, shape: [batch, rows, cols], strides: [bStride, strides[nb]!, strides[nb + 1]!], offset: x.offset };
  }
  const c = noGrad(() => contiguousOrSelf(expand(x, shape)));
  return { storage: c.storage, shape: [batch, rows, cols], strides: [rows * cols, cols, 1], offset: c.offset };
}

/** Core product of two tensors with ndim >= 2: (..., m, k) @ (..., k, n). */
function matmulNd(a: Tensor, b: Tensor): Tensor {
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const k2 = b.shape[b.ndim - 2]!;
  const n = b.shape[b.ndim - 1]!;
  if (k !== k2) {
    const aa = a.ndim === 2 ? `${m}x${k}` : fmtShape(a.shape);
    const bb = b.ndim === 2 ? `${k2}x${n}` : fmtShape(b.shape);
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${aa} and ${bb})`);
  }
  if (a.dtype !== b.dtype)
    throw new TypeError(`expected scalar type ${torchType(a.dtype)} but found ${torchType(b.dtype)}`);
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  let batch = 1;
  for (const d of batchShape) batch *= d;
  const out = empty([...batchShape, m, n], a.dtype);
  backend().matmul(batched(a, batchShape, m, k), batched(b, batchShape, k, n), out.storage, { batch, m, n, k });
  const name = a.ndim === 2 && b.ndim === 2 ? "MmBackward0" : "BmmBackward0";
  return record(
    out,
    name,
    [a, b],
    (g) => [
      a.requiresGrad ? sumTo(matmulNd(g, transpose(b, -1, -2)), a.shape) : null,
      b.requiresGrad ? sumTo(matmulNd(transpose(a, -1, -2), g), b.shape) : null,
    ],
    [a, b],
  );
}

function torchType(d: string): string {
  return ({ float32: "Float", float64: "Double", int32: "Int", bool: "Bool" } as Record<string, string>)[d]!;
}

/** PyTorch's should_fold: whether matmul folds t's batch dims into rows and calls mm/mv. */
function shouldFold(t: Tensor, otherNdim: number): boolean {
  if (t.ndim < 3 || (otherNdim !== 1 && otherNdim !== 2)) return false;
  // a 3-D tensor with transposed matrices over a contiguous batch goes to bmm instead
  return !(t.ndim === 3 && otherNdim === 2 && t.strides[2] !== 1 && t.strides[0] === t.shape[1]! * t.shape[2]!);
}

/**
 * Throw PyTorch's message for operands that cannot be multiplied. torch.matmul dispatches to
 * dot / mv / mm (after folding batch dims into rows) / bmm (after broadcasting batch dims), and
 * the message comes from whichever it reaches, so it is reproduced here from the same rules.
 */
function checkMatmulShapes(a: Tensor, b: Tensor): void {
  const da = a.ndim;
  const db = b.ndim;
  const prod = (s: readonly number[]): number => s.reduce((x, y) => x * y, 1);
  const mm = (m: number, k: number, k2: number, n: number): void => {
    if (k !== k2) throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`);
  };
  const mv = (m: number, k: number, k2: number): void => {
    if (k !== k2) throw new RangeError(`size mismatch, got ${m}, ${m}x${k},${k2}`);
  };
  const as = a.shape;
  const bs = b.shape;
  if (da === 1 && db === 1) {
    if (as[0] !== bs[0])
      throw new RangeError(
        `inconsistent tensor size, expected tensor [${as[0]}] and src [${bs[0]}] to have the same number of elements, but got ${as[0]} and ${bs[0]} elements respectively`,
      );
  } else if (da === 2 && db === 1) mv(as[0]!, as[1]!, bs[0]!);
  else if (da === 1 && db === 2) mm(1, as[0]!, bs[0]!, bs[1]!);
  else if (da === 2 && db === 2) mm(as[0]!, as[1]!, bs[0]!, bs[1]!);
  else if (shouldFold(a, db) || shouldFold(b, da)) {
    // fold the batch of the larger operand (b transposed when it is the larger one) into rows
    const transpose = db > da;
    const t1 = transpose ? [...bs.slice(0, -2), bs[db - 1]!, bs[db - 2]!] : as;
    const t2 = transpose ? (da === 2 ? [as[1]!, as[0]!] : as) : bs;
    const rows = prod(t1.slice(0, -1));
    if (t2.length === 1) mv(rows, t1[t1.length - 1]!, t2[0]!);
    else mm(rows, t1[t1.length - 1]!, t2[0]!, t2[1]!);
  } else {
    // bmm over the broadcast batch dims (broadcasting errors come first)
    const batch = prod(broadcastShapes(as.slice(0, -2), bs.slice(0, -2)));
    const k = as[da - 1]!;
    const k2 = bs[db - 2]!;
    if (k !== k2)
      throw new RangeError(
        `Expected size for first two dimensions of batch2 tensor to be: [${batch}, ${k}] but got: [${batch}, ${k2}].`,
      );
  }
}

/** The grad_fn name PyTorch's matmul leaves on its result (from the kernel it dispatches to). */
function nodeName(a: Tensor, b: Tensor): string {
  const da = a.ndim;
  const db = b.ndim;
  if (da === 1 && db === 1) return "DotBackward0";
  if (da === 2 && db === 1) return "MvBackward0";
  if (da === 1 && db === 2) return "SqueezeBackward3";
  if (da === 2 && db === 2) return "MmBackward0";
  // folded into mm: the transposed fold of a matrix ends with .contiguous() (a clone)
  if (shouldFold(a, db) || shouldFold(b, da)) return db > da && da === 2 ? "CloneBackward0" : "UnsafeViewBackward0";
  return "UnsafeViewBackward0";
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0)
    throw new RangeError(
      `both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`,
    );
  checkMatmulShapes(a, b);
  const name = nodeName(a, b);
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, -1) : b;
  let out = matmulNd(a2, b2);
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, out.ndim === 1 && b.ndim === 1 ? 0 : -2);
  return out.gradFn !== null && out.gradFn.name !== name ? named(out, name) : out;
}
