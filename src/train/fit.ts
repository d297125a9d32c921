/**
 * The fit loop: the textbook's training procedure — for each epoch, take the (shuffled)
 * mini-batches, average each batch's loss, back-propagate, clip, step the optimizer; then measure
 * the validation loss and accuracy, step the learning-rate scheduler, check early stopping, save a
 * checkpoint — and the `History` of it all. `evaluate` measures a model on a loader.
 *
 * Per epoch, in order (PyTorch's recommended order; a resumed run repeats it exactly):
 *   model.train(); for each batch: zeroGrad → forward → loss → (non-finite? stop) → backward →
 *   clip → optimizer.step() → scheduler.step() when `schedulerInterval` is "step";
 *   then validation (model.eval(), no graph) → scheduler.step() or scheduler.step(metric) when
 *   "epoch" → early stopping → callbacks → checkpoint.
 *
 * Resuming: `resume` takes a checkpoint (from `loadCheckpoint` in Node, or `encodeCheckpoint` /
 * `decodeCheckpoint` anywhere) and restores the model, optimizer, scheduler, every random
 * generator (the global one that dropout and initialisation use, and the data loader's), the
 * history and the early-stopping state, then continues with the next epoch: the final weights
 * are those of an uninterrupted run, bit for bit.
 *
 * A non-finite loss stops training before that batch's backward pass and optimizer step, with a
 * `NonFiniteLossError` naming the step; the model keeps its last finite weights and no checkpoint
 * is written, so the last good one on disk stays as it was.
 *
 * Pure: no Node module is imported, so the loop runs in browsers too (it is async so a page
 * stays responsive between epochs; callbacks and the checkpoint writer may be async).
 */
import { Tensor } from "../tensor/tensor.js";
import { defaultGenerator, Generator, type GeneratorState } from "../tensor/generator.js";
import { noGrad } from "../autograd/grad_mode.js";
import { clipGradNorm, clipGradValue } from "../nn/utils/index.js";
import type { Module, StateDict } from "../nn/module.js";
import type { CheckpointData } from "./checkpoint_format.js";
import type { Json } from "./state.js";
import { silentProgress, type ProgressReporter } from "./progress.js";

/** A model the loop can train: a Module whose forward takes the input batch. */
export type FitModel = Module & { forward(input: Tensor): Tensor };

/** A batch: the input and the target. */
export type Batch = readonly [Tensor, Tensor] | readonly Tensor[];

/** Mini-batches; a `length` (number or method) lets the progress output show the epoch's size. */
export type BatchSource = Iterable<Batch> & { length?: number | (() => number) };

