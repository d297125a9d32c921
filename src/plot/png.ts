/**
 * PNG rendering of the SVG plots (Node only), with resvg (`@resvg/resvg-js`, whose native binary
 * ships inside its npm package), and a helper that writes a plot as both SVG and PNG.
 *
 * resvg draws text only with fonts it has loaded: DejaVu Sans is used when found at its usual
 * places (Debian's `fonts-dejavu-core`, Fedora's and Arch's paths), otherwise resvg scans the
 * system fonts. With no font at all the PNG is still written, without its text; `pngFontStatus()`
 * tells a caller so it can suggest installing one.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Resvg } from "@resvg/resvg-js";

/** Known locations of DejaVu Sans (regular and bold) on common systems. */
const FONT_CANDIDATES: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
  "/usr/local/share/fonts/DejaVuSans.ttf",
];

/** The DejaVu Sans files found on this machine (may be empty). */
export function findFontFiles(): string[] {
  return FONT_CANDIDATES.filter((p) => existsSync(p));
}

/** Whether PNG text will render with DejaVu Sans, and how to get it when not. */
export function pngFontStatus(): { fontFiles: string[]; hint: string | null } {
  const fontFiles = findFontFiles();
  return {
    fontFiles,
    hint:
      fontFiles.length > 0
        ? null
        : "DejaVu Sans was not found, so PNG text uses whatever system font resvg finds (none: no text). " +
          "Install it with `apt-get install -y fonts-dejavu-core` (Debian/Ubuntu) or your system's DejaVu fonts package.",
  };
}

export interface PngOptions {
  /** Output width in px (height follows the aspect ratio); default the SVG's own width. */
  width?: number;
  /** Extra font files to load (TTF/OTF). */
  fontFiles?: string[];
}

/** Render an SVG document to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  if (typeof svg !== "string") throw new TypeError("svgToPng: expected the SVG document as a string");
  if (options.width !== undefined && !(Number.isInteger(options.width) && options.width > 0 && options.width <= 16384)) {
    throw new RangeError(`svgToPng: width must be an integer in [1, 16384], got ${options.width}`);
  }
  const found = findFontFiles();
  const fontFiles = [...found, ...(options.fontFiles ?? [])];
  const renderer = new Resvg(svg, {
    font: {
      loadSystemFonts: found.length === 0,
      fontFiles,
      defaultFontFamily: found.length > 0 ? "DejaVu Sans" : "",
      sansSerifFamily: found.length > 0 ? "DejaVu Sans" : "",
    },
    fitTo: options.width === undefined ? { mode: "original" } : { mode: "width", value: options.width },
    background: "#ffffff",
    shapeRendering: 2,
    textRendering: 1,
    logLevel: "off",
  });
  const png = renderer.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Write `data` to `path` atomically: a temporary file in the same folder, then a rename. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Write a plot as `<base>.svg` and `<base>.png` (e.g. base `runs/x/curves`); returns both paths.
 */
export function writePlot(base: string, svg: string, options: PngOptions = {}): { svg: string; png: string } {
  const svgPath = `${base}.svg`;
  const pngPath = `${base}.png`;
  const png = svgToPng(svg, options);
  writeAtomic(svgPath, svg);
  writeAtomic(pngPath, png);
  return { svg: svgPath, png: pngPath };
}
