/**
 * descent/node: the Node-only parts (they read files), kept out of the browser-safe main entry.
 * Import with `import { mnistTensors } from "descent/node"`.
 */
export {
  loadMnist, loadFashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR,
} from "./data/datasets/mnist.js";
export type { ImageData, ImageDatasetOptions } from "./data/datasets/mnist.js";
export {
  mnistTensors, fashionMnistTensors, mnistDataset, fashionMnistDataset,
} from "./data/datasets/image_tensors.js";
export type { ImageTensors } from "./data/datasets/image_tensors.js";
// Training on Node: checkpoint folders, PNG plots and the `descent` CLI.
export { saveCheckpoint, loadCheckpoint, checkpointExists } from "./train/checkpoint.js";
export { svgToPng, writePlot, findFontFiles, pngFontStatus } from "./plot/png.js";
export type { PngOptions } from "./plot/png.js";
export { runCli } from "./cli/run.js";
export type { Io } from "./cli/io.js";
