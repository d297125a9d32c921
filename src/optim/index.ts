/**
 * `optim`: the optimizers of torch.optim and, under `lrScheduler`, its learning-rate schedulers.
 */
export * as lrScheduler from "./lr_scheduler/index.js";
