/**
 * The embedded scikit-learn datasets as tensors: features x (N, F) and targets y, ready for a
 * TensorDataset. Works in Node and in the browser (no file system).
 *
 * - x is float32 by default (`{ dtype: "float64" }` keeps sklearn's doubles exactly);
 * - y holds int32 class indices for the classification sets (digits, iris, wine, breast cancer)
 *   and the regression target in x's dtype for diabetes.
 *
 * Licences and sources: ./LICENSES.md.
 */
import type { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { fromTypedArray } from "../../tensor/creation.js";
import { cast } from "../../ops/movement.js";
import { TensorDataset } from "../dataset.js";
import { loadSklearnDataset, type SklearnDatasetName, type TabularData } from "./sklearn.js";

export interface TabularTensors {
  /** Features, (nSamples, nFeatures). */
  x: Tensor;
  /** Class indices (int32) or regression targets (x's dtype), (nSamples). */
  y: Tensor;
  featureNames: readonly string[];
  /** Class names, or null for regression. */
  targetNames: readonly string[] | null;
}

export interface TabularTensorOptions {
  /** Feature dtype (default float32). */
  dtype?: FloatDType;
}

function toTensors(d: TabularData, options: TabularTensorOptions): TabularTensors {
  const dtype = options.dtype ?? "float32";
  const x = cast(fromTypedArray(d.data, [d.nSamples, d.nFeatures]), dtype);
  const t = fromTypedArray(d.target);
  const y = d.targetNames === null ? cast(t, dtype) : t;
  return { x, y, featureNames: d.featureNames, targetNames: d.targetNames };
}

/** One of the embedded sklearn datasets as tensors. */
export function sklearnTensors(name: SklearnDatasetName, options: TabularTensorOptions = {}): TabularTensors {
  return toTensors(loadSklearnDataset(name), options);
}

/** 1797 8×8 digit images as 64 features (0…16), 10 classes. */
export const digitsTensors = (options: TabularTensorOptions = {}): TabularTensors => sklearnTensors("digits", options);
/** 150 irises, 4 features, 3 classes. */
export const irisTensors = (options: TabularTensorOptions = {}): TabularTensors => sklearnTensors("iris", options);
/** 178 wines, 13 features, 3 classes. */
export const wineTensors = (options: TabularTensorOptions = {}): TabularTensors => sklearnTensors("wine", options);
/** 569 breast masses, 30 features, 2 classes. */
export const breastCancerTensors = (options: TabularTensorOptions = {}): TabularTensors => sklearnTensors("breast_cancer", options);
/** 442 patients, 10 features, a regression target. */
export const diabetesTensors = (options: TabularTensorOptions = {}): TabularTensors => sklearnTensors("diabetes", options);

/** One of the embedded sklearn datasets as a TensorDataset of (x, y). */
export function sklearnDataset(name: SklearnDatasetName, options: TabularTensorOptions = {}): TensorDataset {
  const { x, y } = sklearnTensors(name, options);
  return new TensorDataset(x, y);
}
