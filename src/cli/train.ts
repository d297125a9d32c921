/**
 * `descent train`: train a model on a dataset, with progress output, then report the test
 * accuracy and write into --out: history.json, curves.svg and curves.png (loss and accuracy), and
 * checkpoint/ (refreshed after every epoch, atomically). `--resume DIR` continues a run from
 * DIR/checkpoint so that its final weights equal those of an uninterrupted run, bit for bit.
 */
import { join, resolve } from "node:path";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { crossEntropy } from "../nn/functional/index.js";
import { evaluate, fit, NonFiniteLossError, type History } from "../train/fit.js";
import { createProgress, formatAccuracy, formatDuration, formatLoss } from "../train/progress.js";
import { checkpointExists, loadCheckpoint, saveCheckpoint } from "../train/checkpoint.js";
import type { CheckpointData } from "../train/checkpoint_format.js";
import { historyFigure } from "../train/curves.js";
import { writePlot, pngFontStatus } from "../plot/png.js";
import type { Tensor } from "../tensor/tensor.js";
import { CliError, FlagReader, parseFlags, type Flags } from "./args.js";
import type { Io } from "./io.js";
import { buildRun, configJson, describeRun, readRunFlags, resumeConfig, RUN_FLAGS, type RunConfig } from "./setup.js";
import { DATASETS } from "./datasets.js";
import { MODELS } from "./models.js";
import { OPTIMIZERS, SCHEDULERS } from "./optimizers.js";

export const TRAIN_FLAGS: Flags = { ...RUN_FLAGS, resume: { type: "string" }, "stop-after": { type: "string" } };

