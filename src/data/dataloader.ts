/**
 * `DataLoader` (torch.utils.data.DataLoader, single process): iterate a dataset in mini-batches.
 *
 *   for (const [xb, yb] of new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true })) …
 *
 * Each iteration is one epoch: with `shuffle` a RandomSampler draws a new order per epoch, the
 * indices are cut into batches of `batchSize` (the last one shorter unless `dropLast`), and each
 * batch is fetched and collated (stacked). A TensorDataset (or a Subset of one) is fetched a whole
 * batch at a time with `indexSelect`, so no per-sample tensors are made.
 *
 * PyTorch parity: starting an epoch draws a 64-bit base seed from `generator` (or the default
 * generator), as PyTorch's `_BaseDataLoaderIter` does even without workers, and the samplers draw
 * at PyTorch's moments (see sampler.ts), so `manualSeed(s)` (or a seeded `generator`) yields
 * PyTorch's batch order and leaves the generators in PyTorch's state. `batchSize: null` turns
 * batching off (items are yielded one by one, uncollated). Option conflicts raise PyTorch's messages.
 */
import { defaultGenerator, type Generator as RandomGenerator } from "../tensor/generator.js";
import type { Dataset } from "./dataset.js";
import { BatchSampler, IndexCursor, RandomSampler, Sampler, SequentialSampler, checkBatchSize } from "./sampler.js";
import { defaultCollate, type Collated } from "./collate.js";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null disables batching. */
  batchSize?: number | null;
  /** Reshuffle at every epoch (default false). */
  shuffle?: boolean;
  /** A custom order (exclusive with shuffle). */
  sampler?: Sampler | null;
  /** Custom batches of indices (exclusive with batchSize, shuffle, sampler and dropLast). */
  batchSampler?: BatchSampler | null;
  /** Drop the last batch when it is shorter than batchSize (default false). */
  dropLast?: boolean;
  /** Generator for the shuffled order and the per-epoch base seed (default: the default generator). */
  generator?: RandomGenerator | null;
  /** Merges a list of samples into a batch (default: `defaultCollate`). */
  collateFn?: ((items: T[]) => B) | null;
}

export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Sampler;
  readonly batchSampler: BatchSampler | null;
  readonly generator: RandomGenerator | null;
  readonly collateFn: ((items: T[]) => B) | null;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    let batchSize = options.batchSize === undefined ? 1 : options.batchSize;
    const shuffle = options.shuffle ?? false;
    let dropLast = options.dropLast ?? false;
    const generator = options.generator ?? null;
    let sampler = options.sampler ?? null;
    let batchSampler = options.batchSampler ?? null;
    if (typeof shuffle !== "boolean") throw new TypeError(`shuffle should be a boolean value, but got shuffle=${String(shuffle)}`);
    if (sampler !== null && shuffle) throw new RangeError("sampler option is mutually exclusive with shuffle");
    if (batchSampler !== null) {
      if (batchSize !== 1 || shuffle || sampler !== null || dropLast)
        throw new RangeError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null) {
      if (dropLast)
        throw new RangeError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last");
    } else checkBatchSize(batchSize);
    if (sampler === null) sampler = shuffle ? new RandomSampler(dataset, { generator }) : new SequentialSampler(dataset);
    if (batchSize !== null && batchSampler === null) batchSampler = new BatchSampler(sampler, batchSize, dropLast);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    this.generator = generator;
    this.collateFn = options.collateFn ?? null;
  }

  /** The number of batches per epoch (of items when batching is off). */
  get length(): number {
    return this.batchSampler !== null ? this.batchSampler.length : this.sampler.length;
  }

  /** Start an epoch: draws the base seed now, the order when the first batch is requested. */
  [Symbol.iterator](): Iterator<B> {
    (this.generator ?? defaultGenerator).randomInt64();
    return this.epoch();
  }

  private *epoch(): Generator<B, void, undefined> {
    if (this.batchSampler === null) {
      const cursor = new IndexCursor(this.sampler);
      try {
        for (;;) {
          const i = cursor.take(1);
          if (i.length === 0) return;
          yield this.dataset.getItem(i[0]!) as unknown as B;
        }
      } finally {
        cursor.close();
      }
    }
    for (const idx of this.batchSampler.batches()) yield this.fetch(idx);
  }

  private fetch(indices: Int32Array): B {
    if (this.collateFn === null && this.dataset.getBatch !== undefined) return this.dataset.getBatch(indices) as B;
    const items: T[] = [];
    for (let k = 0; k < indices.length; k++) items.push(this.dataset.getItem(indices[k]!));
    return this.collateFn !== null ? this.collateFn(items) : (defaultCollate(items) as unknown as B);
  }
}
