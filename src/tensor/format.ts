/**
 * Printing tensors exactly like PyTorch 1.13.1 (`repr(tensor)` / `str(tensor)`, torch/_tensor_str.py).
 *
 * The formatter works on plain data (a {@link TensorDescription}): row-major values, a shape, a dtype and
 * the autograd flags. It reproduces PyTorch's rules:
 * - one formatter per tensor, built from the elements that are actually printed (the edge items when the
 *   tensor has more than `threshold` elements); it picks
 *   - int mode (every nonzero finite value is an integer: `1.,  2.`),
 *   - scientific mode (max/min of the nonzero finite |values| > 1000, max > 1e8, or — outside int mode —
 *     min < 1e-4), overridable with `sciMode`,
 *   - the column width (the widest formatted nonzero finite value; every element is right-aligned to it);
 * - rows of a 1-D slice wrap at `linewidth`, nested dimensions are separated by `dim - 1` blank lines;
 * - summarization shows `edgeitems` items at each end of every dimension with `...` in between;
 * - suffixes `size=`, `dtype=`, `grad_fn=<…>` / `requires_grad=True`, moved to a new line when the
 *   last line would exceed `linewidth`.
 *
 * Float values are formatted like Python's `'{:.4f}'` / `'{:.4e}'` on the exact double value (a float32 is
 * widened exactly, as `tensor.tolist()` does): correctly rounded with ties to even on the exact binary
 * value. `Number.prototype.toFixed` rounds exact ties away from zero (`(0.03125).toFixed(4)` is `0.0313`,
 * Python gives `0.0312`), so the digits are computed here with exact BigInt arithmetic instead.
 */

/** Print options, as in `torch.set_printoptions`. */
export interface FormatOptions {
  /** Digits after the decimal point (default 4). */
  precision?: number;
  /** Tensors with more elements than this are summarized (default 1000; `Infinity` never summarizes). */
  threshold?: number;
  /** Items shown at each end of every dimension when summarizing (default 3). */
  edgeitems?: number;
  /** Characters per line used to wrap 1-D rows and suffixes (default 80). */
  linewidth?: number;
  /** Force (true) or forbid (false) scientific notation; null (default) chooses automatically like PyTorch. */
  sciMode?: boolean | null;
}

/** Options of {@link setPrintOptions}: {@link FormatOptions} plus PyTorch's named profiles. */
export interface PrintOptions extends FormatOptions {
  /** `default` (4, 1000, 3, 80), `short` (precision 2, edgeitems 2) or `full` (threshold Infinity). */
  profile?: "default" | "short" | "full";
}

/** The data of a tensor to print. */
export interface TensorDescription {
  /** Row-major, contiguous values; length = product(shape). Bool tensors use nonzero for True. */
  values: ArrayLike<number>;
  shape: readonly number[];
  dtype: "float32" | "float64" | "int32" | "bool";
  /** Prints `, requires_grad=True` (only when there is no grad_fn). */
  requiresGrad?: boolean;
  /** Prints `, grad_fn=<Name>`. */
  gradFnName?: string | null;
}

interface ResolvedOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
}

const DEFAULTS: Readonly<ResolvedOptions> = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };

const printOptions: ResolvedOptions = { ...DEFAULTS };

/**
 * Set the global print options, like `torch.set_printoptions`: the profile (if any) is applied first, then
 * every given option. As in PyTorch, `sciMode` is always reset (to null = automatic) unless it is given.
 */
