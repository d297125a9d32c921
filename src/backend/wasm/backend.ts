/**
 * The WASM SIMD backend: float32 kernels from csrc/ (f32x4, see ./README.md) behind the Backend
 * interface, with the CPU backend as the reference it is tested against and as the delegate for
 * everything it does not accelerate (float64/int32/bool, layouts the kernels do not cover, small
 * elementwise ops where the call costs more than the loop).
 *
 * Memory model: storages live on the JavaScript heap (CpuStorage, reclaimed by the GC), so a
 * synchronous training loop never needs `dispose`. A kernel call copies its operands into the
 * module's scratch arena (`TypedArray.prototype.set`, the span of the view's elements, strides
 * kept), runs, copies the result out and resets the arena. Persistent storages (`alloc(…,
 * { persistent: true })`, used for optimizer state) live in the module memory and are used in
 * place; a typed array that is a view of the module memory is never copied.
 *
 * Threads: with `setThreads(n)` (shared memory only) sgemm — and with it matmul, linear and the
 * convolutions — is split by rows, columns or batch across worker threads, and optimizer steps by
 * element ranges; every output element is computed by exactly the same instructions as on one
 * thread, so results do not depend on the thread count.
 *
 * Numerics (see ./README.md): elementwise ops, relu and its backward, pooling and optimizer steps
 * are bit-identical to the CPU backend; matmul/linear/conv accumulate in float32 (the CPU backend
 * in float64), softmax/sums/NLL agree to float32 rounding.
 */
import type {
  AllocOptions, AvgPool2dArgs, Backend, BinaryOp, Conv2dArgs, LinearArgs, MatmulArgs, OptimizerStep,
  Pool2dArgs, ReduceOp, Storage, Strided, UnaryOp,
} from "../backend.js";
import { CpuBackend } from "../cpu/index.js";
import { CpuStorage } from "../cpu/storage.js";
import { bnAffine, bnDims } from "../cpu/batchnorm.js";
import type { DType, TypedArray } from "../../tensor/dtype.js";
import { contiguousStrides, isContiguous, type Shape } from "../../tensor/shape.js";
import { adamScalars, BinaryOp as BinaryCode, type KernelExports, type WasmKernels } from "./module.js";
import { ResidentPool } from "./storage.js";
import type { ThreadPool } from "./threads.js";

/** A staged operand: byte pointer to its element (0, …, 0) in module memory, element strides. */
interface Staged {
  ptr: number;
  strides: readonly number[];
}

/** Below this many multiply-adds a product is not split across threads (wake-up costs ~15 µs). */
const PARALLEL_MIN_MACS = 1 << 20;
/** Below this many elements an optimizer step is not split across threads. */
const PARALLEL_MIN_ELEMENTS = 1 << 16;
/** Elementwise ops and sums over fewer elements stay in JavaScript (measured break-even, bench/backend_ops.ts). */
const ELEMENTWISE_MIN = 1024;
/** Persistent float32 buffers smaller than this stay on the JavaScript heap. */
const PERSISTENT_MIN = 1024;

const BINARY_CODES: Partial<Record<BinaryOp, number>> = {
  add: BinaryCode.add, sub: BinaryCode.sub, mul: BinaryCode.mul, div: BinaryCode.div,
};

function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function isF32(s: Strided | Storage): boolean {
  return ("storage" in s ? s.storage.dtype : s.dtype) === "float32";
}

export class WasmBackend implements Backend {
  readonly name = "wasm";
  /** The reference backend, used for everything not accelerated here. */
  readonly cpu = new CpuBackend();
  private readonly resident: ResidentPool;
  private threads = 1;
  /** Elementwise ops and sums with fewer elements run on the CPU backend (a tuning knob for benchmarks). */
  elementwiseMin = ELEMENTWISE_MIN;

  constructor(
    /** The kernels instance (module memory, heap, scratch arena). */
    readonly kernels: WasmKernels,
    /** Worker threads over the same memory (null: single-threaded only). */
    readonly pool: ThreadPool | null = null,
  ) {
    this.resident = new ResidentPool(kernels);
  }

  /** Threads the kernels may use (main thread included); clamped to 1 without a pool. */
  setThreads(n: number): void {
    this.threads = this.pool ? n : 1;
    this.pool?.setThreads(this.threads);
  }

  /** The thread count set by {@link setThreads}. */
  getThreads(): number {
    return this.threads;
  }

  /** Resident storages not yet garbage-collected (for tests). */
  get residentCount(): number {
    return this.resident.count;
  }

  // ---- storage -------------------------------------------------------------------------------

  alloc(dtype: DType, size: number, options?: AllocOptions): Storage {
    if (options?.persistent && dtype === "float32" && size >= PERSISTENT_MIN) {
      try {
        return this.resident.alloc(size);
      } catch (e) {
        // the module memory cannot grow (4 GiB, or the engine refused): keep it on the JS heap
        if (!(e instanceof RangeError)) throw e;
      }
    }
    return this.cpu.alloc(dtype, size);
  }

  wrap(data: TypedArray): Storage {
    return new CpuStorage(data);
  }

  // ---- elementwise -----------------------------------------------------------------------------

