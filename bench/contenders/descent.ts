/**
 * descent as a benchmark contender, written with its public API only (`nn.Sequential`,
 * `nn.Linear`, `nn.ReLU`, `nn.Conv2d`, `nn.MaxPool2d`, `nn.Flatten`, `nn.CrossEntropyLoss`,
 * `optim.Adam`, `optim.SGD`), exactly as a user would write the training step:
 * `opt.zeroGrad(); loss = lossFn.forward(model.forward(x), y); loss.backward(); opt.step()`.
 *
 * Three flavours: the backend descent chose at import (the WASM SIMD one where the runtime
 * supports it), the plain-TypeScript CPU backend forced, and the chosen backend with 2 threads
 * (`setNumThreads(2)`). Each contender switches backend and thread count in `activate()` and
 * builds its tensors while active.
 * Weights are copied into the modules from the shared synthetic data (bench/data.ts).
 */
import { backend, fromTypedArray, nn, noGrad, optim, setBackend, setNumThreads, type Backend, type Tensor } from "../../src/index.js";
import { waitForThreads } from "../../src/backend/registry.js";
import { dot64, sumSquares64, syncRunner, type Contender, type Runner } from "../contender.js";
import { adamBigSetup, crossEntropySetup, lenetSetup, matmulSetup, mlpSetup, type HostTensor } from "../data.js";
import type { WorkloadId, WorkloadSizes } from "../workloads.js";

/** The backend descent picked at import, remembered before any contender switches it. */
const chosen: Backend = backend();

function hostTensor(t: HostTensor): Tensor {
  return fromTypedArray(t.data.slice(), t.shape);
}

/** Copies the shared weights into `model`'s parameters (same order, PyTorch layouts). */
function loadParams(model: nn.Module, params: readonly HostTensor[]): void {
  const ps = model.parameters();
  if (ps.length !== params.length) throw new Error(`expected ${params.length} parameters, model has ${ps.length}`);
  noGrad(() => {
    ps.forEach((p, i) => {
      const src = params[i]!;
      if (p.shape.join() !== src.shape.join()) throw new Error(`parameter ${i}: shape ${p.shape} vs ${src.shape}`);
      p.copy_(hostTensor(src));
    });
  });
}

function makeOptimizer(kind: "adam" | "sgdm", params: nn.Parameter[]): optim.Optimizer {
  return kind === "adam"
    ? new optim.Adam(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 })
    : new optim.SGD(params, { lr: 0.01, momentum: 0.9 });
}

/** zero grads + forward + backward + optimizer step of `model` on one fixed batch. */
function trainRunner(model: nn.Sequential, x: Tensor, y: Tensor, opt: optim.Optimizer): Runner {
  const lossFn = new nn.CrossEntropyLoss();
  return syncRunner((check) => {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    return check ? loss.item() : NaN;
  });
}

function mlp(sizes: WorkloadSizes, kind: "adam" | "sgdm"): Runner {
  const { params, batch } = mlpSetup(sizes.mlpBatch, sizes.mlpSizes);
  const s = sizes.mlpSizes;
  const layers: nn.Module[] = [];
  for (let i = 0; i + 1 < s.length; i++) {
    layers.push(new nn.Linear(s[i]!, s[i + 1]!));
    if (i + 2 < s.length) layers.push(new nn.ReLU());
  }
  const model = new nn.Sequential(...layers);
  loadParams(model, params);
  return trainRunner(model, hostTensor(batch.x), fromTypedArray(batch.y.slice()), makeOptimizer(kind, model.parameters()));
}

function lenet(sizes: WorkloadSizes): Runner {
  const { params, batch } = lenetSetup(sizes.lenetBatch);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(256, 120), new nn.ReLU(),
    new nn.Linear(120, 84), new nn.ReLU(),
    new nn.Linear(84, 10),
  );
  loadParams(model, params);
  return trainRunner(model, hostTensor(batch.x), fromTypedArray(batch.y.slice()), makeOptimizer("adam", model.parameters()));
}

function adamBig(sizes: WorkloadSizes): Runner {
  const { param, grad } = adamBigSetup(sizes.adamSize);
  const p = new nn.Parameter(fromTypedArray(param));
  p.grad = fromTypedArray(grad);
  const opt = makeOptimizer("adam", [p]);
  return syncRunner((check) => {
    opt.step();
    return check ? dot64(p.dataSync(), grad) : NaN;
  });
}

function matmul(sizes: WorkloadSizes): Runner {
  const { a, b } = matmulSetup(sizes.matmulN);
  const ta = hostTensor(a);
  const tb = hostTensor(b);
  return syncRunner((check) => {
    const c = ta.matmul(tb);
    return check ? sumSquares64(c.dataSync()) : NaN;
  });
}

function crossEntropy(sizes: WorkloadSizes, id: "ce-128x10" | "ce-1024x1000"): Runner {
  const [m, n] = sizes.ce[id];
  const { x, y } = crossEntropySetup(m, n);
  const logits = hostTensor(x).requiresGrad_();
  const target = fromTypedArray(y.slice());
  const lossFn = new nn.CrossEntropyLoss();
  return syncRunner((check) => {
    logits.grad = null;
    const loss = lossFn.forward(logits, target);
    loss.backward();
    return check ? loss.item() : NaN;
  });
}

/** descent on one backend with one thread count. */
export class DescentContender implements Contender {
  readonly id: string;
  readonly label: string;
  readonly exclusive: boolean;

  /**
   * `mode`: "chosen" (the backend picked at import), "cpu" (the TypeScript backend forced);
   * `threads`: passed to `setNumThreads` when it exists.
   */
  constructor(readonly mode: "chosen" | "cpu", readonly threads: number) {
    const name = mode === "cpu" ? "cpu" : chosen.name;
    this.id = mode === "cpu" ? "descent-cpu" : threads === 1 ? "descent" : `descent-${threads}t`;
    this.label = `descent (${name}${mode === "cpu" ? ", forced" : ""}, ${threads} thread${threads === 1 ? "" : "s"})`;
    // the other descent contenders set 1 thread, which stops the workers: time this one alone
    this.exclusive = threads > 1;
    if (this.exclusive) this.label += ", timed alone after the others";
  }

  /** The name of the backend descent picked at import. */
  static chosenBackendName(): string {
    return chosen.name;
  }

  async activate(): Promise<void> {
    setBackend(this.mode === "cpu" ? "cpu" : chosen);
    setNumThreads(this.threads);
    // workers start in the background: wait for them so the timed steps use them all
    if (this.threads > 1) waitForThreads(10_000);
  }

  async build(workload: WorkloadId, sizes: WorkloadSizes): Promise<Runner | string> {
    switch (workload) {
      case "mlp-adam": return mlp(sizes, "adam");
      case "mlp-sgdm": return mlp(sizes, "sgdm");
      case "lenet-adam": return lenet(sizes);
      case "adam-10m": return adamBig(sizes);
      case "matmul-1024": return matmul(sizes);
      case "ce-128x10":
      case "ce-1024x1000": return crossEntropy(sizes, workload);
    }
  }

  async close(): Promise<void> {
    setBackend(chosen);
    setNumThreads(1);
  }
}
