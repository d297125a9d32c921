/**
 * TensorFlow.js 4.22 contenders: the pure-JavaScript `cpu` backend and the `wasm` backend
 * (XNNPACK, SIMD; one thread in Node, where tfjs-wasm has no worker threads), both in this process.
 *
 * Each workload is written the way a performance-minded tfjs user would: raw ops on variables,
 * `tf.fused.matMul` / `tf.fused.conv2d` (bias and ReLU fused, as tfjs-layers' Dense does),
 * `tf.losses.softmaxCrossEntropy` on one-hot labels, `optimizer.minimize(f, false, vars)` (which
 * tidies its intermediates), production mode on (`tf.enableProdMode()`: no debug checks).
 *
 * Layouts are tfjs's own: Dense kernels [in, out], conv filters [kh, kw, in, out], NHWC images.
 * The shared weights (PyTorch layouts, bench/data.ts) are transposed into them, and LeNet's first
 * dense kernel has its rows permuted from PyTorch's (c, h, w) flatten order to NHWC's (h, w, c),
 * so the network computes the same function as descent's and PyTorch's.
 *
 * PyTorch parity of the optimizers: tf.train.momentum(lr, 0.9) matches torch SGD with momentum
 * (dampening 0); tfjs's Adam folds the bias corrections into the step size, which makes its
 * effective epsilon eps/√(1 − β₂ᵗ) instead of eps — a difference far below the loss check's 1e-4.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { dot64, sumSquares64, syncRunner, type Contender, type Runner, type SyncStep } from "../contender.js";
import { adamBigSetup, crossEntropySetup, lenetSetup, matmulSetup, mlpSetup, type HostTensor } from "../data.js";
import type { WorkloadId, WorkloadSizes } from "../workloads.js";

/** [rows, cols] row-major → [cols, rows]. */
function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

/** A variable holding `t` (tf.variable shares t's data and leaves t registered: dispose it). */
function variableOf(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

/** PyTorch Linear weight [out, in] → tfjs Dense kernel variable [in, out]. */
function denseKernel(w: HostTensor): tf.Variable {
  const [out, inF] = w.shape as [number, number];
  return variableOf(tf.tensor2d(transpose2d(w.data, out, inF), [inF, out]));
}

/** PyTorch Conv2d weight [out, in, kh, kw] → tfjs filter variable [kh, kw, in, out]. */
function convFilter(w: HostTensor): tf.Variable {
  const [o, c, kh, kw] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.data.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < c; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * c + b) * o + a] = w.data[((a * c + b) * kh + y) * kw + x]!;
  return variableOf(tf.tensor4d(out, [kh, kw, c, o]));
}

/**
 * PyTorch Linear weight [out, C·H·W] applied to an NCHW flatten → tfjs kernel [H·W·C, out]
 * applied to an NHWC flatten.
 */
function denseKernelFromNchw(w: HostTensor, c: number, h: number, wd: number): tf.Variable {
  const [out, inF] = w.shape as [number, number];
  const k = new Float32Array(inF * out);
  for (let o = 0; o < out; o++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < wd; x++) k[((y * wd + x) * c + ch) * out + o] = w.data[o * inF + (ch * h + y) * wd + x]!;
  return variableOf(tf.tensor2d(k, [inF, out]));
}

function vector(b: HostTensor): tf.Variable {
  return variableOf(tf.tensor1d(b.data));
}

function oneHot(y: Int32Array, classes: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(y, "int32"), classes).toFloat());
}

/** A training-step runner: `f` computes the loss from `vars`; the optimizer updates them. */
function trainRunner(f: () => tf.Scalar, vars: tf.Variable[], opt: tf.Optimizer, keep: tf.Tensor[]): Runner {
  const step: SyncStep = (check) => {
    if (!check) {
      opt.minimize(f, false, vars);
      return NaN;
    }
    const cost = opt.minimize(f, true, vars)!;
    const v = cost.dataSync()[0]!;
    cost.dispose();
    return v;
  };
  return syncRunner(step, () => {
    opt.dispose();
    for (const t of [...vars, ...keep]) t.dispose();
  });
}

function adam(): tf.Optimizer {
  return tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
}

function mlp(sizes: WorkloadSizes, optimizer: "adam" | "sgdm"): Runner {
  const { params, batch } = mlpSetup(sizes.mlpBatch, sizes.mlpSizes);
  const vars: tf.Variable[] = [];
  for (let i = 0; i < params.length; i += 2) vars.push(denseKernel(params[i]!), vector(params[i + 1]!));
  const x = tf.tensor2d(batch.x.data, batch.x.shape as [number, number]);
  const y = oneHot(batch.y, sizes.mlpSizes[sizes.mlpSizes.length - 1]!);
  const layers = vars.length / 2;
  const f = (): tf.Scalar => {
    let h: tf.Tensor = x;
    for (let i = 0; i < layers; i++) {
      h = tf.fused.matMul({
        a: h as tf.Tensor2D, b: vars[2 * i] as tf.Tensor2D, bias: vars[2 * i + 1]!, activation: i + 1 < layers ? "relu" : "linear",
      });
    }
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  };
  const opt = optimizer === "adam" ? adam() : tf.train.momentum(0.01, 0.9);
  return trainRunner(f, vars, opt, [x, y]);
}

