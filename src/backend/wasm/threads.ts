/**
 * Worker threads for the WASM kernels: every worker instantiates kernels.wasm over the one shared
 * memory, and the main thread hands each of them one kernel call at a time through a
 * SharedArrayBuffer job slot, runs its own share, and waits for theirs. The main thread stays
 * synchronous (the ops calling the kernels return finished results).
 *
 * Protocol, per worker, on an Int32Array over its slot: the main thread writes the call (function
 * index and arguments as float64) and bumps SEQ; the worker, parked in `Atomics.wait(SEQ)`, runs
 * the call, stores DONE = SEQ (and ERROR on a trap) and notifies. The main thread waits with
 * `Atomics.wait(DONE)` where the engine allows it (Node, workers) and spins on `Atomics.load`
 * elsewhere (browsers' main thread). Workers signal READY after instantiation; the pool only ever
 * uses workers that are ready, so starting threads never blocks (Node callers that want them at
 * once can `waitReady`).
 *
 * Workers come from an injected spawner: Node's `worker_threads` (reached through
 * `process.getBuiltinModule`, so this file imports nothing Node-only) or a browser `Worker` over a
 * Blob URL when `crossOriginIsolated`. The worker source is a small self-contained string.
 */
import { KERNEL_NAMES, type KernelExports, type WasmKernels } from "./module.js";

// Int32 indices in a slot
const SEQ = 0;
const DONE = 1;
const READY = 2;
const ERROR = 3;
/** Float64 index where the call starts: [fn, nargs, arg0, arg1, …]. */
const CALL = 8;
const MAX_ARGS = 40;
const SLOT_BYTES = 8 * (CALL + 2 + MAX_ARGS);

/** What a worker needs to start. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  slot: SharedArrayBuffer;
  names: readonly string[];
}

/** A started worker: only termination is needed from it. */
export interface WorkerHandle {
  terminate(): void;
}

/** Starts a worker running `source` with `init`, or returns null when this runtime cannot. */
export type WorkerSpawner = (source: string, init: WorkerInit) => WorkerHandle | null;

/** The worker program (plain JavaScript, CommonJS in Node, classic worker in browsers). */
export const WORKER_SOURCE = `"use strict";
function start(init) {
  const inst = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const fns = init.names.map((n) => inst.exports[n]);
  const i32 = new Int32Array(init.slot);
  const f64 = new Float64Array(init.slot);
  Atomics.store(i32, ${READY}, 1);
  Atomics.notify(i32, ${READY});
  let seen = 0;
  for (;;) {
    Atomics.wait(i32, ${SEQ}, seen);
    const seq = Atomics.load(i32, ${SEQ});
    if (seq === seen) continue;
    seen = seq;
    if (seq < 0) return;
    try {
      const n = f64[${CALL + 1}];
      const a = [];
      for (let i = 0; i < n; i++) a.push(f64[${CALL + 2} + i]);
      fns[f64[${CALL}]](...a);
    } catch (e) {
      Atomics.store(i32, ${ERROR}, 1);
    }
    Atomics.store(i32, ${DONE}, seq);
    Atomics.notify(i32, ${DONE});
  }
}
if (typeof require === "function") {
  start(require("node:worker_threads").workerData);
} else {
  self.onmessage = (e) => { self.onmessage = null; start(e.data); };
}
`;

interface NodeWorkerThreads {
  Worker: new (src: string, opts: { eval: boolean; workerData: unknown }) => WorkerHandle & { unref(): void };
}

/** Node: `worker_threads` through `process.getBuiltinModule` (null elsewhere). */
export function nodeSpawner(): WorkerSpawner | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.("node:worker_threads") as NodeWorkerThreads | undefined;
  if (!wt) return null;
  return (source, init) => {
    const w = new wt.Worker(source, { eval: true, workerData: init });
    w.unref(); // idle workers never keep the process alive
    return w;
  };
}

/** Browsers: a classic Worker over a Blob URL, only when cross-origin isolated. */
export function browserSpawner(): WorkerSpawner | null {
  const g = globalThis as {
    crossOriginIsolated?: boolean;
    Worker?: new (url: string) => WorkerHandle & { postMessage(m: unknown): void };
    Blob?: typeof Blob;
    URL?: typeof URL;
  };
  if (!g.crossOriginIsolated || !g.Worker || !g.Blob || !g.URL) return null;
  const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return (_source, init) => {
    const w = new g.Worker!(url);
    w.postMessage(init);
    return w;
  };
}

/** The spawner of this runtime, or null when it has no threads to offer. */
export function defaultSpawner(): WorkerSpawner | null {
  return nodeSpawner() ?? browserSpawner();
}

/** Whether `Atomics.wait` may block this thread (false on browsers' main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

const FN_INDEX = new Map<string, number>(KERNEL_NAMES.map((n, i) => [n, i]));

interface Slot {
  handle: WorkerHandle;
  i32: Int32Array;
  f64: Float64Array;
  seq: number;
  /** Per-thread sgemm workspace. */
  gemmWork: number;
  /** Per-thread conv workspace (grown on demand). */
  convWork: number;
  convWorkBytes: number;
}

/**
 * The worker pool of one kernels instance (shared memory only). `threads` counts the main thread:
 * setThreads(2) starts one worker.
 */
