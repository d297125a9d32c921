/**
 * The optimizer table of the tests, in the manner of PyTorch's `OptimizerInfo`: every optimizer
 * with several option combinations, each run through the generic checks of
 * optimizers.test.ts. `group1` holds the options of the second parameter group (another learning
 * rate and weight decay); LBFGS takes one group. scripts/fixtures/optim.py holds the same table
 * (in PyTorch's kwargs) and the tests check that both agree.
 */
export interface OptimizerCase {
  /** Fixture key. */
  name: string;
  /** PyTorch class name. */
  optim: string;
  /** Options of the optimizer (the defaults of both groups). */
  options: Record<string, unknown>;
  /** Overrides for the second group (null: one group only). */
  group1: Record<string, unknown> | null;
}

export const CASES: readonly OptimizerCase[] = [
  { name: "sgd", optim: "SGD", options: { lr: 0.1 }, group1: { lr: 0.05, weightDecay: 0.01 } },
  { name: "sgd_wd", optim: "SGD", options: { lr: 0.05, weightDecay: 0.01 }, group1: { lr: 0.1, weightDecay: 0.0 } },
  { name: "sgd_momentum", optim: "SGD", options: { lr: 0.05, momentum: 0.9 }, group1: { lr: 0.02, weightDecay: 0.01 } },
  {
    name: "sgd_momentum_dampening", optim: "SGD",
    options: { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 1e-3 }, group1: { lr: 0.02, weightDecay: 0.01 },
  },
  {
    name: "sgd_nesterov", optim: "SGD",
    options: { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }, group1: { lr: 0.02, weightDecay: 0.0 },
  },
  { name: "sgd_maximize", optim: "SGD", options: { lr: 0.05, momentum: 0.5, maximize: true }, group1: { lr: 0.02, weightDecay: 0.01 } },
  { name: "adam", optim: "Adam", options: { lr: 0.01 }, group1: { lr: 0.02, weightDecay: 0.01 } },
  { name: "adam_wd", optim: "Adam", options: { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1 }, group1: { lr: 0.005, weightDecay: 0.0 } },
  { name: "adam_amsgrad", optim: "Adam", options: { lr: 0.02, amsgrad: true, weightDecay: 0.01 }, group1: { lr: 0.01, weightDecay: 0.1 } },
  { name: "adam_maximize", optim: "Adam", options: { lr: 0.01, eps: 1e-6, maximize: true }, group1: { lr: 0.02, weightDecay: 0.01 } },
  { name: "adamw", optim: "AdamW", options: { lr: 0.01 }, group1: { lr: 0.02, weightDecay: 0.1 } },
  { name: "adamw_amsgrad", optim: "AdamW", options: { lr: 0.02, weightDecay: 0.1, amsgrad: true }, group1: { lr: 0.01, weightDecay: 0.0 } },
  {
    name: "adamw_maximize", optim: "AdamW",
    options: { lr: 0.01, betas: [0.5, 0.9], maximize: true }, group1: { lr: 0.02, weightDecay: 0.05 },
  },
  { name: "adagrad", optim: "Adagrad", options: { lr: 0.1 }, group1: { lr: 0.05, weightDecay: 0.01 } },
  {
    name: "adagrad_decay", optim: "Adagrad",
    options: { lr: 0.1, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1 }, group1: { lr: 0.2, weightDecay: 0.0 },
  },
  { name: "adagrad_maximize", optim: "Adagrad", options: { lr: 0.05, eps: 1e-6, maximize: true }, group1: { lr: 0.1, weightDecay: 0.01 } },
  { name: "rmsprop", optim: "RMSprop", options: { lr: 0.01 }, group1: { lr: 0.005, weightDecay: 0.01 } },
  { name: "rmsprop_wd", optim: "RMSprop", options: { lr: 0.01, alpha: 0.9, weightDecay: 0.01 }, group1: { lr: 0.02, weightDecay: 0.0 } },
  { name: "rmsprop_centered", optim: "RMSprop", options: { lr: 0.01, centered: true }, group1: { lr: 0.005, weightDecay: 0.01 } },
  { name: "rmsprop_momentum", optim: "RMSprop", options: { lr: 0.005, momentum: 0.9 }, group1: { lr: 0.002, weightDecay: 0.01 } },
  {
    name: "rmsprop_centered_momentum_maximize", optim: "RMSprop",
    options: { lr: 0.005, centered: true, momentum: 0.5, maximize: true }, group1: { lr: 0.002, weightDecay: 0.01 },
  },
  { name: "adadelta", optim: "Adadelta", options: { lr: 1.0 }, group1: { lr: 0.5, weightDecay: 0.01 } },
  {
    name: "adadelta_wd", optim: "Adadelta",
    options: { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.01 }, group1: { lr: 1.0, weightDecay: 0.0 },
  },
  { name: "adadelta_maximize", optim: "Adadelta", options: { lr: 1.0, maximize: true }, group1: { lr: 2.0, weightDecay: 0.01 } },
  { name: "adamax", optim: "Adamax", options: { lr: 0.02 }, group1: { lr: 0.01, weightDecay: 0.01 } },
  { name: "adamax_wd", optim: "Adamax", options: { lr: 0.02, betas: [0.8, 0.99], weightDecay: 0.01 }, group1: { lr: 0.04, weightDecay: 0.0 } },
  { name: "adamax_maximize", optim: "Adamax", options: { lr: 0.01, maximize: true }, group1: { lr: 0.02, weightDecay: 0.01 } },
  { name: "nadam", optim: "NAdam", options: { lr: 0.01 }, group1: { lr: 0.02, weightDecay: 0.01 } },
  {
    name: "nadam_wd", optim: "NAdam",
    options: { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.01, momentumDecay: 0.01 }, group1: { lr: 0.005, weightDecay: 0.0 },
  },
  { name: "radam", optim: "RAdam", options: { lr: 0.01 }, group1: { lr: 0.02, weightDecay: 0.01 } },
  { name: "radam_wd", optim: "RAdam", options: { lr: 0.01, betas: [0.9, 0.99], weightDecay: 0.01 }, group1: { lr: 0.005, weightDecay: 0.0 } },
  { name: "asgd", optim: "ASGD", options: { lr: 0.05 }, group1: { lr: 0.02, weightDecay: 0.01 } },
  {
    name: "asgd_t0", optim: "ASGD",
    options: { lr: 0.05, lambd: 1e-3, alpha: 0.6, t0: 10, weightDecay: 0.01 }, group1: { lr: 0.1, weightDecay: 0.0 },
  },
  { name: "asgd_maximize", optim: "ASGD", options: { lr: 0.05, t0: 5, maximize: true }, group1: { lr: 0.02, weightDecay: 0.01 } },
  { name: "rprop", optim: "Rprop", options: { lr: 0.01 }, group1: { lr: 0.02, etas: [0.4, 1.3] } },
  {
    name: "rprop_etas", optim: "Rprop",
    options: { lr: 0.05, etas: [0.3, 1.5], stepSizes: [1e-4, 0.2] }, group1: { lr: 0.01, stepSizes: [1e-3, 0.05] },
  },
  { name: "rprop_maximize", optim: "Rprop", options: { lr: 0.01, maximize: true }, group1: { lr: 0.005 } },
  { name: "lbfgs", optim: "LBFGS", options: { lr: 0.5, maxIter: 1, historySize: 5 }, group1: null },
  { name: "lbfgs_iters", optim: "LBFGS", options: { lr: 0.2, maxIter: 4, historySize: 3 }, group1: null },
  {
    name: "lbfgs_strong_wolfe", optim: "LBFGS",
    options: { lr: 1, maxIter: 3, historySize: 4, lineSearchFn: "strong_wolfe", toleranceGrad: 1e-5, toleranceChange: 1e-6 },
    group1: null,
  },
];

/** Optimizers that have a `maximize` option (PyTorch 1.13: all but NAdam, RAdam and LBFGS). */
export const HAS_MAXIMIZE = new Set(["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta", "Adamax", "ASGD", "Rprop"]);
