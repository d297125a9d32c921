/**
 * Checkpoint folders on disk (Node only): `saveCheckpoint(dir, data)` writes the files of
 * ./checkpoint_format.ts atomically and `loadCheckpoint(dir)` reads and verifies them.
 *
 * Atomic replacement: the new checkpoint is written completely into `<dir>.tmp` (each file
 * fsynced, `checkpoint.json` last), then the old folder is renamed to `<dir>.old`, the new one to
 * `<dir>`, and `<dir>.old` is removed. A crash at any point leaves a complete checkpoint: before
 * the first rename `<dir>` is untouched; between the two renames only `<dir>.old` exists and
 * `loadCheckpoint` reads it (the next save puts it back first). A leftover `<dir>.tmp` is ignored
 * and cleared by the next save.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  CHECKPOINT_JSON,
  decodeCheckpoint,
  encodeCheckpoint,
  MODEL_FILE,
  OPTIMIZER_FILE,
  type CheckpointData,
} from "./checkpoint_format.js";

/** @internal Test hook: called after each stage of a save (throw from it to simulate a crash). */
export type SaveStageHook = (stage: "files-written" | "old-moved" | "new-in-place") => void;

function writeFileSynced(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, "w");
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a folder so renames inside it are durable (ignored where the OS refuses). */
function syncDir(path: string): void {
  try {
    const fd = openSync(path, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some platforms cannot open or fsync folders; the rename is still atomic
  }
}

/** Finish or undo an interrupted save so `dir` holds the last complete checkpoint. */
function recover(dir: string): void {
  const old = `${dir}.old`;
  const tmp = `${dir}.tmp`;
  if (existsSync(old)) {
    if (existsSync(dir)) rmSync(old, { recursive: true, force: true });
    else renameSync(old, dir);
  }
  if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
}

/**
 * Write `data` as a checkpoint folder at `dir`, replacing any checkpoint there atomically.
 * Nothing is written when `data` cannot be encoded.
 */
export function saveCheckpoint(dir: string, data: CheckpointData, hook?: SaveStageHook): void {
  const target = resolve(dir);
  const files = encodeCheckpoint(data); // throws before touching the disk
  mkdirSync(dirname(target), { recursive: true });
  recover(target);
  const tmp = `${target}.tmp`;
  const old = `${target}.old`;
  mkdirSync(tmp);
  for (const [name, bytes] of Object.entries(files)) {
    if (name !== CHECKPOINT_JSON) writeFileSynced(join(tmp, name), bytes);
  }
  writeFileSynced(join(tmp, CHECKPOINT_JSON), files[CHECKPOINT_JSON]!);
  syncDir(tmp);
  hook?.("files-written");
  const hadOld = existsSync(target);
  if (hadOld) renameSync(target, old);
  hook?.("old-moved");
  renameSync(tmp, target);
  syncDir(dirname(target));
  hook?.("new-in-place");
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

/** Whether `dir` (or the backup of an interrupted save) holds a checkpoint. */
export function checkpointExists(dir: string): boolean {
  const target = resolve(dir);
  return existsSync(join(target, CHECKPOINT_JSON)) || existsSync(join(`${target}.old`, CHECKPOINT_JSON));
}

/**
 * Read and verify the checkpoint at `dir` (or, after a save interrupted between its renames, the
 * previous one at `<dir>.old`). Throws an Error saying what is wrong when it is missing, corrupt,
 * truncated or of an unknown format.
 */
export function loadCheckpoint(dir: string): CheckpointData {
  const target = resolve(dir);
  let from = target;
  if (!existsSync(target) && existsSync(`${target}.old`)) from = `${target}.old`;
  if (!existsSync(from)) throw new Error(`no checkpoint at ${dir}: the folder does not exist`);
  const present = new Set(readdirSync(from));
  if (!present.has(CHECKPOINT_JSON)) throw new Error(`no checkpoint at ${dir}: ${CHECKPOINT_JSON} is missing`);
  const files: Record<string, Uint8Array> = {};
  for (const name of [CHECKPOINT_JSON, MODEL_FILE, OPTIMIZER_FILE]) {
    if (present.has(name)) {
      const b = readFileSync(join(from, name));
      files[name] = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
  }
  return decodeCheckpoint(files, dir);
}