  unary(op: UnaryOp, x: Strided, out: Strided, p0?: number, p1?: number): void {
    if ((op === "relu" || op === "exp" || op === "log") && this.sameLayoutF32(x, out)) {
      const n = numelOf(out.shape);
      this.run(() => {
        const xs = this.stage(x, true);
        const o = this.outputAt(out, n);
        const e = this.kernels.exports;
        if (op === "relu") e.f32_relu(xs.ptr, o, n);
        else if (op === "exp") e.f32_exp(xs.ptr, o, n);
        else e.f32_log(xs.ptr, o, n);
        this.finishAt(out, o, n);
      });
      return;
    }
    this.cpu.unary(op, x, out, p0, p1);
  }

  binary(op: BinaryOp, a: Strided, b: Strided, out: Strided, p0?: number): void {
    if (isF32(a) && isF32(b) && isF32(out) && numelOf(out.shape) >= this.elementwiseMin && isContiguous(out.shape, out.strides)) {
      const code = BINARY_CODES[op];
      if (code !== undefined && this.binaryKernel(code, a, b, out)) return;
      if (op === "reluBackward" && isContiguous(a.shape, a.strides) && isContiguous(b.shape, b.strides)) {
        const n = numelOf(out.shape);
        this.run(() => {
          const as = this.stage(a, true);
          const bs = this.stage(b, true);
          const o = this.outputAt(out, n);
          this.kernels.exports.f32_relu_backward(as.ptr, bs.ptr, o, n);
          this.finishAt(out, o, n);
        });
        return;
      }
    }
    this.cpu.binary(op, a, b, out, p0);
  }

  where(cond: Strided, a: Strided, b: Strided, out: Strided): void {
    this.cpu.where(cond, a, b, out);
  }

  copy(src: Strided, out: Strided): void {
    this.cpu.copy(src, out);
  }

  fill(out: Strided, value: number): void {
    this.cpu.fill(out, value);
  }

  // ---- reductions ----------------------------------------------------------------------------

  reduce(op: ReduceOp, x: Strided, dims: readonly number[], out: Storage): void {
    const n = numelOf(x.shape);
    if (op === "sum" && isF32(x) && isF32(out) && n >= this.elementwiseMin && isContiguous(x.shape, x.strides)) {
      // reduced dims must form one leading or one trailing block of the shape
      const nd = x.shape.length;
      const set = new Set(dims.map((d) => (d < 0 ? d + nd : d)));
      let lead = 0;
      while (lead < nd && set.has(lead)) lead++;
      let trail = 0;
      while (trail < nd && set.has(nd - 1 - trail)) trail++;
      const e = this.kernels.exports;
      if (set.size === nd || lead === set.size || trail === set.size) {
        this.run(() => {
          const xs = this.stage(x, true);
          if (set.size === nd) {
            (out.data as Float32Array)[0] = e.f32_sum(xs.ptr, n);
            return;
          }
          const o = this.outputFor(out, out.size);
          if (lead === set.size) {
            const m = numelOf(x.shape.slice(0, lead));
            e.f32_col_sum(xs.ptr, o, m, n / m, 0);
          } else {
            const cols = numelOf(x.shape.slice(nd - trail));
            e.f32_row_sum(xs.ptr, o, n / cols, cols);
          }
          this.finishFor(out, o, out.size);
        });
        return;
      }
    }
    this.cpu.reduce(op, x, dims, out);
  }

  argReduce(op: "argmax" | "argmin", x: Strided, dim: number, out: Storage): void {
    this.cpu.argReduce(op, x, dim, out);
  }

  // ---- products ------------------------------------------------------------------------------

  matmul(a: Strided, b: Strided, out: Storage, args: MatmulArgs): void {
    const { batch, m, n, k } = args;
    if (!isF32(a) || !isF32(b) || !isF32(out) || batch * m * n === 0) {
      this.cpu.matmul(a, b, out, args);
      return;
    }
    this.run(() => {
      const as = this.stage(a);
      const bs = this.stage(b);
      const o = this.outputFor(out, batch * m * n);
      const [sab, sam, sak] = as.strides as [number, number, number];
      const [sbb, sbk, sbn] = bs.strides as [number, number, number];
      this.sgemm(batch, m, n, k, as.ptr, sab, sam, sak, bs.ptr, sbb, sbk, sbn, o, m * n, n, false);
      this.finishFor(out, o, batch * m * n);
    });
  }

  linear(x: Strided, weight: Strided, bias: Strided | null, out: Storage, args: LinearArgs): void {
    const { m, n, k } = args;
    if (!isF32(x) || !isF32(weight) || (bias !== null && !isF32(bias)) || !isF32(out) || m * n === 0) {
      this.cpu.linear(x, weight, bias, out, args);
      return;
    }
    this.run(() => {
      const xs = this.stage(x);
      const ws = this.stage(weight);
      const o = this.outputFor(out, m * n);
      if (bias !== null) {
        const bs = this.stage(bias, true);
        this.kernels.exports.f32_repeat_rows(bs.ptr, o, m, n);
      }
      const [xsm, xsk] = xs.strides as [number, number];
      const [wsn, wsk] = ws.strides as [number, number];
      this.sgemm(1, m, n, k, xs.ptr, 0, xsm, xsk, ws.ptr, 0, wsk, wsn, o, 0, n, bias !== null);
      this.finishFor(out, o, m * n);
    });
  }

  // ---- softmax family ------------------------------------------------------------------------

