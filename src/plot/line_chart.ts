/**
 * Line charts as SVG text: several labelled series on shared axes with ticks, grid lines, axis
 * labels, a title and a legend — loss curves of several optimizers, train/validation loss and
 * accuracy, a learning-rate schedule. `figure` lays several charts out in a grid in one SVG.
 *
 * Non-finite points (NaN, ±Infinity — a diverged loss, a missing validation value) break a line
 * instead of bending the axes; on a log axis non-positive values are treated the same way. Lines
 * are clipped to the plot area, so a fixed `yMax` can cut off a diverging curve cleanly.
 * Pure string building: works in Node and in browsers (render the PNG with `svgToPng` in Node).
 */
import { fitAxis, project, type Axis, type ScaleType } from "./scale.js";
import { esc, FONT_FAMILY, PALETTE, px, textWidth } from "./svg.js";

/** One line of a chart. */
export interface Series {
  /** The legend text. */
  label: string;
  /** The y values. */
  y: readonly number[];
  /** The x values (same length as `y`); default 1, 2, …, n (epochs). */
  x?: readonly number[];
  /** A CSS colour; default the next colour of the palette. */
  color?: string;
  /** Dashed line (`true`, or an SVG dash array such as "6 3"). */
  dash?: boolean | string;
  /** Dots at the points; default when the series has at most 40 points. */
  markers?: boolean;
  /** Line width in px (default 2). */
  lineWidth?: number;
}

/** Where the legend goes: a corner of the plot area, the emptiest one (`"auto"`), or nowhere. */
export type LegendPosition = "auto" | "top-right" | "top-left" | "bottom-right" | "bottom-left" | "none";

export interface LineChartOptions {
  series: readonly Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Size in px (default 720 × 450). */
  width?: number;
  height?: number;
  xScale?: ScaleType;
  yScale?: ScaleType;
  /** Only integer x ticks (default true when every x value is an integer). */
  xInteger?: boolean;
  /** Fixed axis ends (each optional; the data decide the rest). */
  xMin?: number;
  xMax?: number;
  yMin?: number;
  yMax?: number;
  legend?: LegendPosition;
  fontFamily?: string;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Laid {
  xs: number[];
  ys: number[];
}

const TITLE_SIZE = 16;
const LABEL_SIZE = 13;
const TICK_SIZE = 11;
const LEGEND_SIZE = 12;

function checkOptions(o: LineChartOptions): void {
  if (typeof o !== "object" || o === null) throw new TypeError("lineChart: expected an options object");
  if (!Array.isArray(o.series)) throw new TypeError("lineChart: options.series must be an array of series");
  for (const [i, s] of o.series.entries()) {
    if (typeof s !== "object" || s === null || !Array.isArray(s.y)) {
      throw new TypeError(`lineChart: series[${i}] must be an object with a y array`);
    }
    if (typeof s.label !== "string") throw new TypeError(`lineChart: series[${i}].label must be a string`);
    if (s.x !== undefined && (!Array.isArray(s.x) || s.x.length !== s.y.length)) {
      throw new RangeError(
        `lineChart: series[${i}] ("${s.label}") has ${Array.isArray(s.x) ? s.x.length : "no"} x values for ${s.y.length} y values`,
      );
    }
  }
  for (const k of ["width", "height"] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 100)) {
      throw new RangeError(`lineChart: ${k} must be a number >= 100, got ${v}`);
    }
  }
}

function xsOf(s: Series): readonly number[] {
  return s.x ?? s.y.map((_, i) => i + 1);
}

/** The axes a chart would draw for its data: exported for tests and for callers that align charts. */
export function chartAxes(o: LineChartOptions): { x: Axis; y: Axis } {
  checkOptions(o);
  const allX: number[] = [];
  const allY: number[] = [];
  for (const s of o.series) {
    const xs = xsOf(s);
    for (let i = 0; i < s.y.length; i++) {
      const xv = xs[i]!;
      const yv = s.y[i]!;
      if (Number.isFinite(xv) && Number.isFinite(yv)) {
        if (o.yScale === "log" && yv <= 0) continue;
        if (o.xScale === "log" && xv <= 0) continue;
        allX.push(xv);
        allY.push(yv);
      }
    }
  }
  const xInteger = o.xInteger ?? (allX.length > 0 && allX.every((v) => Number.isInteger(v)));
  const x = fitAxis(allX, { type: o.xScale ?? "linear", integer: xInteger, min: o.xMin, max: o.xMax });
  const y = fitAxis(allY, { type: o.yScale ?? "linear", min: o.yMin, max: o.yMax, maxTicks: 7 });
  return { x, y };
}

