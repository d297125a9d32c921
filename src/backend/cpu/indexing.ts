/**
 * CPU gather / indexSelect (reads through an int32 index along one dim) and their adjoints
 * scatterAdd / indexAdd (accumulate through the index, in place). Indices are checked before
 * anything is written, so a bad index leaves the output untouched.
 */
import type { Storage, Strided } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { contiguousStrides } from "../../tensor/shape.js";
import { forEachRow } from "./iterate.js";

/**
 * Throw PyTorch's message for an index outside [0, size): gather/scatter name the index, the dim
 * and the size; index_select/index_add say "index out of range in self" (`vector`).
 */
function checkIndex(index: Strided, size: number, dim: number, vector = false): void {
  const id = index.storage.data;
  forEachRow(index.shape, [index.strides], [index.offset], (offs, n, s) => {
    for (let i = 0, p = offs[0]!; i < n; i++, p += s[0]!) {
      const v = id[p]!;
      if (v < 0 || v >= size)
        throw new RangeError(vector ? "index out of range in self" : `index ${v} is out of bounds for dimension ${dim} with size ${size}`);
    }
  });
}

/** o[io] = x[ix + idx[ii]·xs] over a shared iteration space (x's stride along dim zeroed). */
function readThrough(shape: readonly number[], o: Strided, x: Strided, idx: Strided, xs: number): void {
  const od = o.storage.data;
  const xd = x.storage.data;
  const id = idx.storage.data;
  forEachRow(shape, [o.strides, x.strides, idx.strides], [o.offset, x.offset, idx.offset], (offs, n, s) => {
    let io = offs[0]!, ix = offs[1]!, ii = offs[2]!;
    const so = s[0]!, sx = s[1]!, si = s[2]!;
    for (let i = 0; i < n; i++, io += so, ix += sx, ii += si) od[io] = xd[ix + id[ii]! * xs]!;
  });
}

/** o[io + idx[ii]·os] += src[is] over a shared iteration space (o's stride along dim zeroed). */
function addThrough(shape: readonly number[], o: Strided, src: Strided, idx: Strided, os: number): void {
  const od: TypedArray = o.storage.data;
  const sd = src.storage.data;
  const id = idx.storage.data;
  forEachRow(shape, [o.strides, src.strides, idx.strides], [o.offset, src.offset, idx.offset], (offs, n, s) => {
    let io = offs[0]!, is = offs[1]!, ii = offs[2]!;
    const so = s[0]!, ss = s[1]!, si = s[2]!;
    for (let i = 0; i < n; i++, io += so, is += ss, ii += si) od[io + id[ii]! * os]! += sd[is]!;
  });
}

function zeroAt(strides: readonly number[], dim: number): number[] {
  const s = strides.slice();
  s[dim] = 0;
  return s;
}

export function gather(x: Strided, dim: number, index: Strided, out: Storage): void {
  checkIndex(index, x.shape[dim]!, dim);
  const o: Strided = { storage: out, shape: index.shape, strides: contiguousStrides(index.shape), offset: 0 };
  const xv: Strided = { ...x, strides: zeroAt(x.strides, dim) };
  readThrough(index.shape, o, xv, index, x.strides[dim]!);
}

export function scatterAdd(out: Strided, dim: number, index: Strided, src: Strided): void {
  checkIndex(index, out.shape[dim]!, dim);
  const ov: Strided = { ...out, strides: zeroAt(out.strides, dim) };
  addThrough(index.shape, ov, src, index, out.strides[dim]!);
}

/** The index of indexSelect seen as a tensor of x's rank: its stride only along dim. */
function spread(index: Strided, ndim: number, dim: number): Strided {
  const strides = new Array<number>(ndim).fill(0);
  strides[dim] = index.strides[0] ?? 0;
  return { ...index, strides };
}

export function indexSelect(x: Strided, dim: number, index: Strided, out: Storage): void {
  checkIndex(index, x.shape[dim]!, dim, true);
  const shape = x.shape.slice();
  shape[dim] = index.shape[0] ?? 1;
  const o: Strided = { storage: out, shape, strides: contiguousStrides(shape), offset: 0 };
  const xv: Strided = { ...x, strides: zeroAt(x.strides, dim) };
  readThrough(shape, o, xv, spread(index, shape.length, dim), x.strides[dim]!);
}

export function indexAdd(out: Strided, dim: number, index: Strided, src: Strided): void {
  checkIndex(index, out.shape[dim]!, dim, true);
  const ov: Strided = { ...out, strides: zeroAt(out.strides, dim) };
  addThrough(src.shape, ov, src, spread(index, src.shape.length, dim), out.strides[dim]!);
}
