/**
 * The CLI's datasets as tensors ready to train on: features float32 [N, F] (images flattened;
 * LeNet unflattens them itself), labels int32 [N].
 *
 * - mnist, fashion-mnist: the official 60000/10000 train/test split; pixels scaled to [0, 1] and
 *   standardised with the training set's usual mean and std (MNIST 0.1307/0.3081, Fashion-MNIST
 *   0.2860/0.3530, as torchvision examples do).
 * - digits, iris, wine, breast-cancer (scikit-learn's, embedded): a seeded 80/20 train/test split,
 *   each feature standardised with the training part's mean and std (a constant feature is only
 *   centred).
 * A validation set is the last `valFraction` of a seeded permutation of the training part.
 */
import { Generator } from "../tensor/generator.js";
import { fromTypedArray } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { loadFashionMnist, loadMnist, type ImageData } from "../data/datasets/mnist.js";
import { loadSklearnDataset, type SklearnDatasetName } from "../data/datasets/sklearn.js";
import { CliError } from "./args.js";

export const DATASETS = ["mnist", "fashion-mnist", "digits", "iris", "wine", "breast-cancer"] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Features and labels. */
export interface Split {
  x: Tensor;
  y: Tensor;
}

export interface PreparedData {
  name: DatasetName;
  train: Split;
  val: Split | null;
  test: Split;
  nFeatures: number;
  nClasses: number;
  /** Channels, height, width of image data (mnist, fashion-mnist); null for tabular data. */
  image: [number, number, number] | null;
}

export interface DataOptions {
  seed: number;
  /** Fraction of the training part held out for validation (0 for none). */
  valFraction: number;
  /** Use only the first this many training samples (after shuffling), for quick runs. */
  limit?: number;
}

function rows(x: Float32Array, nFeatures: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * nFeatures);
  for (let i = 0; i < idx.length; i++) out.set(x.subarray(idx[i]! * nFeatures, (idx[i]! + 1) * nFeatures), i * nFeatures);
  return out;
}

function pick(y: Int32Array, idx: ArrayLike<number>): Int32Array {
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i]!]!;
  return out;
}

function split(x: Float32Array, y: Int32Array, nFeatures: number, idx: ArrayLike<number>): Split {
  return { x: fromTypedArray(rows(x, nFeatures, idx), [idx.length, nFeatures]), y: fromTypedArray(pick(y, idx), [idx.length]) };
}

function images(d: ImageData, mean: number, std: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(d.images.length);
  for (let i = 0; i < x.length; i++) x[i] = (d.images[i]! / 255 - mean) / std;
  return { x, y: Int32Array.from(d.labels) };
}

/** Train/validation indices: a seeded permutation of 0..n−1, its last `valFraction` held out. */
function trainValIndices(n: number, options: DataOptions, gen: Generator): { train: Int32Array; val: Int32Array | null } {
  const perm = gen.randperm(n);
  const nVal = Math.floor(n * options.valFraction);
  let train = perm.subarray(0, n - nVal);
  if (options.limit !== undefined && options.limit < train.length) train = train.subarray(0, options.limit);
  return { train: Int32Array.from(train), val: nVal > 0 ? Int32Array.from(perm.subarray(n - nVal)) : null };
}

function loadImages(name: "mnist" | "fashion-mnist", options: DataOptions): PreparedData {
  const [load, mean, std] = name === "mnist" ? [loadMnist, 0.1307, 0.3081] : [loadFashionMnist, 0.286, 0.353];
  let trainRaw: ImageData;
  let testRaw: ImageData;
  try {
    trainRaw = load("train");
    testRaw = load("test");
  } catch (err) {
    throw new CliError((err as Error).message, 1);
  }
  const tr = images(trainRaw, mean, std);
  const te = images(testRaw, mean, std);
  const f = trainRaw.rows * trainRaw.cols;
  const gen = new Generator(options.seed);
  const { train, val } = trainValIndices(trainRaw.count, options, gen);
  return {
    name,
    train: split(tr.x, tr.y, f, train),
    val: val === null ? null : split(tr.x, tr.y, f, val),
    test: { x: fromTypedArray(te.x, [testRaw.count, f]), y: fromTypedArray(te.y, [testRaw.count]) },
    nFeatures: f,
    nClasses: 10,
    image: [1, trainRaw.rows, trainRaw.cols],
  };
}

function loadTabular(name: Exclude<DatasetName, "mnist" | "fashion-mnist">, options: DataOptions): PreparedData {
  const sk: SklearnDatasetName = name === "breast-cancer" ? "breast_cancer" : name;
  const d = loadSklearnDataset(sk);
  const f = d.nFeatures;
  const gen = new Generator(options.seed);
  const perm = gen.randperm(d.nSamples);
  const nTest = Math.round(d.nSamples * 0.2);
  const testIdx = perm.subarray(d.nSamples - nTest);
  const restIdx = perm.subarray(0, d.nSamples - nTest);
  // standardise with the training part's statistics
  const mean = new Float64Array(f);
  const std = new Float64Array(f);
  for (const i of restIdx) for (let j = 0; j < f; j++) mean[j]! += d.data[i * f + j]!;
  for (let j = 0; j < f; j++) mean[j]! /= restIdx.length;
  for (const i of restIdx) for (let j = 0; j < f; j++) std[j]! += (d.data[i * f + j]! - mean[j]!) ** 2;
  for (let j = 0; j < f; j++) std[j] = Math.sqrt(std[j]! / restIdx.length) || 1;
  const x = new Float32Array(d.nSamples * f);
  for (let i = 0; i < d.nSamples; i++) for (let j = 0; j < f; j++) x[i * f + j] = (d.data[i * f + j]! - mean[j]!) / std[j]!;
  const y = Int32Array.from(d.target);
  const { train, val } = trainValIndices(restIdx.length, options, gen);
  const at = (local: Int32Array): Int32Array => local.map((k) => restIdx[k]!);
  return {
    name,
    train: split(x, y, f, at(train)),
    val: val === null ? null : split(x, y, f, at(val)),
    test: split(x, y, f, testIdx),
    nFeatures: f,
    nClasses: d.nClasses!,
    image: null,
  };
}

/** Load and prepare a dataset by its CLI name. */
export function prepareData(name: DatasetName, options: DataOptions): PreparedData {
  if (name === "mnist" || name === "fashion-mnist") return loadImages(name, options);
  return loadTabular(name, options);
}
