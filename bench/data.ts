/**
 * Deterministic synthetic inputs and initial weights shared by every benchmark contender.
 *
 * Element i of a tensor with seed s is u = (fmix32(i + s·0x9E3779B9) >>> 8) / 2^24 ∈ [0, 1)
 * (fmix32 is MurmurHash3's 32-bit finaliser), mapped to lo + (hi − lo)·u in float64 and rounded
 * once to float32. Class labels are fmix32(i + s·0x9E3779B9) mod classes. The same formulas in
 * bench/torch_bench.py (numpy, uint64 arithmetic) give bit-identical tensors, so descent,
 * TensorFlow.js and PyTorch start from the same weights and batches without exchanging files.
 *
 * Weights are stored in PyTorch's layouts (Linear [out, in], Conv2d [out, in, kh, kw]); the
 * TensorFlow.js side transposes them into its own layouts. Linear and conv weights and biases are
 * uniform in ±1/√fan_in (PyTorch's default bound for both).
 */

/** MurmurHash3's fmix32 of (i + seed·0x9E3779B9) mod 2³², as an unsigned 32-bit integer. */
export function hash32(i: number, seed: number): number {
  let h = (i + Math.imul(seed, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** n float32 values lo + (hi − lo)·u (see the file comment). */
export function uniformArray(n: number, seed: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  const span = hi - lo;
  for (let i = 0; i < n; i++) out[i] = lo + span * ((hash32(i, seed) >>> 8) / 16777216);
  return out;
}

/** n class labels in [0, classes). */
export function labelArray(n: number, seed: number, classes: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = hash32(i, seed) % classes;
  return out;
}

/** A float32 array with its shape (PyTorch layout). */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

function uniformTensor(shape: readonly number[], seed: number, lo: number, hi: number): HostTensor {
  return { shape, data: uniformArray(shape.reduce((a, b) => a * b, 1), seed, lo, hi) };
}

/** Weight [out, in] (seed) and bias [out] (seed + 1), uniform in ±1/√in. */
export function linearParams(fanIn: number, fanOut: number, seed: number): [HostTensor, HostTensor] {
  const b = 1 / Math.sqrt(fanIn);
  return [uniformTensor([fanOut, fanIn], seed, -b, b), uniformTensor([fanOut], seed + 1, -b, b)];
}

/** Weight [out, in, k, k] (seed) and bias [out] (seed + 1), uniform in ±1/√(in·k·k). */
export function convParams(inC: number, outC: number, k: number, seed: number): [HostTensor, HostTensor] {
  const b = 1 / Math.sqrt(inC * k * k);
  return [uniformTensor([outC, inC, k, k], seed, -b, b), uniformTensor([outC], seed + 1, -b, b)];
}

/** A classification batch: inputs and int labels. */
export interface Batch {
  readonly x: HostTensor;
  readonly y: Int32Array;
}

/** The MLP 784-256-128-10: [W1, b1, W2, b2, W3, b3] and a batch of `batch` inputs in [0, 1). */
export function mlpSetup(batch = 128, sizes: readonly number[] = [784, 256, 128, 10]): { params: HostTensor[]; batch: Batch } {
  const params: HostTensor[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) params.push(...linearParams(sizes[i]!, sizes[i + 1]!, 10 + 2 * i));
  return {
    params,
    batch: { x: uniformTensor([batch, sizes[0]!], 100, 0, 1), y: labelArray(batch, 101, sizes[sizes.length - 1]!) },
  };
}

/** LeNet: [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b] and a batch of 1×28×28 inputs in [0, 1). */
export function lenetSetup(batch = 64): { params: HostTensor[]; batch: Batch } {
  return {
    params: [
      ...convParams(1, 6, 5, 20),
      ...convParams(6, 16, 5, 22),
      ...linearParams(256, 120, 24),
      ...linearParams(120, 84, 26),
      ...linearParams(84, 10, 28),
    ],
    batch: { x: uniformTensor([batch, 1, 28, 28], 200, 0, 1), y: labelArray(batch, 201, 10) },
  };
}

/** One big parameter (seed 300) and its gradient (seed 301), uniform in [−1, 1). */
export function adamBigSetup(size: number): { param: Float32Array; grad: Float32Array } {
  return { param: uniformArray(size, 300, -1, 1), grad: uniformArray(size, 301, -1, 1) };
}

/** Two n×n matrices (seeds 400, 401), uniform in [−1, 1). */
export function matmulSetup(n: number): { a: HostTensor; b: HostTensor } {
  return { a: uniformTensor([n, n], 400, -1, 1), b: uniformTensor([n, n], 401, -1, 1) };
}

/** Logits [m, n] uniform in [−3, 3) (seed 500 + n) and labels in [0, n) (seed 501 + n). */
export function crossEntropySetup(m: number, n: number): Batch {
  return { x: uniformTensor([m, n], 500 + n, -3, 3), y: labelArray(m, 501 + n, n) };
}
