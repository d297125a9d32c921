/**
 * End to end against PyTorch 1.13.1 (test/fixtures/nn_training.json): the same seeded model,
 * DataLoader and optimizer, trained for a few epochs, give PyTorch's loss at every mini-batch and
 * PyTorch's final weights and running statistics. This checks the layers, their default
 * initialisation, the shuffled order and the dropout masks together, including how their random
 * draws interleave on the default generator.
 */
import { describe, expect, it } from "vitest";
import { data, manualSeed, nn, noGrad, optim, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose, fromFixture } from "../helpers/compare.js";

interface Run { name: string; x: FixtureTensor; y: FixtureTensor; losses: number[]; evalLoss: number; state: Record<string, FixtureTensor> }
const { runs } = loadFixture<{ runs: Run[] }>("nn_training");

function train(run: Run, model: () => nn.Sequential, opt: (p: nn.Parameter[]) => optim.Optimizer, batchSize: number, epochs: number) {
  manualSeed(0);
  const m = model();
  const o = opt(m.parameters());
  const x = fromFixture(run.x);
  const y = fromFixture(run.y);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize, shuffle: true });
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    m.train();
    for (const [xb, yb] of loader) {
      o.zeroGrad();
      const loss = nn.functional.crossEntropy(m.forward(xb!), yb!);
      loss.backward();
      o.step();
      losses.push(loss.item());
    }
  }
  m.eval();
  const evalLoss = noGrad(() => nn.functional.crossEntropy(m.forward(x), y).item());
  return { m, losses, evalLoss };
}

function check(run: Run, r: { m: nn.Module; losses: number[]; evalLoss: number }) {
  expect(r.losses.length).toBe(run.losses.length);
  // float32 training: rounding differences (summation order in matmul/conv) grow a little step by
  // step, so the losses and weights are compared to a relative 1e-4 instead of 1e-5
  r.losses.forEach((l, i) => expect(Math.abs(l - run.losses[i]!), `loss ${i}: ${l} vs ${run.losses[i]}`).toBeLessThan(1e-4 * Math.abs(run.losses[i]!) + 1e-6));
  const sd = r.m.stateDict();
  expect(Object.keys(sd)).toEqual(Object.keys(run.state));
  for (const [k, v] of Object.entries(run.state)) {
    if (v.dtype === "int32") expect([...sd[k]!.dataSync()], k).toEqual(v.data);
    else expectClose(sd[k] as Tensor, v, { rtol: 1e-4 }, k);
  }
  expect(Math.abs(r.evalLoss - run.evalLoss)).toBeLessThan(1e-4 * run.evalLoss);
}

describe("training runs reproduce PyTorch", () => {
  it("MLP with dropout on iris, SGD with momentum, shuffled batches of 16, 3 epochs", () => {
    const run = runs.find((r) => r.name === "mlp_iris")!;
    const r = train(
      run,
      () => new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(16, 3)),
      (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }),
      16,
      3,
    );
    check(run, r);
  });

  it("CNN with batch norm and dropout on digits, Adam, shuffled batches of 32, 2 epochs", () => {
    const run = runs.find((r) => r.name === "cnn_digits")!;
    const r = train(
      run,
      () =>
        new nn.Sequential(
          new nn.Conv2d(1, 4, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
          new nn.Flatten(), new nn.Dropout(0.25), new nn.Linear(64, 10),
        ),
      (p) => new optim.Adam(p, { lr: 1e-2 }),
      32,
      2,
    );
    check(run, r);
  });
});
