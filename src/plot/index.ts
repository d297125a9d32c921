/**
 * Plots as SVG text (pure, browser-safe): line charts with labelled axes, ticks, legend and title,
 * and figures of several charts. PNG rendering is Node-only, in ./png.ts (exported from
 * `descent/node`).
 */
export { lineChart, figure, renderChart, chartAxes } from "./line_chart.js";
export type { Series, LineChartOptions, LegendPosition, FigureOptions } from "./line_chart.js";
export { linearAxis, logAxis, fitAxis, formatTick } from "./scale.js";
export type { Axis, AxisOptions, ScaleType } from "./scale.js";
export { PALETTE } from "./svg.js";