/** Pixel coordinates of each series' points (NaN where a point is not drawable). */
function layout(o: LineChartOptions, ax: { x: Axis; y: Axis }, plot: Rect): Laid[] {
  return o.series.map((s) => {
    const xs = xsOf(s);
    const out: Laid = { xs: [], ys: [] };
    for (let i = 0; i < s.y.length; i++) {
      const xv = xs[i]!;
      const yv = s.y[i]!;
      const ok =
        Number.isFinite(xv) && Number.isFinite(yv) && !(ax.y.type === "log" && yv <= 0) && !(ax.x.type === "log" && xv <= 0);
      out.xs.push(ok ? plot.x + project(ax.x, xv) * plot.w : NaN);
      out.ys.push(ok ? plot.y + (1 - project(ax.y, yv)) * plot.h : NaN);
    }
    return out;
  });
}

function pathData(l: Laid): string {
  const parts: string[] = [];
  let pen = false;
  for (let i = 0; i < l.xs.length; i++) {
    const x = l.xs[i]!;
    const y = l.ys[i]!;
    if (Number.isNaN(x)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? "L" : "M"}${px(x)} ${px(y)}`);
    pen = true;
  }
  return parts.join("");
}

/** How many drawn points and segment samples fall inside `r` (for placing the legend). */
function crowding(laid: readonly Laid[], r: Rect): number {
  let n = 0;
  const inside = (x: number, y: number): boolean => x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
  for (const l of laid) {
    for (let i = 0; i < l.xs.length; i++) {
      const x = l.xs[i]!;
      const y = l.ys[i]!;
      if (Number.isNaN(x)) continue;
      if (inside(x, y)) n += 1;
      const x1 = l.xs[i + 1];
      const y1 = l.ys[i + 1];
      if (x1 === undefined || y1 === undefined || Number.isNaN(x1)) continue;
      // samples every ~3 px along the segment
      const steps = Math.min(1000, Math.ceil(Math.hypot(x1 - x, y1 - y) / 3));
      for (let k = 1; k < steps; k++) if (inside(x + ((x1 - x) * k) / steps, y + ((y1 - y) * k) / steps)) n += 1;
    }
  }
  return n;
}

/** The chart's SVG elements (no outer <svg>), drawn in a `width` × `height` box at the origin. */
export function renderChart(o: LineChartOptions, idPrefix = "chart"): string {
  checkOptions(o);
  const width = o.width ?? 720;
  const height = o.height ?? 450;
  const font = o.fontFamily ?? FONT_FAMILY;
  const ax = chartAxes(o);

  const yTickWidth = Math.max(...ax.y.labels.map((s) => textWidth(s, TICK_SIZE)), 0);
  const left = 14 + (o.yLabel ? LABEL_SIZE + 10 : 0) + yTickWidth + 8;
  const top = o.title ? TITLE_SIZE + 22 : 16;
  const bottom = 12 + TICK_SIZE + 8 + (o.xLabel ? LABEL_SIZE + 12 : 0);
  const lastXLabel = ax.x.labels[ax.x.labels.length - 1] ?? "";
  const right = Math.max(20, textWidth(lastXLabel, TICK_SIZE) / 2 + 6);
  const plot: Rect = { x: left, y: top, w: Math.max(10, width - left - right), h: Math.max(10, height - top - bottom) };
  const laid = layout(o, ax, plot);
  const clipId = `${idPrefix}-plot`;

  const out: string[] = [];
  out.push(`<rect class="background" x="0" y="0" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`);
  out.push(
    // the clip area is the plot area plus a few pixels, so markers on its edges stay whole
    `<defs><clipPath id="${esc(clipId)}"><rect x="${px(plot.x - 5)}" y="${px(plot.y - 5)}" width="${px(plot.w + 10)}" height="${px(plot.h + 10)}"/></clipPath></defs>`,
  );

  // grid lines (minor, then major) and the frame
  const grid: string[] = [];
  const yPix = (v: number): number => plot.y + (1 - project(ax.y, v)) * plot.h;
  const xPix = (v: number): number => plot.x + project(ax.x, v) * plot.w;
  for (const v of ax.y.minor) {
    const y = yPix(v);
    if (y >= plot.y - 0.01 && y <= plot.y + plot.h + 0.01)
      grid.push(`<line x1="${px(plot.x)}" x2="${px(plot.x + plot.w)}" y1="${px(y)}" y2="${px(y)}" stroke="#f0f0f0"/>`);
  }
  for (const v of ax.x.minor) {
    const x = xPix(v);
    if (x >= plot.x - 0.01 && x <= plot.x + plot.w + 0.01)
      grid.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${px(plot.y)}" y2="${px(plot.y + plot.h)}" stroke="#f0f0f0"/>`);
  }
  for (const v of ax.y.ticks) {
    const y = yPix(v);
    grid.push(`<line x1="${px(plot.x)}" x2="${px(plot.x + plot.w)}" y1="${px(y)}" y2="${px(y)}" stroke="#dddddd"/>`);
  }
  for (const v of ax.x.ticks) {
    const x = xPix(v);
    grid.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${px(plot.y)}" y2="${px(plot.y + plot.h)}" stroke="#dddddd"/>`);
  }
  out.push(`<g class="grid" stroke-width="1">${grid.join("")}</g>`);
  out.push(
    `<rect class="frame" x="${px(plot.x)}" y="${px(plot.y)}" width="${px(plot.w)}" height="${px(plot.h)}" fill="none" stroke="#444444" stroke-width="1"/>`,
  );

  // tick labels
  const xt = ax.x.ticks
    .map(
      (v, i) =>
        `<text class="tick" x="${px(xPix(v))}" y="${px(plot.y + plot.h + 8 + TICK_SIZE)}" text-anchor="middle">${esc(ax.x.labels[i]!)}</text>`,
    )
    .join("");
  out.push(`<g class="x-ticks" font-size="${TICK_SIZE}" fill="#333333">${xt}</g>`);
  const yt = ax.y.ticks
    .map(
      (v, i) =>
        `<text class="tick" x="${px(plot.x - 6)}" y="${px(yPix(v) + TICK_SIZE * 0.35)}" text-anchor="end">${esc(ax.y.labels[i]!)}</text>`,
    )
    .join("");
  out.push(`<g class="y-ticks" font-size="${TICK_SIZE}" fill="#333333">${yt}</g>`);

  // axis labels and title
  if (o.xLabel) {
    out.push(
      `<text class="x-label" x="${px(plot.x + plot.w / 2)}" y="${px(height - 12)}" text-anchor="middle" font-size="${LABEL_SIZE}" fill="#222222">${esc(o.xLabel)}</text>`,
    );
  }
  if (o.yLabel) {
    const cx = 14 + LABEL_SIZE * 0.8;
    const cy = plot.y + plot.h / 2;
    out.push(
      `<text class="y-label" x="${px(cx)}" y="${px(cy)}" transform="rotate(-90 ${px(cx)} ${px(cy)})" text-anchor="middle" font-size="${LABEL_SIZE}" fill="#222222">${esc(o.yLabel)}</text>`,
    );
  }
  if (o.title) {
    out.push(
      `<text class="title" x="${px(plot.x + plot.w / 2)}" y="${px(10 + TITLE_SIZE)}" text-anchor="middle" font-size="${TITLE_SIZE}" font-weight="bold" fill="#111111">${esc(o.title)}</text>`,
    );
  }

  // the series
  const lines: string[] = [];
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const dash = s.dash === true ? "7 4" : typeof s.dash === "string" ? s.dash : null;
    const lw = s.lineWidth ?? 2;
    const l = laid[i]!;
    const markers = s.markers ?? s.y.length <= 40;
    let g = `<g class="series" data-label="${esc(s.label)}">`;
    g += `<path d="${pathData(l)}" fill="none" stroke="${esc(color)}" stroke-width="${px(lw)}" stroke-linejoin="round" stroke-linecap="round"${dash ? ` stroke-dasharray="${esc(dash)}"` : ""}/>`;
    if (markers) {
      for (let k = 0; k < l.xs.length; k++) {
        if (!Number.isNaN(l.xs[k]!)) g += `<circle cx="${px(l.xs[k]!)}" cy="${px(l.ys[k]!)}" r="${px(lw + 1)}" fill="${esc(color)}"/>`;
      }
    }
    g += "</g>";
    lines.push(g);
  });
  out.push(`<g class="lines" clip-path="url(#${esc(clipId)})">${lines.join("")}</g>`);

  // the legend
  const position = o.legend ?? "auto";
  if (position !== "none" && o.series.length > 0) {
    const rowH = LEGEND_SIZE + 6;
    const swatch = 22;
    const w = 10 + swatch + 6 + Math.max(...o.series.map((s) => textWidth(s.label, LEGEND_SIZE))) + 10;
    const h = 8 + rowH * o.series.length;
    const margin = 8;
    const corners: Record<Exclude<LegendPosition, "auto" | "none">, Rect> = {
      "top-right": { x: plot.x + plot.w - margin - w, y: plot.y + margin, w, h },
      "top-left": { x: plot.x + margin, y: plot.y + margin, w, h },
      "bottom-right": { x: plot.x + plot.w - margin - w, y: plot.y + plot.h - margin - h, w, h },
      "bottom-left": { x: plot.x + margin, y: plot.y + plot.h - margin - h, w, h },
    };
    let box: Rect;
    if (position === "auto") {
      const order = ["top-right", "bottom-right", "top-left", "bottom-left"] as const;
      let best = order[0] as (typeof order)[number];
      let bestN = Infinity;
      for (const c of order) {
        const n = crowding(laid, corners[c]);
        if (n < bestN) {
          bestN = n;
          best = c;
        }
      }
      box = corners[best];
    } else {
      box = corners[position];
    }
    const items = o.series
      .map((s, i) => {
        const color = s.color ?? PALETTE[i % PALETTE.length]!;
        const dash = s.dash === true ? "7 4" : typeof s.dash === "string" ? s.dash : null;
        const cy = box.y + 4 + rowH * i + rowH / 2;
        return (
          `<line x1="${px(box.x + 10)}" x2="${px(box.x + 10 + swatch)}" y1="${px(cy)}" y2="${px(cy)}" stroke="${esc(color)}" stroke-width="${px(s.lineWidth ?? 2)}"${dash ? ` stroke-dasharray="${esc(dash)}"` : ""}/>` +
          `<text x="${px(box.x + 10 + swatch + 6)}" y="${px(cy + LEGEND_SIZE * 0.35)}">${esc(s.label)}</text>`
        );
      })
      .join("");
    out.push(
      `<g class="legend" font-size="${LEGEND_SIZE}" fill="#222222"><rect x="${px(box.x)}" y="${px(box.y)}" width="${px(box.w)}" height="${px(box.h)}" rx="3" fill="#ffffff" fill-opacity="0.9" stroke="#bbbbbb"/>${items}</g>`,
    );
  }
  return `<g class="chart" font-family="${esc(font)}">${out.join("")}</g>`;
}

