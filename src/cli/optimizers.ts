/**
 * The CLI's optimizers and learning-rate schedules by name.
 *
 * Optimizers (learning rates default to PyTorch's own defaults where it has one; SGD, which has
 * none, takes 0.01; RMSprop takes 1e-3, the customary value, rather than torch's 1e-2):
 *   sgd, momentum (SGD with momentum 0.9), nesterov (SGD with Nesterov momentum 0.9), adagrad,
 *   rmsprop, adam, adamw, adadelta, adamax, nadam, radam.
 *
 * Schedules for `descent train --scheduler` (all of torch.optim.lr_scheduler's classes):
 *   none; step (StepLR each epoch, stepSize ⌈epochs/3⌉, γ 0.1); multistep (MultiStepLR at
 *   --milestones); exponential (ExponentialLR, γ 0.9 per epoch); cosine (CosineAnnealingLR over
 *   every step of the run, stepped after each batch, to --eta-min); onecycle (OneCycleLR over the
 *   run, peak --lr, stepped after each batch); plateau (ReduceLROnPlateau on the validation loss,
 *   factor 0.1, patience --plateau-patience).
 */
import type { Tensor } from "../tensor/tensor.js";
import * as optim from "../optim/index.js";
import type { FitOptimizer, FitScheduler } from "../train/fit.js";
import { CliError } from "./args.js";

export const OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adadelta", "adamax", "nadam", "radam"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Display names for legends and headers. */
export const OPTIMIZER_LABELS: Record<OptimizerName, string> = {
  sgd: "SGD",
  momentum: "SGD + momentum",
  nesterov: "SGD + Nesterov",
  adagrad: "AdaGrad",
  rmsprop: "RMSProp",
  adam: "Adam",
  adamw: "AdamW",
  adadelta: "Adadelta",
  adamax: "Adamax",
  nadam: "NAdam",
  radam: "RAdam",
};

export const DEFAULT_LR: Record<OptimizerName, number> = {
  sgd: 0.01,
  momentum: 0.01,
  nesterov: 0.01,
  adagrad: 0.01,
  rmsprop: 0.001,
  adam: 0.001,
  adamw: 0.001,
  adadelta: 1,
  adamax: 0.002,
  nadam: 0.002,
  radam: 0.001,
};

export interface OptimizerChoice {
  name: OptimizerName;
  lr: number;
  weightDecay: number;
  /** SGD momentum for "momentum" and "nesterov" (default 0.9). */
  momentum?: number;
}

/** Any optimizer the CLI builds. */
export type CliOptimizer =
  | optim.SGD
  | optim.Adagrad
  | optim.RMSprop
  | optim.Adam
  | optim.AdamW
  | optim.Adadelta
  | optim.Adamax
  | optim.NAdam
  | optim.RAdam;

/** Build an optimizer; option errors (PyTorch's messages) become one-line CLI errors. */
export function buildOptimizer(params: Tensor[], c: OptimizerChoice): CliOptimizer {
  const common = { lr: c.lr, weightDecay: c.weightDecay };
  try {
    switch (c.name) {
      case "sgd":
        return new optim.SGD(params, { ...common, momentum: c.momentum ?? 0 });
      case "momentum":
        return new optim.SGD(params, { ...common, momentum: c.momentum ?? 0.9 });
      case "nesterov":
        return new optim.SGD(params, { ...common, momentum: c.momentum ?? 0.9, nesterov: true });
      case "adagrad":
        return new optim.Adagrad(params, common);
      case "rmsprop":
        return new optim.RMSprop(params, common);
      case "adam":
        return new optim.Adam(params, common);
      case "adamw":
        return new optim.AdamW(params, common);
      case "adadelta":
        return new optim.Adadelta(params, common);
      case "adamax":
        return new optim.Adamax(params, common);
      case "nadam":
        return new optim.NAdam(params, common);
      case "radam":
        return new optim.RAdam(params, common);
      default: {
        const never: never = c.name;
        throw new CliError(`unknown optimizer ${String(never)}`);
      }
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`--optimizer ${c.name}: ${(err as Error).message}`);
  }
}

export const SCHEDULERS = ["none", "step", "multistep", "exponential", "cosine", "onecycle", "plateau"] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

export interface SchedulerChoice {
  name: SchedulerName;
  /** StepLR/ExponentialLR/MultiStepLR γ (defaults 0.1, 0.9, 0.1). */
  gamma?: number;
  /** StepLR period in epochs (default ⌈epochs / 3⌉). */
  stepSize?: number;
  /** MultiStepLR milestones in epochs. */
  milestones?: number[];
  /** CosineAnnealingLR's floor (default 0). */
  etaMin?: number;
  /** ReduceLROnPlateau's patience (default 2) and factor (default 0.1). */
  plateauPatience?: number;
  factor?: number;
}

/** Build the schedule; `interval` says when the fit loop steps it. */
export function buildScheduler(
  opt: CliOptimizer,
  c: SchedulerChoice,
  run: { epochs: number; stepsPerEpoch: number; lr: number },
): { scheduler: FitScheduler | undefined; interval: "step" | "epoch" } {
  const s = optim.lrScheduler;
  const o = opt;
  try {
    switch (c.name) {
      case "none":
        return { scheduler: undefined, interval: "epoch" };
      case "step":
        return { scheduler: new s.StepLR(o, { stepSize: c.stepSize ?? Math.max(1, Math.ceil(run.epochs / 3)), gamma: c.gamma ?? 0.1 }), interval: "epoch" };
      case "multistep":
        if (c.milestones === undefined) throw new CliError("--scheduler multistep needs --milestones (epochs, e.g. 5,8)");
        return { scheduler: new s.MultiStepLR(o, { milestones: c.milestones, gamma: c.gamma ?? 0.1 }), interval: "epoch" };
      case "exponential":
        return { scheduler: new s.ExponentialLR(o, { gamma: c.gamma ?? 0.9 }), interval: "epoch" };
      case "cosine":
        return { scheduler: new s.CosineAnnealingLR(o, { tMax: run.epochs * run.stepsPerEpoch, etaMin: c.etaMin ?? 0 }), interval: "step" };
      case "onecycle":
        return { scheduler: new s.OneCycleLR(o, { maxLr: run.lr, totalSteps: run.epochs * run.stepsPerEpoch }), interval: "step" };
      case "plateau":
        return {
          scheduler: new s.ReduceLROnPlateau(o, { factor: c.factor ?? 0.1, patience: c.plateauPatience ?? 2 }),
          interval: "epoch",
        };
      default: {
        const never: never = c.name;
        throw new CliError(`unknown scheduler ${String(never)}`);
      }
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`--scheduler ${c.name}: ${(err as Error).message}`);
  }
}

/** A FitOptimizer view of an optimizer (the structural types agree; this names the intent). */
export function asFitOptimizer(opt: CliOptimizer): FitOptimizer {
  return opt;
}
