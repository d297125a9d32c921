/**
 * Tests of the plots: tick values computed from data (hand-derived in the comments), the SVG's
 * structure (series, labels, legend, gaps at non-finite points, escaping) and PNG output (signature
 * and size read from the IHDR chunk).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chartAxes, figure, fitAxis, formatTick, lineChart, linearAxis, logAxis } from "../../src/plot/index.js";
import { svgToPng, writePlot } from "../../src/plot/png.js";

const count = (s: string, sub: string): number => s.split(sub).length - 1;

describe("linear ticks", () => {
  it("covers the data with 1/2/2.5/5 × 10^k steps", () => {
    // span 2.27: steps 0.1, 0.2, 0.25 need 24, 13, 11 ticks > 7; step 0.5 needs 0..2.5 = 6 ticks
    const a = linearAxis(0.03, 2.3);
    expect(a.ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(a.labels).toEqual(["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]);
    expect(a.domain).toEqual([0, 2.5]);
  });
  it("prints multiples of 0.25 with two decimals and has no float noise", () => {
    // span 1.4 / 6 = 0.233: 0.1 → 16 ticks, 0.2 → 8 ticks, 0.25 → 0.25..1.75 = 7 ticks
    const a = linearAxis(0.3, 1.7);
    expect(a.ticks).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]);
    expect(a.labels[0]).toBe("0.25");
    // 0.1 steps: 3 × 0.1 must print as 0.3, not 0.30000000000000004
    expect(linearAxis(0.1, 0.6).ticks).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  });
  it("uses integer steps for integer axes and pads a single value", () => {
    expect(linearAxis(1, 3, { integer: true }).ticks).toEqual([1, 2, 3]);
    // epochs 1..30, at most 7 ticks: steps 1, 2 give 31, 16 ticks; 5 gives 0..30 = 7
    expect(linearAxis(1, 30, { integer: true }).ticks).toEqual([0, 5, 10, 15, 20, 25, 30]);
    // one epoch: 1 ± 0.1 widened to whole numbers 0..2
    expect(linearAxis(1, 1, { integer: true }).ticks).toEqual([0, 1, 2]);
    expect(linearAxis(0, 0).ticks).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
  it("keeps fixed ends", () => {
    const a = fitAxis([91.2, 97.6], { min: 0, max: 100 });
    expect(a.domain).toEqual([0, 100]);
    expect(a.ticks).toEqual([0, 20, 40, 60, 80, 100]);
  });
  it("rejects non-finite ranges", () => {
    expect(() => linearAxis(NaN, 1)).toThrow(RangeError);
    expect(() => linearAxis(2, 1)).toThrow(RangeError);
  });
});

describe("log ticks", () => {
  it("uses the decades around the data with minor ticks 2..9", () => {
    // log10(0.03) = -1.52 → floor -2; log10(2.3) = 0.36 → ceil 1
    const a = logAxis(0.03, 2.3);
    expect(a.ticks).toEqual([0.01, 0.1, 1, 10]);
    expect(a.labels).toEqual(["0.01", "0.1", "1", "10"]);
    expect(a.minor.length).toBe(3 * 8);
    expect(a.minor[0]).toBe(0.02);
    expect(a.domain).toEqual([0.01, 10]);
  });
  it("labels every second decade over a wide range and writes tiny powers as 1e-k", () => {
    // 1e-8 .. 1e4 is 13 decade ticks > 7: every 2nd one, -8, -6, …, 4 (7 ticks)
    const a = logAxis(1e-8, 1e4);
    expect(a.ticks.length).toBe(7);
    expect(a.labels).toEqual(["1e-8", "1e-6", "1e-4", "0.01", "1", "100", "10000"]);
  });
  it("falls back to linear values inside one decade", () => {
    // 0.2..0.5: linear ticks with step 0.05 (7 ticks) → at most 6 wanted → step 0.1: 0.2..0.5
    const a = logAxis(0.2, 0.5);
    expect(a.ticks).toEqual([0.2, 0.3, 0.4, 0.5]);
    expect(a.type).toBe("log");
  });
  it("ignores non-positive values when fitting", () => {
    expect(fitAxis([0, -1, 0.5, 50], { type: "log" }).ticks).toEqual([0.1, 1, 10, 100]);
  });
});

describe("tick labels", () => {
  it("switches to scientific notation for tiny and huge values", () => {
    expect(formatTick(1e-5, 1e-5)).toBe("1e-5");
    expect(formatTick(2.5e-5, 5e-6)).toBe("2.5e-5");
    expect(formatTick(3e6, 1e6)).toBe("3e6");
    expect(formatTick(0.001, 0.001)).toBe("0.001");
    expect(formatTick(0, 0.1)).toBe("0.0");
    expect(formatTick(0, 1e-5)).toBe("0");
  });
});

describe("lineChart", () => {
  const series = [
    { label: "SGD", y: [2.3, 1.2, 0.8, 0.6] },
    { label: "Adam", y: [2.3, 0.5, NaN, 0.1] },
    { label: "a <b> & \"c\"", x: [1, 2, 3, 4], y: [1, 1, 1, 1] },
  ];
  const svg = lineChart({ title: "Loss", xLabel: "epoch", yLabel: "cross-entropy", series });

  it("is one SVG document with a series group per series", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="720" height="450"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(count(svg, '<g class="series"')).toBe(3);
    expect(svg).toContain('data-label="SGD"');
    expect(svg).toContain('data-label="Adam"');
  });
  it("has the title, the axis labels and the tick values of the data", () => {
    expect(svg).toMatch(/<text class="title"[^>]*>Loss<\/text>/);
    expect(svg).toMatch(/<text class="x-label"[^>]*>epoch<\/text>/);
    expect(svg).toMatch(/<text class="y-label"[^>]*>cross-entropy<\/text>/);
    // y in [0.1, 2.3] → step 0.5 → 0.0 … 2.5; x in 1..4 (integers) → 1, 2, 3, 4
    const yTicks = [...svg.matchAll(/<g class="y-ticks"[^>]*>(.*?)<\/g>/g)][0]![1]!;
    expect([...yTicks.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]);
    const xTicks = [...svg.matchAll(/<g class="x-ticks"[^>]*>(.*?)<\/g>/g)][0]![1]!;
    expect([...xTicks.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(["1", "2", "3", "4"]);
    expect(chartAxes({ series }).y.ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  });
  it("breaks a line at a non-finite value", () => {
    const adam = svg.split('data-label="Adam"')[1]!.split("</g>")[0]!;
    const d = /<path d="([^"]+)"/.exec(adam)![1]!;
    expect(count(d, "M")).toBe(2);
    expect(count(d, "L")).toBe(1);
    // three drawable points get markers
    expect(count(adam, "<circle")).toBe(3);
  });
  it("escapes text and lists every series in the legend", () => {
    expect(svg).toContain("a &lt;b&gt; &amp; &quot;c&quot;");
    expect(svg).not.toContain("<b>");
    const legend = svg.split('<g class="legend"')[1]!;
    expect(count(legend, "<text")).toBe(3);
  });
  it("puts the legend in the emptiest corner", () => {
    // rising curves fill the top right; the legend goes to the bottom right
    const up = lineChart({ series: [{ label: "acc", y: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }] });
    const box = /<g class="legend"[^>]*><rect x="([\d.]+)" y="([\d.]+)"/.exec(up)!;
    const frame = /<rect class="frame" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(up)!;
    const midY = Number(frame[2]) + Number(frame[4]) / 2;
    expect(Number(box[2])).toBeGreaterThan(midY);
    expect(Number(box[1])).toBeGreaterThan(Number(frame[1]) + Number(frame[3]) / 2);
    expect(lineChart({ series: [{ label: "x", y: [1, 2] }], legend: "none" })).not.toContain('class="legend"');
  });
  it("draws a log axis", () => {
    const log = lineChart({ series: [{ label: "lr", y: [0.1, 0.01, 0.001] }], yScale: "log" });
    const yTicks = [...log.matchAll(/<g class="y-ticks"[^>]*>(.*?)<\/g>/g)][0]![1]!;
    expect([...yTicks.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(["0.001", "0.01", "0.1"]);
  });
  it("rejects malformed series", () => {
    expect(() => lineChart({ series: [{ label: "a", x: [1, 2], y: [1] }] })).toThrow(
      'lineChart: series[0] ("a") has 2 x values for 1 y values',
    );
    expect(() => lineChart({ series: [{ label: "a", y: [1] }], width: 10 })).toThrow(RangeError);
    expect(() => lineChart({ series: "x" } as never)).toThrow(TypeError);
  });
});

describe("figure", () => {
  it("lays charts out in a grid with distinct clip ids", () => {
    const f = figure({
      charts: [
        { title: "Loss", series: [{ label: "train", y: [1, 0.5] }] },
        { title: "Accuracy", series: [{ label: "train", y: [50, 90] }] },
        { title: "LR", series: [{ label: "lr", y: [0.1, 0.05] }] },
      ],
      columns: 2,
      cellWidth: 400,
      cellHeight: 300,
    });
    expect(f).toContain('width="800" height="600"');
    expect(count(f, '<g class="chart"')).toBe(3);
    expect(count(f, "<clipPath")).toBe(3);
    expect(new Set([...f.matchAll(/clipPath id="([^"]+)"/g)].map((m) => m[1])).size).toBe(3);
    expect(f).toContain('translate(400 0)');
    expect(f).toContain('translate(0 300)');
  });
});

describe("PNG", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-plot-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ihdr = (png: Uint8Array): [number, number] => {
    const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
    return [v.getUint32(16), v.getUint32(20)];
  };
  const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

  it("renders at the SVG's size or at a requested width", () => {
    const svg = lineChart({ title: "t", series: [{ label: "a", y: [3, 2, 1] }] });
    const png = svgToPng(svg);
    expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
    expect(ihdr(png)).toEqual([720, 450]);
    // half the width: 360 × 225
    expect(ihdr(svgToPng(svg, { width: 360 }))).toEqual([360, 225]);
    expect(() => svgToPng(svg, { width: 0 })).toThrow(RangeError);
  });
  it("writes the SVG and PNG files", () => {
    const svg = lineChart({ series: [{ label: "a", y: [3, 2, 1] }] });
    const paths = writePlot(join(dir, "sub", "curve"), svg);
    expect(readFileSync(paths.svg, "utf8")).toBe(svg);
    expect([...readFileSync(paths.png).subarray(0, 8)]).toEqual(SIGNATURE);
  });
});