export const TRAIN_HELP = `Usage: descent train [options]

Train a model, print progress and the final test accuracy, and write into --out:
history.json, curves.svg and curves.png, and checkpoint/ (updated after every epoch).

Data and model:
  --dataset NAME         ${DATASETS.join(", ")} (default mnist)
  --model NAME           ${MODELS.join(", ")} (default mlp)
  --hidden 256,128       the mlp's hidden sizes (default 256,128 for images, by feature count otherwise)
  --dropout P            dropout after each hidden layer of the mlp (default 0)
  --val-fraction F       part of the training data held out for validation (default 0.1)
  --limit N              train on only N samples (quick trials)

Optimization:
  --optimizer NAME       ${OPTIMIZERS.join(", ")} (default adam)
  --lr LR                learning rate (default: the optimizer's, e.g. 1e-3 for adam, 0.01 for sgd)
  --momentum M           SGD momentum (momentum/nesterov default 0.9)
  --weight-decay WD      L2 weight decay (default 0)
  --epochs N             epochs (default 3)
  --batch-size N         mini-batch size (default 64)
  --scheduler NAME       ${SCHEDULERS.join(", ")} (default none); cosine and onecycle
                         step after every batch, the others after every epoch
  --gamma G --step-size N --milestones 5,8 --eta-min LR --plateau-patience N --factor F
                         schedule options (StepLR/ExponentialLR/MultiStepLR γ, StepLR period,
                         MultiStepLR epochs, CosineAnnealingLR floor, ReduceLROnPlateau)
  --clip-grad-norm N     clip the gradients' total 2-norm to N before each step
  --early-stopping N     stop after N epochs without a better validation loss

Run:
  --seed N               seed of the split, the initial weights, dropout and the order (default 0)
  --out DIR              output folder (default runs/DATASET-MODEL-OPTIMIZER)
  --resume DIR           continue the run saved in DIR (its configuration is kept; --epochs may grow)
  --stop-after N         stop (with a checkpoint) after epoch N of --epochs; resume later
  --log-every N          without a terminal, also print a line every N steps (default: 4 per epoch)

Example:
  descent train --dataset mnist --model mlp --optimizer adam --lr 1e-3 --epochs 3 \\
                --batch-size 128 --scheduler cosine --weight-decay 0 --seed 0 --out runs/x
  descent train --resume runs/x --epochs 5
`;

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 1)}\n`);
  renameSync(tmp, path);
}

/** Write history.json and the curves; returns the files written. */
function writeOutputs(out: string, config: RunConfig, history: History, extra: Record<string, unknown>): string[] {
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  writeJsonAtomic(join(out, "history.json"), { config, ...extra, history });
  files.push(join(out, "history.json"));
  if (history.epochs.length > 0) {
    const title = `${config.dataset} · ${config.model} · ${config.optimizer}`;
    const p = writePlot(join(out, "curves"), historyFigure(history, { title }));
    files.push(p.svg, p.png);
  }
  return files;
}

export async function trainCommand(argv: readonly string[], io: Io): Promise<number> {
  const command = "descent train";
  const parsed = parseFlags(argv, TRAIN_FLAGS, command);
  if (parsed.values.help) {
    io.stdout.write(TRAIN_HELP);
    return 0;
  }
  const f = new FlagReader(parsed, command);
  f.noPositionals();
  const { given, config: fresh } = readRunFlags(f, { dataset: "mnist", epochs: 3, batchSize: 64 });
  const logEvery = f.number("log-every", undefined, { integer: true, min: 0 });
  const stopAfter = f.number("stop-after", undefined, { integer: true, min: 1 });
  const resumeDir = f.string("resume");
  let resume: CheckpointData | undefined;
  let config = fresh;
  if (resumeDir !== undefined) {
    const ckDir = join(resumeDir, "checkpoint");
    if (!checkpointExists(ckDir)) throw new CliError(`${command}: no checkpoint in ${resumeDir} (expected ${ckDir}/checkpoint.json)`, 1);
    try {
      resume = loadCheckpoint(ckDir);
    } catch (err) {
      throw new CliError(`${command}: ${(err as Error).message.split("\n")[0]}`, 1);
    }
    config = resumeConfig(resume.config, given, command);
  }
  const out = resolve(f.string("out") ?? resumeDir ?? join("runs", `${config.dataset}-${config.model}-${config.optimizer}`));
  const ckDir = join(out, "checkpoint");

  const run = buildRun(config);
  io.stdout.write(`descent train: ${describeRun(config, run)}\n`);
  if (resume !== undefined && resume.epoch >= config.epochs) {
    io.stdout.write(`the checkpoint already has ${resume.epoch} of ${config.epochs} epochs; pass a larger --epochs to train longer\n`);
  }
  const progress = createProgress(io.stdout, logEvery === undefined ? {} : { every: logEvery });
  const lossFn = (o: Tensor, t: Tensor): Tensor => crossEntropy(o, t);
  const t0 = performance.now();
  let history: History;
  try {
    history = await fit(run.model, {
      trainLoader: run.trainLoader,
      valLoader: run.valLoader,
      optimizer: run.optimizer,
      lossFn,
      epochs: config.epochs,
      scheduler: run.scheduler.scheduler,
      schedulerInterval: run.scheduler.interval,
      clipGradNorm: config.clipGradNorm ?? undefined,
      earlyStopping: config.earlyStopping === null ? undefined : { patience: config.earlyStopping },
      progress,
      generators: run.generators,
      checkpoint: { save: (d) => saveCheckpoint(ckDir, d), config: configJson(config) },
      resume,
      callbacks:
        stopAfter === undefined
          ? []
          : {
              onEpochEnd: (r, ctx) => {
                if (r.epoch >= stopAfter && r.epoch < config.epochs) ctx.stop();
              },
            },
    });
  } catch (err) {
    if (err instanceof NonFiniteLossError) {
      writeOutputs(out, config, err.history, { stoppedAt: { step: err.step, epoch: err.epoch, loss: String(err.loss) } });
      throw new CliError(`${command}: ${err.message}`, 1);
    }
    if (err instanceof Error && err.message.startsWith("cannot resume")) throw new CliError(`${command}: ${err.message.split("\n")[0]}`, 1);
    throw err;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (history.stopReason === "callback") {
    const done = history.epochs[history.epochs.length - 1]?.epoch ?? 0;
    io.stdout.write(`stopped after epoch ${done} of ${config.epochs} (--stop-after); continue with: descent train --resume ${relativeOrAbsolute(out)}\n`);
  }
  const test = evaluate(run.model, run.testLoader, { lossFn });
  io.stdout.write(
    `test accuracy ${formatAccuracy(test.accuracy ?? NaN)} (test loss ${formatLoss(test.loss ?? NaN)}, ${test.count} samples); training took ${formatDuration(seconds)}\n`,
  );
  const files = writeOutputs(out, config, history, { test, seconds });
  const hint = pngFontStatus().hint;
  if (hint !== null) io.stderr.write(`note: ${hint}\n`);
  io.stdout.write(`wrote ${[...files, `${ckDir}/`].map((p) => relativeOrAbsolute(p)).join(", ")}\n`);
  return 0;
}

function relativeOrAbsolute(p: string): string {
  const cwd = process.cwd();
  return p.startsWith(`${cwd}/`) ? p.slice(cwd.length + 1) : p;
}
