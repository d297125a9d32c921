/**
 * `nn.utils`: gradient utilities.
 */
export { clipGradNorm, clipGradValue } from "./clip_grad.js";
export type { ClipGradNormOptions } from "./clip_grad.js";
