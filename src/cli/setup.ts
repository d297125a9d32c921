/**
 * What `descent train` and `descent compare` share: the run configuration (plain JSON, stored in
 * checkpoints and history.json), reading it from flags, and building data loaders, model,
 * optimizer and schedule from it — seeded, so the same configuration always builds the same run.
 *
 * Seeds: the data split uses Generator(seed); the training order uses its own Generator(seed + 1)
 * (saved in checkpoints as "data"); the model's initial weights and dropout draw from the default
 * generator, seeded with manualSeed(seed); validation and test loaders never shuffle and draw
 * their per-epoch base seed from a private generator, so evaluating changes no random stream.
 */
import { Generator, manualSeed } from "../tensor/generator.js";
import { DataLoader, TensorDataset } from "../data/index.js";
import type { Tensor } from "../tensor/tensor.js";
import type { FitModel } from "../train/fit.js";
import type { Json } from "../train/state.js";
import { CliError, type FlagReader, type Flags } from "./args.js";
import { DATASETS, prepareData, type DatasetName, type PreparedData, type Split } from "./datasets.js";
import { buildModel, MODELS, type ModelName } from "./models.js";
import { buildOptimizer, buildScheduler, DEFAULT_LR, OPTIMIZERS, SCHEDULERS, type CliOptimizer, type OptimizerName, type SchedulerName } from "./optimizers.js";

/** Everything that defines a training run. */
export interface RunConfig {
  dataset: DatasetName;
  model: ModelName;
  optimizer: OptimizerName;
  lr: number;
  momentum: number | null;
  weightDecay: number;
  epochs: number;
  batchSize: number;
  scheduler: SchedulerName;
  gamma: number | null;
  stepSize: number | null;
  milestones: number[] | null;
  etaMin: number;
  plateauPatience: number;
  factor: number;
  seed: number;
  valFraction: number;
  hidden: number[] | null;
  dropout: number;
  clipGradNorm: number | null;
  earlyStopping: number | null;
  limit: number | null;
}