export function setPrintOptions(options: PrintOptions): void {
  if (options.profile === "default") {
    Object.assign(printOptions, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
  } else if (options.profile === "short") {
    Object.assign(printOptions, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
  } else if (options.profile === "full") {
    Object.assign(printOptions, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
  }
  if (options.precision != null) printOptions.precision = options.precision;
  if (options.threshold != null) printOptions.threshold = options.threshold;
  if (options.edgeitems != null) printOptions.edgeitems = options.edgeitems;
  if (options.linewidth != null) printOptions.linewidth = options.linewidth;
  printOptions.sciMode = options.sciMode ?? null;
}

/** The current global print options. */
export function getPrintOptions(): Required<FormatOptions> {
  return { ...printOptions };
}

function resolveOptions(options: FormatOptions | undefined): ResolvedOptions {
  const o = options ?? {};
  return {
    precision: o.precision ?? printOptions.precision,
    threshold: o.threshold ?? printOptions.threshold,
    edgeitems: o.edgeitems ?? printOptions.edgeitems,
    linewidth: o.linewidth ?? printOptions.linewidth,
    sciMode: o.sciMode !== undefined ? o.sciMode : printOptions.sciMode,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Python float formatting ('{:.Nf}' and '{:.Ne}'), exact.

const bits = new DataView(new ArrayBuffer(8));

/** |x| (finite, nonzero) as an exact fraction num / den, den a power of two. */
function toFraction(x: number): [bigint, bigint] {
  bits.setFloat64(0, Math.abs(x));
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const biased = hi >>> 20;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2 = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  return exp2 >= 0 ? [mantissa << BigInt(exp2), 1n] : [mantissa, 1n << BigInt(-exp2)];
}

/** num / den rounded to an integer, ties to even. */
function divRoundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twice = 2n * (num - q * den);
  return twice > den || (twice === den && (q & 1n) === 1n) ? q + 1n : q;
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/** Python's `'{:.<precision>f}'.format(x)`: fixed notation, correctly rounded (ties to even). */
export function formatFixed(x: number, precision: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = isNegative(x) ? "-" : "";
  let digits = "0";
  if (x !== 0) {
    const [num, den] = toFraction(x);
    digits = divRoundHalfEven(num * 10n ** BigInt(precision), den).toString();
  }
  if (precision === 0) return sign + digits;
  digits = digits.padStart(precision + 1, "0");
  return `${sign}${digits.slice(0, -precision)}.${digits.slice(-precision)}`;
}

/** Python's `'{:.<precision>e}'.format(x)`: scientific notation with an exponent of at least two digits. */
export function formatScientific(x: number, precision: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = isNegative(x) ? "-" : "";
  let digits = "0".repeat(precision + 1);
  let exp10 = 0;
  if (x !== 0) {
    const [num, den] = toFraction(x);
    // exp10 = floor(log10(|x|)), made exact: 10^exp10 <= |x| < 10^(exp10 + 1).
    exp10 = Math.floor(Math.log10(Math.abs(x)));
    const atLeastPow10 = (e: number): boolean => (e >= 0 ? num >= 10n ** BigInt(e) * den : num * 10n ** BigInt(-e) >= den);
    while (!atLeastPow10(exp10)) exp10 -= 1;
    while (atLeastPow10(exp10 + 1)) exp10 += 1;
    const shift = precision - exp10;
    let n = shift >= 0 ? divRoundHalfEven(num * 10n ** BigInt(shift), den) : divRoundHalfEven(num, den * 10n ** BigInt(-shift));
    if (n === 10n ** BigInt(precision + 1)) {
      n /= 10n;
      exp10 += 1;
    }
    digits = n.toString();
  }
  const mantissa = precision === 0 ? digits : `${digits[0]}.${digits.slice(1)}`;
  const expSign = exp10 < 0 ? "-" : "+";
  return `${sign}${mantissa}e${expSign}${String(Math.abs(exp10)).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------------------------------------
// The element formatter (torch._tensor_str._Formatter).

interface Formatter {
  floating: boolean;
  bool: boolean;
  intMode: boolean;
  sciMode: boolean;
  maxWidth: number;
  precision: number;
}

function makeFormatter(values: readonly number[], dtype: TensorDescription["dtype"], opts: ResolvedOptions): Formatter {
  const floating = dtype === "float32" || dtype === "float64";
  const f: Formatter = { floating, bool: dtype === "bool", intMode: true, sciMode: false, maxWidth: 1, precision: opts.precision };
  if (!floating) {
    for (const v of values) f.maxWidth = Math.max(f.maxWidth, formatValue(f, v).length);
  } else {
    const nonzeroFinite = values.filter((v) => Number.isFinite(v) && v !== 0);
    // No nonzero finite value: PyTorch returns early, so even a forced sciMode is ignored.
    if (nonzeroFinite.length === 0) return f;
    let min = Infinity;
    let max = 0;
    for (const v of nonzeroFinite) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (v !== Math.ceil(v)) f.intMode = false;
    }
    if (max / min > 1000 || max > 1e8 || (!f.intMode && min < 1e-4)) {
      f.sciMode = true;
      for (const v of nonzeroFinite) f.maxWidth = Math.max(f.maxWidth, formatScientific(v, opts.precision).length);
    } else if (f.intMode) {
      // a "." is appended to integers in int mode
      for (const v of nonzeroFinite) f.maxWidth = Math.max(f.maxWidth, formatFixed(v, 0).length + 1);
    } else {
      for (const v of nonzeroFinite) f.maxWidth = Math.max(f.maxWidth, formatFixed(v, opts.precision).length);
    }
  }
  if (opts.sciMode !== null) f.sciMode = opts.sciMode;
  return f;
}

/** One element, right-aligned to the formatter's width. */
function formatValue(f: Formatter, v: number): string {
  let s: string;
  if (!f.floating) {
    s = f.bool ? (v !== 0 ? "True" : "False") : String(v);
  } else if (f.sciMode) {
    s = formatScientific(v, f.precision);
  } else if (f.intMode) {
    s = formatFixed(v, 0);
    if (Number.isFinite(v)) s += ".";
  } else {
    s = formatFixed(v, f.precision);
  }
  return s.padStart(f.maxWidth, " ");
}

// ---------------------------------------------------------------------------------------------------------
// Layout (torch._tensor_str._tensor_str_with_formatter / _vector_str / _add_suffixes).

/** Indices along a dimension of the given size that are printed; -1 marks the `...` position. */
function shownIndices(size: number, summarize: boolean, edgeitems: number): number[] {
  const out: number[] = [];
  if (summarize && size > 2 * edgeitems) {
    for (let i = 0; i < edgeitems; i++) out.push(i);
    out.push(-1);
    // Python's self[-0:] is the whole dimension
    for (let i = edgeitems === 0 ? 0 : size - edgeitems; i < size; i++) out.push(i);
  } else {
    for (let i = 0; i < size; i++) out.push(i);
  }
  return out;
}

interface Layout {
  values: ArrayLike<number>;
  shape: readonly number[];
  strides: number[];
  summarize: boolean;
  opts: ResolvedOptions;
}

/** The values that will be printed (PyTorch's get_summarized_data), in any order. */
function collectShown(l: Layout, dim: number, offset: number, out: number[]): void {
  if (dim === l.shape.length) {
    out.push(l.values[offset]);
    return;
  }
  for (const i of shownIndices(l.shape[dim], l.summarize, l.opts.edgeitems)) {
    if (i >= 0) collectShown(l, dim + 1, offset + i * l.strides[dim], out);
  }
}

function layoutTensor(l: Layout, f: Formatter, dim: number, offset: number, indent: number): string {
  const ndim = l.shape.length - dim;
  if (ndim === 0) return formatValue(f, l.values[offset]);
  const indices = shownIndices(l.shape[dim], l.summarize, l.opts.edgeitems);
  if (ndim === 1) {
    const elementLength = f.maxWidth + 2;
    const perLine = Math.max(1, Math.floor((l.opts.linewidth - indent) / elementLength));
    const items = indices.map((i) => (i < 0 ? " ..." : formatValue(f, l.values[offset + i * l.strides[dim]])));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
    return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
  }
  const slices = indices.map((i) => (i < 0 ? "..." : layoutTensor(l, f, dim + 1, offset + i * l.strides[dim], indent + 1)));
  return `[${slices.join(`,${"\n".repeat(ndim - 1)}${" ".repeat(indent + 1)}`)}]`;
}

function addSuffixes(text: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  const parts = [text];
  // PyTorch's arithmetic (rfind gives -1 without a newline, hence "+ 1")
  let lastLineLength = text.length - text.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > linewidth) {
      parts.push(`,\n${" ".repeat(indent)}${suffix}`);
      lastLineLength = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLength += suffix.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

function shapeTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** `repr(tensor)` / `str(tensor)` as PyTorch 1.13.1 prints it, e.g. `tensor([1.0000, 2.5000], requires_grad=True)`. */
export function formatTensor(t: TensorDescription, options?: FormatOptions): string {
  const opts = resolveOptions(options);
  const { shape, dtype } = t;
  let numel = 1;
  for (const d of shape) numel *= d;
  if (t.values.length !== numel) {
    throw new Error(`formatTensor: ${t.values.length} values for shape [${shape.join(", ")}] (expected ${numel})`);
  }
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (numel === 0) {
    if (shape.length !== 1) suffixes.push(`size=${shapeTuple(shape)}`);
    if (dtype !== "float32") suffixes.push(`dtype=torch.${dtype}`);
    body = "[]";
  } else {
    if (dtype === "float64" || dtype === "int32") suffixes.push(`dtype=torch.${dtype}`);
    // float32 values are widened exactly to double, as PyTorch's tolist()/item() do
    const values = dtype === "float32" && !(t.values instanceof Float32Array) ? Float32Array.from(t.values) : t.values;
    const strides = new Array<number>(shape.length);
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      strides[d] = stride;
      stride *= shape[d];
    }
    const layout: Layout = { values, shape, strides, summarize: numel > opts.threshold, opts };
    const shown: number[] = [];
    collectShown(layout, 0, 0, shown);
    body = layoutTensor(layout, makeFormatter(shown, dtype, opts), 0, 0, indent);
  }
  if (t.gradFnName != null) suffixes.push(`grad_fn=<${t.gradFnName}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent, opts.linewidth);
}
