/**
 * Loader for the WASM SIMD kernels (csrc/*.c, built by scripts/build_wasm.sh into kernels.wasm and
 * embedded as base64 in kernels_wasm.ts): feature detection, one linear memory, a size-class
 * allocator for long-lived ("resident") buffers, a scratch arena for operands copied in and out,
 * typed access to every kernel, and exact wrappers for the optimizer steps.
 *
 * Works in Node >= 20 and in browsers: no fs, no fetch, no Node built-ins. Synchronous
 * instantiation (`loadWasmKernels`) is fine in Node and in workers; Chrome refuses synchronous
 * compilation of modules over 4 KB on the main thread, so browsers' main threads should use
 * `loadWasmKernelsAsync`.
 *
 * Pointers are byte offsets into `memory`; every kernel takes raw pointers, sizes and strides.
 */
import { KERNELS_WASM_BASE64 } from "./kernels_wasm.js";

/** Binary op codes understood by the `f32_binary*` kernels. */
export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3 } as const;
/** One of the values of {@link BinaryOp}. */
export type BinaryOpCode = (typeof BinaryOp)[keyof typeof BinaryOp];

/**
 * The raw exports of kernels.wasm. Pointer arguments are byte offsets into the module memory,
 * flags are 0/1, counts and strides are in elements. See the comment block at the top of each
 * csrc/*.c file for the exact semantics.
 */
export interface KernelExports {
  /** Bytes of workspace `sgemm` needs (a constant, about 2.2 MB). */
  sgemm_workspace_bytes(): number;
  /** C[b] (= or +=) A[b]·B[b]; A(i,k) at A + b*sAb + i*sAm + k*sAk, B(k,j) at B + b*sBb + k*sBk + j*sBn, C(i,j) at C + b*sCb + i*ldc + j. */
  sgemm(
    batch: number, M: number, N: number, K: number,
    A: number, sAb: number, sAm: number, sAk: number,
    B: number, sBb: number, sBk: number, sBn: number,
    C: number, sCb: number, ldc: number, accumulate: number, work: number,
  ): void;
  /** Y[M,N] = X[M,K]·Wᵀ + bias (W is [N,K] if wTransposed, else [K,N]); bias may be 0. */
  linear_forward(X: number, W: number, bias: number, Y: number, M: number, N: number, K: number, wTransposed: number, work: number): void;

  f32_binary(op: number, a: number, b: number, out: number, n: number): void;
  f32_binary_scalar(op: number, a: number, s: number, out: number, n: number, reverse: number): void;
  f32_binary_row(op: number, a: number, b: number, out: number, m: number, n: number, reverse: number): void;
  f32_binary_col(op: number, a: number, b: number, out: number, m: number, n: number, reverse: number): void;
  f32_scale(x: number, s: number, out: number, n: number): void;
  f32_axpy(n: number, alpha: number, x: number, y: number, fused: number): void;
  f32_relu(x: number, out: number, n: number): void;
  f32_relu_backward(gy: number, y: number, gx: number, n: number): void;
  f32_fill(out: number, value: number, n: number): void;
  /** out[i, j] = row[j] for i < m, j < n. */
  f32_repeat_rows(row: number, out: number, m: number, n: number): void;

  f32_sum(x: number, n: number): number;
  f32_row_sum(x: number, out: number, m: number, n: number): void;
  f32_col_sum(x: number, out: number, m: number, n: number, accumulate: number): void;
  f32_row_max(x: number, out: number, idx: number, m: number, n: number): void;

