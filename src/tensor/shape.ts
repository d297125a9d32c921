/**
 * Shapes, strides and broadcasting, with PyTorch's error messages.
 */

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major (C-contiguous) strides of a shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/**
 * True when strides describe row-major contiguous memory (size-1 dims may have any stride, and
 * a tensor with no elements is contiguous, as in PyTorch).
 */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  for (let i = 0; i < shape.length; i++) if (shape[i] === 0) return true;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 1) continue;
    if (strides[i] !== expected) return d === 0;
    expected *= d;
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `torch.Size` formatting: `[2, 3]`. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Broadcast two shapes like PyTorch; the error names the mismatching dimension (the last one
 * that mismatches, as PyTorch walks the dims from the right).
 */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else
      throw new RangeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
  }
  return out;
}

/**
 * Strides that view a tensor of `shape`/`strides` as `target` (broadcast: new leading dims and
 * size-1 dims get stride 0). The caller has checked that the shapes broadcast.
 */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length);
  const lead = target.length - shape.length;
  for (let i = 0; i < target.length; i++) {
    if (i < lead) out[i] = 0;
    else {
      const d = shape[i - lead]!;
      out[i] = d === 1 && target[i] !== 1 ? 0 : strides[i - lead]!;
    }
  }
  return out;
}

/** Wrap a possibly negative dim into [0, ndim), with PyTorch's message when out of range. */
export function normalizeDim(dim: number, ndim: number): number {
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, but got ${dim}`);
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n)
    throw new RangeError(
      `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  return dim < 0 ? dim + n : dim;
}

/** Validate a user-supplied shape (non-negative integers). */
export function checkShape(shape: readonly number[], what = "shape"): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${what} must be an array of integers, but got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new RangeError(`${what} must contain non-negative integers, but got ${fmtShape(shape)}`);
  }
  return shape.slice();
}

/** Resolve a single -1 in a reshape target, with PyTorch's messages. */
export function inferShape(shape: readonly number[], total: number): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1) {
      if (infer >= 0) throw new RangeError("only one dimension can be inferred");
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`invalid shape dimension ${d}`);
    } else known *= d;
  }
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || total % known !== 0)
      throw new RangeError(`shape '${fmtShape(shape)}' is invalid for input of size ${total}`);
    out[infer] = total / known;
  } else if (known !== total) {
    throw new RangeError(`shape '${fmtShape(shape)}' is invalid for input of size ${total}`);
  }
  return out;
}
