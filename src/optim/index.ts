/**
 * `optim`: the optimizers of torch.optim and, under `lrScheduler`, its learning-rate schedulers.
 */
export * as lrScheduler from "./lr_scheduler/index.js";
export { Optimizer } from "./optimizer.js";
export type {
  GroupValue, OptimizerStateDict, ParamGroup, ParamGroupInput, ParamsInput, StateDictGroup, StateValue, ZeroGradOptions,
} from "./optimizer.js";
export { SGD, sgd } from "./sgd.js";
export type { SGDOptions, SGDGroup, SGDState, SGDHyper } from "./sgd.js";
export {
  constantSchedule, stepSchedule, multistepSchedule, exponentialSchedule, cosineSchedule, cosineWarmRestartsSchedule,
  linearSchedule, polynomialSchedule, oneCycleSchedule, cyclicSchedule, joinSchedules,
} from "./schedules.js";
export type {
  Schedule, StepScheduleOptions, MultistepScheduleOptions, ExponentialScheduleOptions, CosineScheduleOptions,
  CosineWarmRestartsScheduleOptions, LinearScheduleOptions, PolynomialScheduleOptions, OneCycleScheduleOptions,
  CyclicScheduleOptions,
} from "./schedules.js";
export { Adam, adam } from "./adam.js";
export type { AdamOptions, AdamGroup, AdamState, AdamHyper } from "./adam.js";
export { AdamW } from "./adamw.js";
export type { AdamWOptions, AdamWGroup, AdamWState } from "./adamw.js";
export { Adagrad, adagrad } from "./adagrad.js";
export type { AdagradOptions, AdagradGroup, AdagradState, AdagradHyper } from "./adagrad.js";
export { RMSprop, rmsprop } from "./rmsprop.js";
export type { RMSpropOptions, RMSpropGroup, RMSpropState, RMSpropHyper } from "./rmsprop.js";
export { Adadelta, adadelta } from "./adadelta.js";
export type { AdadeltaOptions, AdadeltaGroup, AdadeltaState, AdadeltaHyper } from "./adadelta.js";
export { Adamax, adamax } from "./adamax.js";
export type { AdamaxOptions, AdamaxGroup, AdamaxState, AdamaxHyper } from "./adamax.js";
export { NAdam, nadam } from "./nadam.js";
export type { NAdamOptions, NAdamGroup, NAdamState, NAdamHyper } from "./nadam.js";
export { RAdam, radam } from "./radam.js";
export type { RAdamOptions, RAdamGroup, RAdamState, RAdamHyper } from "./radam.js";
export { ASGD, asgd } from "./asgd.js";
export type { ASGDOptions, ASGDGroup, ASGDState, ASGDHyper } from "./asgd.js";
export { Rprop, rprop } from "./rprop.js";
export type { RpropOptions, RpropGroup, RpropState, RpropHyper } from "./rprop.js";
export { LBFGS } from "./lbfgs.js";
export type { LBFGSOptions, LBFGSGroup, LBFGSState } from "./lbfgs.js";