/** The optimizer interface the loop uses (every `optim.*` class has it). */
export interface FitOptimizer {
  paramGroups: { lr: number }[];
  zeroGrad(): void;
  step(): unknown;
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

/** The scheduler interface the loop uses (every `optim.lrScheduler.*` class has it). */
export interface FitScheduler {
  /** `step()`, or `step(metric)` for ReduceLROnPlateau (the loop passes a number). */
  step(metric?: number | { item(): number }): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

/** A loss function of (output, target), e.g. `nn.functional.crossEntropy`. */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** The metrics an epoch record holds (early stopping and reduce-on-plateau can watch any). */
export type MetricName = "trainLoss" | "trainAccuracy" | "valLoss" | "valAccuracy";

export interface EarlyStoppingOptions {
  /** Stop after this many epochs in a row without improvement (Keras's and Lightning's meaning). */
  patience: number;
  /** How much better counts as better (default 0). */
  minDelta?: number;
  /** The metric watched (default "valLoss" with a validation loader, else "trainLoss"). */
  monitor?: MetricName;
  /** "min" or "max" (default: "max" for accuracies, "min" for losses). */
  mode?: "min" | "max";
}

/** One finished epoch. Accuracies are fractions (0..1), null where not measured. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  /** The learning rate (first parameter group) the epoch started with. */
  lr: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** Optimizer steps taken in the epoch. */
  steps: number;
}

/** Why training ended. */
export type StopReason = "completed" | "early-stopping" | "callback";

/** What `fit` returns: one record per epoch and the loss of every step. Plain JSON data. */
export interface History {
  epochs: EpochRecord[];
  /** The training loss of each optimizer step, in order. */
  stepLoss: number[];
  /** The learning rate (first parameter group) each optimizer step used. */
  stepLr: number[];
  stopReason: StopReason;
}

/** What the loop reports after each optimizer step. */
export interface StepInfo {
  epoch: number;
  /** Optimizer steps completed in the whole run. */
  step: number;
  /** Batches completed in this epoch. */
  batch: number;
  loss: number;
  lr: number;
}

/** Handed to every callback. */
export interface FitContext {
  readonly model: FitModel;
  readonly optimizer: FitOptimizer;
  readonly history: History;
  /** Stop after the current epoch (its record, checkpoint and callbacks still happen). */
  stop(): void;
}

export interface FitCallbacks {
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  onStepEnd?(info: StepInfo, ctx: FitContext): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(history: History, ctx: FitContext): void | Promise<void>;
}

export interface CheckpointOptions {
  /**
   * Store a checkpoint (e.g. `(data) => saveCheckpoint(dir, data)` in Node, or
   * `encodeCheckpoint(data)` to keep it in memory). `data.model` shares storage with the live
   * parameters, so serialise or clone it before returning.
   */
  save(data: CheckpointData): void | Promise<void>;
  /** Save every this many epochs (default 1); the last epoch is always saved. */
  every?: number;
  /** The run's configuration, stored with each checkpoint (JSON). */
  config?: Json;
}

export interface FitOptions {
  trainLoader: BatchSource;
  valLoader?: BatchSource;
  optimizer: FitOptimizer;
  lossFn: LossFn;
  /** The total number of epochs (a resumed run counts the ones already done). */
  epochs: number;
  scheduler?: FitScheduler;
  /** Step the scheduler after every optimizer step or after every epoch (default "epoch"). */
  schedulerInterval?: "step" | "epoch";
  /**
   * The metric passed to `scheduler.step(metric)` at each epoch's end, for ReduceLROnPlateau
   * (used by default, with "valLoss" or else "trainLoss", when the scheduler is a ReduceLROnPlateau).
   */
  monitor?: MetricName;
  /** Clip the gradients' total 2-norm to this value before each step (torch's clip_grad_norm_). */
  clipGradNorm?: number;
  /** Clip each gradient element to [-v, v] before each step (torch's clip_grad_value_). */
  clipGradValue?: number;
  earlyStopping?: EarlyStoppingOptions;
  callbacks?: FitCallbacks | readonly FitCallbacks[];
  /** Measure accuracy (argmax over dim 1 against int32 class targets); default: when targets are int32. */
  accuracy?: boolean;
  progress?: ProgressReporter;
  checkpoint?: CheckpointOptions;
  /** Continue from this checkpoint. */
  resume?: CheckpointData;
  /**
   * The random generators whose states a checkpoint keeps, by name. Default: `global` (the
   * default generator) and `data` (the train loader's `generator`, when it has one).
   */
  generators?: Record<string, Generator>;
}

/** A non-finite training loss: training stopped before the step that would have used it. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly loss: number,
    readonly step: number,
    readonly epoch: number,
    readonly batch: number,
    readonly history: History,
    lastCheckpointEpoch: number | null,
  ) {
    super(
      `Loss is ${loss} at step ${step} (epoch ${epoch}, batch ${batch}): training stopped before that step's update; ` +
        (lastCheckpointEpoch === null
          ? "no checkpoint was written by this run."
          : `the last checkpoint (epoch ${lastCheckpointEpoch}) was left as it was.`),
    );
    this.name = "NonFiniteLossError";
  }
}

interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number | null;
  wait: number;
}

interface FitState {
  earlyStopping: EarlyStoppingState;
  lastCheckpointEpoch: number | null;
}

function batchCount(loader: BatchSource): number | null {
  const len = loader.length;
  if (typeof len === "number") return len;
  if (typeof len === "function") {
    const n = len.call(loader);
    return typeof n === "number" ? n : null;
  }
  return null;
}

function checkPositiveInt(v: unknown, name: string): void {
  if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`fit: ${name} must be a positive integer, got ${String(v)}`);
}

function splitBatch(b: Batch, where: string): [Tensor, Tensor] {
  if (!Array.isArray(b) || b.length < 2 || !(b[0] instanceof Tensor) || !(b[1] instanceof Tensor)) {
    throw new TypeError(`${where}: each batch must be [input, target] tensors`);
  }
  return [b[0], b[1]];
}

function canMeasureAccuracy(output: Tensor, target: Tensor): boolean {
  return target.dtype === "int32" && output.ndim >= 2 && target.ndim === output.ndim - 1 && output.shape[0] === target.shape[0];
}

/** Correct predictions in a batch: argmax over dim 1 equals the class index. */
function correctCount(output: Tensor, target: Tensor): number {
  return noGrad(() => output.detach().argmax(1).eq(target).sum().item());
}

/** Validation metrics of `model` on `loader`. */
export interface EvaluateResult {
  /** Mean loss over the samples (null without a loss function). */
  loss: number | null;
  /** Fraction of correct predictions (null when targets are not class indices). */
  accuracy: number | null;
  /** Samples seen. */
  count: number;
}

/**
 * Run `model` over `loader` in evaluation mode without recording a graph: the sample-weighted mean
 * loss and the accuracy. The model's training mode is restored afterwards.
 */
export function evaluate(
  model: FitModel,
  loader: BatchSource,
  options: { lossFn?: LossFn; accuracy?: boolean } = {},
): EvaluateResult {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let count = 0;
  let correct = 0;
  let accuracyOk = options.accuracy ?? true;
  try {
    noGrad(() => {
      for (const b of loader) {
        const [x, y] = splitBatch(b, "evaluate");
        const out = model.forward(x);
        const n = x.shape[0] ?? 1;
        if (options.lossFn) lossSum += options.lossFn(out, y).item() * n;
        if (accuracyOk && canMeasureAccuracy(out, y)) correct += correctCount(out, y);
        else accuracyOk = false;
        count += n;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return {
    loss: options.lossFn && count > 0 ? lossSum / count : null,
    accuracy: accuracyOk && count > 0 ? correct / count : null,
    count,
  };
}

function metricOf(r: EpochRecord, name: MetricName): number | null {
  return r[name];
}

function isPlateauScheduler(s: FitScheduler): boolean {
  return s.constructor.name === "ReduceLROnPlateau";
}

function cloneState(sd: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, t] of Object.entries(sd)) out[k] = t.clone();
  return out;
}

/**
 * Put a checkpoint's state into the model, optimizer, scheduler and generators. Everything that
 * can be checked is checked first; if a later part is still refused, the earlier parts are rolled
 * back, so a refused checkpoint leaves everything as it was.
 */
export function restoreCheckpoint(
  data: CheckpointData,
  targets: { model: Module; optimizer?: FitOptimizer; scheduler?: FitScheduler; generators?: Record<string, Generator> },
): void {
  const fail = (msg: string): never => {
    throw new Error(`cannot resume from this checkpoint: ${msg}`);
  };
  if (targets.optimizer && data.optimizer === undefined) fail("it has no optimizer state");
  if (targets.scheduler && data.scheduler === undefined) fail("it has no scheduler state, but a scheduler was given");
  if (!targets.scheduler && data.scheduler !== undefined) fail("it has scheduler state, but no scheduler was given");
  const gens = targets.generators ?? {};
  for (const name of Object.keys(gens)) {
    const st = data.generators?.[name];
    if (st === undefined) fail(`it has no state for the "${name}" random generator`);
    try {
      new Generator(0).setState(st as GeneratorState); // validate on a scratch generator
    } catch (err) {
      fail(`the "${name}" generator state is invalid (${(err as Error).message})`);
    }
  }
  const modelBackup = cloneState(targets.model.stateDict());
  try {
    targets.model.loadStateDict(data.model);
  } catch (err) {
    fail((err as Error).message);
  }
  const optBackup = targets.optimizer?.stateDict();
  try {
    if (targets.optimizer) targets.optimizer.loadStateDict(data.optimizer as never);
  } catch (err) {
    targets.model.loadStateDict(modelBackup);
    fail(`the optimizer refused its state: ${(err as Error).message}`);
  }
  try {
    if (targets.scheduler) targets.scheduler.loadStateDict(data.scheduler as never);
  } catch (err) {
    targets.model.loadStateDict(modelBackup);
    if (targets.optimizer) targets.optimizer.loadStateDict(optBackup as never);
    fail(`the scheduler refused its state: ${(err as Error).message}`);
  }
  for (const [name, g] of Object.entries(gens)) g.setState(data.generators![name]!);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readHistory(v: unknown): History {
  if (!isRecord(v) || !Array.isArray(v.epochs) || !Array.isArray(v.stepLoss)) {
    throw new Error("cannot resume from this checkpoint: its history is missing or malformed");
  }
  const stepLr = Array.isArray(v.stepLr) ? (v.stepLr as number[]) : [];
  return { epochs: v.epochs as EpochRecord[], stepLoss: v.stepLoss as number[], stepLr, stopReason: "completed" };
}

function readFitState(v: unknown): FitState {
  const es = isRecord(v) && isRecord(v.earlyStopping) ? v.earlyStopping : {};
  return {
    earlyStopping: {
      best: typeof es.best === "number" ? es.best : null,
      bestEpoch: typeof es.bestEpoch === "number" ? es.bestEpoch : null,
      wait: typeof es.wait === "number" ? es.wait : 0,
    },
    lastCheckpointEpoch: isRecord(v) && typeof v.lastCheckpointEpoch === "number" ? v.lastCheckpointEpoch : null,
  };
}

/** Train `model`; see the file comment for the order of events. Resolves to the run's history. */
export async function fit(model: FitModel, options: FitOptions): Promise<History> {
  const { trainLoader, valLoader, optimizer, lossFn, scheduler } = options;
  if (typeof model !== "object" || model === null || typeof model.forward !== "function") {
    throw new TypeError("fit: model must be an nn.Module with a forward method");
  }
  if (trainLoader === null || typeof trainLoader !== "object" || typeof trainLoader[Symbol.iterator] !== "function") {
    throw new TypeError("fit: trainLoader must be an iterable of [input, target] batches (e.g. a data.DataLoader)");
  }
  if (valLoader !== undefined && (valLoader === null || typeof valLoader[Symbol.iterator] !== "function")) {
    throw new TypeError("fit: valLoader must be an iterable of [input, target] batches");
  }
  if (typeof lossFn !== "function") throw new TypeError("fit: lossFn must be a function (output, target) => loss");
  if (typeof optimizer !== "object" || optimizer === null || typeof optimizer.step !== "function") {
    throw new TypeError("fit: optimizer must be an optim.Optimizer");
  }
  checkPositiveInt(options.epochs, "epochs");
  const interval = options.schedulerInterval ?? "epoch";
  if (interval !== "step" && interval !== "epoch") {
    throw new RangeError(`fit: schedulerInterval must be "step" or "epoch", got ${JSON.stringify(interval)}`);
  }
  for (const k of ["clipGradNorm", "clipGradValue"] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === "number" && v > 0 && Number.isFinite(v))) {
      throw new RangeError(`fit: ${k} must be a positive finite number, got ${String(v)}`);
    }
  }
  const metricNames: MetricName[] = ["trainLoss", "trainAccuracy", "valLoss", "valAccuracy"];
  const checkMetric = (m: MetricName | undefined, what: string): void => {
    if (m !== undefined && !metricNames.includes(m)) {
      throw new RangeError(`fit: ${what} must be one of ${metricNames.join(", ")}, got ${JSON.stringify(m)}`);
    }
    if (m !== undefined && m.startsWith("val") && valLoader === undefined) {
      throw new RangeError(`fit: ${what} is "${m}" but no valLoader was given`);
    }
  };
  checkMetric(options.monitor, "monitor");
  const es = options.earlyStopping;
  if (es !== undefined) {
    if (!Number.isInteger(es.patience) || es.patience < 0) {
      throw new RangeError(`fit: earlyStopping.patience must be a non-negative integer, got ${String(es.patience)}`);
    }
    if (es.minDelta !== undefined && !(es.minDelta >= 0)) {
      throw new RangeError(`fit: earlyStopping.minDelta must be >= 0, got ${String(es.minDelta)}`);
    }
    if (es.mode !== undefined && es.mode !== "min" && es.mode !== "max") {
      throw new RangeError(`fit: earlyStopping.mode must be "min" or "max", got ${JSON.stringify(es.mode)}`);
    }
    checkMetric(es.monitor, "earlyStopping.monitor");
  }
  if (options.checkpoint !== undefined) {
    if (typeof options.checkpoint.save !== "function") throw new TypeError("fit: checkpoint.save must be a function");
    if (options.checkpoint.every !== undefined) checkPositiveInt(options.checkpoint.every, "checkpoint.every");
  }

  const defaultMetric: MetricName = valLoader !== undefined ? "valLoss" : "trainLoss";
  const plateauMetric: MetricName | null =
    options.monitor ?? (scheduler !== undefined && isPlateauScheduler(scheduler) ? defaultMetric : null);
  const esMonitor = es?.monitor ?? defaultMetric;
  const esMode = es?.mode ?? (esMonitor.endsWith("Accuracy") ? "max" : "min");
  const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks as FitCallbacks];
  const progress = options.progress ?? silentProgress;
  const params = model.parameters();

  const generators: Record<string, Generator> = options.generators ?? { global: defaultGenerator };
  if (options.generators === undefined) {
    const g = (trainLoader as { generator?: unknown }).generator;
    if (g instanceof Generator && g !== defaultGenerator) generators.data = g;
  }

  // state of the run, possibly restored
  let history: History = { epochs: [], stepLoss: [], stepLr: [], stopReason: "completed" };
  let state: FitState = { earlyStopping: { best: null, bestEpoch: null, wait: 0 }, lastCheckpointEpoch: null };
  let startEpoch = 0;
  let step = 0;
  if (options.resume !== undefined) {
    const ck = options.resume;
    restoreCheckpoint(ck, { model, optimizer, scheduler, generators });
    history = readHistory(ck.history);
    state = readFitState(ck.fit);
    state.lastCheckpointEpoch = ck.epoch;
    startEpoch = ck.epoch;
    step = ck.step;
    progress.message(`resumed after epoch ${ck.epoch} (step ${ck.step})`);
  }

  let stopRequested = false;
  const ctx: FitContext = {
    model,
    optimizer,
    get history() {
      return history;
    },
    stop() {
      stopRequested = true;
    },
  };
  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);

