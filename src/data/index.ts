/**
 * `data`: datasets, samplers, the DataLoader, randomSplit and the embedded sklearn datasets
 * (browser-safe). MNIST / Fashion-MNIST read files and live in the Node-only entry `descent/node`.
 */
export { Dataset, TensorDataset, Subset, ConcatDataset } from "./dataset.js";
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, BatchSampler } from "./sampler.js";
export type { Sized, RandomSamplerOptions, SubsetRandomSamplerOptions } from "./sampler.js";
export { DataLoader } from "./dataloader.js";
export type { DataLoaderOptions } from "./dataloader.js";
export { defaultCollate } from "./collate.js";
export type { Collated } from "./collate.js";
export { randomSplit } from "./random_split.js";
export type { RandomSplitOptions } from "./random_split.js";
export {
  loadDigits, loadIris, loadWine, loadBreastCancer, loadDiabetes, loadSklearnDataset,
} from "./datasets/sklearn.js";
export type { TabularData, SklearnDatasetName } from "./datasets/sklearn.js";
export {
  sklearnTensors, sklearnDataset, digitsTensors, irisTensors, wineTensors, breastCancerTensors, diabetesTensors,
} from "./datasets/tensors.js";
export type { TabularTensors, TabularTensorOptions } from "./datasets/tensors.js";
