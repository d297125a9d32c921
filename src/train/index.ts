/**
 * `train`: the fit loop and its history, evaluation, progress output, checkpoints in memory
 * (safetensors and the checkpoint's files) and SVG plots. Everything here works in browsers; the
 * Node-only parts (checkpoint folders, PNG rendering, the CLI) are exported from `descent/node`.
 */
export { fit, evaluate, restoreCheckpoint, NonFiniteLossError } from "./fit.js";
export type {
  FitModel,
  FitOptions,
  FitOptimizer,
  FitScheduler,
  FitCallbacks,
  FitContext,
  CheckpointOptions,
  EarlyStoppingOptions,
  EpochRecord,
  EvaluateResult,
  History,
  StepInfo,
  StopReason,
  MetricName,
  LossFn,
  Batch,
  BatchSource,
} from "./fit.js";
export { createProgress, silentProgress, formatEpochLine } from "./progress.js";
export type { ProgressReporter, ProgressStream, ProgressOptions, StepStats, EpochSummary } from "./progress.js";
export { serializeSafetensors, deserializeSafetensors } from "./safetensors.js";
export type { NamedTensors, Safetensors } from "./safetensors.js";
export { encodeCheckpoint, decodeCheckpoint, crc32 } from "./checkpoint_format.js";
export type { CheckpointData } from "./checkpoint_format.js";
export { packState, unpackState } from "./state.js";
export type { Json } from "./state.js";
export { lineChart, figure, linearAxis, logAxis, fitAxis, PALETTE } from "../plot/index.js";
export type { Series, LineChartOptions, LegendPosition, FigureOptions, Axis, AxisOptions, ScaleType } from "../plot/index.js";
export { historyChart, historyFigure } from "./curves.js";