  f32_exp(x: number, out: number, n: number): void;
  f32_log(x: number, out: number, n: number): void;
  f32_softmax_rows(x: number, out: number, m: number, n: number): void;
  f32_log_softmax_rows(x: number, out: number, m: number, n: number): void;
  f32_softmax_backward(y: number, gy: number, gx: number, m: number, n: number): void;
  f32_log_softmax_backward(y: number, gy: number, gx: number, m: number, n: number): void;
  softmax_cross_entropy_forward(x: number, target: number, m: number, n: number, ignoreIndex: number, probs: number): number;
  softmax_cross_entropy_backward(x: number, target: number, gx: number, m: number, n: number, ignoreIndex: number, gradOut: number): void;
  /** Backend.nllLoss over x(n, c, k) at x + n*sxn + c*sxc + k*sxk (see csrc/nll.c); returns Σ w[target]. */
  nll_loss_forward(
    x: number, N: number, C: number, K: number, sxn: number, sxc: number, sxk: number,
    t: number, stn: number, stk: number, w: number, sw: number, ignore: number, out: number, lse: number,
  ): number;
  /** Backend.nllLossBackward into gx [N, C, K] contiguous (overwritten); lse 0 when unfused. */
  nll_loss_backward(
    x: number, N: number, C: number, K: number, sxn: number, sxc: number, sxk: number,
    t: number, stn: number, stk: number, w: number, sw: number, ignore: number,
    g: number, sgn: number, sgk: number, scale: number, lse: number, gx: number,
  ): void;

  /** C[M,N] (= or +=) A·B without packing; A(i,k) at A + i*sAm + k*sAk, B rows contiguous (csrc/smallgemm.c). */
  gemm_rows(M: number, N: number, K: number, A: number, sAm: number, sAk: number, B: number, ldb: number, C: number, ldc: number, accumulate: number): void;
  /** C[M,N] (= or +=) A·Bᵀ with both operands' rows contiguous along K (csrc/smallgemm.c). */
  gemm_dot(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, accumulate: number): void;
  conv2d_workspace_bytes(C: number, KH: number, KW: number, OH: number, OW: number, G: number): number;
  /** Bytes of workspace conv2d_backward_weight needs (it batches images, up to 8 MiB of columns). */
  conv2d_backward_weight_workspace_bytes(N: number, C: number, KH: number, KW: number, OH: number, OW: number, OC: number, G: number): number;
  conv2d_forward(
    x: number, w: number, bias: number, y: number,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, G: number, OH: number, OW: number,
    work: number,
  ): void;
  conv2d_backward_input(
    gy: number, w: number, gx: number,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, G: number, OH: number, OW: number,
    work: number,
  ): void;
  conv2d_backward_weight(
    x: number, gy: number, gw: number, gbias: number,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, G: number, OH: number, OW: number,
    accumulate: number, work: number,
  ): void;
  maxpool2d_forward(
    x: number, y: number, idx: number, NC: number, H: number, W: number, OH: number, OW: number,
    KH: number, KW: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number,
  ): void;
  maxpool2d_backward(gy: number, idx: number, gx: number, NC: number, H: number, W: number, OH: number, OW: number): void;
  avgpool2d_forward(
    x: number, y: number, NC: number, H: number, W: number, OH: number, OW: number, KH: number, KW: number,
    sh: number, sw: number, ph: number, pw: number, countIncludePad: number, divisorOverride: number,
  ): void;
  avgpool2d_backward(
    gy: number, gx: number, NC: number, H: number, W: number, OH: number, OW: number, KH: number, KW: number,
    sh: number, sw: number, ph: number, pw: number, countIncludePad: number, divisorOverride: number,
  ): void;

  sgd_step(
    param: number, grad: number, buf: number, n: number, negLr: number, momentum: number,
    oneMinusDampening: number, weightDecay: number, nesterov: number, maximize: number, firstStep: number, fused: number,
  ): void;
  adam_step(
    param: number, grad: number, expAvg: number, expAvgSq: number, maxExpAvgSq: number, n: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    negStepSize: number, biasCorrection2Sqrt: number, eps: number, weightDecay: number,
    paramDecay: number, maximize: number, fused: number,
  ): void;

  bn_stats(x: number, N: number, C: number, S: number, mean: number, varSum: number): void;
  bn_forward(x: number, alpha: number, beta: number, out: number, N: number, C: number, S: number): void;
  bn_backward(
    x: number, gy: number, mean: number, invstd: number, weight: number, N: number, C: number, S: number,
    training: number, gx: number, gw: number, gb: number,
  ): void;
}

