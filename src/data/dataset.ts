/**
 * Map-style datasets (torch.utils.data.Dataset): `Dataset` (indexable, with a length),
 * `TensorDataset` (rows of tensors sharing their first dim), `Subset` (a dataset seen through a
 * list of indices) and `ConcatDataset` (datasets one after another).
 *
 * A dataset may also implement `getBatch(indices)`, returning the already-collated batch for a
 * list of indices; `DataLoader` uses it instead of fetching items one by one. `TensorDataset`
 * does, with one `indexSelect` per tensor, so loading a batch creates no per-sample tensors.
 */
import { Tensor } from "../tensor/tensor.js";
import { fromTypedArray } from "../tensor/creation.js";
import { indexSelect } from "../ops/indexing.js";

/** A dataset indexed by 0 … length − 1. */
export abstract class Dataset<T = unknown> {
  /** The item at `index` (0 ≤ index < length). */
  abstract getItem(index: number): T;
  /** The number of items. */
  abstract get length(): number;
  /**
   * Optional fast path: the collated batch of the items at `indices` (what the default collate
   * would make of them). DataLoader calls it when present and no custom collate is given.
   */
  getBatch?(indices: Int32Array): unknown;
}

function checkIndex(index: number, n: number, what: string): number {
  if (!Number.isInteger(index) || index < -n || index >= n)
    throw new RangeError(`${what}: index ${index} is out of range for a dataset of length ${n}`);
  return index < 0 ? index + n : index;
}

/** Rows of tensors that share their first dim: item i is [t0[i], t1[i], …]. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new RangeError("TensorDataset needs at least one tensor");
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset expects tensors, got ${typeof t}`);
      if (t.ndim === 0 || t.shape[0] !== tensors[0]!.shape[0]) throw new RangeError("Size mismatch between tensors");
    }
    this.tensors = tensors.slice();
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex(index, this.length, "TensorDataset");
    return this.tensors.map((t) => t.select(0, i));
  }

  /** The rows at `indices` of every tensor, gathered with one indexSelect each. */
  override getBatch(indices: Int32Array): Tensor[] {
    const idx = fromTypedArray(indices);
    return this.tensors.map((t) => indexSelect(t, 0, idx));
  }
}

/** `dataset` seen through `indices`: item i is dataset.getItem(indices[i]). */
export class Subset<T = unknown> extends Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: readonly number[];

  constructor(dataset: Dataset<T>, indices: readonly number[]) {
    super();
    this.dataset = dataset;
    this.indices = indices.slice();
    if (dataset.getBatch !== undefined) {
      const inner = dataset;
      this.getBatch = (idx: Int32Array): unknown => {
        const mapped = new Int32Array(idx.length);
        for (let k = 0; k < idx.length; k++) mapped[k] = this.indices[idx[k]!]!;
        return inner.getBatch!(mapped);
      };
    }
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex(index, this.indices.length, "Subset")]!);
  }
}

/** Several datasets one after another. */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: readonly Dataset<T>[];
  /** cumulativeSizes[k] = total length of datasets 0 … k. */
  readonly cumulativeSizes: readonly number[];

  constructor(datasets: readonly Dataset<T>[]) {
    super();
    if (datasets.length === 0) throw new RangeError("datasets should not be an empty iterable");
    this.datasets = datasets.slice();
    let total = 0;
    this.cumulativeSizes = datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  getItem(index: number): T {
    const i = checkIndex(index, this.length, "ConcatDataset");
    let k = 0;
    while (i >= this.cumulativeSizes[k]!) k++;
    const start = k === 0 ? 0 : this.cumulativeSizes[k - 1]!;
    return this.datasets[k]!.getItem(i - start);
  }
}
