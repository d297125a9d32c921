/**
 * The fit loop: it computes exactly what a hand-written PyTorch-style loop computes, its records
 * (sample-weighted epoch means, accuracy), evaluation, schedulers per step and per epoch (with the
 * plateau metric), early stopping, gradient clipping (against the formula), callbacks, the
 * non-finite-loss stop, and a bit-exact resume from a checkpoint (in memory and on disk) with
 * shuffling and dropout on real iris data.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { data, defaultGenerator, Generator, manualSeed, nn, noGrad, optim, stack, type Tensor } from "../../src/index.js";
import { crossEntropy } from "../../src/nn/functional/index.js";
import { SGD } from "../../src/optim/index.js";
import { decodeCheckpoint, encodeCheckpoint, type CheckpointData } from "../../src/train/checkpoint_format.js";
import { loadCheckpoint, saveCheckpoint } from "../../src/train/checkpoint.js";
import { evaluate, fit, NonFiniteLossError, type FitScheduler, type History } from "../../src/train/fit.js";
import { irisTensors, Loader, TinyMlp, weightBits } from "./helpers/tiny.js";

const { x, y } = irisTensors();
const ce = (out: Tensor, t: Tensor): Tensor => crossEntropy(out, t);
const root = mkdtempSync(join(tmpdir(), "descent-fit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the loop computes what a hand-written loop computes", () => {
  it("same weights bit for bit after 3 shuffled epochs with dropout", async () => {
    manualSeed(1);
    const a = new TinyMlp(4, 8, 3, 0);
    const optA = new SGD(a.parameters(), { lr: 0.1, momentum: 0.9 });
    const h = await fit(a, { trainLoader: new Loader(x, y, 32, new Generator(5)), optimizer: optA, lossFn: ce, epochs: 3 });

    manualSeed(1);
    const b = new TinyMlp(4, 8, 3, 0);
    const optB = new SGD(b.parameters(), { lr: 0.1, momentum: 0.9 });
    const loader = new Loader(x, y, 32, new Generator(5));
    const losses: number[] = [];
    for (let e = 0; e < 3; e++) {
      b.train();
      for (const [xb, yb] of loader) {
        optB.zeroGrad();
        const loss = ce(b.forward(xb), yb);
        losses.push(loss.item());
        loss.backward();
        optB.step();
      }
    }
    expect(weightBits(a)).toEqual(weightBits(b));
    expect(h.stepLoss).toEqual(losses);
    expect(h.epochs.length).toBe(3);
    expect(h.stopReason).toBe("completed");
  });

  it("records sample-weighted epoch means and accuracy", async () => {
    const m = new TinyMlp(4, 8, 3, 1, 0);
    const h = await fit(m, {
      trainLoader: new Loader(x, y, 64), // batches of 64, 64, 22
      optimizer: new SGD(m.parameters(), { lr: 0.05 }),
      lossFn: ce,
      epochs: 1,
    });
    const [l1, l2, l3] = h.stepLoss as [number, number, number];
    expect(h.epochs[0]!.trainLoss).toBeCloseTo((64 * l1 + 64 * l2 + 22 * l3) / 150, 12);
    expect(h.epochs[0]!.steps).toBe(3);
    expect(h.epochs[0]!.lr).toBe(0.05);
    const acc = h.epochs[0]!.trainAccuracy!;
    expect(acc * 150).toBeCloseTo(Math.round(acc * 150), 9); // a count of correct samples
    expect(h.epochs[0]!.valLoss).toBeNull();
  });
});

describe("evaluate", () => {
  it("gives the whole set's mean loss and accuracy, in eval mode, and restores the mode", () => {
    const m = new TinyMlp(4, 8, 3, 2, 0.5);
    m.train();
    const r = evaluate(m, new Loader(x, y, 40), { lossFn: ce });
    expect(m.training).toBe(true);
    m.eval();
    const out = noGrad(() => m.forward(x));
    const full = crossEntropy(out, y).item();
    const correct = out.argmax(1).eq(y).sum().item();
    // batch means weighted by size vs one mean over 150: float32 sums in another order (rtol 1e-6)
    expect(Math.abs(r.loss! - full) / full).toBeLessThan(1e-6);
    expect(r.accuracy).toBe(correct / 150);
    expect(r.count).toBe(150);
  });
});

class RecordingScheduler implements FitScheduler {
  calls: (number | undefined)[] = [];
  constructor(readonly opt: SGD) {}
  step(metric?: number): void {
    this.calls.push(metric);
    this.opt.paramGroups[0]!.lr *= 0.5;
  }
  stateDict(): unknown {
    return { calls: this.calls.length };
  }
  loadStateDict(): void {}
}
class ReduceLROnPlateau extends RecordingScheduler {}

describe("schedulers", () => {
  it("steps after every optimizer step or after every epoch", async () => {
    const m = new TinyMlp(4, 8, 3, 3, 0);
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const s = new RecordingScheduler(opt);
    const h = await fit(m, { trainLoader: new Loader(x, y, 50), optimizer: opt, lossFn: ce, epochs: 2, scheduler: s, schedulerInterval: "step" });
    expect(s.calls).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    // lr halves each step: epoch 2 starts at 0.1 / 2³
    expect(h.epochs.map((r) => r.lr)).toEqual([0.1, 0.0125]);

    const s2 = new RecordingScheduler(opt);
    await fit(m, { trainLoader: new Loader(x, y, 50), optimizer: opt, lossFn: ce, epochs: 2, scheduler: s2 });
    expect(s2.calls).toEqual([undefined, undefined]);
  });
  it("passes the monitored metric to ReduceLROnPlateau", async () => {
    const m = new TinyMlp(4, 8, 3, 3, 0);
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const s = new ReduceLROnPlateau(opt);
    const h = await fit(m, { trainLoader: new Loader(x, y, 50), valLoader: new Loader(x, y, 150), optimizer: opt, lossFn: ce, epochs: 2, scheduler: s });
    expect(s.calls).toEqual(h.epochs.map((r) => r.valLoss));
    const s2 = new RecordingScheduler(opt);
    const h2 = await fit(m, { trainLoader: new Loader(x, y, 50), optimizer: opt, lossFn: ce, epochs: 1, scheduler: s2, monitor: "trainAccuracy" });
    expect(s2.calls).toEqual([h2.epochs[0]!.trainAccuracy]);
  });
});

describe("early stopping", () => {
  it("stops after `patience` epochs without improvement", async () => {
    const m = new TinyMlp(4, 8, 3, 4, 0);
    // lr 0: the validation loss never changes, so epoch 1 sets the best and epochs 2, 3 do not beat it
    const h = await fit(m, {
      trainLoader: new Loader(x, y, 50),
      valLoader: new Loader(x, y, 150),
      optimizer: new SGD(m.parameters(), { lr: 0 }),
      lossFn: ce,
      epochs: 10,
      earlyStopping: { patience: 2 },
    });
    expect(h.epochs.length).toBe(3);
    expect(h.stopReason).toBe("early-stopping");
  });
  it("keeps going while the metric improves by more than minDelta", async () => {
    const m = new TinyMlp(4, 8, 3, 4, 0);
    const h = await fit(m, {
      trainLoader: new Loader(x, y, 50),
      optimizer: new SGD(m.parameters(), { lr: 0.1 }),
      lossFn: ce,
      epochs: 4,
      earlyStopping: { patience: 1, monitor: "trainLoss", minDelta: 0 },
    });
    expect(h.epochs.length).toBe(4); // full-batch-ish SGD on iris: the loss falls every epoch
    expect(h.stopReason).toBe("completed");
  });
});

describe("gradient clipping", () => {
  it("scales gradients by maxNorm / (‖g‖ + 1e-6) when the norm is larger", async () => {
    const m = new TinyMlp(4, 8, 3, 5, 0);
    const before = m.parameters().map((p) => p.clone());
    // the unclipped gradient of the one full batch
    const probe = new TinyMlp(4, 8, 3, 5, 0);
    ce(probe.forward(x), y).backward();
    const grads = probe.parameters().map((p) => p.grad!);
    const total = stack(grads.map((g) => g.norm(2))).norm(2).item();
    const maxNorm = total / 4; // certainly clipped
    const coef = Math.fround(maxNorm / Math.fround(total + 1e-6));
    await fit(m, { trainLoader: new Loader(x, y, 150), optimizer: new SGD(m.parameters(), { lr: 1 }), lossFn: ce, epochs: 1, clipGradNorm: maxNorm });
    // SGD with lr 1: p_new = p − coef·g, checked to float32 rounding (rtol 1e-5)
    m.parameters().forEach((p, i) => {
      const want = before[i]!.sub(grads[i]!.mul(coef)).dataSync();
      const got = p.dataSync();
      for (let k = 0; k < want.length; k++) expect(Math.abs(got[k]! - want[k]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[k]!)));
    });
  });
  it("clamps each element with clipGradValue", async () => {
    const m = new TinyMlp(4, 8, 3, 5, 0);
    const before = m.parameters().map((p) => p.clone());
    await fit(m, { trainLoader: new Loader(x, y, 150), optimizer: new SGD(m.parameters(), { lr: 1 }), lossFn: ce, epochs: 1, clipGradValue: 1e-3 });
    // every parameter moved by at most 1e-3 (lr 1), and some by exactly that
    let atBound = 0;
    m.parameters().forEach((p, i) => {
      const d = p.sub(before[i]!).abs().dataSync();
      for (const v of d) {
        expect(v).toBeLessThanOrEqual(1e-3 * (1 + 1e-6) + 1e-7);
        if (Math.abs(v - 1e-3) < 1e-6) atBound++;
      }
    });
    expect(atBound).toBeGreaterThan(0);
  });
});

describe("callbacks", () => {
  it("are called in order and can stop the run", async () => {
    const m = new TinyMlp(4, 8, 3, 6, 0);
    const events: string[] = [];
    const h = await fit(m, {
      trainLoader: new Loader(x, y, 75),
      optimizer: new SGD(m.parameters(), { lr: 0.1 }),
      lossFn: ce,
      epochs: 5,
      callbacks: {
        onTrainBegin: () => void events.push("begin"),
        onEpochBegin: (e) => void events.push(`epoch ${e}`),
        onStepEnd: (s) => void events.push(`step ${s.step} (batch ${s.batch})`),
        onEpochEnd: async (r, ctx) => {
          events.push(`end ${r.epoch}`);
          if (r.epoch === 2) ctx.stop();
        },
        onTrainEnd: (hist) => void events.push(`done ${hist.epochs.length}`),
      },
    });
    expect(events).toEqual(["begin", "epoch 1", "step 1 (batch 1)", "step 2 (batch 2)", "end 1", "epoch 2", "step 3 (batch 1)", "step 4 (batch 2)", "end 2", "done 2"]);
    expect(h.stopReason).toBe("callback");
  });
});

describe("a non-finite loss", () => {
  it("stops before that step's update, names the step and keeps the last checkpoint", async () => {
    const m = new TinyMlp(4, 8, 3, 7, 0);
    const saved: number[] = [];
    let calls = 0;
    // the 5th loss (epoch 2, batch 2; 3 batches per epoch) is NaN
    const lossFn = (o: Tensor, t: Tensor): Tensor => (++calls === 5 ? ce(o, t).mul(NaN) : ce(o, t));
    let weightsAfterStep4: Record<string, number[]> = {};
    const run = fit(m, {
      trainLoader: new Loader(x, y, 50),
      optimizer: new SGD(m.parameters(), { lr: 0.1 }),
      lossFn,
      epochs: 3,
      checkpoint: { save: (d) => void saved.push(d.epoch) },
      callbacks: { onStepEnd: (s) => void (s.step === 4 && (weightsAfterStep4 = weightBits(m))) },
    });
    await expect(run).rejects.toThrow(
      "Loss is NaN at step 5 (epoch 2, batch 2): training stopped before that step's update; the last checkpoint (epoch 1) was left as it was.",
    );
    await run.catch((e: unknown) => {
      expect(e).toBeInstanceOf(NonFiniteLossError);
      expect((e as NonFiniteLossError).step).toBe(5);
      expect((e as NonFiniteLossError).history.epochs.length).toBe(1);
    });
    expect(saved).toEqual([1]);
    expect(weightBits(m)).toEqual(weightsAfterStep4);
  });
});

describe("resume", () => {
  const setup = (seed = 11) => {
    const m = new TinyMlp(4, 16, 3, seed, 0.3);
    const opt = new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true });
    const gen = new Generator(123);
    return { m, opt, loader: new Loader(x, y, 16, gen), gen };
  };

  async function uninterrupted(epochs: number): Promise<{ bits: Record<string, number[]>; h: History }> {
    manualSeed(42);
    const { m, opt, loader } = setup();
    const h = await fit(m, { trainLoader: loader, valLoader: new Loader(x, y, 64), optimizer: opt, lossFn: ce, epochs });
    return { bits: weightBits(m), h };
  }

  it("continues bit for bit from a checkpoint in memory", async () => {
    const want = await uninterrupted(5);

    manualSeed(42);
    const first = setup();
    let ck: CheckpointData | null = null;
    await fit(first.m, {
      trainLoader: first.loader,
      valLoader: new Loader(x, y, 64),
      optimizer: first.opt,
      lossFn: ce,
      epochs: 2,
      checkpoint: { save: (d) => void (ck = decodeCheckpoint(encodeCheckpoint(d))) },
    });
    // a fresh process: new objects, the global generator somewhere else entirely
    manualSeed(999);
    defaultGenerator.randperm(77);
    const second = setup(31);
    const h = await fit(second.m, { trainLoader: second.loader, valLoader: new Loader(x, y, 64), optimizer: second.opt, lossFn: ce, epochs: 5, resume: ck! });
    expect(weightBits(second.m)).toEqual(want.bits);
    expect(h.stepLoss).toEqual(want.h.stepLoss);
    expect(h.epochs.map((r) => r.valLoss)).toEqual(want.h.epochs.map((r) => r.valLoss));
    expect(h.epochs.length).toBe(5);
  });

  it("continues bit for bit from a checkpoint folder", async () => {
    const want = await uninterrupted(4);
    const dir = join(root, "resume", "checkpoint");
    manualSeed(42);
    const first = setup();
    await fit(first.m, { trainLoader: first.loader, valLoader: new Loader(x, y, 64), optimizer: first.opt, lossFn: ce, epochs: 3, checkpoint: { save: (d) => saveCheckpoint(dir, d) } });
    const ck = loadCheckpoint(dir);
    expect(ck.epoch).toBe(3);
    // stop after 3 of 4 epochs, then resume in a new "process"
    manualSeed(7);
    const second = setup(3);
    await fit(second.m, { trainLoader: second.loader, valLoader: new Loader(x, y, 64), optimizer: second.opt, lossFn: ce, epochs: 4, resume: ck });
    expect(weightBits(second.m)).toEqual(want.bits);
  });

  it("continues bit for bit with nn layers, dropout, Adam, StepLR and a shuffling DataLoader on digits", async () => {
    const digits = data.digitsTensors();
    const xd = digits.x.div(16); // pixel counts 0..16 → [0, 1]
    const build = () => {
      const model = new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Dropout(0.25), new nn.Linear(32, 10));
      const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
      const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.7 });
      const loader = new data.DataLoader(new data.TensorDataset(xd, digits.y), { batchSize: 128, shuffle: true, generator: new Generator(9) });
      return { model, opt, sched, loader };
    };
    manualSeed(5);
    const a = build();
    const ha = await fit(a.model, { trainLoader: a.loader, optimizer: a.opt, scheduler: a.sched, lossFn: ce, epochs: 3 });

    manualSeed(5);
    const b = build();
    let ck: CheckpointData | null = null;
    await fit(b.model, { trainLoader: b.loader, optimizer: b.opt, scheduler: b.sched, lossFn: ce, epochs: 1, checkpoint: { save: (d) => void (ck = decodeCheckpoint(encodeCheckpoint(d))) } });
    manualSeed(77); // the resumed "process" starts from other random states and other initial weights
    const c = build();
    const hc = await fit(c.model, { trainLoader: c.loader, optimizer: c.opt, scheduler: c.sched, lossFn: ce, epochs: 3, resume: ck! });
    expect(weightBits(c.model)).toEqual(weightBits(a.model));
    expect(hc.stepLoss).toEqual(ha.stepLoss);
    expect(hc.epochs.map((r) => r.lr)).toEqual([0.01, 0.01 * 0.7, 0.01 * 0.7 * 0.7]); // StepLR: lr · γ each epoch, in float64 like PyTorch
  });

  it("refuses a checkpoint of another model and changes nothing", async () => {
    manualSeed(1);
    const a = setup();
    let ck: CheckpointData | null = null;
    await fit(a.m, { trainLoader: a.loader, optimizer: a.opt, lossFn: ce, epochs: 1, checkpoint: { save: (d) => void (ck = d) } });
    const other = new TinyMlp(4, 12, 3, 0, 0.3);
    const opt = new SGD(other.parameters(), { lr: 0.05 });
    const before = weightBits(other);
    const genState = defaultGenerator.getState();
    await expect(fit(other, { trainLoader: new Loader(x, y, 16), optimizer: opt, lossFn: ce, epochs: 2, resume: ck! })).rejects.toThrow(
      "cannot resume from this checkpoint: Error(s) in loading state_dict for TinyMlp:\n\tsize mismatch for fc1.weight: copying a param with shape torch.Size([16, 4]) from checkpoint, the shape in current model is torch.Size([12, 4]).",
    );
    expect(weightBits(other)).toEqual(before);
    expect(defaultGenerator.getState()).toEqual(genState);
  });
});

describe("bad options", () => {
  const m = new TinyMlp(4, 8, 3, 0, 0);
  const base = { trainLoader: new Loader(x, y, 50), optimizer: new SGD(m.parameters(), { lr: 0.1 }), lossFn: ce, epochs: 1 };
  it("are refused before training with the option and the value", async () => {
    await expect(fit(m, { ...base, epochs: 0 })).rejects.toThrow("fit: epochs must be a positive integer, got 0");
    await expect(fit(m, { ...base, schedulerInterval: "batch" as never })).rejects.toThrow('fit: schedulerInterval must be "step" or "epoch", got "batch"');
    await expect(fit(m, { ...base, clipGradNorm: -1 })).rejects.toThrow("fit: clipGradNorm must be a positive finite number, got -1");
    await expect(fit(m, { ...base, monitor: "valLoss" })).rejects.toThrow('fit: monitor is "valLoss" but no valLoader was given');
    await expect(fit(m, { ...base, earlyStopping: { patience: -1 } })).rejects.toThrow("fit: earlyStopping.patience must be a non-negative integer, got -1");
    await expect(fit(m, { ...base, trainLoader: 3 as never })).rejects.toThrow(TypeError);
    await expect(fit(m, { ...base, trainLoader: [[x]] as never })).rejects.toThrow("fit: each batch must be [input, target] tensors");
  });
});
