/**
 * `descent schedule`: plot a learning-rate schedule — run one of torch.optim.lr_scheduler's
 * classes (descent's `optim.lrScheduler`) on an SGD optimizer (momentum 0.9, so the cyclic
 * schedules can cycle it) and draw the learning rate after each `step()`.
 */
import { tensor } from "../tensor/creation.js";
import * as optim from "../optim/index.js";
import { lineChart } from "../plot/line_chart.js";
import { writePlot } from "../plot/png.js";
import { CliError, FlagReader, parseFlags, type Flags } from "./args.js";
import type { Io } from "./io.js";

const NAMES = [
  "StepLR",
  "MultiStepLR",
  "ExponentialLR",
  "CosineAnnealingLR",
  "CosineAnnealingWarmRestarts",
  "LinearLR",
  "ConstantLR",
  "PolynomialLR",
  "OneCycleLR",
  "CyclicLR",
] as const;
type Name = (typeof NAMES)[number];

const UNPLOTTABLE: Record<string, string> = {
  ReduceLROnPlateau: "ReduceLROnPlateau follows a metric, so it has no schedule to plot",
  LambdaLR: "LambdaLR takes a function, which the command line cannot pass",
  MultiplicativeLR: "MultiplicativeLR takes a function, which the command line cannot pass",
  SequentialLR: "SequentialLR combines other schedulers, which the command line cannot pass",
  ChainedScheduler: "ChainedScheduler combines other schedulers, which the command line cannot pass",
};

/** Numeric scheduler options: flag → camelCase option. */
const NUMBER_FLAGS: Record<string, string> = {
  "t-max": "tMax",
  "eta-min": "etaMin",
  "step-size": "stepSize",
  gamma: "gamma",
  t0: "t0",
  "t-mult": "tMult",
  "start-factor": "startFactor",
  "end-factor": "endFactor",
  "total-iters": "totalIters",
  factor: "factor",
  power: "power",
  "max-lr": "maxLr",
  "total-steps": "totalSteps",
  "pct-start": "pctStart",
  "div-factor": "divFactor",
  "final-div-factor": "finalDivFactor",
  "base-lr": "baseLr",
  "step-size-up": "stepSizeUp",
  "step-size-down": "stepSizeDown",
  "base-momentum": "baseMomentum",
  "max-momentum": "maxMomentum",
};

export const SCHEDULE_FLAGS: Flags = {
  name: { type: "string" },
  lr: { type: "string" },
  steps: { type: "string" },
  milestones: { type: "string" },
  "anneal-strategy": { type: "string" },
  mode: { type: "string" },
  "three-phase": { type: "boolean" },
  scale: { type: "string" },
  out: { type: "string" },
  print: { type: "boolean" },
  ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((k) => [k, { type: "string" as const }])),
};

export const SCHEDULE_HELP = `Usage: descent schedule --name NAME [options]

Plot a learning-rate schedule: the lr of an SGD optimizer after each scheduler.step(),
computed by descent's optim.lrScheduler classes (PyTorch 1.13's, step for step).

  --name NAME              ${NAMES.join(", ")}
  --lr LR                  the optimizer's starting learning rate (default 0.1)
  --steps N                how many step() calls to plot (default: the schedule's natural length)
  --scale linear|log|auto  the y axis (default auto: log when the lr spans over 100×)
  --out PATH               write PATH.svg and PATH.png (default runs/schedule-NAME)
  --print                  also print "step lr" lines

Scheduler options (PyTorch's, in kebab case):
  --t-max --eta-min --step-size --gamma --milestones 30,80 --t0 --t-mult
  --start-factor --end-factor --total-iters --factor --power
  --max-lr --total-steps --pct-start --anneal-strategy cos|linear --div-factor
  --final-div-factor --three-phase --base-lr --step-size-up --step-size-down
  --mode triangular|triangular2|exp_range --base-momentum --max-momentum

Example:
  descent schedule --name CosineAnnealingLR --t-max 50
  descent schedule --name OneCycleLR --max-lr 0.1 --total-steps 1000
`;

function defaultSteps(name: Name, o: Record<string, unknown>): number {
  const n = (k: string): number | undefined => (typeof o[k] === "number" ? (o[k] as number) : undefined);
  switch (name) {
    case "CosineAnnealingLR":
      return n("tMax") ?? 100;
    case "CosineAnnealingWarmRestarts":
      return 4 * (n("t0") ?? 25) * Math.max(1, n("tMult") ?? 1);
    case "StepLR":
      return 4 * (n("stepSize") ?? 25);
    case "MultiStepLR": {
      const m = o.milestones as number[] | undefined;
      return m && m.length > 0 ? Math.ceil(Math.max(...m) * 1.25) : 100;
    }
    case "LinearLR":
    case "ConstantLR":
    case "PolynomialLR":
      return Math.ceil(1.25 * (n("totalIters") ?? 5));
    case "OneCycleLR":
      return (n("totalSteps") ?? 100) - 1; // OneCycleLR refuses to step past totalSteps − 1
    case "CyclicLR":
      return 3 * ((n("stepSizeUp") ?? 2000) + (n("stepSizeDown") ?? n("stepSizeUp") ?? 2000));
    default:
      return 100;
  }
}