/** Names of every kernel export (the order is also the function index worker threads use). */
export const KERNEL_NAMES: readonly (keyof KernelExports)[] = [
  "sgemm_workspace_bytes", "sgemm", "linear_forward", "gemm_rows", "gemm_dot",
  "f32_binary", "f32_binary_scalar", "f32_binary_row", "f32_binary_col", "f32_scale", "f32_axpy",
  "f32_relu", "f32_relu_backward", "f32_fill", "f32_repeat_rows",
  "f32_sum", "f32_row_sum", "f32_col_sum", "f32_row_max",
  "f32_exp", "f32_log", "f32_softmax_rows", "f32_log_softmax_rows", "f32_softmax_backward",
  "f32_log_softmax_backward", "softmax_cross_entropy_forward", "softmax_cross_entropy_backward",
  "nll_loss_forward", "nll_loss_backward",
  "conv2d_workspace_bytes", "conv2d_forward", "conv2d_backward_input", "conv2d_backward_weight",
  "conv2d_backward_weight_workspace_bytes",
  "maxpool2d_forward", "maxpool2d_backward", "avgpool2d_forward", "avgpool2d_backward",
  "sgd_step", "adam_step",
  "bn_stats", "bn_forward", "bn_backward",
];

/** Options for {@link loadWasmKernels}. */
export interface WasmLoadOptions {
  /** Use a shared memory (default: whenever SharedArrayBuffer exists). */
  shared?: boolean;
  /** Initial memory size in bytes (default 16 MiB). */
  initialBytes?: number;
  /**
   * Maximum memory size in bytes (default 4 GiB, the wasm32 limit). A shared memory reserves its
   * maximum up front; when that fails the loader retries with 1 GiB and 256 MiB.
   */
  maximumBytes?: number;
}

const PAGE = 65536;
const ALIGN = 64;

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)) — as in wasm-feature-detect.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/**
 * Whether this engine can run the kernels: `null` when it can, otherwise the reason it cannot
 * (no WebAssembly, or no fixed-width SIMD).
 */
export function wasmUnsupportedReason(): string | null {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") {
    return "WebAssembly is not available in this environment";
  }
  try {
    if (!WebAssembly.validate(SIMD_PROBE)) return "WebAssembly SIMD (simd128) is not supported by this engine";
  } catch (e) {
    return `WebAssembly SIMD probe failed: ${String(e)}`;
  }
  return null;
}

/** True when `SharedArrayBuffer` (and so a shared WebAssembly.Memory) is usable here. */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let cachedBytes: Uint8Array | null = null;

/** The kernels.wasm bytes, decoded once from the embedded base64. */
export function kernelsWasmBytes(): Uint8Array {
  if (cachedBytes) return cachedBytes;
  const bin = atob(KERNELS_WASM_BASE64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  cachedBytes = out;
  return out;
}

function readLeb(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
  }
}

/**
 * A copy of a wasm module whose imported memory is declared unshared (limits flag 0x03 -> 0x01),
 * for engines without SharedArrayBuffer. The kernels contain no atomic instructions, so the
 * module is valid either way.
 */
export function withUnsharedMemoryImport(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  let pos = 8;
  while (pos < out.length) {
    const id = out[pos++]!;
    const [size, start] = readLeb(out, pos);
    pos = start;
    if (id === 2) {
      let p = start;
      let count: number;
      [count, p] = readLeb(out, p);
      for (let i = 0; i < count; i++) {
        let len: number;
        [len, p] = readLeb(out, p); // module name
        p += len;
        [len, p] = readLeb(out, p); // field name
        p += len;
        const kind = out[p++]!;
        if (kind === 0) {
          [, p] = readLeb(out, p);
        } else if (kind === 1) {
          p++; // reftype
          const flags = out[p++]!;
          [, p] = readLeb(out, p);
          if (flags & 1) [, p] = readLeb(out, p);
        } else if (kind === 2) {
          if (out[p] === 0x03) out[p] = 0x01;
          else if (out[p] === 0x02) out[p] = 0x00;
          return out;
        } else if (kind === 3) {
          p += 2; // valtype, mutability
        } else {
          throw new Error(`unexpected import kind ${kind} in kernels.wasm`);
        }
      }
      return out;
    }
    pos = start + size;
  }
  return out;
}

