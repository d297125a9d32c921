/**
 * The safetensors format (Hugging Face's, https://github.com/huggingface/safetensors), in memory:
 * `serializeSafetensors` turns named tensors into bytes and `deserializeSafetensors` reads them
 * back, refusing a malformed buffer with a message that says what is wrong. Pure: no file I/O, so
 * it works in browsers too (the checkpoint folder I/O is in ./checkpoint.ts).
 *
 * Layout: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON mapping each
 * tensor name to `{ "dtype", "shape", "data_offsets": [begin, end] }` (offsets into the data that
 * follows, which must tile it without holes or overlaps) plus an optional `"__metadata__"`
 * string→string map; then the tensors' bytes, row-major and little-endian. The header is padded
 * with spaces to a multiple of 8 bytes, as the reference writer does.
 *
 * dtypes: float32 ↔ "F32", float64 ↔ "F64", int32 ↔ "I32", bool ↔ "BOOL" (one byte, 0 or 1).
 * Reading also accepts "I64" (PyTorch's default integer type), converted to int32 when every value
 * fits, and "U8"/"I8"/"I16" (to int32); other dtypes (F16, BF16, …) are refused by name.
 */
import { Tensor } from "../tensor/tensor.js";
import { fromTypedArray } from "../tensor/creation.js";
import type { DType } from "../tensor/dtype.js";

/** Tensors by name, as in a module's `stateDict()`. */
export type NamedTensors = Record<string, Tensor>;

/** What `deserializeSafetensors` returns. */
export interface Safetensors {
  tensors: NamedTensors;
  metadata: Record<string, string>;
}

const DTYPE_CODE: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
const READ_SIZES: Record<string, number> = { F32: 4, F64: 8, I32: 4, BOOL: 1, I64: 8, U8: 1, I8: 1, I16: 2 };
const KNOWN_UNSUPPORTED = ["F16", "BF16", "F8_E4M3", "F8_E5M2", "U16", "U32", "U64", "C64"];
/** The reference implementation's limit on the header size. */
const MAX_HEADER = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of a typed array in little-endian order (a copy). */
function leBytes(data: Float32Array | Float64Array | Int32Array | Uint8Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const k = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += k) for (let j = 0; j < k; j++) out[i + j] = bytes[i + k - 1 - j]!;
  return out;
}

/**
 * Named tensors (and optional string metadata) as safetensors bytes. Tensors are written in the
 * order given, each as its contiguous row-major data.
 */
export function serializeSafetensors(tensors: NamedTensors, metadata?: Record<string, string>): Uint8Array {
  if (typeof tensors !== "object" || tensors === null) {
    throw new TypeError("serializeSafetensors: expected an object mapping names to Tensors");
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new TypeError(`serializeSafetensors: metadata "${k}" must be a string, got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new TypeError(`serializeSafetensors: "${name}" is not a Tensor`);
    if (name === "__metadata__") throw new RangeError('serializeSafetensors: "__metadata__" is reserved');
    const bytes = leBytes(t.dataSync());
    header[name] = { dtype: DTYPE_CODE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const pad = (8 - (headerBytes.length % 8)) % 8;
  if (pad > 0) {
    json += " ".repeat(pad);
    headerBytes = encoder.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function fail(source: string, msg: string): never {
  throw new Error(`${source}: not a valid safetensors file: ${msg}`);
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Read safetensors bytes. Everything is checked before any tensor is made: the header length and
 * JSON, each entry's dtype, shape and offsets (which must tile the data exactly), and the file's
 * length, so a truncated or corrupt file is refused. `source` names the file in error messages.
 */
export function deserializeSafetensors(bytes: Uint8Array, source = "safetensors data"): Safetensors {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("deserializeSafetensors: expected a Uint8Array");
  if (bytes.length < 8) fail(source, `${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(source, `header length ${n64} is larger than the limit of ${MAX_HEADER} bytes`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(source, `header length ${n} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(source, `header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail(source, "header is not a JSON object");
  const dataLength = bytes.length - 8 - n;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(source, "__metadata__ is not an object");
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(source, `__metadata__ "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof raw !== "object" || raw === null) fail(source, `entry "${name}" is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== "string") fail(source, `entry "${name}" has no dtype`);
    if (!(dtype in READ_SIZES)) {
      if (KNOWN_UNSUPPORTED.includes(dtype)) fail(source, `tensor "${name}" has dtype ${dtype}, which descent does not support (F32, F64, I32, I64, BOOL, U8, I8, I16)`);
      fail(source, `tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(source, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[1] < offsets[0]
    ) {
      fail(source, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const [begin, end] = offsets as [number, number];
    if (end - begin !== numel * READ_SIZES[dtype]!) {
      fail(
        source,
        `tensor "${name}" of dtype ${dtype} and shape [${(shape as number[]).join(", ")}] needs ${numel * READ_SIZES[dtype]!} bytes but data_offsets give ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // the tensors must tile the data: sorted by offset, each starts where the previous ended
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin !== expected) {
      fail(source, `tensor "${e.name}" starts at data byte ${e.begin}, expected ${expected} (overlapping or missing data)`);
    }
    expected = e.end;
  }
  if (expected !== dataLength) {
    fail(
      source,
      expected > dataLength
        ? `the tensors need ${expected} data bytes but the file has ${dataLength} (truncated?)`
        : `the file has ${dataLength - expected} bytes after the last tensor`,
    );
  }
  const base = 8 + n;
  const tensors: NamedTensors = {};
  for (const e of entries) {
    tensors[e.name] = readTensor(view, base + e.begin, e, source);
  }
  return { tensors, metadata };
}

function readTensor(view: DataView, at: number, e: Entry, source: string): Tensor {
  const count = e.shape.reduce((a, b) => a * b, 1);
  const shape = e.shape;
  switch (e.dtype) {
    case "F32": {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(at + 4 * i, true);
      return fromTypedArray(a, shape);
    }
    case "F64": {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(at + 8 * i, true);
      return fromTypedArray(a, shape);
    }
    case "I32": {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(at + 4 * i, true);
      return fromTypedArray(a, shape);
    }
    case "I64": {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(at + 8 * i, true);
        if (v < -2147483648n || v > 2147483647n) {
          throw new RangeError(`${source}: tensor "${e.name}" (I64) holds ${v}, which does not fit descent's int32`);
        }
        a[i] = Number(v);
      }
      return fromTypedArray(a, shape);
    }
    case "I16": {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(at + 2 * i, true);
      return fromTypedArray(a, shape);
    }
    case "I8": {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt8(at + i);
      return fromTypedArray(a, shape);
    }
    case "U8": {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getUint8(at + i);
      return fromTypedArray(a, shape);
    }
    case "BOOL": {
      const a = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const b = view.getUint8(at + i);
        if (b > 1) fail(source, `bool tensor "${e.name}" holds the byte ${b} (expected 0 or 1)`);
        a[i] = b;
      }
      return fromTypedArray(a, shape);
    }
    default:
      return fail(source, `unknown dtype ${e.dtype}`);
  }
}
