/**
 * `nn.functional`: losses and layer functions in functional form.
 */
export * from "./loss.js";
export * from "./layers.js";
