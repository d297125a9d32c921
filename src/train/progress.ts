/**
 * Progress output of the fit loop: a progress bar redrawn in place on a terminal, and plain
 * one-line records when the output is not a terminal (CI logs, files, pipes), where carriage
 * returns and ANSI codes would only make noise.
 *
 * Both write to a `ProgressStream` — anything with `write(text)`, such as Node's `process.stdout`
 * (whose `isTTY` and `columns` choose the mode and the bar's width) or a browser shim — so this
 * file needs no Node module.
 */

/** Where progress is written: `process.stdout`, or any object with `write`. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The running figures of the current epoch, as the fit loop reports them after each step. */
export interface StepStats {
  /** Mean training loss over the epoch's samples so far. */
  loss: number;
  /** Training accuracy over the epoch's samples so far (0..1), or null when not measured. */
  accuracy: number | null;
  /** The learning rate of the first parameter group. */
  lr: number;
}

/** One finished epoch, as shown at its end (the fields of the fit loop's `EpochRecord`). */
export interface EpochSummary {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  lr: number;
  seconds: number;
  steps: number;
}

/** What the fit loop calls while it trains. */
export interface ProgressReporter {
  epochBegin(epoch: number, epochs: number, steps: number | null): void;
  step(done: number, steps: number | null, stats: StepStats): void;
  epochEnd(summary: EpochSummary, epochs: number): void;
  /** A free-form line (early stopping, resuming, …). */
  message(text: string): void;
}

export interface ProgressOptions {
  /** Force the mode; default: a bar when `stream.isTTY` is true. */
  tty?: boolean;
  /** Plain mode: also print a line every this many steps (default: at each quarter of a known epoch length; 0 for none). */
  every?: number;
  /** Bar mode: minimum milliseconds between redraws (default 100). */
  redrawMs?: number;
  /** A clock in milliseconds (default `performance.now`), for tests. */
  now?: () => number;
}

/** A loss with 4 significant decimals, a tiny or huge one in scientific notation. */
export function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

/** An accuracy (0..1) as a percentage with two decimals. */
export function formatAccuracy(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}

/** A learning rate, e.g. 1.000e-3. */
export function formatLr(v: number): string {
  return v.toExponential(3);
}

/** Seconds as "12.3s", "4m05s" or "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** The end-of-epoch line both modes print. */
export function formatEpochLine(s: EpochSummary, epochs: number): string {
  const width = String(epochs).length;
  const parts = [`epoch ${String(s.epoch).padStart(width)}/${epochs}`, `loss ${formatLoss(s.trainLoss)}`];
  if (s.trainAccuracy !== null) parts.push(`acc ${formatAccuracy(s.trainAccuracy)}`);
  if (s.valLoss !== null) parts.push(`val_loss ${formatLoss(s.valLoss)}`);
  if (s.valAccuracy !== null) parts.push(`val_acc ${formatAccuracy(s.valAccuracy)}`);
  parts.push(`lr ${formatLr(s.lr)}`, `${s.steps} steps`, formatDuration(s.seconds));
  return parts.join("  ");
}

const defaultNow = (): number => globalThis.performance.now();

/** Plain lines: one per epoch, and optionally every `every` steps. */
class LineProgress implements ProgressReporter {
  private epoch = 0;
  private epochs = 0;
  private every: number;
  private fixedEvery: boolean;
  constructor(
    private readonly stream: ProgressStream,
    every: number | undefined,
  ) {
    this.fixedEvery = every !== undefined;
    this.every = every ?? 0;
  }
  epochBegin(epoch: number, epochs: number, steps: number | null): void {
    this.epoch = epoch;
    this.epochs = epochs;
    if (!this.fixedEvery) this.every = steps !== null && steps >= 8 ? Math.ceil(steps / 4) : 0;
  }
  step(done: number, steps: number | null, stats: StepStats): void {
    if (this.every <= 0 || done % this.every !== 0 || done === steps) return;
    const width = String(this.epochs).length;
    const of = steps === null ? "" : `/${steps}`;
    let line = `epoch ${String(this.epoch).padStart(width)}/${this.epochs}  step ${done}${of}  loss ${formatLoss(stats.loss)}`;
    if (stats.accuracy !== null) line += `  acc ${formatAccuracy(stats.accuracy)}`;
    this.stream.write(`${line}\n`);
  }
  epochEnd(summary: EpochSummary, epochs: number): void {
    this.stream.write(`${formatEpochLine(summary, epochs)}\n`);
  }
  message(text: string): void {
    this.stream.write(`${text}\n`);
  }
}

