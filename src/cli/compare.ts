/**
 * `descent compare`: the textbook's Figure 1.18 idea — one model, trained from the same initial
 * weights on the same mini-batch order, under several optimizers (SGD, SGD + momentum, AdaGrad,
 * RMSProp, Adam by default) and under a too-small, a good and a too-large learning rate, with every training-loss
 * curve in one labelled plot per comparison (compare.svg / compare.png) and the numbers in
 * compare.json.
 *
 * Each curve starts at epoch 0 with the loss of the shared initial weights (so the curves visibly
 * share their start) and then gives each epoch's mean training loss. A run whose loss becomes
 * non-finite (a learning rate too large) ends its curve there and says so in the legend.
 */
import { join, resolve } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import { crossEntropy } from "../nn/functional/index.js";
import { evaluate, fit, NonFiniteLossError, type History } from "../train/fit.js";
import { formatAccuracy, formatLoss } from "../train/progress.js";
import { figure, type LineChartOptions, type Series } from "../plot/line_chart.js";
import { writePlot } from "../plot/png.js";
import { DataLoader, TensorDataset } from "../data/index.js";
import { Generator } from "../tensor/generator.js";
import type { Tensor } from "../tensor/tensor.js";
import { CliError, FlagReader, parseFlags, type Flags } from "./args.js";
import type { Io } from "./io.js";
import { buildRun, readRunFlags, RUN_FLAGS, type RunConfig } from "./setup.js";
import { DATASETS, prepareData } from "./datasets.js";
import { MODELS } from "./models.js";
import { DEFAULT_LR, OPTIMIZER_LABELS, OPTIMIZERS, type OptimizerName } from "./optimizers.js";

export const COMPARE_FLAGS: Flags = {
  ...RUN_FLAGS,
  optimizers: { type: "string" },
  lrs: { type: "string" },
  by: { type: "string" },
  scale: { type: "string" },
};

const DEFAULT_OPTIMIZERS: OptimizerName[] = ["sgd", "momentum", "adagrad", "rmsprop", "adam"];
// Too small (crawls), about right, too large (jumps out of the valley and stalls): the textbook's
// Figure 1.18 lesson, on the default digits MLP.
const DEFAULT_LRS = [0.001, 0.1, 2];

export const COMPARE_HELP = `Usage: descent compare [options]

Train one model from the same initial weights, on the same mini-batch order, under several
optimizers and under a too-small, a good and a too-large learning rate (the idea of the textbook's
Figure 1.18), and draw the training-loss curves of each comparison in one plot.
Writes compare.svg, compare.png and compare.json into --out.

  --by optimizers|lrs|both   which comparisons (default both)
  --optimizers LIST          default ${DEFAULT_OPTIMIZERS.join(",")}; each at its default
                             learning rate (${DEFAULT_OPTIMIZERS.map((o) => `${o} ${DEFAULT_LR[o]}`).join(", ")}) unless --lr is given
  --lrs LIST                 learning rates of the second comparison (default ${DEFAULT_LRS.join(",")})
  --optimizer NAME           the optimizer of the learning-rate comparison (default sgd)
  --dataset NAME             ${DATASETS.join(", ")} (default digits: quick)
  --model NAME               ${MODELS.join(", ")} (default mlp)
  --epochs N                 epochs per run (default 20)
  --batch-size N             mini-batch size (default 32)
  --scale log|linear         the loss axis (default log)
  --seed N                   seed of the split, the shared initial weights and the order (default 0)
  --out DIR                  output folder (default runs/compare-DATASET)
Other options of 'descent train' (--hidden, --dropout, --weight-decay, --momentum, --limit, …) apply to every run.

Example:
  descent compare
  descent compare --dataset mnist --epochs 3 --batch-size 128 --by optimizers
`;

interface Variant {
  label: string;
  optimizer: OptimizerName;
  lr: number;
}

interface Outcome {
  variant: Variant;
  history: History;
  initialLoss: number;
  diverged: { step: number; epoch: number } | null;
  test: { loss: number | null; accuracy: number | null };
}

function curve(o: Outcome): Series {
  const x = [0, ...o.history.epochs.map((r) => r.epoch)];
  const y = [o.initialLoss, ...o.history.epochs.map((r) => r.trainLoss)];
  const label = o.diverged === null ? o.variant.label : `${o.variant.label} (diverged at step ${o.diverged.step})`;
  return { label, x, y, markers: x.length <= 31 };
}

