/**
 * Connectionist Temporal Classification loss (Graves, Fernández, Gomez & Schmidhuber, 2006).
 *
 * A sequence model emits log-probabilities over C symbols (one of them the blank) at each of T
 * steps; a target is a shorter label sequence l with no alignment given. CTC sums the probability
 * of every alignment π (a length-T path that reads as l once repeats are merged and blanks
 * removed): ℓ = −log Σ_π Π_t p_t(π_t), computed by the α (forward) recursion over the extended
 * label sequence (blank, l₁, blank, l₂, …, blank). Minimising it raises the probability of the
 * target transcription, whatever the alignment. Pair it with logSoftmax over the class dim.
 *
 * PyTorch parity: `reduction: "mean"` divides each loss by its target length (at least 1) and
 * then averages over the batch; `zeroInfinity` replaces infinite losses (impossible alignments)
 * and their gradients by 0; the gradient is PyTorch's exp(lp) − exp(log γ + nll − lp), which is
 * the gradient with respect to the logits behind a log-softmax (so gradcheck it through
 * logSoftmax, as PyTorch's own tests do). Inputs (T, N, C) or unbatched (T, C); targets int32,
 * padded (N, S) or concatenated (Σ target lengths); lengths as int32 tensors or number arrays.
 */
import { record } from "../../autograd/node.js";
import { backend } from "../../backend/registry.js";
import { Tensor } from "../../tensor/tensor.js";
import { tensor } from "../../tensor/creation.js";
import { empty } from "../../ops/helpers.js";
import { div, eq, where } from "../../ops/elementwise.js";
import { mean, sum } from "../../ops/reduce.js";
import { contiguous, reshape, unsqueeze } from "../../ops/movement.js";
import { checkFloat, checkTensor, reductionOf, type ReductionOptions } from "./loss_common.js";

export interface CTCLossOptions extends ReductionOptions {
  /** The blank label (default 0). */
  blank?: number;
  /** Replace infinite losses and their gradients by zero (default false). */
  zeroInfinity?: boolean;
}

function lengthsOf(x: Tensor | readonly number[], what: string): Int32Array {
  if (x instanceof Tensor) {
    if (x.dtype !== "int32")
      throw new TypeError(`${what} must be an int32 tensor or an array of integers, got ${x.dtype}`);
    return Int32Array.from(x.dataSync());
  }
  return Int32Array.from(x);
}

/** The CTC loss of log-probabilities (T, N, C) against targets. */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | readonly number[],
  targetLengths: Tensor | readonly number[],
  options: CTCLossOptions = {},
): Tensor {
  const reduction = reductionOf(options);
  checkTensor(logProbs, "ctc_loss", "log_probs");
  checkTensor(targets, "ctc_loss", "targets");
  checkFloat(logProbs, "ctc_loss", "log_probs");
  const blank = options.blank ?? 0;
  const zeroInfinity = options.zeroInfinity ?? false;
  const batched = logProbs.ndim === 3;
  const lp = batched ? logProbs : unsqueeze(logProbs, 1);
  // PyTorch 1.13 accepts targets of any dtype and reads them as integers
  const tgi = targets.dtype === "int32" ? targets : targets.detach().to("int32");
  const tg = batched || tgi.ndim !== 1 ? tgi : unsqueeze(tgi, 0);
  const il = lengthsOf(inputLengths, "input_lengths");
  const tl = lengthsOf(targetLengths, "target_lengths");
  const [T, N, C] = lp.shape as [number, number, number];
  if (!(blank < C && blank >= 0)) throw new RangeError("blank must be in label range");
  if (il.length !== N) throw new RangeError("input_lengths must be of size batch_size");
  if (tl.length !== N) throw new RangeError("target_lengths must be of size batch_size");
  let maxTarget = 0;
  let total = 0;
  for (let b = 0; b < N; b++) {
    total += tl[b]!;
    if (tl[b]! > maxTarget) maxTarget = tl[b]!;
  }
  if (tg.ndim === 1) {
    if (tg.shape[0] !== total)
      throw new RangeError(
        `Expected tensor for argument #2 'targets' to have size ${total} in dimension 0, but got size ${tg.shape[0]} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)`,
      );
  } else {
    if (tg.shape[0] !== N)
      throw new RangeError(
        `Expected tensor for argument #2 'targets' to have size ${N} in dimension 0, but got size ${tg.shape[0]} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)`,
      );
    if (tg.shape[1]! < maxTarget)
      throw new RangeError(
        `Expected tensor to have size at least ${maxTarget} at dimension 1, but got size ${tg.shape[1]} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)`,
      );
  }
  for (let b = 0; b < N; b++)
    if (il[b]! > T)
      throw new RangeError(
        `Expected input_lengths to have value at most ${T}, but got value ${il[b]} (while checking arguments for ctc_loss_cpu)`,
      );
  const x = lp.detach();
  const tgc = tg.detach();
  const nll = empty([N], lp.dtype);
  const logAlpha = backend().alloc(lp.dtype, N * T * (2 * maxTarget + 1));
  backend().ctcLoss(x, tgc, il, tl, blank, nll.storage, logAlpha);
  let res = record(
    nll,
    "CtcLossBackward0",
    [lp],
    (g) => {
      const grad = empty([T, N, C], g.dtype);
      backend().ctcLossBackward(x, tgc, il, tl, blank, nll.storage, logAlpha, contiguous(g), zeroInfinity, grad.storage);
      return [grad];
    },
    [lp, nll],
  );
  if (zeroInfinity) res = where(eq(res, Infinity), 0, res);
  let out: Tensor;
  if (reduction === "mean") {
    const lens = tensor(Array.from(tl, (v) => Math.max(v, 1)), { dtype: lp.dtype });
    out = mean(div(res, lens));
  } else if (reduction === "sum") out = sum(res);
  else out = res;
  return batched || reduction !== "none" ? out : reshape(out, []);
}
