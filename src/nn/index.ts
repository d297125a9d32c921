/**
 * `nn`: losses (functional and module forms), layers, initialisers and gradient utilities.
 */
export * as functional from "./functional/index.js";
export * as init from "./init.js";
export * as utils from "./utils/index.js";
export * from "./modules/index.js";
