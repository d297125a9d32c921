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
import { sumTo } from "./reduce.js";
import { noGrad } from "../autograd/grad_mode.js";

function checkIndexDtype(index: Tensor, op: string): void {
  // PyTorch: "gather(): Expected dtype int64 for index" (descent's index dtype is int32)
  if (index.dtype !== "int32") throw new TypeError(`${op}(): Expected dtype int32 for index, but got ${index.dtype}`);
}

const nonEmptyDim = (t: Tensor): number => Math.max(t.ndim, 1);
const nonEmptySize = (t: Tensor, d: number): number => (t.ndim === 0 ? 1 : t.shape[d]!);

/** PyTorch's gather_shape_check. */
function checkGatherShapes(x: Tensor, dim: number, index: Tensor): void {
  if (nonEmptyDim(x) !== nonEmptyDim(index))
    throw new RangeError("Index tensor must have the same number of dimensions as input tensor");
  for (let d = 0; d < nonEmptyDim(x); d++) {
    if (d !== dim && nonEmptySize(index, d) > nonEmptySize(x, d))
      throw new RangeError(
        `Size does not match at dimension ${d} expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${dim}`,
      );
  }
}

/** PyTorch's scatter_shape_check (with a src tensor). */
function checkScatterShapes(self: Tensor, dim: number, index: Tensor, src: Tensor): void {
  if (nonEmptyDim(index) !== nonEmptyDim(src))
    throw new RangeError("Index tensor must have the same number of dimensions as src tensor");
  if (index.numel() === 0) return;
  if (nonEmptyDim(self) !== nonEmptyDim(index))
    throw new RangeError("Index tensor must have the same number of dimensions as self tensor");
  let wrong = false;
  for (let d = 0; d < nonEmptyDim(self); d++) {
    const i = nonEmptySize(index, d);
    if ((d !== dim && i > nonEmptySize(self, d)) || i > nonEmptySize(src, d)) wrong = true;
  }
  if (wrong)
    throw new RangeError(
      `Expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(self.shape)} apart from dimension ${dim} and to be smaller size than src ${fmtShape(src.shape)}`,
    );
}

/** out[i][j] = x[index[i][j]][j] (dim 0), and so on for other dims, like `torch.gather`. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim);
  checkIndexDtype(index, "gather");
  checkGatherShapes(x, d, index);
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
  const d = normalizeDim(dim, self.ndim);
  checkIndexDtype(index, "scatter");
  if (src.dtype !== self.dtype) throw new TypeError("scatter(): Expected self.dtype to be equal to src.dtype");
  checkScatterShapes(self, d, index, src);
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

const torchScalarName = (d: string): string =>
  ({ float32: "Float", float64: "Double", int32: "Int", bool: "Bool" } as Record<string, string>)[d]!;

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
  const d = normalizeDim(dim, self.ndim);
  checkIndexDtype(index, "index_add_");
  if (index.ndim > 1) throw new RangeError("index_add_(): Index is supposed to be a vector");
  const count = index.numel();
  const srcSize = source.ndim === 0 ? 1 : source.shape[d];
  if (count !== srcSize)
    throw new RangeError(
      `index_add_(): Number of indices (${count}) should be equal to source.size(dim): (${srcSize}), for dim: ${d}`,
    );
  if (source.dtype !== self.dtype)
    throw new TypeError(
      `index_add_(): self (${torchScalarName(self.dtype)}) and source (${torchScalarName(source.dtype)}) must have the same scalar type`,
    );
  // the slices self.select(d, i) and source.select(d, j) must have equal shapes
  for (let k = 0, j = 0; k < Math.max(self.ndim, source.ndim); k++) {
    if (k === d) continue;
    const a = self.shape[k] ?? 1;
    const b = source.shape[k] ?? 1;
    if (a !== b)
      throw new RangeError(`The size of tensor a (${a}) must match the size of tensor b (${b}) at non-singleton dimension ${j}`);
    j++;
  }
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
  const out = noGrad(() => where(mask, scalarTensor(value, x.dtype), x));
  return record(out, "MaskedFillBackward0", [x], (g) => [sumTo(where(mask, 0, g), x.shape)], [mask]);
}