function lenet(sizes: WorkloadSizes): Runner {
  const { params: p, batch } = lenetSetup(sizes.lenetBatch);
  const vars = [
    convFilter(p[0]!), vector(p[1]!), convFilter(p[2]!), vector(p[3]!),
    denseKernelFromNchw(p[4]!, 16, 4, 4), vector(p[5]!), denseKernel(p[6]!), vector(p[7]!), denseKernel(p[8]!), vector(p[9]!),
  ];
  const n = sizes.lenetBatch;
  // one input channel: NCHW and NHWC hold the same bytes
  const x = tf.tensor4d(batch.x.data, [n, 28, 28, 1]);
  const y = oneHot(batch.y, 10);
  const [c1, c1b, c2, c2b, f1, f1b, f2, f2b, f3, f3b] = vars as unknown as [
    tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D,
  ];
  const f = (): tf.Scalar => {
    let h: tf.Tensor4D = tf.fused.conv2d({ x, filter: c1, strides: 1, pad: "valid", bias: c1b, activation: "relu" });
    h = tf.maxPool(h, 2, 2, "valid");
    h = tf.fused.conv2d({ x: h, filter: c2, strides: 1, pad: "valid", bias: c2b, activation: "relu" });
    h = tf.maxPool(h, 2, 2, "valid");
    let z = tf.reshape(h, [n, 256]) as tf.Tensor2D;
    z = tf.fused.matMul({ a: z, b: f1, bias: f1b, activation: "relu" }) as tf.Tensor2D;
    z = tf.fused.matMul({ a: z, b: f2, bias: f2b, activation: "relu" }) as tf.Tensor2D;
    z = tf.fused.matMul({ a: z, b: f3, bias: f3b }) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar;
  };
  return trainRunner(f, vars, adam(), [x, y]);
}

function adamBig(sizes: WorkloadSizes): Runner {
  const { param, grad } = adamBigSetup(sizes.adamSize);
  const p = variableOf(tf.tensor1d(param));
  const g = tf.tensor1d(grad);
  const opt = adam();
  const grads: tf.NamedTensorMap = { [p.name]: g };
  return syncRunner((check) => {
    opt.applyGradients(grads);
    return check ? dot64(p.dataSync(), grad) : NaN;
  }, () => {
    opt.dispose();
    p.dispose();
    g.dispose();
  });
}

function matmul(sizes: WorkloadSizes): Runner {
  const { a, b } = matmulSetup(sizes.matmulN);
  const ta = tf.tensor2d(a.data, a.shape as [number, number]);
  const tb = tf.tensor2d(b.data, b.shape as [number, number]);
  return syncRunner((check) => {
    const c = tf.matMul(ta, tb);
    const v = check ? sumSquares64(c.dataSync()) : NaN;
    c.dispose();
    return v;
  }, () => {
    ta.dispose();
    tb.dispose();
  });
}

function crossEntropy(sizes: WorkloadSizes, id: "ce-128x10" | "ce-1024x1000"): Runner {
  const [m, n] = sizes.ce[id];
  const { x, y } = crossEntropySetup(m, n);
  const logits = tf.tensor2d(x.data, [m, n]);
  const labels = oneHot(y, n);
  const vg = tf.valueAndGrad((l: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, l) as tf.Scalar);
  return syncRunner((check) => {
    const { value, grad } = vg(logits);
    const v = check ? value.dataSync()[0]! : NaN;
    value.dispose();
    grad.dispose();
    return v;
  }, () => {
    logits.dispose();
    labels.dispose();
  });
}

/** The TensorFlow.js version in use. */
export function tfjsVersion(): string {
  return tf.version.tfjs;
}

let wasmPathSet = false;

/** A TensorFlow.js backend as a contender. Create with {@link TfjsContender.create}. */
export class TfjsContender implements Contender {
  readonly id: string;
  readonly label: string;

  private constructor(readonly backendName: "cpu" | "wasm", label: string) {
    this.id = `tfjs-${backendName}`;
    this.label = label;
  }

  /** Initialises the backend (the wasm one loads its .wasm from node_modules); a reason on failure. */
  static async create(backendName: "cpu" | "wasm"): Promise<TfjsContender | string> {
    try {
      tf.enableProdMode();
      if (backendName === "wasm" && !wasmPathSet) {
        // Node: load tfjs-backend-wasm's binaries from its own dist folder in node_modules
        const req = createRequire(import.meta.url);
        setWasmPaths(join(dirname(req.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
        wasmPathSet = true;
      }
      if (!(await tf.setBackend(backendName))) return `tfjs ${backendName} backend failed to initialise`;
      await tf.ready();
      let label = `tfjs ${tf.version.tfjs} ${backendName}`;
      if (backendName === "wasm") {
        const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
        const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
        label += `${simd ? " (SIMD" : " (no SIMD"}, ${threads ? "threads" : "1 thread"})`;
      }
      return new TfjsContender(backendName, label);
    } catch (e) {
      return `tfjs ${backendName}: ${(e as Error).message}`;
    }
  }

  async activate(): Promise<void> {
    if (tf.getBackend() !== this.backendName) await tf.setBackend(this.backendName);
  }

  async build(workload: WorkloadId, sizes: WorkloadSizes): Promise<Runner | string> {
    if (workload === "lenet-adam") {
      for (const k of ["Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPoolGrad"]) {
        if (!tf.getKernel(k, this.backendName)) return `cannot train it: tfjs-${this.backendName} has no ${k} kernel`;
      }
    }
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

  /** Live tfjs tensors (all backends): shows whether a workload leaks. */
  static numTensors(): number {
    return tf.memory().numTensors;
  }

  async close(): Promise<void> {}
}
