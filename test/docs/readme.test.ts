/**
 * The README's "A training loop, PyTorch-style" example, run as written (keep the two in sync):
 * it must type-check and train iris to a high accuracy.
 */
import { expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { data, manualSeed, nn, noGrad, optim } from "../../src/index.js";

test("the README training loop runs and learns iris", () => {
  // ---- begin README example ----
  manualSeed(0);
  const { x, y } = data.irisTensors();
  const xs = x.sub(x.mean(0)).div(x.std(0)); // standardise the four features
  const loader = new data.DataLoader(new data.TensorDataset(xs, y), { batchSize: 16, shuffle: true });

  const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new optim.Adam(model.parameters(), { lr: 0.01, weightDecay: 1e-4 });
  const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 20, gamma: 0.5 });

  for (let epoch = 0; epoch < 50; epoch++) {
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(xb), yb);
      loss.backward();
      opt.step();
    }
    sched.step();
  }
  const accuracy = noGrad(() => model.forward(xs).argmax(1).eq(y).float().mean().item());
  // ---- end README example ----
  // a 4-16-3 MLP separates iris almost perfectly on its training data
  expect(accuracy).toBeGreaterThan(0.95);
  expect(sched.getLastLr()[0]).toBeCloseTo(0.01 * 0.5 ** 2, 12); // 50 epochs, halved at 20 and 40
});

test("the README shows the same example", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const src = readFileSync(new URL(import.meta.url), "utf8");
  const example = src.slice(src.indexOf("// ---- begin README example ----\n") + 35, src.indexOf("  // ---- end README example"));
  const dedented = example.split("\n").map((l) => l.replace(/^ {2}/, "")).join("\n").trim();
  expect(readme).toContain(dedented);
});