  softmax(x: Strided, dim: number, out: Storage, log: boolean): void {
    const rows = this.lastDimRows(x, dim);
    if (rows === null || !isF32(out)) {
      this.cpu.softmax(x, dim, out, log);
      return;
    }
    const [m, n] = rows;
    this.run(() => {
      const xs = this.stage(x, true);
      const o = this.outputFor(out, m * n);
      if (log) this.kernels.exports.f32_log_softmax_rows(xs.ptr, o, m, n);
      else this.kernels.exports.f32_softmax_rows(xs.ptr, o, m, n);
      this.finishFor(out, o, m * n);
    });
  }

  softmaxBackward(y: Strided, gy: Strided, dim: number, out: Storage, log: boolean): void {
    const rows = this.lastDimRows(y, dim);
    if (rows === null || this.lastDimRows(gy, dim) === null || !isF32(out)) {
      this.cpu.softmaxBackward(y, gy, dim, out, log);
      return;
    }
    const [m, n] = rows;
    this.run(() => {
      const ys = this.stage(y, true);
      const gs = this.stage(gy, true);
      const o = this.outputFor(out, m * n);
      if (log) this.kernels.exports.f32_log_softmax_backward(ys.ptr, gs.ptr, o, m, n);
      else this.kernels.exports.f32_softmax_backward(ys.ptr, gs.ptr, o, m, n);
      this.finishFor(out, o, m * n);
    });
  }

  logsumexp(x: Strided, dim: number, out: Storage): void {
    this.cpu.logsumexp(x, dim, out);
  }

  // ---- indexing (CPU) ------------------------------------------------------------------------

  gather(x: Strided, dim: number, index: Strided, out: Storage): void {
    this.cpu.gather(x, dim, index, out);
  }
  scatterAdd(out: Strided, dim: number, index: Strided, src: Strided): void {
    this.cpu.scatterAdd(out, dim, index, src);
  }
  indexSelect(x: Strided, dim: number, index: Strided, out: Storage): void {
    this.cpu.indexSelect(x, dim, index, out);
  }
  indexAdd(out: Strided, dim: number, index: Strided, src: Strided): void {
    this.cpu.indexAdd(out, dim, index, src);
  }

  // ---- convolution and pooling ---------------------------------------------------------------

  conv2d(x: Strided, w: Strided, bias: Strided | null, out: Storage, args: Conv2dArgs): void {
    if (!isF32(x) || !isF32(w) || (bias !== null && !isF32(bias)) || !isF32(out) || out.size === 0) {
      this.cpu.conv2d(x, w, bias, out, args);
      return;
    }
    this.run(() => {
      const xs = this.stage(x, true);
      const ws = this.stage(w, true);
      const bs = bias === null ? 0 : this.stage(bias, true).ptr;
      const o = this.outputFor(out, out.size);
      const a = args;
      const inImage = 4 * a.inChannels * a.inH * a.inW;
      const outImage = 4 * a.outChannels * a.outH * a.outW;
      this.convByImages("conv2d_forward", a, (t, n0, n1, work) => [
        xs.ptr + n0 * inImage, ws.ptr, bs, o + n0 * outImage, ...convShape(a, n1 - n0), work,
      ]);
      this.finishFor(out, o, out.size);
    });
  }

  conv2dBackwardInput(gy: Strided, w: Strided, gx: Storage, args: Conv2dArgs): void {
    if (!isF32(gy) || !isF32(w) || !isF32(gx) || gx.size === 0) {
      this.cpu.conv2dBackwardInput(gy, w, gx, args);
      return;
    }
    this.run(() => {
      const gs = this.stage(gy, true);
      const ws = this.stage(w, true);
      const o = this.outputFor(gx, gx.size);
      const a = args;
      const inImage = 4 * a.inChannels * a.inH * a.inW;
      const outImage = 4 * a.outChannels * a.outH * a.outW;
      if (a.outChannels * a.outH * a.outW === 0) this.kernels.exports.f32_fill(o, 0, gx.size);
      else
        this.convByImages("conv2d_backward_input", a, (t, n0, n1, work) => [
          gs.ptr + n0 * outImage, ws.ptr, o + n0 * inImage, ...convShape(a, n1 - n0), work,
        ]);
      this.finishFor(gx, o, gx.size);
    });
  }

  conv2dBackwardWeight(x: Strided, gy: Strided, gw: Storage, gbias: Storage | null, args: Conv2dArgs): void {
    if (!isF32(x) || !isF32(gy) || !isF32(gw) || (gbias !== null && !isF32(gbias))) {
      this.cpu.conv2dBackwardWeight(x, gy, gw, gbias, args);
      return;
    }
    this.run(() => {
      const xs = this.stage(x, true);
      const gs = this.stage(gy, true);
      const o = this.outputFor(gw, Math.max(gw.size, 1));
      const ob = gbias === null ? 0 : this.outputFor(gbias, Math.max(gbias.size, 1));
      const a = args;
      const work = this.kernels.convWorkspaceBytes(
        this.kernels.exports.conv2d_backward_weight_workspace_bytes(
          a.batch, a.inChannels, a.kernelH, a.kernelW, a.outH, a.outW, a.outChannels, a.groups,
        ),
      );
      const call = [xs.ptr, gs.ptr, o, ob, ...convShape(a, a.batch), 0, work];
      (this.kernels.exports.conv2d_backward_weight as (...x: number[]) => void)(...call);
      this.finishFor(gw, o, gw.size);
      if (gbias !== null) this.finishFor(gbias, ob, gbias.size);
    });
  }

