/**
 * The same training run on both backends: an MLP with fused linear layers, relu, softmax
 * cross-entropy and Adam, 30 steps from the same seed. The WASM products accumulate in float32
 * (the CPU reference in float64), a relative difference of ~1e-7 per product; over 30 steps the
 * losses and parameters must still agree to 1e-4 relative.
 */
import { expect, test } from "vitest";
import { manualSeed, randint, randn, setBackend, type Tensor } from "../../src/index.js";
import { linear } from "../../src/nn/functional/layers.js";
import { crossEntropy } from "../../src/nn/functional/loss_classification.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";

function run(name: "cpu" | "wasm", optimizer: "adam" | "sgd"): { losses: number[]; params: Float32Array[] } {
  setBackend(name);
  manualSeed(3);
  const x = randn([64, 100]);
  const y = randint(0, 10, [64], { dtype: "int32" });
  const params: Tensor[] = [randn([128, 100]).mul(0.1), randn([128]).mul(0.1), randn([10, 128]).mul(0.1), randn([10]).mul(0.1)];
  for (const p of params) p.requiresGrad_();
  const opt = optimizer === "adam" ? new Adam(params, { lr: 1e-2 }) : new SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true });
  const losses: number[] = [];
  for (let i = 0; i < 30; i++) {
    const loss = crossEntropy(linear(linear(x, params[0]!, params[1]!).relu(), params[2]!, params[3]!), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { losses, params: params.map((p) => Float32Array.from(p.dataSync())) };
}

for (const optimizer of ["adam", "sgd"] as const) {
  test(`MLP training with ${optimizer}: WASM and CPU backends agree to 1e-4 relative over 30 steps`, () => {
    const c = run("cpu", optimizer);
    const w = run("wasm", optimizer);
    expect(w.losses[29]!).toBeLessThan(w.losses[0]! * 0.5);
    for (let i = 0; i < 30; i++) expect(Math.abs(w.losses[i]! - c.losses[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(c.losses[i]!));
    for (let p = 0; p < c.params.length; p++) {
      const a = w.params[p]!, b = c.params[p]!;
      let scale = 0;
      for (const v of b) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-4 * scale);
    }
  });
}
