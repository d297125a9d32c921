/**
 * A training checkpoint as a set of files, in memory (pure; the folder I/O is in ./checkpoint.ts):
 *
 * - `model.safetensors` — the model's `stateDict()`, keys in PyTorch's dotted form, loadable by
 *   PyTorch (`safetensors.torch.load_file`, or the short reader in README.md);
 * - `optimizer.safetensors` — the tensors of the optimizer's state dict (`state.0.exp_avg`, …),
 *   present when the optimizer has any;
 * - `checkpoint.json` — everything else: format and version, epoch and step counts, the optimizer
 *   and scheduler state dicts with their tensors replaced by references, the random generators'
 *   states, the fit loop's state, the history, the run's configuration, and the byte length and
 *   CRC-32 of each safetensors file, so a corrupt or truncated checkpoint is refused.
 */
import type { GeneratorState } from "../tensor/generator.js";
import { deserializeSafetensors, serializeSafetensors, type NamedTensors } from "./safetensors.js";
import { packState, unpackState, type Json } from "./state.js";

/** What a checkpoint holds. Only `epoch`, `step` and `model` are required. */
export interface CheckpointData {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  /** The model's `stateDict()`. */
  model: NamedTensors;
  /** The optimizer's `stateDict()` (tensors and plain data). */
  optimizer?: unknown;
  /** The scheduler's `stateDict()`. */
  scheduler?: unknown;
  /** Random generators' states by role, e.g. `{ data: …, global: … }`. */
  generators?: Record<string, GeneratorState>;
  /** The fit loop's own state (early stopping, …) and its history: plain data (numbers may be non-finite). */
  fit?: unknown;
  history?: unknown;
  /** The run's configuration (e.g. the CLI's options), checked when resuming. */
  config?: Json;
}

export const CHECKPOINT_FORMAT = "descent-checkpoint";
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_JSON = "checkpoint.json";
export const MODEL_FILE = "model.safetensors";
export const OPTIMIZER_FILE = "optimizer.safetensors";

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, the one of zip and PNG) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function checkCount(v: unknown, name: string): number {
  if (!Number.isInteger(v) || (v as number) < 0) throw new RangeError(`checkpoint ${name} must be a non-negative integer, got ${String(v)}`);
  return v as number;
}

/** The files of a checkpoint (name → bytes); `checkpoint.json` is written last by the saver. */
export function encodeCheckpoint(data: CheckpointData): Record<string, Uint8Array> {
  const epoch = checkCount(data.epoch, "epoch");
  const step = checkCount(data.step, "step");
  if (typeof data.model !== "object" || data.model === null) throw new TypeError("checkpoint model must be a state dict");
  const files: Record<string, Uint8Array> = {};
  files[MODEL_FILE] = serializeSafetensors(data.model, { format: "pt" });
  const opt = data.optimizer === undefined ? null : packState(data.optimizer);
  if (opt !== null && Object.keys(opt.tensors).length > 0) {
    files[OPTIMIZER_FILE] = serializeSafetensors(opt.tensors, { format: "pt" });
  }
  const sched = data.scheduler === undefined ? null : packState(data.scheduler);
  if (sched !== null && Object.keys(sched.tensors).length > 0) {
    throw new TypeError("checkpoint: scheduler state dicts holding tensors are not supported");
  }
  const manifest: Record<string, Json> = {};
  for (const [name, bytes] of Object.entries(files)) manifest[name] = { bytes: bytes.length, crc32: crc32(bytes) };
  const json: Record<string, Json> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    epoch,
    step,
    files: manifest,
  };
  if (opt !== null) json.optimizer = opt.json;
  if (sched !== null) json.scheduler = sched.json;
  if (data.generators !== undefined) json.generators = data.generators as unknown as Json;
  if (data.fit !== undefined) json.fit = packState(data.fit).json;
  if (data.history !== undefined) json.history = packState(data.history).json;
  if (data.config !== undefined) json.config = data.config;
  files[CHECKPOINT_JSON] = new TextEncoder().encode(`${JSON.stringify(json, null, 1)}\n`);
  return files;
}

