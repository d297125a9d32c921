/**
 * A parser for the IDX format of MNIST-style datasets (LeCun's format: a big-endian magic number
 * 0x0000TTRR, where TT is the element type and RR the rank, then RR big-endian uint32 dimensions, then
 * the elements, big-endian). Pure: it works on bytes, so it runs in Node and in the browser; the
 * file-reading loaders are in ./mnist.ts.
 */

/** Element types of the IDX format. */
export type IdxDtype = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

/** A parsed IDX array: its element type, its dimensions and its elements, row-major. */
export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: "uint8", bytes: 1 },
  0x09: { dtype: "int8", bytes: 1 },
  0x0b: { dtype: "int16", bytes: 2 },
  0x0c: { dtype: "int32", bytes: 4 },
  0x0d: { dtype: "float32", bytes: 4 },
  0x0e: { dtype: "float64", bytes: 8 },
};

/** The header of an IDX file: element type, dimensions and where the elements start. */
export interface IdxHeader {
  dtype: IdxDtype;
  dims: number[];
  /** Byte offset of the first element (4 + 4 × rank). */
  headerBytes: number;
  /** Number of elements (the product of dims). */
  count: number;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Read and validate the header of the IDX file whose bytes are `bytes`; `source` (a file name) goes in
 * the error messages. `totalBytes` is the file's size when `bytes` holds only its beginning (at least
 * the header). Throws on a bad magic number, a truncated header, or a payload whose size does not
 * match the dimensions.
 */
export function parseIdxHeader(bytes: Uint8Array, source: string, totalBytes: number = bytes.length): IdxHeader {
  if (totalBytes < 4 || bytes.length < 4) throw new Error(`${source}: not an IDX file (only ${totalBytes} bytes)`);
  const type = TYPES[bytes[2]!];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined) {
    throw new Error(
      `${source}: not an IDX file: bad magic number ${hex(bytes.subarray(0, 4))} ` +
        "(expected 00 00 TT RR with element type TT in 08 09 0b 0c 0d 0e)",
    );
  }
  const rank = bytes[3]!;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(`${source}: truncated IDX header: rank ${rank} needs ${headerBytes} bytes, file has ${Math.min(bytes.length, totalBytes)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = count * type.bytes;
  const actual = totalBytes - headerBytes;
  if (actual !== expected) {
    throw new Error(
      `${source}: IDX size mismatch: header says ${type.dtype} [${dims.join(" × ")}] = ${expected} bytes of data, ` +
        `but the file has ${actual} bytes after its ${headerBytes}-byte header`,
    );
  }
  return { dtype: type.dtype, dims, headerBytes, count };
}

/**
 * Parse a whole IDX file. uint8 data is returned as a view into `bytes` (no copy); other element
 * types are converted from big-endian in one pass into a new array.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const header = parseIdxHeader(bytes, source);
  const { dtype, dims, headerBytes: off, count } = header;
  if (dtype === "uint8") return { dtype, dims, data: bytes.subarray(off, off + count) };
  if (dtype === "int8") return { dtype, dims, data: new Int8Array(bytes.buffer, bytes.byteOffset + off, count) };
  const view = new DataView(bytes.buffer, bytes.byteOffset + off, bytes.byteLength - off);
  switch (dtype) {
    case "int16": {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false);
      return { dtype, dims, data: out };
    }
    case "int32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false);
      return { dtype, dims, data: out };
    }
    case "float32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false);
      return { dtype, dims, data: out };
    }
    case "float64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false);
      return { dtype, dims, data: out };
    }
  }
}

/**
 * Parse an IDX file that must hold unsigned bytes of the given rank (3 for images, 1 for labels).
 * Returns the dimensions and the elements as a view into `bytes`.
 */
export function parseIdxUint8(bytes: Uint8Array, source: string, rank: number): { dims: number[]; data: Uint8Array } {
  const header = parseIdxHeader(bytes, source);
  expectUint8(header, source, rank);
  return { dims: header.dims, data: bytes.subarray(header.headerBytes, header.headerBytes + header.count) };
}

/** Throw, naming `source`, unless `header` describes unsigned bytes of the given rank. */
export function expectUint8(header: IdxHeader, source: string, rank: number): void {
  if (header.dtype !== "uint8") throw new Error(`${source}: expected an IDX file of uint8, found ${header.dtype}`);
  if (header.dims.length !== rank) {
    throw new Error(`${source}: expected an IDX array of rank ${rank}, found rank ${header.dims.length} [${header.dims.join(" × ")}]`);
  }
}