/** A complete SVG document holding one line chart. */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 450;
  return svgDocument(width, height, renderChart(options, "chart"));
}

export interface FigureOptions {
  /** The charts, laid out row by row. */
  charts: readonly LineChartOptions[];
  /** Charts per row (default: all in one row). */
  columns?: number;
  /** Size of each cell in px (default 560 × 380); a chart's own width/height are ignored. */
  cellWidth?: number;
  cellHeight?: number;
}

/** A complete SVG document with several line charts side by side (e.g. loss and accuracy). */
export function figure(options: FigureOptions): string {
  const charts = options.charts;
  if (!Array.isArray(charts) || charts.length === 0) throw new TypeError("figure: charts must be a non-empty array");
  const columns = options.columns ?? charts.length;
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`figure: columns must be a positive integer, got ${columns}`);
  const cw = options.cellWidth ?? 560;
  const ch = options.cellHeight ?? 380;
  const rows = Math.ceil(charts.length / columns);
  const cells = charts.map((c, i) => {
    const x = (i % columns) * cw;
    const y = Math.floor(i / columns) * ch;
    return `<g transform="translate(${px(x)} ${px(y)})">${renderChart({ ...c, width: cw, height: ch }, `chart${i}`)}</g>`;
  });
  return svgDocument(cw * Math.min(columns, charts.length), ch * rows, cells.join(""));
}

function svgDocument(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${body}</svg>\n`
  );
}
