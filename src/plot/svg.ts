/**
 * Small helpers for writing SVG as text: escaping, number formatting and the palette.
 * Pure string building, so plots work in Node and in browsers alike.
 */

/** Escape text for SVG element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A pixel coordinate with at most two decimals (short output, sub-pixel precise). */
export function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/**
 * Series colours: the "Tableau 10" palette (matplotlib's default cycle), distinguishable and
 * readable on white.
 */
export const PALETTE: readonly string[] = Object.freeze([
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
]);

/** The default font stack: DejaVu Sans first (what the PNG renderer loads), then generic sans. */
export const FONT_FAMILY = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif";

/** Approximate rendered width of `text` at `fontSize` px in DejaVu Sans (average advance 0.6 em). */
export function textWidth(text: string, fontSize: number): number {
  let w = 0;
  for (const ch of text) {
    if ("il.,:;'|!".includes(ch)) w += 0.3;
    else if ("mwMW".includes(ch)) w += 0.9;
    else if (ch >= "A" && ch <= "Z") w += 0.7;
    else w += 0.6;
  }
  return w * fontSize;
}