  const steps = batchCount(trainLoader);
  let measureAccuracy = options.accuracy;
  for (let epoch = startEpoch + 1; epoch <= options.epochs && !stopRequested; epoch++) {
    if (history.stopReason !== "completed") break;
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
    const t0 = globalThis.performance.now();
    const lr = optimizer.paramGroups[0]?.lr ?? NaN;
    progress.epochBegin(epoch, options.epochs, steps);
    model.train();
    let lossSum = 0;
    let count = 0;
    let correct = 0;
    let batch = 0;
    for (const b of trainLoader) {
      const [x, y] = splitBatch(b, "fit");
      optimizer.zeroGrad();
      const out = model.forward(x);
      const loss = lossFn(out, y);
      if (!(loss instanceof Tensor) || loss.numel() !== 1) {
        throw new TypeError("fit: lossFn must return a one-element tensor (use reduction \"mean\" or \"sum\")");
      }
      const lv = loss.item();
      if (!Number.isFinite(lv)) {
        throw new NonFiniteLossError(lv, step + 1, epoch, batch + 1, history, state.lastCheckpointEpoch);
      }
      loss.backward();
      if (options.clipGradNorm !== undefined) clipGradNorm(params, options.clipGradNorm);
      if (options.clipGradValue !== undefined) clipGradValue(params, options.clipGradValue);
      const lrUsed = optimizer.paramGroups[0]?.lr ?? NaN;
      optimizer.step();
      if (scheduler !== undefined && interval === "step") scheduler.step();
      step += 1;
      batch += 1;
      const n = x.shape[0] ?? 1;
      lossSum += lv * n;
      count += n;
      if (measureAccuracy === undefined) measureAccuracy = canMeasureAccuracy(out, y);
      if (measureAccuracy) {
        if (!canMeasureAccuracy(out, y)) {
          throw new RangeError(
            `fit: accuracy needs an output of shape (N, C, …) and int32 class targets of shape (N, …); got output ${JSON.stringify(out.shape)} and target ${JSON.stringify(y.shape)} (${y.dtype})`,
          );
        }
        correct += correctCount(out, y);
      }
      history.stepLoss.push(lv);
      history.stepLr.push(lrUsed);
      const stats = { loss: lossSum / count, accuracy: measureAccuracy ? correct / count : null, lr: optimizer.paramGroups[0]?.lr ?? NaN };
      progress.step(batch, steps, stats);
      if (callbacks.length > 0) {
        const info: StepInfo = { epoch, step, batch, loss: lv, lr: stats.lr };
        for (const cb of callbacks) await cb.onStepEnd?.(info, ctx);
      }
    }
    if (batch === 0) throw new RangeError("fit: the train loader yielded no batches");

    let valLoss: number | null = null;
    let valAccuracy: number | null = null;
    if (valLoader !== undefined) {
      const r = evaluate(model, valLoader, { lossFn, accuracy: measureAccuracy !== false });
      valLoss = r.loss;
      valAccuracy = r.accuracy;
    }
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / count,
      trainAccuracy: measureAccuracy ? correct / count : null,
      valLoss,
      valAccuracy,
      lr,
      seconds: (globalThis.performance.now() - t0) / 1000,
      steps: batch,
    };
    history.epochs.push(record);

