/**
 * Autograd graph nodes. Every differentiable op calls `record` once: if gradients are being
 * recorded and an input requires grad, the output gets a `gradFn` node holding the op's
 * backward closure (micrograd's design: a local derivative per op, backward = reverse
 * topological walk). Saved tensors are listed so that in-place changes to them are detected
 * and so that the graph can be freed after `backward()`.
 */
import type { Tensor } from "../tensor/tensor.js";
import { isGradEnabled } from "./grad_mode.js";

/** Maps the gradient of the op's output to gradients of its inputs (null: no gradient). */
export type BackwardFn = (grad: Tensor) => readonly (Tensor | null)[];

export class Node {
  /** PyTorch's name for the node (`AddBackward0`, `MmBackward0`, …). */
  readonly name: string;
  /** Inputs in op order; null where the input needs no gradient. */
  readonly inputs: readonly (Tensor | null)[];
  /**
   * The node that produced each input when this op ran (null for leaves and non-grad inputs).
   * Captured here, not looked up at backward time, so that an in-place op applied to an input
   * later does not reroute this node's gradient (PyTorch's edges).
   */
  readonly edges: readonly (Node | null)[];
  backward: BackwardFn | null;
  saved: readonly Tensor[] | null;
  savedVersions: readonly number[];
  /** Set by `retainGrad()` on the output: receives `.grad` during backward. */
  retainTarget: Tensor | null = null;

  constructor(name: string, inputs: readonly (Tensor | null)[], backward: BackwardFn, saved: readonly Tensor[]) {
    this.name = name;
    this.inputs = inputs;
    this.edges = inputs.map((t) => (t === null ? null : t.gradFn));
    this.backward = backward;
    this.saved = saved;
    this.savedVersions = saved.map((t) => t.storage.version);
  }

  /** True once backward has freed this node (and it had saved tensors, so it cannot rerun). */
  get released(): boolean {
    return this.backward === null;
  }

  /**
   * An in-place op computed `from` and then copied it into `to`: the saved result is now `to`
   * (PyTorch saves the modified tensor itself), so later in-place changes to `to` are detected.
   */
  rebindSaved(from: Tensor, to: Tensor): void {
    if (this.saved === null || !this.saved.includes(from)) return;
    this.saved = this.saved.map((t) => (t === from ? to : t));
    this.savedVersions = this.saved.map((t, i) => (t === to ? to.storage.version : this.savedVersions[i]!));
  }

  /** Free the closure and saved tensors after a backward pass without `retainGraph`. */
  release(): void {
    // Nodes that saved nothing may run again, like PyTorch (e.g. AddBackward0).
    if (this.saved !== null && this.saved.length > 0) {
      this.backward = null;
      this.saved = null;
    }
  }
}

/**
 * Attach a backward node to `out` when any input requires grad and grad mode is on.
 * Numbers and non-differentiable inputs are passed as null or plain values.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly (Tensor | number | null | undefined)[],
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): Tensor {
  if (!isGradEnabled()) return out;
  let any = false;
  const ins = inputs.map((t) => {
    if (t != null && typeof t !== "number" && t.requiresGrad) {
      any = true;
      return t;
    }
    return null;
  });
  if (!any) return out;
  out.setGradFn(new Node(name, ins, backward, saved));
  return out;
}
