/**
 * Progress output: plain lines off a terminal (what CI logs get), a bar redrawn in place on a
 * terminal (throttled by a fake clock), and the number formats.
 */
import { describe, expect, it } from "vitest";
import {
  createProgress,
  formatEpochLine,
  formatAccuracy,
  formatDuration,
  formatLoss,
  formatLr,
  type EpochSummary,
} from "../../src/train/progress.js";

class Sink {
  text = "";
  constructor(
    readonly isTTY: boolean,
    readonly columns = 100,
  ) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

const summary: EpochSummary = {
  epoch: 2,
  trainLoss: 0.123456,
  trainAccuracy: 0.96125,
  valLoss: 0.1,
  valAccuracy: 0.9701,
  lr: 0.001,
  seconds: 75.3,
  steps: 469,
};

describe("formats", () => {
  it("writes losses, accuracies, learning rates and durations", () => {
    expect(formatLoss(0.123456)).toBe("0.1235");
    expect(formatLoss(2.5e-5)).toBe("2.500e-5");
    expect(formatLoss(NaN)).toBe("NaN");
    expect(formatAccuracy(0.96125)).toBe("96.13%"); // 96.125 rounds half up in toFixed(2) → 96.13
    expect(formatLr(0.001)).toBe("1.000e-3");
    expect(formatDuration(12.34)).toBe("12.3s");
    expect(formatDuration(125)).toBe("2m05s");
    expect(formatDuration(3725)).toBe("1h02m");
    expect(formatEpochLine(summary, 10)).toBe(
      "epoch  2/10  loss 0.1235  acc 96.13%  val_loss 0.1000  val_acc 97.01%  lr 1.000e-3  469 steps  1m15s",
    );
  });
});

describe("plain lines (not a terminal)", () => {
  it("prints a line at each quarter of the epoch and one at its end, without control characters", () => {
    const out = new Sink(false);
    const p = createProgress(out);
    p.epochBegin(1, 3, 8);
    for (let i = 1; i <= 8; i++) p.step(i, 8, { loss: 1 / i, accuracy: 0.5, lr: 0.1 });
    p.epochEnd({ ...summary, epoch: 1, valLoss: null, valAccuracy: null }, 3);
    p.message("done");
    // every = ceil(8 / 4) = 2: steps 2, 4, 6 (the last step is covered by the epoch line)
    expect(out.text.split("\n")).toEqual([
      "epoch 1/3  step 2/8  loss 0.5000  acc 50.00%",
      "epoch 1/3  step 4/8  loss 0.2500  acc 50.00%",
      "epoch 1/3  step 6/8  loss 0.1667  acc 50.00%",
      "epoch 1/3  loss 0.1235  acc 96.13%  lr 1.000e-3  469 steps  1m15s",
      "done",
      "",
    ]);
    expect(out.text).not.toMatch(/[\r\x1b]/);
  });
  it("honours a fixed interval, or none", () => {
    const out = new Sink(false);
    const p = createProgress(out, { every: 0 });
    p.epochBegin(1, 1, 100);
    for (let i = 1; i <= 100; i++) p.step(i, 100, { loss: 1, accuracy: null, lr: 0.1 });
    expect(out.text).toBe("");
    expect(() => createProgress(out, { every: -1 })).toThrow(RangeError);
    expect(() => createProgress({} as never)).toThrow(TypeError);
  });
});

describe("bar (terminal)", () => {
  it("redraws in place at most every redrawMs and ends with the epoch line", () => {
    const out = new Sink(true, 120);
    let t = 0;
    const p = createProgress(out, { now: () => t, redrawMs: 250 });
    p.epochBegin(1, 2, 10);
    for (let i = 1; i <= 10; i++) {
      t += 100; // 100 ms per step: redraws at steps 1, 4, 7 (≥ 250 ms apart) and at the last one
      p.step(i, 10, { loss: 0.5, accuracy: 0.9, lr: 0.01 });
    }
    p.epochEnd({ ...summary, epoch: 1 }, 2);
    const draws = out.text.split("\r").filter((s) => s.length > 0);
    expect(draws.length).toBe(5);
    expect(draws[0]).toContain("epoch 1/2 [");
    expect(draws[0]).toContain("] 1/10  loss 0.5000  acc 90.00%  0.1s (eta 0.9s)");
    // step 4 of 10 on a 40-character bar (120 columns leave room for the widest): 16 filled
    const bar = /\[(█*)(░*)\]/.exec(draws[1]!)!;
    expect([bar[1]!.length, bar[2]!.length]).toEqual([16, 24]);
    // 0.4 s for 4 steps → 0.6 s for the 6 left
    expect(draws[1]).toContain("] 4/10  loss 0.5000  acc 90.00%  0.4s (eta 0.6s)");
    expect(draws[3]).toContain(`[${"█".repeat(40)}] 10/10`);
    expect(draws[3]).not.toContain("eta");
    expect(draws[4]).toBe(`${formatEpochLine({ ...summary, epoch: 1 }, 2)}\x1b[K\n`);
  });
});