function makeMemory(shared: boolean, initialBytes: number, maximumBytes: number): WebAssembly.Memory {
  const initial = Math.max(1, Math.ceil(initialBytes / PAGE));
  const candidates = [maximumBytes, 2 ** 30, 2 ** 28].filter((b, i, a) => b <= maximumBytes && a.indexOf(b) === i);
  let lastError: unknown = null;
  for (const bytes of candidates) {
    const maximum = Math.min(65536, Math.max(initial, Math.floor(bytes / PAGE)));
    try {
      return new WebAssembly.Memory({ initial, maximum, shared });
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

let lastReason: string | null = null;

/** Why the last `loadWasmKernels*` call returned null (or null if it succeeded). */
export function lastWasmLoadFailure(): string | null {
  return lastReason;
}

/**
 * Compile and instantiate the kernels synchronously. Returns null (see
 * {@link lastWasmLoadFailure}) when the engine lacks WebAssembly SIMD or instantiation fails.
 */
export function loadWasmKernels(options: WasmLoadOptions = {}): WasmKernels | null {
  const prepared = prepare(options);
  if (!prepared) return null;
  try {
    const module = new WebAssembly.Module(prepared.bytes as BufferSource);
    return finish(module, prepared);
  } catch (e) {
    lastReason = `instantiating kernels.wasm failed: ${String(e)}`;
    return null;
  }
}

/** Like {@link loadWasmKernels} but compiles asynchronously (required on browsers' main thread). */
export async function loadWasmKernelsAsync(options: WasmLoadOptions = {}): Promise<WasmKernels | null> {
  const prepared = prepare(options);
  if (!prepared) return null;
  try {
    const module = await WebAssembly.compile(prepared.bytes as BufferSource);
    return finish(module, prepared);
  } catch (e) {
    lastReason = `instantiating kernels.wasm failed: ${String(e)}`;
    return null;
  }
}

interface Prepared {
  bytes: Uint8Array;
  memory: WebAssembly.Memory;
  shared: boolean;
}

function prepare(options: WasmLoadOptions): Prepared | null {
  const reason = wasmUnsupportedReason();
  if (reason) {
    lastReason = reason;
    return null;
  }
  const canShare = sharedMemoryAvailable();
  const shared = options.shared ?? canShare;
  if (shared && !canShare) {
    lastReason = "a shared memory was requested but SharedArrayBuffer is not available";
    return null;
  }
  try {
    const memory = makeMemory(shared, options.initialBytes ?? 16 * 2 ** 20, options.maximumBytes ?? 2 ** 32);
    const bytes = shared ? kernelsWasmBytes() : withUnsharedMemoryImport(kernelsWasmBytes());
    return { bytes, memory, shared };
  } catch (e) {
    lastReason = `creating the WebAssembly memory failed: ${String(e)}`;
    return null;
  }
}

function finish(module: WebAssembly.Module, p: Prepared): WasmKernels {
  const instance = new WebAssembly.Instance(module, { env: { memory: p.memory } });
  const ex = instance.exports as Record<string, unknown>;
  for (const name of KERNEL_NAMES) {
    if (typeof ex[name] !== "function") throw new Error(`kernels.wasm lacks export ${name}`);
  }
  const heapBase = (ex["__heap_base"] as WebAssembly.Global).value as number;
  lastReason = null;
  return new WasmKernels(p.memory, p.shared, ex as unknown as KernelExports, heapBase, module);
}

function roundUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Size class of an allocation: multiples of 64 bytes up to 1 KiB, then 4 classes per doubling
 * (each a multiple of 64), so a block wastes at most ~19% of its size.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, roundUp(bytes, ALIGN));
  if (b <= 1024) return b;
  const e = Math.floor(Math.log2(b));
  const base = 2 ** e;
  for (let q = 0; q <= 4; q++) {
    const c = roundUp(base + (base / 4) * q, ALIGN);
    if (c >= b) return c;
  }
  return 2 * base;
}

/**
 * Explicit allocator for resident buffers (parameters, gradients, optimizer state, workspaces)
 * in the module memory: 64-byte aligned blocks in size classes with one free list per class and
 * a bump pointer; the memory grows (whole pages) when the bump pointer needs room. Block sizes
 * are kept on the JS side, so `free` needs only the pointer. Nothing is ever returned to the
 * engine: freed blocks are reused by later allocations of the same class.
 */
export class WasmHeap {
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly live = new Map<number, number>();
  private inUse = 0;

  /** @param base first usable byte (the module's __heap_base) */
  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
    private readonly onGrow: () => void,
  ) {
    this.top = roundUp(base, ALIGN);
  }

  /** Allocate `bytes` (>= 0) bytes, 64-byte aligned. Throws RangeError when memory is exhausted. */
  alloc(bytes: number): number {
    const cls = sizeClass(bytes);
    const list = this.freeLists.get(cls);
    let ptr = list && list.length > 0 ? list.pop()! : -1;
    if (ptr < 0) {
      ptr = this.top;
      this.ensure(ptr + cls);
      this.top = ptr + cls;
    }
    this.live.set(ptr, cls);
    this.inUse += cls;
    return ptr;
  }

  /** Return a block from {@link alloc} to its free list. */
  free(ptr: number): void {
    const cls = this.live.get(ptr);
    if (cls === undefined) throw new Error(`WasmHeap.free: ${ptr} is not a live allocation`);
    this.live.delete(ptr);
    this.inUse -= cls;
    let list = this.freeLists.get(cls);
    if (!list) this.freeLists.set(cls, (list = []));
    list.push(ptr);
  }

  /** Usable size of a live block (its size class). */
  blockSize(ptr: number): number {
    const cls = this.live.get(ptr);
    if (cls === undefined) throw new Error(`WasmHeap.blockSize: ${ptr} is not a live allocation`);
    return cls;
  }

  /** Bytes in live blocks, and bytes handed out from the bump region so far. */
  stats(): { bytesInUse: number; bytesReserved: number; liveBlocks: number } {
    return { bytesInUse: this.inUse, bytesReserved: this.top, liveBlocks: this.live.size };
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const need = Math.ceil((end - have) / PAGE);
    // grow by at least 1/8 of the current size to amortize
    const pages = Math.max(need, Math.ceil(have / PAGE / 8));
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(need);
      } catch (e) {
        throw new RangeError(`WasmHeap: cannot grow memory to ${end} bytes (${String(e)})`);
      }
    }
    this.onGrow();
  }
}

