/**
 * Small stand-ins for the fit-loop tests: standardised iris as tensors, a seeded shuffling loader
 * (torch's RandomSampler order: one randperm of the generator per epoch) and a tiny MLP with
 * dropout written directly on Parameters, so the loop can be tested on its own.
 */
import { Generator, indexSelect, tensor, type Tensor } from "../../../src/index.js";
import { Module, Parameter } from "../../../src/nn/index.js";
import { bernoulli_ } from "../../../src/tensor/random.js";
import { loadIris } from "../../../src/data/datasets/sklearn.js";

/** Iris with each feature standardised (population mean and std): x float32 [150, 4], y int32 [150]. */
export function irisTensors(): { x: Tensor; y: Tensor } {
  const d = loadIris();
  const x = new Float32Array(d.nSamples * d.nFeatures);
  for (let j = 0; j < d.nFeatures; j++) {
    let m = 0;
    for (let i = 0; i < d.nSamples; i++) m += d.data[i * d.nFeatures + j]!;
    m /= d.nSamples;
    let v = 0;
    for (let i = 0; i < d.nSamples; i++) v += (d.data[i * d.nFeatures + j]! - m) ** 2;
    const s = Math.sqrt(v / d.nSamples);
    for (let i = 0; i < d.nSamples; i++) x[i * d.nFeatures + j] = (d.data[i * d.nFeatures + j]! - m) / s;
  }
  return { x: tensor(x, { shape: [d.nSamples, d.nFeatures] }), y: tensor(Int32Array.from(d.target), { dtype: "int32" }) };
}

/** Mini-batches of (x, y); with a generator, a new order each epoch from one randperm. */
export class Loader implements Iterable<[Tensor, Tensor]> {
  constructor(
    readonly x: Tensor,
    readonly y: Tensor,
    readonly batchSize: number,
    readonly generator: Generator | null = null,
  ) {}
  get length(): number {
    return Math.ceil(this.x.shape[0]! / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    const n = this.x.shape[0]!;
    const order = this.generator ? this.generator.randperm(n) : Int32Array.from({ length: n }, (_, i) => i);
    for (let s = 0; s < n; s += this.batchSize) {
      const idx = tensor(order.slice(s, Math.min(n, s + this.batchSize)), { dtype: "int32" });
      yield [indexSelect(this.x, 0, idx), indexSelect(this.y, 0, idx)];
    }
  }
}

function uniform(shape: number[], bound: number, g: Generator): Parameter {
  const a = new Float32Array(shape.reduce((p, q) => p * q, 1));
  g.uniform(a, -bound, bound);
  return new Parameter(tensor(a, { shape }));
}

class Dense extends Module {
  weight: Parameter;
  bias: Parameter;
  constructor(inF: number, outF: number, g: Generator) {
    super();
    const b = 1 / Math.sqrt(inF);
    this.weight = uniform([outF, inF], b, g);
    this.bias = uniform([outF], b, g);
  }
  forward(x: Tensor): Tensor {
    return x.matmul(this.weight.t()).add(this.bias);
  }
}

class Drop extends Module {
  constructor(readonly p: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const mask = bernoulli_(tensor(new Float32Array(x.numel()), { shape: [...x.shape] }), 1 - this.p);
    return x.mul(mask).div(1 - this.p);
  }
}

/** in → hidden → ReLU → dropout → out, initialised from `seed`. */
export class TinyMlp extends Module {
  fc1: Dense;
  drop: Drop;
  fc2: Dense;
  constructor(inF: number, hidden: number, outF: number, seed: number, p = 0.2) {
    super();
    const g = new Generator(seed);
    this.fc1 = new Dense(inF, hidden, g);
    this.drop = new Drop(p);
    this.fc2 = new Dense(hidden, outF, g);
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.drop.forward(this.fc1.forward(x).relu()));
  }
}

/** Every parameter's bits, for exact comparisons. */
export function weightBits(m: Module): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(m.stateDict())) out[k] = Array.from(t.dataSync());
  return out;
}
