/**
 * safetensors: a PyTorch-side file (reference layout, every readable dtype) read by descent, the
 * bytes descent writes loaded by the README's Python snippet into a torch model (fixture from
 * scripts/fixtures/safetensors.py), round trips, and refusal of malformed files.
 */
import { describe, expect, it } from "vitest";
import { tensor, zeros, type Tensor } from "../../src/index.js";
import { deserializeSafetensors, serializeSafetensors } from "../../src/train/safetensors.js";
import { expectClose } from "../helpers/compare.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { sampleInput, sampleStateDict } from "./helpers/safetensors_sample.js";

interface Fixture {
  torchWritten: { base64: string; tensors: Record<string, FixtureTensor>; metadata: Record<string, string> };
  descentWritten: { base64: string; loaded: Record<string, FixtureTensor>; output: FixtureTensor };
}
const fx = loadFixture<Fixture>("safetensors");
const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));

function bitsEqual(a: Tensor, b: Tensor): void {
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
}

describe("reading PyTorch-written safetensors", () => {
  const { tensors, metadata } = deserializeSafetensors(b64(fx.torchWritten.base64));
  it("reads every tensor with its dtype, shape and values (bit for bit)", () => {
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(fx.torchWritten.tensors).sort());
    for (const [name, want] of Object.entries(fx.torchWritten.tensors)) {
      // exact: the bytes are the values, no arithmetic happens
      expectClose(tensors[name]!, want, { rtol: 0, atol: 0 }, name);
    }
    expect(tensors.labels!.dtype).toBe("int32"); // I64 → int32
    expect(tensors.pixels!.dtype).toBe("int32"); // U8 → int32
    expect(tensors.scalar!.shape).toEqual([]);
    expect(tensors.empty!.shape).toEqual([0, 4]);
    expect(metadata).toEqual(fx.torchWritten.metadata);
  });
});

describe("writing safetensors PyTorch reads", () => {
  it("writes the very bytes the README snippet loaded into torch", () => {
    const bytes = serializeSafetensors(sampleStateDict(), { format: "pt" });
    expect(Buffer.from(bytes).toString("base64")).toBe(fx.descentWritten.base64);
  });
  it("torch loaded the same values and computes what descent computes", () => {
    const sd = sampleStateDict();
    for (const [name, want] of Object.entries(fx.descentWritten.loaded)) expectClose(sd[name]!, want, { rtol: 0, atol: 0 }, name);
    // the same two-layer net in descent: relu(x W0ᵀ + b0) W2ᵀ + b2
    const x = sampleInput();
    const h = x.matmul(sd["0.weight"]!.t()).add(sd["0.bias"]!).relu();
    const y = h.matmul(sd["2.weight"]!.t()).add(sd["2.bias"]!);
    expectClose(y, fx.descentWritten.output, {}, "output");
  });
  it("pads the header to a multiple of 8 bytes", () => {
    const bytes = serializeSafetensors({ a: zeros([1]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(bytes.length).toBe(8 + n + 4);
  });
});

describe("round trip", () => {
  it("keeps dtypes, shapes, non-finite values, views and metadata", () => {
    const base = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    const src: Record<string, Tensor> = {
      f32: tensor([NaN, Infinity, -Infinity, -0, 1e-45, 3.4e38]),
      f64: tensor([Math.PI, -1e-300, 5e-324], { dtype: "float64" }),
      i32: tensor([-2147483648, 2147483647, 0], { dtype: "int32" }),
      b: tensor([true, false, true]),
      transposed: base.t(), // a non-contiguous view is written row-major
      scalar: tensor(7),
    };
    const back = deserializeSafetensors(serializeSafetensors(src, { k: "v" }));
    for (const [k, t] of Object.entries(src)) bitsEqual(back.tensors[k]!, t.contiguous());
    expect(Object.is(back.tensors.f32!.dataSync()[3], -0)).toBe(true);
    expect(back.tensors.transposed!.tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(back.metadata).toEqual({ k: "v" });
  });
  it("rejects what it cannot write", () => {
    expect(() => serializeSafetensors({ a: [1, 2] as unknown as Tensor })).toThrow('"a" is not a Tensor');
    expect(() => serializeSafetensors({ a: zeros([1]) }, { n: 1 as unknown as string })).toThrow(TypeError);
  });
});

describe("malformed files", () => {
  const good = serializeSafetensors({ w: tensor([1, 2, 3, 4]), b: tensor([5]) });
  const n = Number(new DataView(good.buffer).getBigUint64(0, true));
  const withHeader = (h: unknown, data: Uint8Array = good.subarray(8 + n)): Uint8Array => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  };
  const refuse = (bytes: Uint8Array, msg: string): void => {
    expect(() => deserializeSafetensors(bytes, "m.safetensors")).toThrow(`m.safetensors: not a valid safetensors file: ${msg}`);
  };

  it("refuses short, truncated and oversized headers", () => {
    refuse(good.subarray(0, 5), "5 bytes is too short for the 8-byte header length");
    refuse(good.subarray(0, 20), `header length ${n} runs past the end of the 20-byte file (truncated?)`);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    refuse(huge, "header length 1099511627776 is larger than the limit of 100000000 bytes");
  });
  it("refuses truncated and trailing data", () => {
    refuse(good.subarray(0, good.length - 2), "the tensors need 20 data bytes but the file has 18 (truncated?)");
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    refuse(longer, "the file has 3 bytes after the last tensor");
  });
  it("refuses bad JSON, dtypes, shapes and offsets", () => {
    const bad = good.slice();
    bad[8] = 0x5b; // "[" in place of the header's "{": the JSON no longer parses
    expect(() => deserializeSafetensors(bad, "m.safetensors")).toThrow("header is not valid JSON");
    refuse(withHeader([1]), "header is not a JSON object");
    refuse(
      withHeader({ w: { dtype: "F16", shape: [2], data_offsets: [0, 4] } }),
      'tensor "w" has dtype F16, which descent does not support',
    );
    refuse(withHeader({ w: { dtype: "X9", shape: [2], data_offsets: [0, 4] } }), 'tensor "w" has unknown dtype "X9"');
    refuse(withHeader({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }), 'tensor "w" has an invalid shape [-1]');
    refuse(withHeader({ w: { dtype: "F32", shape: [4], data_offsets: [4, 0] } }), 'tensor "w" has invalid data_offsets [4,0]');
    refuse(
      withHeader({ w: { dtype: "F32", shape: [3], data_offsets: [0, 16] } }),
      'tensor "w" of dtype F32 and shape [3] needs 12 bytes but data_offsets give 16',
    );
    refuse(
      withHeader({ w: { dtype: "F32", shape: [4], data_offsets: [0, 16] }, b: { dtype: "F32", shape: [1], data_offsets: [12, 16] } }),
      'tensor "b" starts at data byte 12, expected 16 (overlapping or missing data)',
    );
    refuse(withHeader({ __metadata__: { a: 1 } }, new Uint8Array(0)), '__metadata__ "a" is not a string');
  });
  it("refuses bool bytes other than 0 and 1", () => {
    const bytes = serializeSafetensors({ m: tensor([true, false]) });
    bytes[bytes.length - 1] = 7;
    refuse(bytes, 'bool tensor "m" holds the byte 7 (expected 0 or 1)');
  });
});
