/**
 * The layer modules of `nn` (everything in nn/modules but the losses).
 */
export { Linear, Identity } from "./linear.js";
export type { LinearOptions } from "./linear.js";
export { Conv2d } from "./conv.js";
export type { Conv2dModuleOptions, PaddingMode } from "./conv.js";
export { MaxPool2d, AvgPool2d } from "./pooling.js";
export type { MaxPool2dModuleOptions, AvgPool2dModuleOptions } from "./pooling.js";
export { Dropout } from "./dropout.js";
export type { DropoutModuleOptions } from "./dropout.js";
export { BatchNorm1d, BatchNorm2d } from "./batchnorm.js";
export type { BatchNormModuleOptions } from "./batchnorm.js";
export { Embedding } from "./embedding.js";
export type { EmbeddingModuleOptions } from "./embedding.js";
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax } from "./activation.js";
export type { InplaceOptions, GELUOptions, SoftplusOptions } from "./activation.js";
export { Flatten, Unflatten } from "./flatten.js";
export { Sequential, ModuleList } from "./container.js";
