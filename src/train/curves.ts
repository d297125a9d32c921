/**
 * Training curves from a `History`: the loss (every step's loss as a faint line with its moving
 * average over a tenth of an epoch, or the epoch means for short epochs, and the validation loss
 * per epoch), the accuracy (training and validation, in percent), and the learning rate of every
 * step when it changed during the run. x is measured in epochs, so a step's
 * loss sits at its fraction of the epoch (step 117 of 469 in epoch 2 at x ≈ 1.25).
 */
import { figure, type LineChartOptions, type Series } from "../plot/line_chart.js";
import { PALETTE } from "../plot/svg.js";
import type { History } from "./fit.js";

export interface HistoryChartOptions {
  /** A title prefix, e.g. "MNIST · MLP · Adam". */
  title?: string;
  /** Plot the loss on a log axis (default: when the losses span more than a factor of 20). */
  logLoss?: boolean;
}

/** Where each step falls on the epoch axis. */
function stepPositions(history: History): number[] {
  const xs: number[] = [];
  let start = history.epochs.length > 0 ? history.epochs[0]!.epoch - 1 : 0;
  let i = 0;
  for (const r of history.epochs) {
    for (let k = 1; k <= r.steps && i < history.stepLoss.length; k++, i++) xs.push(start + k / r.steps);
    start = r.epoch;
  }
  // steps of an epoch that did not finish (a stopped run): one step per unit of the last epoch's length
  const per = history.epochs[history.epochs.length - 1]?.steps ?? history.stepLoss.length;
  for (let k = 1; i < history.stepLoss.length; k++, i++) xs.push(start + k / Math.max(1, per));
  return xs;
}

/** Trailing mean of the last `w` values (fewer at the start); non-finite values are skipped. */
export function movingAverage(values: readonly number[], w: number): number[] {
  const out: number[] = [];
  const window: number[] = [];
  let sum = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      window.push(v);
      sum += v;
      if (window.length > w) sum -= window.shift()!;
    }
    out.push(window.length > 0 ? sum / window.length : NaN);
  }
  return out;
}

/** The charts of a history: loss, accuracy (when measured) and learning rate (when it changed). */
export function historyChart(history: History, options: HistoryChartOptions = {}): LineChartOptions[] {
  const prefix = options.title ? `${options.title} — ` : "";
  const epochs = history.epochs.map((r) => r.epoch);
  const charts: LineChartOptions[] = [];
  const loss: Series[] = [];
  const perEpoch = history.epochs[0]?.steps ?? 0;
  if (history.stepLoss.length > 0 && perEpoch >= 10) {
    // every step faintly, and a trailing moving average over a tenth of an epoch
    const xs = stepPositions(history);
    loss.push({ label: "train, each step", x: xs, y: history.stepLoss, color: "#c6dbef", lineWidth: 1, markers: false });
    loss.push({ label: "train, moving average", x: xs, y: movingAverage(history.stepLoss, Math.max(2, Math.round(perEpoch / 10))), color: PALETTE[0], markers: false });
  } else {
    loss.push({ label: "train (epoch mean)", x: epochs, y: history.epochs.map((r) => r.trainLoss), color: PALETTE[0], markers: true });
  }
  if (history.epochs.some((r) => r.valLoss !== null)) {
    loss.push({ label: "validation", x: epochs, y: history.epochs.map((r) => r.valLoss ?? NaN), color: PALETTE[1], dash: true, markers: true });
  }
  const all = [...history.stepLoss, ...history.epochs.map((r) => r.trainLoss)].filter((v) => Number.isFinite(v) && v > 0);
  const logLoss = options.logLoss ?? (all.length > 0 && Math.max(...all) / Math.min(...all) > 20);
  charts.push({ title: `${prefix}loss`, xLabel: "epoch", yLabel: logLoss ? "loss (log scale)" : "loss", series: loss, yScale: logLoss ? "log" : "linear", xMin: 0, xInteger: true });
  const acc: Series[] = [];
  if (history.epochs.some((r) => r.trainAccuracy !== null)) {
    acc.push({ label: "train", x: epochs, y: history.epochs.map((r) => (r.trainAccuracy === null ? NaN : 100 * r.trainAccuracy)), color: PALETTE[0], markers: true });
  }
  if (history.epochs.some((r) => r.valAccuracy !== null)) {
    acc.push({ label: "validation", x: epochs, y: history.epochs.map((r) => (r.valAccuracy === null ? NaN : 100 * r.valAccuracy)), color: PALETTE[1], dash: true, markers: true });
  }
  if (acc.length > 0) charts.push({ title: `${prefix}accuracy`, xLabel: "epoch", yLabel: "accuracy (%)", series: acc, xMin: 0, xInteger: true });
  const perStep = history.stepLr.length === history.stepLoss.length && history.stepLr.length > 0;
  const lrs = perStep ? history.stepLr : history.epochs.map((r) => r.lr);
  if (lrs.some((v) => v !== lrs[0])) {
    charts.push({
      title: `${prefix}learning rate`,
      xLabel: "epoch",
      yLabel: "learning rate",
      series: [{ label: "lr", x: perStep ? stepPositions(history) : epochs, y: lrs, color: PALETTE[2], markers: !perStep }],
      legend: "none",
      xMin: 0,
      xInteger: true,
    });
  }
  return charts;
}

/** The charts of {@link historyChart} side by side, as one SVG document. */
export function historyFigure(history: History, options: HistoryChartOptions = {}): string {
  if (history.epochs.length === 0) throw new RangeError("historyFigure: the history has no finished epoch");
  return figure({ charts: historyChart(history, options) });
}
