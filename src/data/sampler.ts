/**
 * Samplers (torch.utils.data.sampler): the order in which a DataLoader visits a dataset.
 *
 * - SequentialSampler: 0, 1, …, n − 1.
 * - RandomSampler: without replacement, `randperm(n)` for each full pass of numSamples (default
 *   n), then the first numSamples mod n of one more `randperm(n)`; with replacement, `randint(0, n)`
 *   in blocks of 32. Without a generator it seeds a fresh Generator from the default generator
 *   (`randomInt64()`, PyTorch's `torch.empty((), dtype=torch.int64).random_()`) at the start of
 *   each pass, so `manualSeed(s)` gives PyTorch's orders epoch after epoch.
 * - SubsetRandomSampler: the given indices in `randperm` order.
 * - BatchSampler: groups another sampler's indices into lists of batchSize (the last one shorter
 *   unless dropLast).
 *
 * PyTorch parity: random numbers are drawn at the same moments as in PyTorch's generator-based
 * samplers: a pass's first draws happen when its first index is requested, and the trailing
 * `randperm` of RandomSampler (PyTorch draws it even when numSamples mod n = 0) when the index
 * after the last one is requested. Samplers yield index blocks (`blocks()`) so loaders can move
 * whole batches at once; iterating a sampler yields plain numbers.
 */
import { defaultGenerator, Generator as RandomGenerator } from "../tensor/generator.js";

/** An ordering of dataset indices. */
export abstract class Sampler implements Iterable<number> {
  /** The indices as blocks, each computed (and its random numbers drawn) when first needed. */
  abstract blocks(): Generator<Int32Array, void, undefined>;
  /** The number of indices one pass yields. */
  abstract get length(): number;

  *[Symbol.iterator](): Iterator<number> {
    for (const b of this.blocks()) for (let i = 0; i < b.length; i++) yield b[i]!;
  }
}

/** Anything with a length (a Dataset, an array). */
export interface Sized {
  readonly length: number;
}

/** Indices 0 … n − 1 in order. */
export class SequentialSampler extends Sampler {
  readonly dataSource: Sized;
  constructor(dataSource: Sized) {
    super();
    this.dataSource = dataSource;
  }
  get length(): number {
    return this.dataSource.length;
  }
  *blocks(): Generator<Int32Array, void, undefined> {
    const n = this.dataSource.length;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    yield out;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** Indices per pass (default: the dataset's length). */
  numSamples?: number | null;
  /** Source of randomness (default: a fresh generator seeded from the default generator each pass). */
  generator?: RandomGenerator | null;
}

export class RandomSampler extends Sampler {
  readonly dataSource: Sized;
  readonly replacement: boolean;
  readonly generator: RandomGenerator | null;
  private readonly _numSamples: number | null;

  constructor(dataSource: Sized, options: RandomSamplerOptions = {}) {
    super();
    this.dataSource = dataSource;
    this.replacement = options.replacement ?? false;
    this._numSamples = options.numSamples ?? null;
    this.generator = options.generator ?? null;
    if (typeof this.replacement !== "boolean")
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    const ns = this.numSamples;
    if (!Number.isInteger(ns) || ns <= 0)
      throw new RangeError(`num_samples should be a positive integer value, but got num_samples=${ns}`);
  }

  get numSamples(): number {
    return this._numSamples ?? this.dataSource.length;
  }

  get length(): number {
    return this.numSamples;
  }

  *blocks(): Generator<Int32Array, void, undefined> {
    const n = this.dataSource.length;
    const g = this.generator ?? new RandomGenerator(defaultGenerator.randomInt64());
    const total = this.numSamples;
    if (this.replacement) {
      for (let k = 0; k < Math.floor(total / 32); k++) {
        const b = new Int32Array(32);
        g.randint(b, 0, n);
        yield b;
      }
      const b = new Int32Array(total % 32);
      g.randint(b, 0, n);
      yield b;
    } else {
      for (let k = 0; k < Math.floor(total / n); k++) yield g.randperm(n);
      yield g.randperm(n).subarray(0, total % n);
    }
  }
}

export interface SubsetRandomSamplerOptions {
  generator?: RandomGenerator | null;
}

/** The given indices in a random order (one `randperm` per pass). */
export class SubsetRandomSampler extends Sampler {
  readonly indices: readonly number[];
  readonly generator: RandomGenerator | null;
  constructor(indices: readonly number[], options: SubsetRandomSamplerOptions = {}) {
    super();
    this.indices = indices.slice();
    this.generator = options.generator ?? null;
  }
  get length(): number {
    return this.indices.length;
  }
  *blocks(): Generator<Int32Array, void, undefined> {
    const perm = (this.generator ?? defaultGenerator).randperm(this.indices.length);
    const out = new Int32Array(perm.length);
    for (let i = 0; i < perm.length; i++) out[i] = this.indices[perm[i]!]!;
    yield out;
  }
}

/** Pulls indices from a block stream one request at a time (new blocks only when an index is needed). */
export class IndexCursor {
  private readonly source: Iterator<Int32Array>;
  private block: Int32Array = new Int32Array(0);
  private pos = 0;
  private done = false;

  constructor(sampler: Sampler) {
    this.source = sampler.blocks();
  }

  /** Up to `k` next indices (fewer only when the sampler is exhausted). */
  take(k: number): Int32Array {
    const out = new Int32Array(k);
    let filled = 0;
    while (filled < k) {
      if (this.pos < this.block.length) {
        const m = Math.min(k - filled, this.block.length - this.pos);
        out.set(this.block.subarray(this.pos, this.pos + m), filled);
        this.pos += m;
        filled += m;
        continue;
      }
      if (this.done) break;
      const r = this.source.next();
      if (r.done) this.done = true;
      else {
        this.block = r.value;
        this.pos = 0;
      }
    }
    return filled === k ? out : out.subarray(0, filled);
  }

  /** Stop the underlying sampler (like closing a Python generator). */
  close(): void {
    this.source.return?.();
  }
}

/** PyTorch's batch_size check (a positive integer). */
export function checkBatchSize(batchSize: number): void {
  if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize <= 0)
    throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
}

/** Lists of batchSize indices from another sampler. */
export class BatchSampler implements Iterable<number[]> {
  readonly sampler: Sampler;
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(sampler: Sampler, batchSize: number, dropLast: boolean) {
    checkBatchSize(batchSize);
    if (typeof dropLast !== "boolean")
      throw new TypeError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
    this.sampler = sampler;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }

  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Batches as Int32Arrays (the loader's form). */
  *batches(): Generator<Int32Array, void, undefined> {
    const cursor = new IndexCursor(this.sampler);
    try {
      for (;;) {
        const b = cursor.take(this.batchSize);
        if (b.length === this.batchSize || (b.length > 0 && !this.dropLast)) yield b;
        if (b.length < this.batchSize) return;
      }
    } finally {
      cursor.close();
    }
  }

  *[Symbol.iterator](): Iterator<number[]> {
    for (const b of this.batches()) yield Array.from(b);
  }
}