function refuse(where: string, msg: string): never {
  throw new Error(`${where}: corrupt or incompatible checkpoint: ${msg}`);
}

/**
 * Rebuild a checkpoint from its files, refusing (with a message naming the file and the problem)
 * a missing file, a length or CRC-32 mismatch, a malformed safetensors file or JSON, or a
 * format/version it does not know. `where` names the checkpoint (its folder) in messages.
 */
export function decodeCheckpoint(files: Record<string, Uint8Array | undefined>, where = "checkpoint"): CheckpointData {
  const jsonBytes = files[CHECKPOINT_JSON];
  if (jsonBytes === undefined) refuse(where, `${CHECKPOINT_JSON} is missing`);
  let json: Record<string, Json>;
  try {
    const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(jsonBytes)) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
    json = parsed as Record<string, Json>;
  } catch (err) {
    refuse(where, `${CHECKPOINT_JSON} is not valid JSON (${(err as Error).message})`);
  }
  if (json.format !== CHECKPOINT_FORMAT) refuse(where, `${CHECKPOINT_JSON} is not a descent checkpoint (format ${JSON.stringify(json.format)})`);
  if (json.version !== CHECKPOINT_VERSION) {
    refuse(where, `${CHECKPOINT_JSON} has version ${JSON.stringify(json.version)}; this descent reads version ${CHECKPOINT_VERSION}`);
  }
  const manifest = json.files;
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) refuse(where, `${CHECKPOINT_JSON} lists no files`);
  if (!(MODEL_FILE in manifest)) refuse(where, `${CHECKPOINT_JSON} lists no ${MODEL_FILE}`);
  const tensorsOf: Record<string, NamedTensors> = {};
  for (const [name, info] of Object.entries(manifest)) {
    if (name !== MODEL_FILE && name !== OPTIMIZER_FILE) refuse(where, `${CHECKPOINT_JSON} lists an unknown file ${name}`);
    const bytes = files[name];
    if (bytes === undefined) refuse(where, `${name} is missing`);
    const meta = info as { bytes?: unknown; crc32?: unknown } | null;
    if (meta === null || typeof meta !== "object") refuse(where, `${CHECKPOINT_JSON} has no size and checksum for ${name}`);
    if (meta.bytes !== bytes.length) {
      refuse(where, `${name} has ${bytes.length} bytes, ${CHECKPOINT_JSON} says ${String(meta.bytes)} (truncated or overwritten)`);
    }
    const crc = crc32(bytes);
    if (meta.crc32 !== crc) refuse(where, `${name} has CRC-32 ${crc}, ${CHECKPOINT_JSON} says ${String(meta.crc32)} (the file is damaged)`);
    try {
      tensorsOf[name] = deserializeSafetensors(bytes, name).tensors;
    } catch (err) {
      refuse(where, (err as Error).message);
    }
  }
  const epoch = json.epoch;
  const step = json.step;
  if (!Number.isInteger(epoch) || (epoch as number) < 0) refuse(where, `epoch ${JSON.stringify(epoch)} is not a non-negative integer`);
  if (!Number.isInteger(step) || (step as number) < 0) refuse(where, `step ${JSON.stringify(step)} is not a non-negative integer`);
  const out: CheckpointData = { epoch: epoch as number, step: step as number, model: tensorsOf[MODEL_FILE]! };
  try {
    if (json.optimizer !== undefined) out.optimizer = unpackState(json.optimizer, tensorsOf[OPTIMIZER_FILE] ?? {}, OPTIMIZER_FILE);
    if (json.scheduler !== undefined) out.scheduler = unpackState(json.scheduler, {}, "scheduler state");
    if (json.fit !== undefined) out.fit = unpackState(json.fit, {}, "fit state");
    if (json.history !== undefined) out.history = unpackState(json.history, {}, "history");
  } catch (err) {
    refuse(where, (err as Error).message);
  }
  if (json.generators !== undefined) {
    const g = json.generators;
    if (typeof g !== "object" || g === null || Array.isArray(g)) refuse(where, "generators is not an object");
    out.generators = g as unknown as Record<string, GeneratorState>;
  }
  if (json.config !== undefined) out.config = json.config;
  return out;
}
