/**
 * The active backend. Ops allocate and compute through `backend()`.
 *
 * Selection (on the first `backend()` call): the WASM SIMD backend when the engine supports
 * WebAssembly SIMD, else the CPU backend with a one-line notice (stderr in Node, console.warn in
 * browsers). The environment variable `DESCENT_BACKEND=cpu|wasm` (Node) or `setBackend("cpu" |
 * "wasm" | backend)` overrides the choice. Storages are plain JavaScript typed arrays under both
 * built-in backends, so switching between them keeps every tensor valid.
 *
 * `setNumThreads(n)` lets the WASM kernels (matmul, linear, conv, optimizer steps) use n threads:
 * worker threads sharing the module memory (Node; browsers only when crossOriginIsolated). The
 * default is 1, or `DESCENT_NUM_THREADS` (Node). On the 2-core development machine 2 threads take
 * the MLP step from 4.5 to 3.4 ms when the second core is idle, and gain nothing when other work
 * occupies it, at ~15% more CPU time: one thread stays the default on shared machines.
 */
import type { Backend } from "./backend.js";
import { CpuBackend } from "./cpu/index.js";
import { WasmBackend } from "./wasm/backend.js";
import { lastWasmLoadFailure, loadWasmKernels, loadWasmKernelsAsync, type WasmKernels } from "./wasm/module.js";
import { ThreadPool, defaultSpawner } from "./wasm/threads.js";

/** The names `setBackend` and `DESCENT_BACKEND` accept. */
export type BackendName = "cpu" | "wasm";

let active: Backend | null = null;
/** Whether `setBackend` chose the active backend (initBackend then leaves it alone). */
let explicit = false;
let cpuInstance: CpuBackend | null = null;
let wasmInstance: WasmBackend | null | undefined;
let wasmFailure: string | null = null;
let numThreads = envThreads();

/** The backend every op uses (selected on first use, see the file comment). */
export function backend(): Backend {
  return active ?? (active = selectDefault());
}

/** Use a backend: "cpu", "wasm" (throws when this engine cannot run it) or any Backend object. */
export function setBackend(b: Backend | BackendName): void {
  if (b === "cpu") active = cpuBackend();
  else if (b === "wasm") {
    const w = wasmBackend();
    if (!w) throw new Error(`descent: the WASM backend is unavailable: ${wasmFailure}`);
    active = w;
  } else if (typeof b === "object" && b !== null && typeof (b as Backend).matmul === "function") active = b;
  else throw new TypeError(`setBackend(): expected "cpu", "wasm" or a Backend, got ${String(b)}`);
  explicit = true;
}

/**
 * Threads the WASM kernels may use, counting the calling thread (default 1). Workers start in the
 * background and join as they become ready; on engines without shared memory or workers the
 * kernels stay single-threaded. The CPU backend is always single-threaded.
 */
export function setNumThreads(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n)) throw new TypeError(`setNumThreads(): expected an integer, got ${String(n)}`);
  if (n < 1) throw new RangeError(`setNumThreads(): the number of threads must be positive, got ${n}`);
  numThreads = n;
  if (wasmInstance) wasmInstance.setThreads(n);
}

/** The thread count set by {@link setNumThreads}. */
export function getNumThreads(): number {
  return numThreads;
}

/**
 * Block until the worker threads started by {@link setNumThreads} are ready (Node only; in
 * browsers they join when ready). Returns false on timeout or when there is no pool.
 */
export function waitForThreads(timeoutMs = 10_000): boolean {
  return wasmInstance?.pool?.waitReady(timeoutMs) ?? false;
}

/**
 * Compile the WASM kernels asynchronously (browsers' main thread refuses synchronous compilation
 * of modules over 4 KB) and make the WASM backend active unless a backend was chosen explicitly.
 * Resolves to the active backend's name.
 */
export async function initBackend(): Promise<BackendName | string> {
  if (wasmInstance === undefined || wasmInstance === null) {
    const k = await loadWasmKernelsAsync();
    if (k) wasmInstance = makeWasmBackend(k);
    else wasmFailure = lastWasmLoadFailure();
  }
  if (wasmInstance && !explicit && envChoice() !== "cpu") active = wasmInstance;
  return backend().name;
}

/** The CPU backend (the reference implementation). */
export function cpuBackend(): CpuBackend {
  return cpuInstance ?? (cpuInstance = new CpuBackend());
}

/** The WASM backend, or null when this engine cannot run it (see {@link wasmUnavailableReason}). */
export function wasmBackend(): WasmBackend | null {
  if (wasmInstance === undefined) {
    const k = loadWasmKernels();
    if (k) wasmInstance = makeWasmBackend(k);
    else {
      wasmInstance = null;
      wasmFailure = lastWasmLoadFailure();
    }
  }
  return wasmInstance;
}

/** Why the WASM backend is unavailable (null when it is available or was never tried). */
export function wasmUnavailableReason(): string | null {
  return wasmInstance ? null : wasmFailure;
}

function makeWasmBackend(k: WasmKernels): WasmBackend {
  const spawner = k.shared ? defaultSpawner() : null;
  const b = new WasmBackend(k, spawner ? new ThreadPool(k, spawner) : null);
  if (numThreads > 1) b.setThreads(numThreads);
  return b;
}

/** DESCENT_NUM_THREADS (Node): the initial thread count when it is a positive integer, else 1. */
function envThreads(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const n = Number(env?.["DESCENT_NUM_THREADS"] ?? "");
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function envChoice(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.["DESCENT_BACKEND"]?.trim().toLowerCase() || undefined;
}

/** The outcome of the automatic choice: the backend and the one-line notice to print, if any. */
export interface BackendChoice {
  backend: Backend;
  notice: string | null;
}

/**
 * The automatic choice for a `DESCENT_BACKEND` value (see the file comment). `tryWasm` loads the
 * WASM backend (injectable so tests can simulate an engine without SIMD).
 */
export function chooseBackend(
  env: string | undefined = envChoice(),
  tryWasm: () => { backend: Backend | null; reason: string | null } = () => ({ backend: wasmBackend(), reason: wasmFailure }),
): BackendChoice {
  let prefix = "";
  if (env === "cpu") return { backend: cpuBackend(), notice: null };
  if (env !== undefined && env !== "wasm") prefix = `descent: unknown DESCENT_BACKEND "${env}" (expected cpu or wasm); `;
  const w = tryWasm();
  if (w.backend) return { backend: w.backend, notice: prefix ? `${prefix}using the WASM backend` : null };
  const why = (w.reason ?? "unknown reason").replace(/\s+/g, " ");
  return { backend: cpuBackend(), notice: `${prefix || "descent: "}WebAssembly SIMD backend unavailable (${why}); using the CPU backend` };
}

/** Print a notice on one line: stderr in Node, console.warn elsewhere. */
export function printNotice(line: string): void {
  const proc = (globalThis as { process?: { stderr?: { write(s: string): unknown } } }).process;
  if (proc?.stderr?.write) proc.stderr.write(`${line}\n`);
  else console.warn(line);
}

function selectDefault(): Backend {
  const { backend: b, notice } = chooseBackend();
  if (notice) printNotice(notice);
  return b;
}
