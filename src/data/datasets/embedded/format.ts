/**
 * The shape of the generated dataset modules in this folder (written by
 * scripts/datasets/export_sklearn.py). Numbers travel as base64 strings of little-endian typed arrays
 * so that the modules are plain TypeScript, importable in Node and in the browser alike.
 */

/** Element type of an encoded array: `uint8` (1 byte) or `float64` (8 bytes, little-endian). */
export type EmbeddedDtype = "uint8" | "float64";

/** One dataset as a generated module holds it, before decoding. */
export interface EmbeddedDataset {
  readonly name: string;
  readonly nSamples: number;
  readonly nFeatures: number;
  readonly featureNames: readonly string[];
  /** Class names for classification datasets, `null` for regression. */
  readonly targetNames: readonly string[] | null;
  /** One paragraph describing the data. */
  readonly description: string;
  /** Where the data comes from and under which terms. */
  readonly license: string;
  readonly dataDtype: EmbeddedDtype;
  readonly targetDtype: EmbeddedDtype;
  /** Base64 of nSamples × nFeatures values, row-major; ASCII whitespace is ignored. */
  readonly data: string;
  /** Base64 of nSamples values; ASCII whitespace is ignored. */
  readonly target: string;
}