    if (scheduler !== undefined && interval === "epoch") {
      if (plateauMetric !== null) {
        const m = metricOf(record, plateauMetric);
        if (m === null) throw new RangeError(`fit: the scheduler's metric ${plateauMetric} was not measured`);
        scheduler.step(m);
      } else {
        scheduler.step();
      }
    }

    let stopMessage: string | null = null;
    if (es !== undefined) {
      const m = metricOf(record, esMonitor);
      if (m === null) throw new RangeError(`fit: early stopping's metric ${esMonitor} was not measured`);
      const s = state.earlyStopping;
      const delta = es.minDelta ?? 0;
      const better = s.best === null || (esMode === "min" ? m < s.best - delta : m > s.best + delta);
      if (better) {
        s.best = m;
        s.bestEpoch = epoch;
        s.wait = 0;
      } else {
        s.wait += 1;
        if (s.wait >= es.patience) {
          history.stopReason = "early-stopping";
          stopMessage = `early stopping after epoch ${epoch}: ${esMonitor} has not improved for ${s.wait} epochs (best ${s.best} at epoch ${s.bestEpoch})`;
        }
      }
    }

    progress.epochEnd(record, options.epochs);
    if (stopMessage !== null) progress.message(stopMessage);
    for (const cb of callbacks) await cb.onEpochEnd?.(record, ctx);
    if (stopRequested && history.stopReason === "completed") history.stopReason = "callback";

    const ck = options.checkpoint;
    const last = epoch === options.epochs || history.stopReason !== "completed";
    if (ck !== undefined && (last || epoch % (ck.every ?? 1) === 0)) {
      state.lastCheckpointEpoch = epoch;
      const gstates: Record<string, GeneratorState> = {};
      for (const [name, g] of Object.entries(generators)) gstates[name] = g.getState();
      const data: CheckpointData = {
        epoch,
        step,
        model: model.stateDict(),
        optimizer: optimizer.stateDict(),
        generators: gstates,
        fit: { earlyStopping: { ...state.earlyStopping }, lastCheckpointEpoch: epoch },
        history: { epochs: history.epochs.map((r) => ({ ...r })), stepLoss: history.stepLoss.slice(), stepLr: history.stepLr.slice() },
      };
      if (scheduler !== undefined) data.scheduler = scheduler.stateDict();
      if (ck.config !== undefined) data.config = ck.config;
      await ck.save(data);
    }
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(history, ctx);
  return history;
}
