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
import { contiguousOrSelf, squeeze, transpose, unsqueeze, expand } from "./movement.js";
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

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0)
    throw new RangeError(
      `both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`,
    );
  if (a.ndim === 1 && b.ndim === 1 && a.shape[0] !== b.shape[0])
    throw new RangeError(
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, -1) : b;
  let out = matmulNd(a2, b2);
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, out.ndim === 1 && b.ndim === 1 ? 0 : -2);
  return out;
}