/**
 * A reusable arena for per-call temporaries (operands copied in, results copied out). `alloc`
 * never moves earlier blocks: when the current chunk is full it takes a new chunk from the heap;
 * `reset` frees everything and, if several chunks were needed, replaces them by one chunk of
 * their total size, so a steady-state training loop allocates nothing.
 */
export class ScratchArena {
  private chunks: { ptr: number; size: number }[] = [];
  private chunk = 0;
  private pos = 0;

  constructor(private readonly heap: WasmHeap, initialBytes = 1 << 20) {
    const ptr = heap.alloc(initialBytes);
    this.chunks.push({ ptr, size: heap.blockSize(ptr) });
  }

  /** A 64-byte aligned block of `bytes` bytes, valid until the next {@link reset}/{@link release}. */
  alloc(bytes: number): number {
    const need = roundUp(Math.max(bytes, 1), ALIGN);
    let c = this.chunks[this.chunk]!;
    if (this.pos + need > c.size) {
      this.chunk++;
      this.pos = 0;
      if (this.chunk >= this.chunks.length || this.chunks[this.chunk]!.size < need) {
        const size = Math.max(need, c.size);
        const ptr = this.heap.alloc(size);
        this.chunks.splice(this.chunk, 0, { ptr, size: this.heap.blockSize(ptr) });
      }
      c = this.chunks[this.chunk]!;
    }
    const ptr = c.ptr + this.pos;
    this.pos += need;
    return ptr;
  }

  /** An opaque position to {@link release} back to (for nested users). */
  mark(): number {
    return this.chunk * 2 ** 32 + this.pos;
  }