function construct(name: Name, opt: optim.SGD, o: Record<string, unknown>): optim.lrScheduler.LRScheduler {
  const s = optim.lrScheduler;
  // Each class checks its own options and throws PyTorch's message for a missing or bad one.
  const a = o as never;
  switch (name) {
    case "StepLR":
      return new s.StepLR(opt, a);
    case "MultiStepLR":
      return new s.MultiStepLR(opt, a);
    case "ExponentialLR":
      return new s.ExponentialLR(opt, a);
    case "CosineAnnealingLR":
      return new s.CosineAnnealingLR(opt, a);
    case "CosineAnnealingWarmRestarts":
      return new s.CosineAnnealingWarmRestarts(opt, a);
    case "LinearLR":
      return new s.LinearLR(opt, a);
    case "ConstantLR":
      return new s.ConstantLR(opt, a);
    case "PolynomialLR":
      return new s.PolynomialLR(opt, a);
    case "OneCycleLR":
      return new s.OneCycleLR(opt, a);
    case "CyclicLR":
      return new s.CyclicLR(opt, a);
    default: {
      const never: never = name;
      throw new CliError(`unknown scheduler ${String(never)}`);
    }
  }
}

/** Learning rates from step 0 (before any step) to `steps`. */
export function scheduleValues(name: Name, lr: number, options: Record<string, unknown>, steps: number): number[] {
  const opt = new optim.SGD([tensor([0], { requiresGrad: true })], { lr, momentum: 0.9 });
  const sched = construct(name, opt, options);
  const out = [sched.getLastLr()[0]!];
  for (let i = 0; i < steps; i++) {
    sched.step();
    out.push(sched.getLastLr()[0]!);
  }
  return out;
}

export async function scheduleCommand(argv: readonly string[], io: Io): Promise<number> {
  const command = "descent schedule";
  const parsed = parseFlags(argv, SCHEDULE_FLAGS, command);
  if (parsed.values.help) {
    io.stdout.write(SCHEDULE_HELP);
    return 0;
  }
  const f = new FlagReader(parsed, command);
  f.noPositionals();
  const raw = f.string("name");
  if (raw === undefined) throw new CliError(`${command}: --name is required (one of ${NAMES.join(", ")})`);
  const key = Object.keys(UNPLOTTABLE).find((k) => k.toLowerCase() === raw.toLowerCase());
  if (key !== undefined) throw new CliError(`${command}: ${UNPLOTTABLE[key]}`);
  const name = f.choice("name", NAMES);
  if (name === undefined) throw new CliError(`${command}: --name is required`);
  const lr = f.number("lr", 0.1, { min: 0, exclusiveMin: true });
  const options: Record<string, unknown> = {};
  for (const [flag, opt] of Object.entries(NUMBER_FLAGS)) {
    const v = f.number(flag);
    if (v !== undefined) options[opt] = v;
  }
  if (f.has("milestones")) options.milestones = f.numbers("milestones", [], { integer: true });
  const anneal = f.choice("anneal-strategy", ["cos", "linear"] as const);
  if (anneal !== undefined) options.annealStrategy = anneal;
  const mode = f.choice("mode", ["triangular", "triangular2", "exp_range"] as const);
  if (mode !== undefined) options.mode = mode;
  if (f.flag("three-phase")) options.threePhase = true;
  if (name === "OneCycleLR" && options.maxLr === undefined) options.maxLr = lr;
  if (name === "CyclicLR") {
    if (options.baseLr === undefined) options.baseLr = lr / 10;
    if (options.maxLr === undefined) options.maxLr = lr;
  }
  const scale = f.choice("scale", ["linear", "log", "auto"] as const, "auto");
  const steps = f.number("steps", defaultSteps(name, options), { integer: true, min: 1, max: 1_000_000 });
  const out = f.string("out") ?? `runs/schedule-${name}`;

  let values: number[];
  try {
    values = scheduleValues(name, lr, options, steps);
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0]!;
    throw new CliError(`${command}: ${msg.startsWith(name) ? msg : `${name}: ${msg}`}`);
  }
  const positive = values.filter((v) => v > 0);
  const lo = Math.min(...positive);
  const hi = Math.max(...values);
  const yScale = scale === "auto" ? (positive.length === values.length && hi / lo > 100 ? "log" : "linear") : scale;
  if (yScale === "log" && positive.length !== values.length) {
    throw new CliError(`${command}: --scale log needs positive learning rates, but ${name} reaches 0 (try --eta-min)`);
  }
  const detail = Object.entries(options)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : String(v)}`)
    .join(", ");
  const svg = lineChart({
    title: `${name}(${detail})`,
    xLabel: "scheduler.step() calls",
    yLabel: "learning rate",
    series: [{ label: `lr (starting at ${lr})`, x: values.map((_, i) => i), y: values, markers: values.length <= 60 }],
    yScale,
    legend: "none",
  });
  const paths = writePlot(out, svg);
  if (f.flag("print")) for (const [i, v] of values.entries()) io.stdout.write(`${i} ${v}\n`);
  io.stdout.write(`${name}: lr ${values[0]} → ${values[values.length - 1]} over ${steps} steps (min ${Math.min(...values)}, max ${hi})\n`);
  io.stdout.write(`wrote ${paths.svg} and ${paths.png}\n`);
  return 0;
}