  maxPool2d(x: Strided, out: Storage, indices: Storage, args: Pool2dArgs): void {
    if (!isF32(x) || !isF32(out) || out.size === 0) {
      this.cpu.maxPool2d(x, out, indices, args);
      return;
    }
    this.run(() => {
      const xs = this.stage(x, true);
      const o = this.outputFor(out, out.size);
      const idx = this.kernels.scratch.alloc(4 * out.size);
      const a = args;
      this.kernels.exports.maxpool2d_forward(
        xs.ptr, o, idx, a.batch * a.channels, a.inH, a.inW, a.outH, a.outW,
        a.kernelH, a.kernelW, a.strideH, a.strideW, a.padH, a.padW, a.dilationH, a.dilationW,
      );
      this.finishFor(out, o, out.size);
      (indices.data as Int32Array).set(this.kernels.i32(idx, out.size));
    });
  }

  maxPool2dBackward(gy: Strided, indices: Strided, gx: Storage, args: Pool2dArgs): void {
    if (!isF32(gy) || !isF32(gx) || gx.size === 0) {
      this.cpu.maxPool2dBackward(gy, indices, gx, args);
      return;
    }
    this.run(() => {
      const gs = this.stage(gy, true);
      const is = this.stage(indices, true);
      const o = this.outputFor(gx, gx.size);
      const a = args;
      this.kernels.exports.maxpool2d_backward(gs.ptr, is.ptr, o, a.batch * a.channels, a.inH, a.inW, a.outH, a.outW);
      this.finishFor(gx, o, gx.size);
    });
  }

  avgPool2d(x: Strided, out: Storage, args: AvgPool2dArgs): void {
    if (!isF32(x) || !isF32(out) || out.size === 0) {
      this.cpu.avgPool2d(x, out, args);
      return;
    }
    this.run(() => {
      const xs = this.stage(x, true);
      const o = this.outputFor(out, out.size);
      this.kernels.exports.avgpool2d_forward(xs.ptr, o, ...avgArgs(args));
      this.finishFor(out, o, out.size);
    });
  }

  avgPool2dBackward(gy: Strided, gx: Storage, args: AvgPool2dArgs): void {
    if (!isF32(gy) || !isF32(gx) || gx.size === 0) {
      this.cpu.avgPool2dBackward(gy, gx, args);
      return;
    }
    this.run(() => {
      const gs = this.stage(gy, true);
      const o = this.outputFor(gx, gx.size);
      this.kernels.exports.avgpool2d_backward(gs.ptr, o, ...avgArgs(args));
      this.finishFor(gx, o, gx.size);
    });
  }

  // ---- losses --------------------------------------------------------------------------------

  nllLoss(x: Strided, target: Strided, weight: Strided | null, ignoreIndex: number, out: Storage, lse: Storage | null): number {
    const [N, C, K] = x.shape as [number, number, number];
    if (!isF32(x) || !isF32(out) || (weight !== null && !isF32(weight)) || (lse !== null && lse.dtype !== "float64") || N * K === 0) {
      return this.cpu.nllLoss(x, target, weight, ignoreIndex, out, lse);
    }
    checkTargets(target, C, ignoreIndex);
    let total = 0;
    this.run(() => {
      const xs = this.stage(x);
      const ts = this.stage(target);
      const wsg = weight === null ? null : this.stage(weight);
      const o = this.outputFor(out, N * K);
      const l = lse === null ? 0 : this.kernels.scratch.alloc(8 * N * K);
      const [sxn, sxc, sxk] = xs.strides as [number, number, number];
      const [stn, stk] = ts.strides as [number, number];
      total = this.kernels.exports.nll_loss_forward(
        xs.ptr, N, C, K, sxn, sxc, sxk, ts.ptr, stn, stk, wsg ? wsg.ptr : 0, wsg ? wsg.strides[0]! : 0, ignoreIndex, o, l,
      );
      this.finishFor(out, o, N * K);
      if (lse !== null) (lse.data as Float64Array).set(new Float64Array(this.kernels.buffer, l, N * K));
    });
    return total;
  }

  nllLossBackward(
    x: Strided, target: Strided, weight: Strided | null, ignoreIndex: number,
    gOut: Strided, scale: number, lse: Storage | null, gx: Storage,
  ): void {
    const [N, C, K] = x.shape as [number, number, number];
    if (
      !isF32(x) || !isF32(gx) || !isF32(gOut) || (weight !== null && !isF32(weight)) ||
      (lse !== null && lse.dtype !== "float64") || N * C * K === 0
    ) {
      this.cpu.nllLossBackward(x, target, weight, ignoreIndex, gOut, scale, lse, gx);
      return;
    }
    this.run(() => {
      const xs = this.stage(x);
      const ts = this.stage(target);
      const wsg = weight === null ? null : this.stage(weight);
      const gs = this.stage(gOut);
      let l = 0;
      if (lse !== null) {
        l = this.kernels.scratch.alloc(8 * N * K);
        new Float64Array(this.kernels.buffer, l, N * K).set((lse.data as Float64Array).subarray(0, N * K));
      }
      const o = this.outputFor(gx, N * C * K);
      const [sxn, sxc, sxk] = xs.strides as [number, number, number];
      const [stn, stk] = ts.strides as [number, number];
      const [sgn, sgk] = gs.strides as [number, number];
      this.kernels.exports.nll_loss_backward(
        xs.ptr, N, C, K, sxn, sxc, sxk, ts.ptr, stn, stk, wsg ? wsg.ptr : 0, wsg ? wsg.strides[0]! : 0, ignoreIndex,
        gs.ptr, sgn, sgk, scale, l, o,
      );
      this.finishFor(gx, o, N * C * K);
    });
  }

