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