  /** Free everything allocated after `mark`. */
  release(mark: number): void {
    this.chunk = Math.floor(mark / 2 ** 32);
    this.pos = mark % 2 ** 32;
  }

  /** Free everything; consolidate the chunks into one if there were several. */
  reset(): void {
    if (this.chunks.length > 1) {
      const total = this.chunks.reduce((s, c) => s + c.size, 0);
      for (const c of this.chunks) this.heap.free(c.ptr);
      const ptr = this.heap.alloc(total);
      this.chunks = [{ ptr, size: this.heap.blockSize(ptr) }];
    }
    this.chunk = 0;
    this.pos = 0;
  }

  /** Total bytes held by the arena. */
  capacity(): number {
    return this.chunks.reduce((s, c) => s + c.size, 0);
  }
}

/** Hyper-parameters of one SGD step (PyTorch's torch.optim.SGD names, camelCased). */
export interface SgdHyper {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** Round add(alpha)/addcmul once like PyTorch's AVX2 CPU kernels (default true). */
  fused?: boolean;
}

/** Hyper-parameters of one Adam/AdamW step (PyTorch names, camelCased). */
export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** AdamW (decoupled weight decay: param *= 1 - lr*weightDecay) instead of Adam's L2 term. */
  decoupled?: boolean;
  /** Round add(alpha)/addcmul once like PyTorch's AVX2 CPU kernels (default true). */
  fused?: boolean;
}

/** Pointers to the buffers of one parameter for {@link WasmKernels.adamStep}. */
export interface AdamBuffers {
  param: number;
  grad: number;
  expAvg: number;
  expAvgSq: number;
  /** Required when amsgrad. */
  maxExpAvgSq?: number;
}

/** Shape and hyper-parameters of a 2-D convolution (PyTorch conv2d names). */
export interface Conv2dShape {
  N: number;
  C: number;
  H: number;
  W: number;
  OC: number;
  KH: number;
  KW: number;
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
  groups?: number;
}

/** Output spatial size of a convolution or pooling window (floor mode). */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number, dilation: number): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * One instance of the kernels over one memory, with its allocator, scratch arena and
 * pre-allocated sgemm workspace.
 */