  ctcLoss(
    logProbs: Strided, targets: Strided, inputLengths: Int32Array, targetLengths: Int32Array,
    blank: number, nll: Storage, logAlpha: Storage,
  ): void {
    this.cpu.ctcLoss(logProbs, targets, inputLengths, targetLengths, blank, nll, logAlpha);
  }

  ctcLossBackward(
    logProbs: Strided, targets: Strided, inputLengths: Int32Array, targetLengths: Int32Array,
    blank: number, nll: Storage, logAlpha: Storage, gOut: Strided, zeroInfinity: boolean, grad: Storage,
  ): void {
    this.cpu.ctcLossBackward(logProbs, targets, inputLengths, targetLengths, blank, nll, logAlpha, gOut, zeroInfinity, grad);
  }

  multilabelMarginMask(target: Strided, isTarget: Storage, valid: Storage): void {
    this.cpu.multilabelMarginMask(target, isTarget, valid);
  }

  // ---- batch normalisation -------------------------------------------------------------------

  /** float32, contiguous, big enough for a kernel call to pay off. */
  private batchNormInWasm(x: Strided): boolean {
    return isF32(x) && x.shape.length >= 2 && numelOf(x.shape) >= this.elementwiseMin && isContiguous(x.shape, x.strides);
  }

  batchNormStats(x: Strided, mean: Storage, varSum: Storage): void {
    if (!this.batchNormInWasm(x)) return this.cpu.batchNormStats(x, mean, varSum);
    const [N, C, S] = bnDims(x);
    this.run(() => {
      const xs = this.stage(x, true);
      const m = this.outputFor(mean, C), v = this.outputFor(varSum, C);
      this.kernels.exports.bn_stats(xs.ptr, N, C, S, m, v);
      this.finishFor(mean, m, C);
      this.finishFor(varSum, v, C);
    });
  }

  batchNormForward(x: Strided, mean: Storage, invstd: Storage, weight: Strided | null, bias: Strided | null, out: Storage): void {
    if (!this.batchNormInWasm(x)) return this.cpu.batchNormForward(x, mean, invstd, weight, bias, out);
    const [N, C, S] = bnDims(x);
    // α and β by the reference's own code, so both backends use the same per-channel values
    const alpha = new Float64Array(C), beta = new Float64Array(C);
    bnAffine(C, mean, invstd, weight, bias, Math.fround, alpha, beta);
    const n = N * C * S;
    this.run(() => {
      const k = this.kernels;
      const xs = this.stage(x, true);
      const a = k.scratchFrom(Float32Array.from(alpha)), b = k.scratchFrom(Float32Array.from(beta));
      const o = this.outputFor(out, n);
      k.exports.bn_forward(xs.ptr, a, b, o, N, C, S);
      this.finishFor(out, o, n);
    });
  }

  batchNormBackward(
    x: Strided, gy: Strided, mean: Storage, invstd: Storage, weight: Strided | null, training: boolean,
    gx: Storage | null, gWeight: Storage | null, gBias: Storage | null,
  ): void {
    if (!this.batchNormInWasm(x) || !isF32(gy) || !isContiguous(gy.shape, gy.strides))
      return this.cpu.batchNormBackward(x, gy, mean, invstd, weight, training, gx, gWeight, gBias);
    const [N, C, S] = bnDims(x);
    const w = new Float32Array(C).fill(1);
    if (weight !== null) for (let c = 0; c < C; c++) w[c] = weight.storage.data[weight.offset + c * weight.strides[0]!]!;
    const n = N * C * S;
    this.run(() => {
      const k = this.kernels;
      const xs = this.stage(x, true), gs = this.stage(gy, true);
      const m = k.scratchFrom((mean.data as Float32Array).subarray(0, C)), is = k.scratchFrom((invstd.data as Float32Array).subarray(0, C)), wp = k.scratchFrom(w);
      const o = gx === null ? 0 : this.outputFor(gx, n);
      const gw = gWeight === null ? 0 : this.outputFor(gWeight, C);
      const gb = gBias === null ? 0 : this.outputFor(gBias, C);
      k.exports.bn_backward(xs.ptr, gs.ptr, m, is, wp, N, C, S, training ? 1 : 0, o, gw, gb);
      if (gx !== null) this.finishFor(gx, o, n);
      if (gWeight !== null) this.finishFor(gWeight, gw, C);
      if (gBias !== null) this.finishFor(gBias, gb, C);
    });
  }

  // ---- optimizer steps -----------------------------------------------------------------------

