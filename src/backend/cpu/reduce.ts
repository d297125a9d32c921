/**
 * CPU reductions over any set of dims of a strided tensor. Sums accumulate in float64 (at least
 * as accurate as PyTorch's float32 cascade sum) and are rounded once into the output.
 * max/min propagate NaN like PyTorch; arg-reductions return the first index of the extreme,
 * NaN counting as the extreme.
 */
import type { ReduceOp, Storage, Strided } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { collapse, offsetsOf } from "./iterate.js";

function init(op: ReduceOp): number {
  switch (op) {
    case "sum":
    case "anyNonzero":
      return 0;
    case "prod":
    case "allNonzero":
      return 1;
    case "max":
    case "amax":
      return -Infinity;
    case "min":
    case "amin":
      return Infinity;
    default:
      return op satisfies never;
  }
}

/** Fold `n` elements x[o], x[o+s], … into acc. */
function foldRow(op: ReduceOp, x: TypedArray, o: number, s: number, n: number, acc: number): number {
  switch (op) {
    case "sum":
      for (let i = 0; i < n; i++, o += s) acc += x[o]!;
      return acc;
    case "prod":
      for (let i = 0; i < n; i++, o += s) acc *= x[o]!;
      return acc;
    case "max":
    case "amax":
      for (let i = 0; i < n; i++, o += s) {
        const v = x[o]!;
        if (!(v <= acc)) acc = v; // also takes NaN
        if (acc !== acc) return acc;
      }
      return acc;
    case "min":
    case "amin":
      for (let i = 0; i < n; i++, o += s) {
        const v = x[o]!;
        if (!(v >= acc)) acc = v;
        if (acc !== acc) return acc;
      }
      return acc;
    case "anyNonzero":
      for (let i = 0; i < n; i++, o += s) if (x[o] !== 0) return 1;
      return acc;
    case "allNonzero":
      for (let i = 0; i < n; i++, o += s) if (x[o] === 0) return 0;
      return acc;
    default:
      return op satisfies never;
  }
}

/** Fold a row of x element-wise into a row of the accumulator (the "reduce leading dims" path). */
function foldInto(op: ReduceOp, acc: Float64Array, a0: number, x: TypedArray, o: number, s: number, n: number): void {
  const end = a0 + n;
  switch (op) {
    case "sum":
      for (let j = a0; j < end; j++, o += s) acc[j]! += x[o]!;
      return;
    case "prod":
      for (let j = a0; j < end; j++, o += s) acc[j]! *= x[o]!;
      return;
    case "max":
    case "amax":
      for (let j = a0; j < end; j++, o += s) {
        const v = x[o]!;
        const a = acc[j]!;
        if (a === a && !(v <= a)) acc[j] = v;
      }
      return;
    case "min":
    case "amin":
      for (let j = a0; j < end; j++, o += s) {
        const v = x[o]!;
        const a = acc[j]!;
        if (a === a && !(v >= a)) acc[j] = v;
      }
      return;
    case "anyNonzero":
      for (let j = a0; j < end; j++, o += s) if (x[o] !== 0) acc[j] = 1;
      return;
    case "allNonzero":
      for (let j = a0; j < end; j++, o += s) if (x[o] === 0) acc[j] = 0;
      return;
    default:
      op satisfies never;
  }
}

export function reduce(op: ReduceOp, x: Strided, dims: readonly number[], out: Storage): void {
  const reduced = new Set(dims);
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  for (let d = 0; d < x.shape.length; d++) {
    if (reduced.has(d)) {
      redShape.push(x.shape[d]!);
      redStrides.push(x.strides[d]!);
    } else {
      keptShape.push(x.shape[d]!);
      keptStrides.push(x.strides[d]!);
    }
  }
  const kept = collapse(keptShape, [keptStrides]);
  const red = collapse(redShape, [redStrides]);
  const nOut = out.size;
  const o = out.data;
  const xd = x.storage.data;
  const start = init(op);
  let nRed = 1;
  for (const d of redShape) nRed *= d;
  if (nOut === 0) return;
  if (nRed === 0) {
    o.fill(start);
    return;
  }
  const ks = kept.strides[0]!;
  const rs = red.strides[0]!;
  const kInner = ks.length ? ks[ks.length - 1]! : 0;
  const rInner = rs.length ? rs[rs.length - 1]! : 0;
  const rLen = red.shape.length ? red.shape[red.shape.length - 1]! : 1;
  const kLen = kept.shape.length ? kept.shape[kept.shape.length - 1]! : 1;

  if (kept.shape.length > 0 && Math.abs(kInner) < Math.abs(rInner)) {
    // Reduce "leading" dims: stream rows of the kept space into a float64 accumulator.
    const acc = new Float64Array(nOut).fill(start);
    const keptOuter = offsetsOf(kept.shape.slice(0, -1), ks.slice(0, -1), nOut / kLen);
    const redOffs = offsetsOf(red.shape, rs, nRed);
    for (let r = 0; r < nRed; r++) {
      const base = x.offset + redOffs[r]!;
      for (let k = 0; k < keptOuter.length; k++) {
        foldInto(op, acc, k * kLen, xd, base + keptOuter[k]!, kInner, kLen);
      }
    }
    for (let i = 0; i < nOut; i++) o[i] = acc[i]!;
    return;
  }
  // Reduce "trailing" dims: one fold per output element over contiguous-ish rows.
  const keptOffs = offsetsOf(kept.shape, ks, nOut);
  const redOuter = offsetsOf(red.shape.slice(0, -1), rs.slice(0, -1), nRed / rLen);
  for (let i = 0; i < nOut; i++) {
    let acc = start;
    const base = x.offset + keptOffs[i]!;
    for (let r = 0; r < redOuter.length; r++) acc = foldRow(op, xd, base + redOuter[r]!, rInner, rLen, acc);
    o[i] = acc;
  }
}

export function argReduce(op: "argmax" | "argmin", x: Strided, dim: number, out: Storage): void {
  const n = x.shape[dim]!;
  const s = x.strides[dim]!;
  const keptShape = x.shape.filter((_, d) => d !== dim);
  const keptStrides = x.strides.filter((_, d) => d !== dim);
  const c = collapse(keptShape, [keptStrides]);
  const nOut = out.size;
  const offs = offsetsOf(c.shape, c.strides[0]!, nOut);
  const xd = x.storage.data;
  const o = out.data;
  const isMax = op === "argmax";
  for (let i = 0; i < nOut; i++) {
    let p = x.offset + offs[i]!;
    let best = xd[p]!;
    let bi = 0;
    if (best === best) {
      for (let j = 1; j < n; j++) {
        p += s;
        const v = xd[p]!;
        if (v !== v) {
          bi = j;
          break;
        }
        if (isMax ? v > best : v < best) {
          best = v;
          bi = j;
        }
      }
    }
    o[i] = bi;
  }
}
