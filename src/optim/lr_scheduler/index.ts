/**
 * `optim.lrScheduler`: PyTorch's learning-rate schedulers (torch.optim.lr_scheduler), same names,
 * options in camelCase, same sequences step for step; plus ReduceLROnPlateau inside SequentialLR
 * and ChainedScheduler.
 */
export { LRScheduler } from "./lr_scheduler.js";
export type { SchedulerOptimizer, SchedulerParamGroup } from "./internal.js";
export type { SchedulerStateDict, StateValue } from "./state.js";
export type { Scheduler } from "./scheduler.js";
export { StepLR, type StepLROptions } from "./step_lr.js";
export { MultiStepLR, type MultiStepLROptions } from "./multi_step_lr.js";
export { ExponentialLR, type ExponentialLROptions } from "./exponential_lr.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine_annealing_lr.js";
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
} from "./cosine_annealing_warm_restarts.js";
export { LinearLR, type LinearLROptions } from "./linear_lr.js";
export { ConstantLR, type ConstantLROptions } from "./constant_lr.js";
export { PolynomialLR, type PolynomialLROptions } from "./polynomial_lr.js";
export { LambdaLR, type LambdaLROptions, type LrLambda } from "./lambda_lr.js";
export { MultiplicativeLR, type MultiplicativeLROptions } from "./multiplicative_lr.js";
export { OneCycleLR, type OneCycleLROptions, type OneCyclePhase } from "./one_cycle_lr.js";
export { CyclicLR, type CyclicLROptions, type CyclicMode, type CyclicScaleMode } from "./cyclic_lr.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type Metric } from "./reduce_lr_on_plateau.js";
export { SequentialLR, type SequentialLROptions } from "./sequential_lr.js";
export { ChainedScheduler } from "./chained_scheduler.js";
