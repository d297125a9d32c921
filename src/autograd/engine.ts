/**
 * Reverse-mode execution: `runBackward(root, grad)` walks the graph behind `root` in reverse
 * topological order, calls each node's backward closure once all gradients flowing into it
 * have been summed, and accumulates into the `.grad` of leaves that require grad.
 *
 * PyTorch parity: leaf gradients accumulate (`.grad += g`, in place when the existing `.grad`
 * is not shared); the graph is freed afterwards unless `retainGraph`; misuse raises PyTorch's
 * messages (non-scalar root without a gradient, a second backward through a freed graph, a
 * saved tensor modified in place). A leaf never shares its `.grad` storage with another tensor.
 */
import type { Storage } from "../backend/backend.js";
import type { Tensor } from "../tensor/tensor.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { noGrad } from "./grad_mode.js";
import type { Node } from "./node.js";
import { add, addInPlace } from "../ops/elementwise.js";
import { cast, clone, contiguousOrSelf } from "../ops/movement.js";
import { onesLike } from "../tensor/creation.js";

export interface BackwardOptions {
  retainGraph?: boolean;
}

const FREED_MESSAGE =
  "Trying to backward through the graph a second time (or directly access saved tensors after they have " +
  "already been freed). Saved intermediate values of the graph are freed when you call .backward() or " +
  "autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time or " +
  "if you need to access saved tensors after calling backward.";

function typeName(t: Tensor): string {
  const names = { float32: "FloatTensor", float64: "DoubleTensor", int32: "IntTensor", bool: "BoolTensor" };
  return `torch.${names[t.dtype]} ${fmtShape(t.shape)}`;
}

export function runBackward(root: Tensor, gradient: Tensor | null | undefined, options: BackwardOptions = {}): void {
  const retain = options.retainGraph ?? false;
  if (!root.requiresGrad)
    throw new Error("element 0 of tensors does not require grad and does not have a grad_fn");
  let grad: Tensor;
  if (gradient == null) {
    if (root.numel() !== 1) throw new Error("grad can be implicitly created only for scalar outputs");
    grad = onesLike(root);
  } else {
    if (!shapesEqual(gradient.shape, root.shape))
      throw new RangeError(
        `Mismatch in shape: grad_output[0] has a shape of ${fmtShape(gradient.shape)} and output[0] has a shape of ${fmtShape(root.shape)}.`,
      );
    grad = gradient.dtype === root.dtype ? gradient : cast(gradient, root.dtype);
  }
  noGrad(() => {
    // Storages that some tensor other than a leaf's private .grad may still see.
    const shared = new Set<Storage>([grad.storage]);
    const fresh = new Set<Storage>();
    const rootNode = root.gradFn;
    if (rootNode === null) {
      accumulateLeaf(root, grad, shared, fresh);
      return;
    }
    // Count how many edges point at each node reachable from the root.
    const deps = new Map<Node, number>();
    const stack: Node[] = [rootNode];
    deps.set(rootNode, 0);
    while (stack.length) {
      const node = stack.pop()!;
      for (const next of node.edges) {
        if (!next) continue;
        const seen = deps.has(next);
        deps.set(next, (deps.get(next) ?? 0) + 1);
        if (!seen) stack.push(next);
      }
    }
    const grads = new Map<Node, Tensor>([[rootNode, grad]]);
    const ready: Node[] = [rootNode];
    while (ready.length) {
      const node = ready.pop()!;
      const g = grads.get(node)!;
      grads.delete(node);
      if (node.retainTarget) {
        const t = node.retainTarget;
        t.grad = t.grad === null ? clone(g) : add(t.grad, g);
      }
      const fn = node.backward;
      if (fn === null) throw new Error(FREED_MESSAGE);
      checkSavedVersions(node);
      const inputGrads = fn(g);
      if (!retain) node.release();
      for (let i = 0; i < node.inputs.length; i++) {
        const t = node.inputs[i];
        if (!t) continue;
        let gi = inputGrads[i] ?? null;
        if (gi !== null) {
          if (!shapesEqual(gi.shape, t.shape))
            throw new Error(
              `Function ${node.name} returned an invalid gradient at index ${i} - got ${fmtShape(gi.shape)} but expected shape compatible with ${fmtShape(t.shape)}`,
            );
          if (gi.dtype !== t.dtype) gi = cast(gi, t.dtype);
        }
        const next = node.edges[i] ?? null;
        if (next === null) {
          if (gi !== null) accumulateLeaf(t, gi, shared, fresh);
          continue;
        }
        if (gi !== null) {
          const prev = grads.get(next);
          grads.set(next, prev === undefined ? gi : add(prev, gi));
        }
        const left = deps.get(next)! - 1;
        deps.set(next, left);
        if (left === 0) {
          if (grads.has(next)) ready.push(next);
          else releaseUnreached(next, deps, retain);
        }
      }
    }
  });
}

/** A node whose every incoming gradient was null: skip it (and what only it leads to). */
function releaseUnreached(node: Node, deps: Map<Node, number>, retain: boolean): void {
  if (!retain) node.release();
  for (const next of node.edges) {
    if (!next) continue;
    const left = deps.get(next)! - 1;
    deps.set(next, left);
    if (left === 0) releaseUnreached(next, deps, retain);
  }
}

function checkSavedVersions(node: Node): void {
  const saved = node.saved;
  if (saved === null) return;
  for (let i = 0; i < saved.length; i++) {
    const t = saved[i]!;
    if (t.storage.version !== node.savedVersions[i])
      throw new Error(
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `[${typeName(t)}] is at version ${t.storage.version}; expected version ${node.savedVersions[i]} instead.`,
      );
  }
}

function accumulateLeaf(leaf: Tensor, g: Tensor, shared: Set<Storage>, fresh: Set<Storage>): void {
  if (!leaf.requiresGrad) return;
  const current = leaf.grad;
  if (current === null) {
    // Take g as the new .grad unless someone else can see its storage (or it is a broadcast view).
    let own = contiguousOrSelf(g);
    if (own === g && (shared.has(g.storage) || g.offset !== 0 || g.storage.size !== g.numel())) own = clone(g);
    shared.add(own.storage);
    fresh.add(own.storage);
    leaf.grad = own.detach();
  } else if (fresh.has(current.storage)) {
    // .grad was taken from this pass's gradients, which other nodes may still read: add out of place.
    const sum = add(current, g);
    fresh.add(sum.storage);
    shared.add(sum.storage);
    leaf.grad = sum;
  } else {
    addInPlace(current, g);
  }
}