export async function compareCommand(argv: readonly string[], io: Io): Promise<number> {
  const command = "descent compare";
  const parsed = parseFlags(argv, COMPARE_FLAGS, command);
  if (parsed.values.help) {
    io.stdout.write(COMPARE_HELP);
    return 0;
  }
  const f = new FlagReader(parsed, command);
  f.noPositionals();
  const { given, config: base0 } = readRunFlags(f, { dataset: "digits", epochs: 20, batchSize: 32 });
  const by = f.choice("by", ["optimizers", "lrs", "both"] as const, "both");
  const optimizers = f.choices("optimizers", OPTIMIZERS, DEFAULT_OPTIMIZERS);
  const lrs = f.numbers("lrs", DEFAULT_LRS, { min: 0, exclusiveMin: true });
  const scale = f.choice("scale", ["log", "linear"] as const, "log");
  const lrOptimizer = given.optimizer ?? "sgd";
  const base: RunConfig = { ...base0, valFraction: given.valFraction ?? 0 };
  const out = resolve(f.string("out") ?? join("runs", `compare-${base.dataset}`));

  const data = prepareData(base.dataset, { seed: base.seed, valFraction: base.valFraction, limit: base.limit ?? undefined });
  const lossFn = (o: Tensor, t: Tensor): Tensor => crossEntropy(o, t);
  // the training set in a fixed order, to measure the shared initial loss
  const evalTrain = new DataLoader(new TensorDataset(data.train.x, data.train.y), { batchSize: 1000, generator: new Generator(0) });

  const groups: { title: string; variants: Variant[] }[] = [];
  if (by !== "lrs") {
    groups.push({
      title: "optimizers",
      variants: optimizers.map((o) => {
        const lr = given.lr ?? DEFAULT_LR[o];
        return { label: `${OPTIMIZER_LABELS[o]} (lr ${lr})`, optimizer: o, lr };
      }),
    });
  }
  if (by !== "optimizers") {
    groups.push({
      title: "learning rates",
      variants: lrs.map((lr) => ({ label: `${OPTIMIZER_LABELS[lrOptimizer]}, lr ${lr}`, optimizer: lrOptimizer, lr })),
    });
  }

  io.stdout.write(
    `descent compare: ${base.dataset}, ${base.model}, ${base.epochs} epoch${base.epochs === 1 ? "" : "s"} of batches of ${base.batchSize}, seed ${base.seed}: every run starts from the same weights\n`,
  );
  let reference: Map<string, number[]> | null = null;
  const results: { title: string; outcomes: Outcome[] }[] = [];
  for (const g of groups) {
    const outcomes: Outcome[] = [];
    for (const v of g.variants) {
      const config: RunConfig = { ...base, optimizer: v.optimizer, lr: v.lr };
      const run = buildRun(config, data);
      // the same initial weights for every run (buildRun seeds the default generator first)
      const weights = new Map(Object.entries(run.model.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync())]));
      if (reference === null) reference = weights;
      else if ([...weights].some(([k, w]) => JSON.stringify(w) !== JSON.stringify(reference!.get(k)))) {
        throw new Error("descent compare: runs did not start from the same weights");
      }
      const initialLoss = evaluate(run.model, evalTrain, { lossFn }).loss!;
      let history: History;
      let diverged: Outcome["diverged"] = null;
      try {
        history = await fit(run.model, {
          trainLoader: run.trainLoader,
          optimizer: run.optimizer,
          lossFn,
          epochs: config.epochs,
          scheduler: run.scheduler.scheduler,
          schedulerInterval: run.scheduler.interval,
          clipGradNorm: config.clipGradNorm ?? undefined,
          generators: run.generators,
        });
      } catch (err) {
        if (!(err instanceof NonFiniteLossError)) throw err;
        history = err.history;
        diverged = { step: err.step, epoch: err.epoch };
      }
      const test = diverged === null ? evaluate(run.model, run.testLoader, { lossFn }) : { loss: null, accuracy: null };
      const o: Outcome = { variant: v, history, initialLoss, diverged, test: { loss: test.loss, accuracy: test.accuracy } };
      outcomes.push(o);
      const last = history.epochs[history.epochs.length - 1];
      io.stdout.write(
        `  ${v.label.padEnd(28)} loss ${formatLoss(initialLoss)} → ${last ? formatLoss(last.trainLoss) : "—"}` +
          (diverged ? `  diverged at step ${diverged.step} (epoch ${diverged.epoch})` : `  test accuracy ${formatAccuracy(test.accuracy ?? NaN)}`) +
          "\n",
      );
    }
    results.push({ title: g.title, outcomes });
  }

  const charts: LineChartOptions[] = results.map((r) => ({
    title: `${base.dataset} · ${base.model}: ${r.title}`,
    xLabel: "epoch",
    yLabel: "training loss (epoch mean)",
    series: r.outcomes.map(curve),
    yScale: scale,
    xMin: 0,
    xInteger: true,
  }));
  mkdirSync(out, { recursive: true });
  const paths = writePlot(join(out, "compare"), figure({ charts, cellWidth: 640, cellHeight: 440 }));
  const json = {
    config: base,
    comparisons: results.map((r) => ({
      title: r.title,
      runs: r.outcomes.map((o) => ({
        label: o.variant.label,
        optimizer: o.variant.optimizer,
        lr: o.variant.lr,
        initialLoss: o.initialLoss,
        trainLoss: o.history.epochs.map((e) => e.trainLoss),
        diverged: o.diverged,
        test: o.test,
      })),
    })),
  };
  writeFileSync(join(out, "compare.json"), `${JSON.stringify(json, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 1)}\n`);
  io.stdout.write(`wrote ${paths.svg}, ${paths.png} and ${join(out, "compare.json")}\n`);
  if (results.length === 0) throw new CliError(`${command}: nothing to compare`);
  return 0;
}
