/**
 * Nested training state (an optimizer's or a scheduler's state dict, the fit loop's own state) as
 * JSON plus a set of named tensors, and back — so a checkpoint can keep the tensors in safetensors
 * and the rest in JSON, losing nothing.
 *
 * Every Tensor found while walking the value is replaced by `{ "__tensor__": "<path>" }` and
 * stored under that path (e.g. `state.0.exp_avg`). Numbers JSON cannot hold (NaN, ±Infinity, −0 —
 * ReduceLROnPlateau's initial `best` is Infinity) become `{ "__number__": "Infinity" }` and so on;
 * finite numbers survive JSON exactly (JavaScript prints the shortest round-tripping decimal).
 * Functions (e.g. a LambdaLR's lambda, which PyTorch does not save either) and `undefined` are
 * dropped. Pure: no I/O.
 */
import { Tensor } from "../tensor/tensor.js";
import type { NamedTensors } from "./safetensors.js";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TENSOR_KEY = "__tensor__";
const NUMBER_KEY = "__number__";

function encodeNumber(v: number): Json {
  if (Number.isNaN(v)) return { [NUMBER_KEY]: "NaN" };
  if (v === Infinity) return { [NUMBER_KEY]: "Infinity" };
  if (v === -Infinity) return { [NUMBER_KEY]: "-Infinity" };
  if (Object.is(v, -0)) return { [NUMBER_KEY]: "-0" };
  return v;
}

/**
 * Split `value` into JSON and tensors. `prefix` starts every tensor path; tensors that appear twice
 * (the same object) are stored once.
 */
export function packState(value: unknown, prefix = ""): { json: Json; tensors: NamedTensors } {
  const tensors: NamedTensors = {};
  const seen = new Map<Tensor, string>();
  const stack = new Set<object>();
  const walk = (v: unknown, path: string): Json | undefined => {
    if (v === null) return null;
    switch (typeof v) {
      case "number":
        return encodeNumber(v);
      case "string":
      case "boolean":
        return v;
      case "bigint":
        throw new TypeError(`packState: ${path || "value"} is a bigint; store it as a string`);
      case "undefined":
      case "function":
      case "symbol":
        return undefined;
    }
    if (v instanceof Tensor) {
      let name = seen.get(v);
      if (name === undefined) {
        name = path;
        if (name in tensors) throw new RangeError(`packState: two tensors at the same path "${name}"`);
        tensors[name] = v;
        seen.set(v, name);
      }
      return { [TENSOR_KEY]: name };
    }
    const obj = v as object;
    if (stack.has(obj)) throw new TypeError(`packState: ${path || "value"} is circular`);
    stack.add(obj);
    try {
      const at = (k: string | number): string => (path ? `${path}.${k}` : String(k));
      if (Array.isArray(obj)) return obj.map((x, i) => walk(x, at(i)) ?? null);
      if (ArrayBuffer.isView(obj)) throw new TypeError(`packState: ${path || "value"} is a typed array; wrap it in a Tensor`);
      const out: { [key: string]: Json } = {};
      for (const [k, x] of Object.entries(obj)) {
        if (k === TENSOR_KEY || k === NUMBER_KEY) throw new RangeError(`packState: the key "${k}" is reserved`);
        const j = walk(x, at(k));
        if (j !== undefined) out[k] = j;
      }
      return out;
    } finally {
      stack.delete(obj);
    }
  };
  const json = walk(value, prefix) ?? null;
  return { json, tensors };
}

/** Rebuild a value packed by {@link packState}; a missing tensor is an Error naming its path. */
export function unpackState(json: Json, tensors: NamedTensors, source = "state"): unknown {
  const walk = (v: Json): unknown => {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(walk);
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === TENSOR_KEY) {
      const name = v[TENSOR_KEY];
      if (typeof name !== "string" || !(name in tensors)) {
        throw new Error(`${source}: the tensor ${JSON.stringify(name)} is missing`);
      }
      return tensors[name];
    }
    if (keys.length === 1 && keys[0] === NUMBER_KEY) {
      const s = v[NUMBER_KEY];
      if (s === "NaN") return NaN;
      if (s === "Infinity") return Infinity;
      if (s === "-Infinity") return -Infinity;
      if (s === "-0") return -0;
      throw new Error(`${source}: unknown special number ${JSON.stringify(s)}`);
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = walk(v[k]!);
    return out;
  };
  return walk(json);
}