/** A bar redrawn in place with a carriage return; the epoch's summary replaces it at the end. */
class BarProgress implements ProgressReporter {
  private epoch = 0;
  private epochs = 0;
  private start = 0;
  private lastDraw = -Infinity;
  private drawn = false;
  constructor(
    private readonly stream: ProgressStream,
    private readonly redrawMs: number,
    private readonly now: () => number,
  ) {}
  epochBegin(epoch: number, epochs: number): void {
    this.epoch = epoch;
    this.epochs = epochs;
    this.start = this.now();
    this.lastDraw = -Infinity;
  }
  step(done: number, steps: number | null, stats: StepStats): void {
    const t = this.now();
    if (t - this.lastDraw < this.redrawMs && done !== steps) return;
    this.lastDraw = t;
    const elapsed = (t - this.start) / 1000;
    const width = String(this.epochs).length;
    const head = `epoch ${String(this.epoch).padStart(width)}/${this.epochs} `;
    let tail = ` ${done}${steps === null ? "" : `/${steps}`}  loss ${formatLoss(stats.loss)}`;
    if (stats.accuracy !== null) tail += `  acc ${formatAccuracy(stats.accuracy)}`;
    tail += `  ${formatDuration(elapsed)}`;
    if (steps !== null && done > 0 && done < steps) tail += ` (eta ${formatDuration((elapsed / done) * (steps - done))})`;
    // a pseudo-terminal without a size reports 0 columns: assume 100
    const columns = this.stream.columns !== undefined && this.stream.columns >= 40 ? this.stream.columns : 100;
    // a fixed width per terminal (room for the longest tail), so the bar does not jitter
    const barWidth = Math.max(10, Math.min(40, columns - head.length - 62));
    let bar: string;
    if (steps !== null && steps > 0) {
      const filled = Math.round((barWidth * Math.min(done, steps)) / steps);
      bar = `[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}]`;
    } else {
      bar = "";
    }
    const line = `${head}${bar}${tail}`;
    // \r returns to the line start, \x1b[K clears what a longer previous line left
    this.stream.write(`\r${line.slice(0, Math.max(20, columns - 1))}\x1b[K`);
    this.drawn = true;
  }
  epochEnd(summary: EpochSummary, epochs: number): void {
    this.stream.write(`${this.drawn ? "\r" : ""}${formatEpochLine(summary, epochs)}\x1b[K\n`);
    this.drawn = false;
  }
  message(text: string): void {
    this.stream.write(`${this.drawn ? "\r\x1b[K" : ""}${text}\n`);
    this.drawn = false;
  }
}

/** A reporter writing to `stream`: a bar on a terminal, plain lines otherwise. */
export function createProgress(stream: ProgressStream, options: ProgressOptions = {}): ProgressReporter {
  if (typeof stream !== "object" || stream === null || typeof stream.write !== "function") {
    throw new TypeError("createProgress: stream must have a write(text) method");
  }
  if (options.every !== undefined && !(Number.isInteger(options.every) && options.every >= 0)) {
    throw new RangeError(`createProgress: every must be a non-negative integer, got ${options.every}`);
  }
  const tty = options.tty ?? stream.isTTY === true;
  if (tty) return new BarProgress(stream, options.redrawMs ?? 100, options.now ?? defaultNow);
  return new LineProgress(stream, options.every);
}

/** A reporter that prints nothing. */
export const silentProgress: ProgressReporter = Object.freeze({
  epochBegin() {},
  step() {},
  epochEnd() {},
  message() {},
});
