/**
 * scikit-learn's small real datasets (digits, iris, wine, breast cancer, diabetes) as plain typed
 * arrays, with no network and no file system: the numbers are embedded in generated TypeScript modules
 * (./embedded, written by scripts/datasets/export_sklearn.py from scikit-learn 1.2.1) and are bit for bit
 * what `sklearn.datasets.load_<name>()` returns. Works in Node and in the browser.
 *
 * Decoding is lazy: a dataset's base64 text is decoded the first time its loader is called and the
 * decoded arrays are cached. Every call then returns a fresh object with fresh copies of `data` and
 * `target` (typed arrays cannot be frozen), so callers may normalise or shuffle them in place; the
 * name arrays are shared and frozen.
 */
import { decodeBase64 } from "./base64.js";
import type { EmbeddedDataset, EmbeddedDtype } from "./embedded/format.js";
import { BREAST_CANCER } from "./embedded/breast_cancer.js";
import { DIABETES } from "./embedded/diabetes.js";
import { DIGITS } from "./embedded/digits.js";
import { IRIS } from "./embedded/iris.js";
import { WINE } from "./embedded/wine.js";

/** A tabular dataset: a row-major feature matrix and one target per row. */
export interface TabularData {
  name: string;
  nSamples: number;
  nFeatures: number;
  /** nSamples × nFeatures, row-major. */
  data: Float64Array;
  /** Class indices (Int32Array) or regression targets (Float64Array, diabetes). */
  target: Int32Array | Float64Array;
  featureNames: readonly string[];
  /** Class names, indexed by the values of `target`; `null` for regression. */
  targetNames: readonly string[] | null;
  /** Number of classes; `null` for regression. */
  nClasses: number | null;
  /** A paragraph describing the data, then its source and licence. */
  description: string;
}

/** The names accepted by {@link loadSklearnDataset}. */
export type SklearnDatasetName = "digits" | "iris" | "wine" | "breast_cancer" | "diabetes";

interface Decoded {
  readonly data: Float64Array;
  readonly target: Int32Array | Float64Array;
  readonly featureNames: readonly string[];
  readonly targetNames: readonly string[] | null;
  readonly description: string;
}

const cache = new Map<string, Decoded>();

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const BYTES: Record<EmbeddedDtype, number> = { uint8: 1, float64: 8 };

function toFloat64(bytes: Uint8Array, dtype: EmbeddedDtype, count: number): Float64Array {
  if (dtype === "uint8") return Float64Array.from(bytes);
  if (LITTLE_ENDIAN) return new Float64Array(bytes.buffer, bytes.byteOffset, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

function decode(ds: EmbeddedDataset): Decoded {
  const nData = ds.nSamples * ds.nFeatures;
  const dataBytes = decodeBase64(ds.data, nData * BYTES[ds.dataDtype], `${ds.name} data`);
  const targetBytes = decodeBase64(ds.target, ds.nSamples * BYTES[ds.targetDtype], `${ds.name} target`);
  const data = toFloat64(dataBytes, ds.dataDtype, nData);
  const target =
    ds.targetNames === null
      ? toFloat64(targetBytes, ds.targetDtype, ds.nSamples)
      : ds.targetDtype === "uint8"
        ? Int32Array.from(targetBytes)
        : Int32Array.from(toFloat64(targetBytes, ds.targetDtype, ds.nSamples));
  return {
    data,
    target,
    featureNames: Object.freeze([...ds.featureNames]),
    targetNames: ds.targetNames === null ? null : Object.freeze([...ds.targetNames]),
    description: `${ds.description}\n\nSource and licence: ${ds.license}`,
  };
}

function load(ds: EmbeddedDataset): TabularData {
  let decoded = cache.get(ds.name);
  if (decoded === undefined) {
    decoded = decode(ds);
    cache.set(ds.name, decoded);
  }
  return {
    name: ds.name,
    nSamples: ds.nSamples,
    nFeatures: ds.nFeatures,
    data: decoded.data.slice(),
    target: decoded.target.slice(),
    featureNames: decoded.featureNames,
    targetNames: decoded.targetNames,
    nClasses: decoded.targetNames === null ? null : decoded.targetNames.length,
    description: decoded.description,
  };
}

/** 1797 handwritten digits as 8×8 images of 0..16 counts (64 features), 10 classes: `load_digits()`. */
export function loadDigits(): TabularData {
  return load(DIGITS);
}

/** Fisher's 150 irises, 4 measurements in cm, 3 classes: `load_iris()`. */
export function loadIris(): TabularData {
  return load(IRIS);
}

/** 178 wines, 13 chemical measurements, 3 cultivators: `load_wine()`. */
export function loadWine(): TabularData {
  return load(WINE);
}

/** 569 breast masses, 30 features, malignant (0) or benign (1): `load_breast_cancer()`. */
export function loadBreastCancer(): TabularData {
  return load(BREAST_CANCER);
}

/** 442 diabetes patients, 10 scaled features, a regression target (Float64Array): `load_diabetes()`. */
export function loadDiabetes(): TabularData {
  return load(DIABETES);
}

/** Load one of the embedded sklearn datasets by its sklearn name. */
export function loadSklearnDataset(name: SklearnDatasetName): TabularData {
  switch (name) {
    case "digits":
      return loadDigits();
    case "iris":
      return loadIris();
    case "wine":
      return loadWine();
    case "breast_cancer":
      return loadBreastCancer();
    case "diabetes":
      return loadDiabetes();
    default: {
      const never: never = name;
      throw new Error(`unknown sklearn dataset ${JSON.stringify(never)}`);
    }
  }
}