export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly blocking = canBlock();
  private wanted = 1;
  /** Kernel calls handed to workers so far (for tests and benchmarks). */
  jobs = 0;

  constructor(private readonly k: WasmKernels, private readonly spawner: WorkerSpawner) {
    if (!k.shared || !k.module) throw new Error("ThreadPool needs a shared memory and the compiled module");
  }

  /** The requested thread count (main thread included). */
  get threads(): number {
    return this.wanted;
  }

  /** Start or stop workers so that `n` threads (main included) run the kernels. */
  setThreads(n: number): void {
    this.wanted = n;
    while (this.slots.length > n - 1) this.stop(this.slots.pop()!);
    while (this.slots.length < n - 1) {
      const slot = this.start();
      if (!slot) break;
      this.slots.push(slot);
    }
  }

  /** Block until every started worker is ready or `timeoutMs` passes (Node; no-op where blocking is not allowed). */
  waitReady(timeoutMs = 10_000): boolean {
    const end = performance.now() + timeoutMs;
    for (const s of this.slots) {
      while (Atomics.load(s.i32, READY) === 0) {
        const left = end - performance.now();
        if (left <= 0 || !this.blocking) return false;
        Atomics.wait(s.i32, READY, 0, left);
      }
    }
    return true;
  }

  /** Threads usable right now: the main thread plus the ready workers. */
  available(): number {
    let n = 1;
    for (const s of this.slots) if (Atomics.load(s.i32, READY) === 1) n++;
    return n;
  }

  /** The sgemm workspace of thread t (0 = main). */
  gemmWorkspace(t: number): number {
    return t === 0 ? this.k.gemmWorkspace : this.readySlot(t).gemmWork;
  }

  /** A conv workspace of at least `bytes` bytes for thread t (0 = main: the kernels' own). */
  convWorkspace(t: number, bytes: number): number {
    if (t === 0) return this.k.convWorkspaceBytes(bytes);
    const s = this.readySlot(t);
    if (bytes > s.convWorkBytes) {
      if (s.convWork) this.k.heap.free(s.convWork);
      s.convWork = this.k.heap.alloc(bytes);
      s.convWorkBytes = this.k.heap.blockSize(s.convWork);
    }
    return s.convWork;
  }

  /**
   * Run `fn(calls[t])` on thread t for every t (calls[0] on this thread, the others on the first
   * ready workers; at most `available()` calls) and return when all have finished.
   */
  run(fn: keyof KernelExports, calls: readonly (readonly number[])[]): void {
    const index = FN_INDEX.get(fn)!;
    const posted: Slot[] = [];
    let err: unknown = null;
    for (let t = 1; t < calls.length; t++) {
      const s = this.readySlot(t);
      const args = calls[t]!;
      if (args.length > MAX_ARGS) throw new Error(`ThreadPool.run: ${args.length} arguments`);
      s.f64[CALL] = index;
      s.f64[CALL + 1] = args.length;
      for (let i = 0; i < args.length; i++) s.f64[CALL + 2 + i] = args[i]!;
      s.seq = (s.seq + 1) & 0x3fffffff || 1;
      Atomics.store(s.i32, SEQ, s.seq);
      Atomics.notify(s.i32, SEQ);
      posted.push(s);
      this.jobs++;
    }
    try {
      (this.k.exports[fn] as (...a: number[]) => unknown)(...calls[0]!);
    } catch (e) {
      err = e;
    }
    let failed = false;
    for (const s of posted) {
      let spins = 0;
      while (Atomics.load(s.i32, DONE) !== s.seq) {
        if (this.blocking && ++spins > 64) Atomics.wait(s.i32, DONE, Atomics.load(s.i32, DONE), 50);
      }
      if (Atomics.load(s.i32, ERROR) !== 0) {
        Atomics.store(s.i32, ERROR, 0);
        failed = true;
      }
    }
    if (err !== null) throw err;
    if (failed) throw new Error(`WASM kernel ${fn} failed on a worker thread`);
  }

  /** Stop every worker. */
  close(): void {
    this.setThreads(1);
  }

  private readySlot(t: number): Slot {
    let seen = 0;
    for (const s of this.slots) {
      if (Atomics.load(s.i32, READY) !== 1) continue;
      if (++seen === t) return s;
    }
    throw new Error(`ThreadPool: no ready worker for thread ${t}`);
  }

  private start(): Slot | null {
    const slotBuf = new SharedArrayBuffer(SLOT_BYTES);
    const init: WorkerInit = { module: this.k.module!, memory: this.k.memory, slot: slotBuf, names: KERNEL_NAMES };
    let handle: WorkerHandle | null;
    try {
      handle = this.spawner(WORKER_SOURCE, init);
    } catch {
      handle = null;
    }
    if (!handle) return null;
    const gemmWork = this.k.heap.alloc(this.k.exports.sgemm_workspace_bytes());
    return { handle, i32: new Int32Array(slotBuf), f64: new Float64Array(slotBuf), seq: 0, gemmWork, convWork: 0, convWorkBytes: 0 };
  }

  private stop(s: Slot): void {
    Atomics.store(s.i32, SEQ, -1);
    Atomics.notify(s.i32, SEQ);
    s.handle.terminate();
    this.k.heap.free(s.gemmWork);
    if (s.convWork) this.k.heap.free(s.convWork);
  }
}
