/**
 * DataLoader, samplers and randomSplit against PyTorch 1.13.1 (test/fixtures/data_loader.json):
 * batch orders epoch after epoch for seeded default and explicit generators, shuffled or not,
 * with dropLast, early breaks and random draws between batches (which pins *when* each random
 * number is drawn), the generators' states afterwards, samplers with replacement / numSamples,
 * and randomSplit with integer lengths and fractions. Plus collation, the TensorDataset fast
 * path and PyTorch's option errors.
 */
import { describe, expect, it } from "vitest";
import { arange, data, Generator, manualSeed, rand, tensor, zeros, type Tensor } from "../../src/index.js";

import { loadFixture } from "../helpers/fixtures.js";

interface LoaderCase {
  name: string; n: number; seed: number; batchSize: number; shuffle: boolean; dropLast: boolean;
  generatorSeed: number | null; interleave: boolean; breakAfter: number | null;
  epochs: number[][][]; drawn: number[]; length: number; after: number[]; afterGenerator: number[] | null;
}
interface SamplerCase {
  name: string; n?: number; numSamples?: number | null; replacement?: boolean; subset?: number[];
  generatorSeed: number | null; seed: number; indices: number[]; after: number[];
}
interface SplitCase { name: string; n: number; lengths: number[]; generatorSeed: number | null; seed: number; subsets: number[][]; after: number[] }

const fx = loadFixture<{ loaders: LoaderCase[]; samplers: SamplerCase[]; splits: SplitCase[] }>("data_loader");

const f32 = (v: number[]) => v.map((x) => Math.fround(x));

describe("DataLoader batch order equals PyTorch's", () => {
  for (const c of fx.loaders) {
    it(c.name, () => {
      manualSeed(c.seed);
      const g = c.generatorSeed === null ? null : new Generator(c.generatorSeed);
      const loader = new data.DataLoader(new data.TensorDataset(arange(c.n, undefined, 1, { dtype: "int32" })), {
        batchSize: c.batchSize, shuffle: c.shuffle, dropLast: c.dropLast, generator: g,
      });
      expect(loader.length).toBe(c.length);
      const drawn: number[] = [];
      const epochs: number[][][] = [];
      for (let e = 0; e < c.epochs.length; e++) {
        const batches: number[][] = [];
        let k = 0;
        for (const [xb] of loader) {
          batches.push(xb!.tolist() as number[]);
          if (c.interleave) drawn.push(rand([1], { generator: g! }).item());
          if (c.breakAfter !== null && ++k >= c.breakAfter) break;
        }
        epochs.push(batches);
      }
      expect(epochs).toEqual(c.epochs);
      expect(drawn).toEqual(f32(c.drawn));
      expect(rand([2]).tolist()).toEqual(f32(c.after));
      if (c.afterGenerator) expect(rand([2], { generator: g! }).tolist()).toEqual(f32(c.afterGenerator));
    });
  }
});