/** Flags shared by train and compare. */
export const RUN_FLAGS: Flags = {
  dataset: { type: "string" },
  model: { type: "string" },
  optimizer: { type: "string" },
  lr: { type: "string" },
  momentum: { type: "string" },
  "weight-decay": { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  scheduler: { type: "string" },
  gamma: { type: "string" },
  "step-size": { type: "string" },
  milestones: { type: "string" },
  "eta-min": { type: "string" },
  "plateau-patience": { type: "string" },
  factor: { type: "string" },
  seed: { type: "string" },
  "val-fraction": { type: "string" },
  hidden: { type: "string" },
  dropout: { type: "string" },
  "clip-grad-norm": { type: "string" },
  "early-stopping": { type: "string" },
  limit: { type: "string" },
  out: { type: "string" },
  "log-every": { type: "string" },
};

/** The RunConfig keys and their flags. */
export const CONFIG_FLAGS: Record<keyof RunConfig, string> = {
  dataset: "dataset",
  model: "model",
  optimizer: "optimizer",
  lr: "lr",
  momentum: "momentum",
  weightDecay: "weight-decay",
  epochs: "epochs",
  batchSize: "batch-size",
  scheduler: "scheduler",
  gamma: "gamma",
  stepSize: "step-size",
  milestones: "milestones",
  etaMin: "eta-min",
  plateauPatience: "plateau-patience",
  factor: "factor",
  seed: "seed",
  valFraction: "val-fraction",
  hidden: "hidden",
  dropout: "dropout",
  clipGradNorm: "clip-grad-norm",
  earlyStopping: "early-stopping",
  limit: "limit",
};

/** The values given on the command line (only the flags present). */
export function readRunFlags(f: FlagReader, defaults: { dataset: DatasetName; epochs: number; batchSize: number }): {
  given: Partial<RunConfig>;
  config: RunConfig;
} {
  const given: Partial<RunConfig> = {};
  const set = <K extends keyof RunConfig>(k: K, v: RunConfig[K] | undefined): void => {
    if (v !== undefined) given[k] = v;
  };
  set("dataset", f.choice("dataset", DATASETS));
  set("model", f.choice("model", MODELS));
  set("optimizer", f.choice("optimizer", OPTIMIZERS));
  set("lr", f.number("lr", undefined, { min: 0, exclusiveMin: true }));
  set("momentum", f.number("momentum", undefined, { min: 0 }));
  set("weightDecay", f.number("weight-decay", undefined, { min: 0 }));
  set("epochs", f.number("epochs", undefined, { integer: true, min: 1 }));
  set("batchSize", f.number("batch-size", undefined, { integer: true, min: 1 }));
  set("scheduler", f.choice("scheduler", SCHEDULERS));
  set("gamma", f.number("gamma", undefined, { min: 0, exclusiveMin: true }));
  set("stepSize", f.number("step-size", undefined, { integer: true, min: 1 }));
  if (f.has("milestones")) given.milestones = f.numbers("milestones", [], { integer: true, min: 1 });
  set("etaMin", f.number("eta-min", undefined, { min: 0 }));
  set("plateauPatience", f.number("plateau-patience", undefined, { integer: true, min: 0 }));
  set("factor", f.number("factor", undefined, { min: 0, exclusiveMin: true, max: 1 }));
  set("seed", f.number("seed", undefined, { integer: true, min: 0 }));
  set("valFraction", f.number("val-fraction", undefined, { min: 0, max: 0.9 }));
  if (f.has("hidden")) given.hidden = f.numbers("hidden", [], { integer: true, min: 1 });
  set("dropout", f.number("dropout", undefined, { min: 0, max: 0.99 }));
  set("clipGradNorm", f.number("clip-grad-norm", undefined, { min: 0, exclusiveMin: true }));
  set("earlyStopping", f.number("early-stopping", undefined, { integer: true, min: 0 }));
  set("limit", f.number("limit", undefined, { integer: true, min: 1 }));
  const optimizer = given.optimizer ?? "adam";
  const config: RunConfig = {
    dataset: defaults.dataset,
    model: "mlp",
    optimizer,
    lr: DEFAULT_LR[optimizer],
    momentum: null,
    weightDecay: 0,
    epochs: defaults.epochs,
    batchSize: defaults.batchSize,
    scheduler: "none",
    gamma: null,
    stepSize: null,
    milestones: null,
    etaMin: 0,
    plateauPatience: 2,
    factor: 0.1,
    seed: 0,
    valFraction: 0.1,
    hidden: null,
    dropout: 0,
    clipGradNorm: null,
    earlyStopping: null,
    limit: null,
    ...given,
  };
  return { given, config };
}

/** Keys a resumed run may change. */
const MAY_CHANGE_ON_RESUME = new Set<keyof RunConfig>(["epochs", "earlyStopping"]);

/**
 * The configuration of a resumed run: the checkpoint's, with the flags given now, which must
 * agree with it except for --epochs (not with a schedule fixed to the run's length) and
 * --early-stopping.
 */
export function resumeConfig(saved: unknown, given: Partial<RunConfig>, command: string): RunConfig {
  if (typeof saved !== "object" || saved === null || Array.isArray(saved) || !("dataset" in saved)) {
    throw new CliError(`${command}: the checkpoint has no run configuration (was it written by descent train?)`, 1);
  }
  const base = saved as RunConfig;
  for (const [k, v] of Object.entries(given) as [keyof RunConfig, unknown][]) {
    const old = base[k];
    if (JSON.stringify(old) === JSON.stringify(v) || MAY_CHANGE_ON_RESUME.has(k)) continue;
    const show = (x: unknown): string => (Array.isArray(x) ? x.join(",") : String(x));
    throw new CliError(
      `${command}: --${CONFIG_FLAGS[k]} ${show(v)} differs from the checkpoint's ${show(old)} (a resumed run keeps its configuration; only --epochs and --early-stopping may change)`,
    );
  }
  const out = { ...base, ...given };
  if (out.epochs !== base.epochs && (base.scheduler === "cosine" || base.scheduler === "onecycle")) {
    throw new CliError(`${command}: the ${base.scheduler} schedule was fitted to ${base.epochs} epochs; --epochs cannot change on resume`);
  }
  return out;
}

/** Everything a run needs, built from its configuration. */
export interface Run {
  data: PreparedData;
  model: FitModel;
  optimizer: CliOptimizer;
  scheduler: ReturnType<typeof buildScheduler>;
  trainLoader: DataLoader<Tensor[], Tensor[]>;
  valLoader: DataLoader<Tensor[], Tensor[]> | undefined;
  testLoader: DataLoader<Tensor[], Tensor[]>;
  /** The generators a checkpoint keeps. */
  generators: Record<string, Generator>;
}

function loader(s: Split, batchSize: number, shuffle: boolean, generator: Generator): DataLoader<Tensor[], Tensor[]> {
  return new DataLoader(new TensorDataset(s.x, s.y), { batchSize, shuffle, generator });
}

/** Load the data (or reuse `data`) and build the run. */
export function buildRun(c: RunConfig, data?: PreparedData): Run {
  const d = data ?? prepareData(c.dataset, { seed: c.seed, valFraction: c.valFraction, limit: c.limit ?? undefined });
  const global = manualSeed(c.seed);
  const model = buildModel(c.model, {
    nFeatures: d.nFeatures,
    nClasses: d.nClasses,
    image: d.image,
    hidden: c.hidden ?? undefined,
    dropout: c.dropout,
  });
  const optimizer = buildOptimizer(model.parameters(), { name: c.optimizer, lr: c.lr, weightDecay: c.weightDecay, momentum: c.momentum ?? undefined });
  const dataGen = new Generator(c.seed + 1);
  const trainLoader = loader(d.train, c.batchSize, true, dataGen);
  const scheduler = buildScheduler(
    optimizer,
    {
      name: c.scheduler,
      gamma: c.gamma ?? undefined,
      stepSize: c.stepSize ?? undefined,
      milestones: c.milestones ?? undefined,
      etaMin: c.etaMin,
      plateauPatience: c.plateauPatience,
      factor: c.factor,
    },
    { epochs: c.epochs, stepsPerEpoch: trainLoader.length, lr: c.lr },
  );
  return {
    data: d,
    model,
    optimizer,
    scheduler,
    trainLoader,
    valLoader: d.val === null ? undefined : loader(d.val, 1000, false, new Generator(0)),
    testLoader: loader(d.test, 1000, false, new Generator(0)),
    generators: { global, data: dataGen },
  };
}

/** The configuration as JSON for checkpoints and history.json. */
export function configJson(c: RunConfig): Json {
  return JSON.parse(JSON.stringify(c)) as Json;
}

/** A one-line description of a run. */
export function describeRun(c: RunConfig, r: Run): string {
  const n = (s: Split | null): number => (s === null ? 0 : s.y.shape[0]!);
  const params = r.model.parameters().reduce((k, p) => k + p.numel(), 0);
  const parts = [
    `${c.dataset} (${n(r.data.train)} train / ${n(r.data.val)} validation / ${n(r.data.test)} test)`,
    `${c.model} (${params.toLocaleString("en-US")} parameters)`,
    `${c.optimizer} lr ${c.lr}${c.weightDecay ? ` weight decay ${c.weightDecay}` : ""}`,
    c.scheduler === "none" ? "constant lr" : `${c.scheduler} schedule`,
    `${c.epochs} epoch${c.epochs === 1 ? "" : "s"} of ${r.trainLoader.length} batches of ${c.batchSize}`,
    `seed ${c.seed}`,
  ];
  return parts.join(", ");
}
