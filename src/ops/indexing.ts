/**
 * Index-driven ops: gather / scatterAdd along a dim, indexSelect / indexAdd with a 1-D index,
 * maskedFill. Indices are int32 tensors (descent's index type; torch uses int64).
 */
import { backend } from "../backend/registry.js";
import { record } from "../autograd/node.js";
import { fmtShape, normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { empty, scalarTensor } from "./helpers.js";
import { where } from "./elementwise.js";
import { clone } from "./movement.js";

function checkIndexDtype(index: Tensor, op: string): void {
  if (index.dtype !== "int32") throw new TypeError(`${op}(): Expected dtype int32 for index, but got ${index.dtype}`);
}

function checkGatherShapes(op: string, x: Tensor, dim: number, index: Tensor, what: string): void {
  if (index.ndim !== x.ndim && !(index.ndim <= 1 && x.ndim <= 1))
    throw new RangeError(`Index tensor must have the same number of dimensions as ${what} tensor`);
  for (let d = 0; d < index.ndim; d++) {
    if (d !== dim && index.shape[d]! > x.shape[d]!)
      throw new RangeError(
        `Size does not match at dimension ${d} expected index ${fmtShape(index.shape)} to be smaller than ${what} ${fmtShape(x.shape)} apart from dimension ${dim}`,
      );
  }
  void op;
}

/** out[i][j] = x[index[i][j]][j] (dim 0), and so on for other dims, like `torch.gather`. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndexDtype(index, "gather");
  const d = normalizeDim(dim, x.ndim);
  checkGatherShapes("gather", x, d, index, "self");
  const out = empty(index.shape, x.dtype);
  backend().gather(x, d, index, out.storage);
  return record(
    out,
    "GatherBackward0",
    [x],
    (g) => [scatterAddInto(empty(x.shape, g.dtype), d, index, g)],
    [index],
  );
}

function scatterAddInto(target: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  backend().scatterAdd(target, dim, index, src);
  return target;
}

/** self.scatter_add(dim, index, src): a copy of self with src added at the indexed positions. */
export function scatterAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkIndexDtype(index, "scatter_add");
  const d = normalizeDim(dim, self.ndim);
  checkGatherShapes("scatter_add", self, d, index, "self");
  for (let k = 0; k < index.ndim; k++)
    if (index.shape[k]! > (src.shape[k] ?? 1))
      throw new RangeError(
        `Size does not match at dimension ${k} expected index ${fmtShape(index.shape)} to be smaller than src ${fmtShape(src.shape)}`,
      );
  if (src.dtype !== self.dtype)
    throw new TypeError(`scatter_add(): Expected self.dtype to be equal to src.dtype (${self.dtype} vs ${src.dtype})`);
  const out = empty(self.shape, self.dtype);
  backend().copy(self, out);
  backend().scatterAdd(out, d, index, src);
  return record(
    out,
    "ScatterAddBackward0",
    [self, src],
    (g) => [self.requiresGrad ? g : null, src.requiresGrad ? gatherPadded(g, d, index, src) : null],
    [index],
  );
}

/** Gradient for src of scatterAdd: g gathered at index, zero where src is larger than index. */
function gatherPadded(g: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const picked = empty(index.shape, g.dtype);
  backend().gather(g, dim, index, picked.storage);
  let same = true;
  for (let k = 0; k < src.ndim; k++) if (src.shape[k] !== index.shape[k]) same = false;
  if (same) return picked;
  const full = empty(src.shape, g.dtype);
  let region: Tensor = full;
  for (let k = 0; k < index.ndim; k++) region = region.narrow(k, 0, index.shape[k]!);
  backend().copy(picked, region);
  return full;
}

function checkVectorIndex(index: Tensor, op: string): void {
  checkIndexDtype(index, op);
  if (index.ndim > 1) throw new RangeError(`${op}(): Index is supposed to be a vector`);
}

/** Rows (or slices along `dim`) of x picked by a 1-D index, like `torch.index_select`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkVectorIndex(index, "index_select");
  const d = x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim);
  const idx = index.ndim === 0 ? index.reshape([1]) : index;
  const shape = x.shape.slice();
  if (x.ndim > 0) shape[d] = idx.shape[0]!;
  const out = empty(shape, x.dtype);
  if (x.ndim === 0) {
    if (idx.numel() !== 1 || idx.item() !== 0) throw new RangeError(`index out of range in self`);
    backend().copy(x, out);
  } else backend().indexSelect(x, d, idx, out.storage);
  return record(
    out,
    "IndexSelectBackward0",
    [x],
    (g) => {
      const z = empty(x.shape, g.dtype);
      if (x.ndim === 0) return [g];
      backend().indexAdd(z, d, idx, g);
      return [z];
    },
    [index],
  );
}

/** self.index_add(dim, index, source): a copy of self with source's slices added at index. */
export function indexAdd(self: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  checkVectorIndex(index, "index_add");
  const d = normalizeDim(dim, self.ndim);
  const out = clone(self);
  backend().indexAdd(out, d, index, source);
  return record(
    out,
    "IndexAddBackward0",
    [self, source],
    (g) => [self.requiresGrad ? g : null, source.requiresGrad ? indexSelect(g, d, index) : null],
    [index],
  );
}

/** x with `value` where mask is true (mask broadcasts to x's shape). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== "bool")
    throw new TypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  return where(mask, scalarTensor(value, x.dtype), x);
}
