/**
 * Strided iteration shared by the CPU kernels: collapse a group of same-shaped views into the
 * fewest dimensions, then walk them row by row (the innermost dimension is a "row" handed to a
 * monomorphic loop; the per-row callback is never called per element).
 */
import type { Shape } from "../../tensor/shape.js";

export interface Collapsed {
  shape: number[];
  /** strides[k] are operand k's strides over the collapsed shape. */
  strides: number[][];
}

/** Drop size-1 dims and merge neighbours that are contiguous with each other in every operand. */
export function collapse(shape: Shape, strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    if (merge) {
      for (let k = 0; k < strides.length; k++) {
        if (outStrides[k]![last] !== strides[k]![d]! * size) {
          merge = false;
          break;
        }
      }
    }
    if (merge) {
      outShape[last]! *= size;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(size);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Call `row(offsets, n, innerStrides)` once per innermost row of the collapsed iteration space.
 * `offsets` is reused between calls (read it, do not keep it).
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  row: (offsets: number[], n: number, inner: number[]) => void,
): void {
  for (let d = 0; d < shape.length; d++) if (shape[d] === 0) return;
  const c = collapse(shape, strides);
  const k = strides.length;
  const nd = c.shape.length;
  const offs = offsets.slice();
  if (nd === 0) {
    row(offs, 1, new Array<number>(k).fill(0));
    return;
  }
  const inner = c.strides.map((s) => s[nd - 1]!);
  const n = c.shape[nd - 1]!;
  if (nd === 1) {
    row(offs, n, inner);
    return;
  }
  const outer = nd - 1;
  const idx = new Array<number>(outer).fill(0);
  const base = offs.slice();
  for (;;) {
    row(offs, n, inner);
    // odometer over the outer dims
    let d = outer - 1;
    for (; d >= 0; d--) {
      if (++idx[d]! < c.shape[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return;
    for (let j = 0; j < k; j++) {
      let o = base[j]!;
      const s = c.strides[j]!;
      for (let e = 0; e < outer; e++) o += idx[e]! * s[e]!;
      offs[j] = o;
    }
  }
}

/** Offsets of every point of a (collapsed) index space, in row-major order. */
export function offsetsOf(shape: readonly number[], strides: readonly number[], count: number): Float64Array {
  const offs = new Float64Array(count);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let o = 0;
  for (let p = 0; p < count; p++) {
    offs[p] = o;
    for (let d = nd - 1; d >= 0; d--) {
      o += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      o -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return offs;
}

/** Whether a view's elements are consecutive in row-major order (strides of size-1 dims are ignored). */
export function isDense(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size !== 1 && strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}