export class WasmKernels {
  /** Raw kernel exports (pointers are byte offsets into {@link memory}). */
  readonly exports: KernelExports;
  /** Allocator for resident buffers. */
  readonly heap: WasmHeap;
  /** Arena for per-call temporaries. */
  readonly scratch: ScratchArena;
  /** The sgemm workspace (sgemm_workspace_bytes() bytes). */
  readonly gemmWorkspace: number;
  private buf: ArrayBuffer | SharedArrayBuffer;
  /** Every buffer object the memory has exposed (views of any of them are views of the memory). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly growListeners: (() => void)[] = [];
  private convWork = 0;
  private convWorkBytes = 0;

  constructor(
    /** The module memory. */
    readonly memory: WebAssembly.Memory,
    /** Whether {@link memory} is a shared memory. */
    readonly shared: boolean,
    exports: KernelExports,
    heapBase: number,
    /** The compiled module (workers instantiate it over the same shared memory). */
    readonly module: WebAssembly.Module | null = null,
  ) {
    this.exports = exports;
    this.buf = memory.buffer;
    this.buffers.add(this.buf);
    this.heap = new WasmHeap(memory, heapBase, () => {
      this.buf = memory.buffer;
      this.buffers.add(this.buf);
      for (const f of this.growListeners) f();
    });
    this.gemmWorkspace = this.heap.alloc(exports.sgemm_workspace_bytes());
    this.scratch = new ScratchArena(this.heap);
  }

  /** The current memory buffer (re-read after growth; a grown shared memory keeps old views valid). */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    if (this.buf.byteLength !== this.memory.buffer.byteLength) {
      this.buf = this.memory.buffer;
      this.buffers.add(this.buf);
    }
    return this.buf;
  }

  /** Call `f` after every growth of the memory (an unshared memory detaches its old views then). */
  onGrow(f: () => void): void {
    this.growListeners.push(f);
  }

  /**
   * The byte offset in {@link memory} of a typed array that is a view of it (created from any
   * buffer the memory has had), or -1 for an array elsewhere (the JavaScript heap).
   */
  addressOf(a: ArrayBufferView): number {
    return this.buffers.has(a.buffer) ? a.byteOffset : -1;
  }

  /** A Float32Array view of `length` floats at byte offset `ptr`. Re-derive views after allocating. */
  f32(ptr: number, length: number): Float32Array {
    let b = this.buf;
    if (ptr + 4 * length > b.byteLength) b = this.buffer;
    return new Float32Array(b, ptr, length);
  }

  /** An Int32Array view of `length` ints at byte offset `ptr`. */
  i32(ptr: number, length: number): Int32Array {
    let b = this.buf;
    if (ptr + 4 * length > b.byteLength) b = this.buffer;
    return new Int32Array(b, ptr, length);
  }

  /** Allocate a resident float32 buffer of `length` elements (uninitialized); free with `heap.free`. */
  allocF32(length: number): number {
    return this.heap.alloc(4 * length);
  }

  /** Copy `src` into a fresh scratch block and return its pointer. */
  scratchFrom(src: Float32Array | Int32Array): number {
    const ptr = this.scratch.alloc(src.byteLength);
    if (src instanceof Float32Array) this.f32(ptr, src.length).set(src);
    else this.i32(ptr, src.length).set(src);
    return ptr;
  }

  /**
   * C[b] (= or +=) A[b]·B[b] with element strides (see {@link KernelExports.sgemm}); uses the
   * instance's workspace. Defaults: row-major contiguous A [M,K], B [K,N], C [M,N], batch 1.
   */
  sgemm(o: {
    M: number; N: number; K: number; A: number; B: number; C: number;
    batch?: number; strideA?: [batch: number, row: number, col: number];
    strideB?: [batch: number, row: number, col: number]; strideC?: [batch: number, row: number];
    accumulate?: boolean;
  }): void {
    const { M, N, K } = o;
    const [sAb, sAm, sAk] = o.strideA ?? [M * K, K, 1];
    const [sBb, sBk, sBn] = o.strideB ?? [K * N, N, 1];
    const [sCb, ldc] = o.strideC ?? [M * N, N];
    this.exports.sgemm(o.batch ?? 1, M, N, K, o.A, sAb, sAm, sAk, o.B, sBb, sBk, sBn, o.C, sCb, ldc, o.accumulate ? 1 : 0, this.gemmWorkspace);
  }

  /** A workspace big enough for a convolution of this shape (kept and grown as needed). */
  convWorkspace(s: Conv2dShape): number {
    const [OH, OW] = this.convOut(s);
    return this.convWorkspaceBytes(this.exports.conv2d_workspace_bytes(s.C, s.KH, s.KW, OH, OW, s.groups ?? 1));
  }

  /** The conv workspace, grown to at least `bytes` bytes. */
  convWorkspaceBytes(bytes: number): number {
    if (bytes > this.convWorkBytes) {
      if (this.convWork) this.heap.free(this.convWork);
      this.convWork = this.heap.alloc(bytes);
      this.convWorkBytes = this.heap.blockSize(this.convWork);
    }
    return this.convWork;
  }

  /** [OH, OW] of a convolution. */
  convOut(s: Conv2dShape): [number, number] {
    const [sh, sw] = s.stride ?? [1, 1];
    const [ph, pw] = s.padding ?? [0, 0];
    const [dh, dw] = s.dilation ?? [1, 1];
    return [convOutputSize(s.H, s.KH, sh, ph, dh), convOutputSize(s.W, s.KW, sw, pw, dw)];
  }

  private convArgs(s: Conv2dShape): number[] {
    const [sh, sw] = s.stride ?? [1, 1];
    const [ph, pw] = s.padding ?? [0, 0];
    const [dh, dw] = s.dilation ?? [1, 1];
    const [OH, OW] = this.convOut(s);
    return [s.N, s.C, s.H, s.W, s.OC, s.KH, s.KW, sh, sw, ph, pw, dh, dw, s.groups ?? 1, OH, OW];
  }

  /** y = conv2d(x, w) + bias (bias pointer 0 for none). */
  conv2dForward(s: Conv2dShape, x: number, w: number, bias: number, y: number): void {
    const work = this.convWorkspace(s);
    const a = this.convArgs(s);
    this.exports.conv2d_forward(x, w, bias, y, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!, work);
  }

  /** gx = gradient of conv2d w.r.t. its input (overwrites gx). */
  conv2dBackwardInput(s: Conv2dShape, gy: number, w: number, gx: number): void {
    const work = this.convWorkspace(s);
    const a = this.convArgs(s);
    this.exports.conv2d_backward_input(gy, w, gx, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!, work);
  }

  /** gw (and gbias unless 0) = gradients of conv2d w.r.t. weight and bias; `accumulate` adds to them. */
  conv2dBackwardWeight(s: Conv2dShape, x: number, gy: number, gw: number, gbias: number, accumulate = false): void {
    const [OH, OW] = this.convOut(s);
    const work = this.convWorkspaceBytes(
      this.exports.conv2d_backward_weight_workspace_bytes(s.N, s.C, s.KH, s.KW, OH, OW, s.OC, s.groups ?? 1),
    );
    const a = this.convArgs(s);
    this.exports.conv2d_backward_weight(x, gy, gw, gbias, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!, accumulate ? 1 : 0, work);
  }

  /**
   * One in-place torch.optim.SGD step (PyTorch 1.13.1 single-tensor semantics, bit for bit) over
   * n floats. `buf` is the momentum buffer (0 when momentum is 0); pass `firstStep` when it has
   * no state yet (PyTorch then clones the gradient into it).
   */
  sgdStep(param: number, grad: number, buf: number, n: number, firstStep: boolean, h: SgdHyper): void {
    const momentum = h.momentum ?? 0;
    this.exports.sgd_step(
      param, grad, buf, n, -h.lr, momentum, 1 - (h.dampening ?? 0), h.weightDecay ?? 0,
      h.nesterov ? 1 : 0, h.maximize ? 1 : 0, firstStep ? 1 : 0, h.fused === false ? 0 : 1,
    );
  }

  /**
   * One in-place torch.optim.Adam / AdamW step (PyTorch 1.13.1 single-tensor semantics, bit for
   * bit) over n floats; `step` is the step count after incrementing (1 on the first step).
   */
  adamStep(b: AdamBuffers, n: number, step: number, h: AdamHyper): void {
    const s = adamScalars(step, h);
    if (h.amsgrad && !b.maxExpAvgSq) throw new Error("adamStep: amsgrad needs maxExpAvgSq");
    this.exports.adam_step(
      b.param, b.grad, b.expAvg, b.expAvgSq, h.amsgrad ? b.maxExpAvgSq! : 0, n,
      s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.negStepSize, s.biasCorrection2Sqrt, s.eps,
      s.weightDecay, s.paramDecay, h.maximize ? 1 : 0, h.fused === false ? 0 : 1,
    );
  }
}

/**
 * The float32 scalars of one Adam/AdamW step, computed in double exactly as PyTorch's Python code
 * does and then rounded to float32 as the tensor kernels do.
 */
export function adamScalars(step: number, h: AdamHyper): {
  beta1: number; oneMinusBeta1: number; beta2: number; oneMinusBeta2: number;
  negStepSize: number; biasCorrection2Sqrt: number; eps: number; weightDecay: number; paramDecay: number;
} {
  const f = Math.fround;
  const wd = h.weightDecay ?? 0;
  const biasCorrection1 = 1 - h.beta1 ** step;
  const biasCorrection2 = 1 - h.beta2 ** step;
  const stepSize = h.lr / biasCorrection1;
  return {
    beta1: f(h.beta1),
    oneMinusBeta1: f(1 - h.beta1),
    beta2: f(h.beta2),
    oneMinusBeta2: f(1 - h.beta2),
    negStepSize: f(-stepSize),
    biasCorrection2Sqrt: f(Math.sqrt(biasCorrection2)),
    eps: f(h.eps),
    weightDecay: h.decoupled ? 0 : f(wd),
    paramDecay: h.decoupled ? f(1 - h.lr * wd) : 1,
  };
}