  optimizerStep(s: OptimizerStep): boolean {
    const n = s.param.length;
    if (!(s.param instanceof Float32Array) || !(s.grad instanceof Float32Array) || s.grad.length !== n) return false;
    const arrays: Float32Array[] = [s.param, s.grad];
    if (s.kind === "sgd") {
      if (s.momentumBuffer !== null) arrays.push(s.momentumBuffer as Float32Array);
    } else {
      arrays.push(s.expAvg as Float32Array, s.expAvgSq as Float32Array);
      if (s.hyper.amsgrad) {
        if (s.maxExpAvgSq === null) return false;
        arrays.push(s.maxExpAvgSq as Float32Array);
      }
    }
    for (const a of arrays) if (!(a instanceof Float32Array) || a.length !== n) return false;
    if (n === 0) return true;
    this.run(() => {
      // stage every array (resident ones in place); the grad is only read
      const ptrs = arrays.map((a) => this.stageArray(a));
      if (s.kind === "sgd") {
        const h = s.hyper;
        const buf = s.momentumBuffer !== null ? ptrs[2]! : 0;
        // without a buffer the reference kernel ignores momentum (and so nesterov)
        const tail = [-h.lr, buf ? h.momentum : 0, 1 - h.dampening, h.weightDecay, h.nesterov ? 1 : 0, h.maximize ? 1 : 0, s.firstStep ? 1 : 0, 1];
        this.splitElements("sgd_step", n, (i0, len) => [
          ptrs[0]! + 4 * i0, ptrs[1]! + 4 * i0, buf ? buf + 4 * i0 : 0, len, ...tail,
        ]);
      } else {
        const h = s.hyper;
        const c = adamScalars(s.step, {
          lr: h.lr, beta1: h.betas[0], beta2: h.betas[1], eps: h.eps, weightDecay: h.weightDecay, decoupled: s.decoupled,
        });
        const max = h.amsgrad ? ptrs[4]! : 0;
        const tail = [
          c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.negStepSize, c.biasCorrection2Sqrt, c.eps,
          c.weightDecay, c.paramDecay, h.maximize ? 1 : 0, 1,
        ];
        this.splitElements("adam_step", n, (i0, len) => [
          ptrs[0]! + 4 * i0, ptrs[1]! + 4 * i0, ptrs[2]! + 4 * i0, ptrs[3]! + 4 * i0, max ? max + 4 * i0 : 0, len, ...tail,
        ]);
      }
      // copy back what was staged and written (everything but the grad)
      for (let i = 0; i < arrays.length; i++) {
        if (i === 1) continue;
        const a = arrays[i]!;
        if (this.kernels.addressOf(a) < 0) a.set(this.kernels.f32(ptrs[i]!, n));
      }
    });
    return true;
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Run a kernel body with a fresh scratch arena, reset afterwards. */
  private run(body: () => void): void {
    try {
      body();
    } finally {
      this.kernels.scratch.reset();
    }
  }

  /** Threads usable for the next kernel. */
  private parallelism(): number {
    if (this.threads <= 1 || this.pool === null) return 1;
    return Math.min(this.threads, this.pool.available());
  }

  /**
   * A float32/int32 operand in module memory. Views of module memory are used in place (when
   * `contiguous` is not required or they are contiguous); otherwise the span of storage the view
   * covers is copied with its strides when that span is at most about twice the element count,
   * else the elements are gathered into a contiguous block.
   */
  private stage(x: Strided, contiguous = false): Staged {
    const k = this.kernels;
    const data = x.storage.data as Float32Array | Int32Array;
    const shape = x.shape;
    const n = numelOf(shape);
    const dense = isContiguous(shape, x.strides);
    const addr = k.addressOf(data);
    if (addr >= 0 && (dense || !contiguous)) return { ptr: addr + 4 * x.offset, strides: x.strides };
    if (n === 0) return { ptr: k.scratch.alloc(64), strides: x.strides };
    let lo = x.offset;
    let hi = x.offset;
    for (let d = 0; d < shape.length; d++) {
      const ext = (shape[d]! - 1) * x.strides[d]!;
      if (ext < 0) lo += ext;
      else hi += ext;
    }
    const span = hi - lo + 1;
    if (contiguous ? dense : span <= 2 * n + 64) {
      const ptr = k.scratch.alloc(4 * span);
      const src = data.subarray(lo, hi + 1);
      if (src instanceof Float32Array) k.f32(ptr, span).set(src);
      else k.i32(ptr, span).set(src);
      return { ptr: ptr + 4 * (x.offset - lo), strides: x.strides };
    }
    const ptr = k.scratch.alloc(4 * n);
    const dst = data instanceof Float32Array ? k.f32(ptr, n) : k.i32(ptr, n);
    const strides = contiguousStrides(shape);
    this.cpu.copy(x, { storage: new CpuStorage(dst), shape, strides, offset: 0 });
    return { ptr, strides };
  }

  /** A whole float32 array in module memory (in place when it already lives there). */
  private stageArray(a: Float32Array): number {
    const addr = this.kernels.addressOf(a);
    if (addr >= 0) return addr;
    const ptr = this.kernels.scratch.alloc(4 * a.length);
    this.kernels.f32(ptr, a.length).set(a);
    return ptr;
  }

  /** Where a kernel writes `n` floats of `out`: in place when resident, else a scratch block. */
  private outputFor(out: Storage, n: number): number {
    const addr = this.kernels.addressOf(out.data);
    return addr >= 0 ? addr : this.kernels.scratch.alloc(4 * n);
  }

  /** Copy a result written at `ptr` into `out` (nothing to do when it was written in place). */
  private finishFor(out: Storage, ptr: number, n: number): void {
    if (n === 0 || this.kernels.addressOf(out.data) >= 0) return;
    (out.data as Float32Array).set(this.kernels.f32(ptr, n));
  }

  /** Output pointer for a contiguous (possibly offset) strided output of n elements. */
  private outputAt(out: Strided, n: number): number {
    const addr = this.kernels.addressOf(out.storage.data);
    return addr >= 0 ? addr + 4 * out.offset : this.kernels.scratch.alloc(4 * n);
  }

  private finishAt(out: Strided, ptr: number, n: number): void {
    const data = out.storage.data as Float32Array;
    if (n === 0 || this.kernels.addressOf(data) >= 0) return;
    data.set(this.kernels.f32(ptr, n), out.offset);
  }

  /** x and out float32 with the same shape, both contiguous, and big enough to be worth a call. */
  private sameLayoutF32(x: Strided, out: Strided): boolean {
    return (
      isF32(x) && isF32(out) && numelOf(out.shape) >= this.elementwiseMin &&
      isContiguous(x.shape, x.strides) && isContiguous(out.shape, out.strides)
    );
  }

  /**
   * out = a op b for contiguous out when a and b are each either contiguous in out's shape, a
   * scalar (all strides 0), a row broadcast (stride 0 over every dim but a contiguous trailing
   * block) or a column broadcast (contiguous leading block, stride 0 over the rest).
   */
  private binaryKernel(code: number, a: Strided, b: Strided, out: Strided): boolean {
    const shape = out.shape;
    const n = numelOf(shape);
    const ka = broadcastKind(a);
    const kb = broadcastKind(b);
    if (ka === null || kb === null) return false;
    const e = this.kernels.exports;
    if (ka.kind === "full" && kb.kind === "full") {
      this.run(() => {
        const as = this.stage(a, true);
        const bs = this.stage(b, true);
        const o = this.outputAt(out, n);
        e.f32_binary(code, as.ptr, bs.ptr, o, n);
        this.finishAt(out, o, n);
      });
      return true;
    }
    // one side full, the other broadcast
    let full: Strided;
    let part: Strided;
    let kind: Broadcast;
    let reverse: number;
    if (ka.kind === "full") {
      full = a; part = b; kind = kb; reverse = 0;
    } else if (kb.kind === "full") {
      full = b; part = a; kind = ka; reverse = 1;
    } else return false;
    const size = kind.kind === "row" || kind.kind === "col" ? kind.size : 1;
    const which = kind.kind;
    this.run(() => {
      const fs = this.stage(full, true);
      const o = this.outputAt(out, n);
      const pdata = part.storage.data as Float32Array;
      if (which === "scalar") {
        e.f32_binary_scalar(code, fs.ptr, pdata[part.offset]!, o, n, reverse);
      } else {
        const ps = this.stageArray(pdata.subarray(part.offset, part.offset + size));
        if (which === "row") e.f32_binary_row(code, fs.ptr, ps, o, n / size, size, reverse);
        else e.f32_binary_col(code, fs.ptr, ps, o, size, n / size, reverse);
      }
      this.finishAt(out, o, n);
    });
    return true;
  }

  /** [rows, n] when softmax along `dim` of x is row-wise over a contiguous float32 tensor. */
  private lastDimRows(x: Strided, dim: number): [number, number] | null {
    const nd = x.shape.length;
    const d = dim < 0 ? dim + nd : dim;
    if (!isF32(x) || nd === 0 || d !== nd - 1 || !isContiguous(x.shape, x.strides)) return null;
    const n = x.shape[nd - 1]!;
    const total = numelOf(x.shape);
    if (n === 0 || total === 0) return null;
    return [total / n, n];
  }

  /** C[b] (= or +=) A[b]·B[b] (byte pointers, element strides), split across threads. */
  private sgemm(
    batch: number, M: number, N: number, K: number,
    A: number, sAb: number, sAm: number, sAk: number,
    B: number, sBb: number, sBk: number, sBn: number,
    C: number, sCb: number, ldc: number, accumulate: boolean,
  ): void {
    const acc = accumulate ? 1 : 0;
    const T = batch * M * N * K >= PARALLEL_MIN_MACS ? this.parallelism() : 1;
    if (T <= 1) {
      this.kernels.exports.sgemm(batch, M, N, K, A, sAb, sAm, sAk, B, sBb, sBk, sBn, C, sCb, ldc, acc, this.kernels.gemmWorkspace);
      return;
    }
    const pool = this.pool!;
    const calls: number[][] = [];
    if (batch >= T) {
      const per = Math.ceil(batch / T);
      for (let t = 0, b0 = 0; b0 < batch; t++, b0 += per) {
        const nb = Math.min(per, batch - b0);
        calls.push([nb, M, N, K, A + 4 * b0 * sAb, sAb, sAm, sAk, B + 4 * b0 * sBb, sBb, sBk, sBn, C + 4 * b0 * sCb, sCb, ldc, acc, pool.gemmWorkspace(t)]);
      }
    } else if (M >= N) {
      const per = Math.ceil(M / T / 4) * 4;
      for (let t = 0, i0 = 0; i0 < M; t++, i0 += per) {
        const m = Math.min(per, M - i0);
        calls.push([batch, m, N, K, A + 4 * i0 * sAm, sAb, sAm, sAk, B, sBb, sBk, sBn, C + 4 * i0 * ldc, sCb, ldc, acc, pool.gemmWorkspace(t)]);
      }
    } else {
      const per = Math.ceil(N / T / 8) * 8;
      for (let t = 0, j0 = 0; j0 < N; t++, j0 += per) {
        const nn = Math.min(per, N - j0);
        calls.push([batch, M, nn, K, A, sAb, sAm, sAk, B + 4 * j0 * sBn, sBb, sBk, sBn, C + 4 * j0, sCb, ldc, acc, pool.gemmWorkspace(t)]);
      }
    }
    pool.run("sgemm", calls);
  }

  /** Run a per-image conv kernel over the batch, split across threads by images. */
  private convByImages(
    fn: keyof KernelExports, a: Conv2dArgs, args: (t: number, n0: number, n1: number, work: number) => number[],
  ): void {
    const bytes = this.convWorkBytes(a);
    const macs = a.batch * a.outChannels * a.outH * a.outW * (a.inChannels / a.groups) * a.kernelH * a.kernelW;
    const T = macs >= PARALLEL_MIN_MACS ? Math.min(this.parallelism(), a.batch) : 1;
    if (T <= 1) {
      const call = args(0, 0, a.batch, this.kernels.convWorkspaceBytes(bytes));
      (this.kernels.exports[fn] as (...x: number[]) => void)(...call);
      return;
    }
    const pool = this.pool!;
    const per = Math.ceil(a.batch / T);
    const calls: number[][] = [];
    for (let t = 0, n0 = 0; n0 < a.batch; t++, n0 += per) calls.push(args(t, n0, Math.min(a.batch, n0 + per), pool.convWorkspace(t, bytes)));
    pool.run(fn, calls);
  }

  private convWorkBytes(a: Conv2dArgs): number {
    return this.kernels.exports.conv2d_workspace_bytes(a.inChannels, a.kernelH, a.kernelW, a.outH, a.outW, a.groups);
  }

  /** Run an elementwise kernel over [0, n), split across threads by element ranges. */
  private splitElements(fn: keyof KernelExports, n: number, args: (i0: number, len: number) => number[]): void {
    const T = n >= PARALLEL_MIN_ELEMENTS ? this.parallelism() : 1;
    if (T <= 1) {
      (this.kernels.exports[fn] as (...x: number[]) => void)(...args(0, n));
      return;
    }
    const per = Math.ceil(n / T / 16) * 16;
    const calls: number[][] = [];
    for (let i0 = 0; i0 < n; i0 += per) calls.push(args(i0, Math.min(per, n - i0)));
    this.pool!.run(fn, calls);
  }
}

/** The 16 shape arguments of the conv kernels for `n` images. */
function convShape(a: Conv2dArgs, n: number): number[] {
  return [
    n, a.inChannels, a.inH, a.inW, a.outChannels, a.kernelH, a.kernelW, a.strideH, a.strideW,
    a.padH, a.padW, a.dilationH, a.dilationW, a.groups, a.outH, a.outW,
  ];
}

function avgArgs(a: AvgPool2dArgs): [number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [
    a.batch * a.channels, a.inH, a.inW, a.outH, a.outW, a.kernelH, a.kernelW, a.strideH, a.strideW,
    a.padH, a.padW, a.countIncludePad ? 1 : 0, a.divisorOverride ?? 0,
  ];
}

type Broadcast = { kind: "full" } | { kind: "scalar" } | { kind: "row" | "col"; size: number };

/** How an operand broadcast to the output's shape is laid out (null: a pattern with no kernel). */
function broadcastKind(x: Strided): Broadcast | null {
  const { shape, strides } = x;
  if (isContiguous(shape, strides)) return { kind: "full" };
  const nd = shape.length;
  let allZero = true;
  for (let d = 0; d < nd; d++) if (shape[d]! > 1 && strides[d] !== 0) allZero = false;
  if (allZero) return { kind: "scalar" };
  // row: zero strides on a leading block, contiguous trailing block
  let split = 0;
  while (split < nd && (strides[split] === 0 || shape[split] === 1)) split++;
  if (split > 0 && isContiguous(shape.slice(split), strides.slice(split))) return { kind: "row", size: numelOf(shape.slice(split)) };
  // col: contiguous leading block (with respect to itself), zero strides after it
  let end = nd;
  while (end > 0 && (strides[end - 1] === 0 || shape[end - 1] === 1)) end--;
  if (end < nd) {
    const lead = shape.slice(0, end);
    const expect = contiguousStrides(lead);
    let ok = true;
    for (let d = 0; d < end; d++) if (lead[d]! > 1 && strides[d] !== expect[d]) ok = false;
    if (ok) return { kind: "col", size: numelOf(lead) };
  }
  return null;
}

/** PyTorch's check before any output is written: every target is ignoreIndex or a class in [0, C). */
function checkTargets(target: Strided, C: number, ignoreIndex: number): void {
  const [N, K] = target.shape as [number, number];
  const [sn, sk] = target.strides as [number, number];
  const td = target.storage.data;
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const t = td[target.offset + n * sn + k * sk]!;
      if (t !== ignoreIndex && (t < 0 || t >= C)) throw new RangeError(`Target ${t} is out of bounds.`);
    }
}
