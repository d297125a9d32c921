/**
 * Training curves from a History: which charts and series appear, where each step sits on the
 * epoch axis, the moving average (hand-derived) and the automatic log scale.
 */
import { describe, expect, it } from "vitest";
import { historyChart, historyFigure, movingAverage } from "../../src/train/curves.js";
import type { EpochRecord, History } from "../../src/train/fit.js";

function record(epoch: number, steps: number, extra: Partial<EpochRecord> = {}): EpochRecord {
  return { epoch, trainLoss: 1 / epoch, trainAccuracy: 0.5 + epoch / 10, valLoss: 1.2 / epoch, valAccuracy: 0.4 + epoch / 10, lr: 0.1, seconds: 1, steps, ...extra };
}

describe("movingAverage", () => {
  it("is the trailing mean over the window, shorter at the start, skipping NaN", () => {
    // window of the last 2 finite values: [1], [1,3], [3,5], [3,5] (NaN skipped), [5,7]
    expect(movingAverage([1, 3, 5, NaN, 7], 2)).toEqual([1, 2, 4, 4, 6]);
    expect(movingAverage([NaN, 2], 3)).toEqual([NaN, 2]);
  });
});

describe("historyChart", () => {
  it("short epochs: epoch means, validation, accuracy; no lr chart for a constant lr", () => {
    const h: History = { epochs: [record(1, 4), record(2, 4)], stepLoss: [4, 3, 2, 1, 1, 1, 1, 1], stepLr: Array(8).fill(0.1), stopReason: "completed" };
    const charts = historyChart(h, { title: "t" });
    expect(charts.map((c) => c.title)).toEqual(["t — loss", "t — accuracy"]);
    expect(charts[0]!.series.map((s) => s.label)).toEqual(["train (epoch mean)", "validation"]);
    expect(charts[0]!.series[1]!.y).toEqual([1.2, 0.6]);
    // accuracies in percent: 0.5 + 0.1, 0.5 + 0.2 → 60, 70
    expect(charts[1]!.series[0]!.y.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([60, 70]);
    // losses from 4 to 0.5: a factor of 8 < 20, so a linear axis
    expect(charts[0]!.yScale).toBe("linear");
  });
  it("long epochs: every step at its fraction of the epoch, a moving average, and the lr of each step", () => {
    const steps = 20;
    const stepLoss = Array.from({ length: 2 * steps }, (_, i) => 100 / (i + 1));
    const stepLr = stepLoss.map((_, i) => 0.1 * (1 - i / 40));
    const h: History = { epochs: [record(1, steps), record(2, steps)], stepLoss, stepLr, stopReason: "completed" };
    const charts = historyChart(h);
    expect(charts.map((c) => c.title)).toEqual(["loss", "accuracy", "learning rate"]);
    const [each, avg] = charts[0]!.series;
    expect(each!.label).toBe("train, each step");
    // step 1 of epoch 1 at 1/20, the last step of epoch 2 at 2
    expect(each!.x![0]).toBe(0.05);
    expect(each!.x![39]).toBe(2);
    // window = 20 / 10 = 2: the mean of 100 and 50
    expect(avg!.y[1]).toBe(75);
    expect(charts[0]!.yScale).toBe("log"); // 100 / 2.5 > 20
    expect(charts[2]!.series[0]!.y).toEqual(stepLr);
  });
  it("a figure needs a finished epoch", () => {
    expect(() => historyFigure({ epochs: [], stepLoss: [], stepLr: [], stopReason: "completed" })).toThrow(RangeError);
    const svg = historyFigure({ epochs: [record(1, 1)], stepLoss: [1], stepLr: [0.1], stopReason: "completed" });
    expect(svg.split('<g class="chart"').length - 1).toBe(2);
  });
});