describe("samplers equal PyTorch's", () => {
  for (const c of fx.samplers) {
    it(c.name, () => {
      manualSeed(c.seed);
      const g = c.generatorSeed === null ? null : new Generator(c.generatorSeed);
      const s =
        c.subset !== undefined
          ? new data.SubsetRandomSampler(c.subset, { generator: g })
          : new data.RandomSampler({ length: c.n! }, { replacement: c.replacement!, numSamples: c.numSamples ?? null, generator: g });
      expect([...s]).toEqual(c.indices);
      expect(rand([2]).tolist()).toEqual(f32(c.after));
    });
  }

  it("SequentialSampler and BatchSampler", () => {
    const b = new data.BatchSampler(new data.SequentialSampler({ length: 7 }), 3, false);
    expect([...b]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(b.length).toBe(3);
    const d = new data.BatchSampler(new data.SequentialSampler({ length: 7 }), 3, true);
    expect([...d]).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(d.length).toBe(2);
  });
});

describe("randomSplit equals PyTorch's", () => {
  for (const c of fx.splits) {
    it(c.name, () => {
      manualSeed(c.seed);
      const ds = new data.TensorDataset(arange(c.n, undefined, 1, { dtype: "int32" }));
      const opts = c.generatorSeed === null ? {} : { generator: new Generator(c.generatorSeed) };
      const parts = data.randomSplit(ds, c.lengths, opts);
      expect(parts.map((p) => [...p.indices])).toEqual(c.subsets);
      // a Subset reads through its indices
      expect(parts[0]!.getItem(0)[0]!.item()).toBe(c.subsets[0]![0]);
      expect(rand([2]).tolist()).toEqual(f32(c.after));
    });
  }

  it("refuses lengths that do not add up, and bad fractions", () => {
    const ds = new data.TensorDataset(zeros([10]));
    expect(() => data.randomSplit(ds, [3, 6])).toThrow("Sum of input lengths does not equal the length of the input dataset!");
    expect(() => data.randomSplit(ds, [1.5, -0.5])).toThrow("Fraction at index 0 is not between 0 and 1");
  });
});

describe("batches and collation", () => {
  it("stacks TensorDataset rows into batches (fast path) and keeps dtypes", () => {
    const x = arange(12).reshape(6, 2);
    const y = tensor([0, 1, 2, 0, 1, 2], { dtype: "int32" });
    const batches = [...new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 4 })];
    expect(batches.length).toBe(2);
    const [xb, yb] = batches[1]!;
    expect(xb!.tolist()).toEqual([[8, 9], [10, 11]]);
    expect(yb!.dtype).toBe("int32");
    expect(yb!.tolist()).toEqual([1, 2]);
  });

  it("collates a custom dataset's tuples, numbers and objects like default_collate", () => {
    class Pairs extends data.Dataset<[Tensor, number]> {
      get length() {
        return 5;
      }
      getItem(i: number): [Tensor, number] {
        return [tensor([i, i * 10]), i % 2];
      }
    }
    const [xb, yb] = [...new data.DataLoader(new Pairs(), { batchSize: 3 })][0]!;
    expect(xb.tolist()).toEqual([[0, 0], [1, 10], [2, 20]]);
    expect(yb.dtype).toBe("int32"); // Python ints collate to int64 in PyTorch, int32 here
    expect(yb.tolist()).toEqual([0, 1, 0]);
    expect((data.defaultCollate([0.5, 1]) as Tensor).dtype).toBe("float64"); // Python floats: float64
    const obj = data.defaultCollate([{ a: 1, b: "x" }, { a: 2, b: "y" }]);
    expect(obj.a.tolist()).toEqual([1, 2]);
    expect(obj.b).toEqual(["x", "y"]);
  });

  it("yields single items with batchSize null, and uses a custom collateFn", () => {
    const ds = new data.TensorDataset(arange(3));
    const items = [...new data.DataLoader(ds, { batchSize: null })];
    expect(items.map(([v]) => v!.item())).toEqual([0, 1, 2]);
    const sums = [...new data.DataLoader(ds, { batchSize: 2, collateFn: (xs) => xs.length })];
    expect(sums).toEqual([2, 1]);
  });

  it("a Subset of a TensorDataset loads through the fast path with the mapped rows", () => {
    const ds = new data.TensorDataset(arange(10).mul(2));
    const sub = new data.Subset(ds, [9, 3, 5]);
    const [b] = [...new data.DataLoader(sub, { batchSize: 3 })][0]!;
    expect(b!.tolist()).toEqual([18, 6, 10]);
  });

  it("ConcatDataset chains datasets", () => {
    const c = new data.ConcatDataset([new data.TensorDataset(arange(2)), new data.TensorDataset(arange(3).add(10))]);
    expect(c.length).toBe(5);
    expect(c.getItem(3)[0]!.item()).toBe(11);
  });
});

describe("DataLoader option errors (PyTorch's messages)", () => {
  const ds = new data.TensorDataset(zeros([4]));
  it.each([
    [() => new data.DataLoader(ds, { batchSize: 0 }), "batch_size should be a positive integer value, but got batch_size=0"],
    [() => new data.DataLoader(ds, { shuffle: true, sampler: new data.SequentialSampler(ds) }), "sampler option is mutually exclusive with shuffle"],
    [
      () => new data.DataLoader(ds, { batchSize: 2, batchSampler: new data.BatchSampler(new data.SequentialSampler(ds), 2, false) }),
      "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last",
    ],
    [() => new data.DataLoader(ds, { batchSize: null, dropLast: true }), "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"],
    [() => new data.DataLoader(new data.TensorDataset(zeros([0])), { shuffle: true }), "num_samples should be a positive integer value, but got num_samples=0"],
    [() => new data.TensorDataset(zeros([3]), zeros([4])), "Size mismatch between tensors"],
  ])("%#", (fn, message) => {
    expect(fn).toThrow(message);
  });
});
