/**
 * `optim`: the optimizers of torch.optim and, under `lrScheduler`, its learning-rate schedulers.
 */
export * as lrScheduler from "./lr_scheduler/index.js";
export { Optimizer } from "./optimizer.js";
export type {
  GroupValue, OptimizerStateDict, ParamGroup, ParamGroupInput, ParamsInput, StateDictGroup, StateValue, ZeroGradOptions,
} from "./optimizer.js";
export { SGD } from "./sgd.js";
export type { SGDOptions, SGDGroup, SGDState } from "./sgd.js";
export {
  constantSchedule, stepSchedule, multistepSchedule, exponentialSchedule, cosineSchedule, cosineWarmRestartsSchedule,
  linearSchedule, polynomialSchedule, oneCycleSchedule, cyclicSchedule, joinSchedules,
} from "./schedules.js";
export type {
  Schedule, StepScheduleOptions, MultistepScheduleOptions, ExponentialScheduleOptions, CosineScheduleOptions,
  CosineWarmRestartsScheduleOptions, LinearScheduleOptions, PolynomialScheduleOptions, OneCycleScheduleOptions,
  CyclicScheduleOptions,
} from "./schedules.js";
