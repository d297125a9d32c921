/**
 * The autograd engine's semantics against PyTorch's: accumulation, retain_graph, freed graphs,
 * misuse errors (messages as PyTorch words them), grad mode, detach, in-place version checks.
 * Expected gradients are derived by hand in the comments.
 */
import { describe, expect, test } from "vitest";
import { noGrad, enableGrad, isGradEnabled, tensor, ones, zeros, Tensor } from "../../src/index.js";

describe("backward", () => {
  test("gradients accumulate into leaves across backward calls", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    // d/dx sum(x²) = 2x
    x.mul(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
    x.mul(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 8, 12]);
  });

  test("a tensor used twice receives the sum of both paths", () => {
    const x = tensor([3], { requiresGrad: true });
    // y = x·x + x → dy/dx = 2x + 1 = 7
    const y = x.mul(x).add(x);
    y.sum().backward();
    expect(x.grad!.item()).toBe(7);
  });

  test("two leaves fed by one add do not share gradient storage", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    a.grad!.mul_(10); // like clip_grad_norm_ scaling in place
    expect(b.grad!.tolist()).toEqual([1, 1]);
  });

  test("broadcast inputs get gradients reduced to their own shape", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    a.mul(b).sum().backward();
    // d/db Σ a·b = column sums of a = [5, 7, 9]; d/da = b broadcast
    expect(b.grad!.tolist()).toEqual([5, 7, 9]);
    expect(a.grad!.tolist()).toEqual([[10, 20, 30], [10, 20, 30]]);
  });

  test("non-scalar backward needs a gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow("grad can be implicitly created only for scalar outputs");
    y.backward(tensor([1, 10]));
    expect(x.grad!.tolist()).toEqual([2, 20]);
  });

  test("backward of a tensor that does not require grad", () => {
    expect(() => tensor([1]).sum().backward()).toThrow(
      "element 0 of tensors does not require grad and does not have a grad_fn",
    );
  });

  test("second backward through a freed graph raises PyTorch's error; retainGraph allows it", () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    y.backward(); // d/dx x² = 2x = 4, twice
    expect(x.grad!.item()).toBe(8);
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
  });

  test("nodes without saved tensors may run again (AddBackward0), like PyTorch", () => {
    const x = tensor([1, 1], { requiresGrad: true });
    const y = x.add(1).sum();
    y.backward();
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  test("the graph is released after backward", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.exp();
    const y = h.sum();
    y.backward();
    expect(h.gradFn!.released).toBe(true);
    expect(h.gradFn!.saved).toBeNull();
  });

  test("retainGrad keeps the gradient of a non-leaf", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    h.retainGrad();
    h.mul(h).sum().backward();
    // d/dh Σh² = 2h = [6, 12]; d/dx = 3·2h = [18, 36]
    expect(h.grad!.tolist()).toEqual([6, 12]);
    expect(x.grad!.tolist()).toEqual([18, 36]);
  });

  test("a branch that does not lead to the loss gets no gradient", () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const unused = b.mul(2);
    a.mul(5).sum().backward();
    expect(a.grad!.item()).toBe(5);
    expect(b.grad).toBeNull();
    expect(unused.requiresGrad).toBe(true);
  });
});

describe("grad mode, detach and leaves", () => {
  test("noGrad records nothing and restores the mode, even on throw", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() => noGrad(() => { throw new Error("boom"); })).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.gradFn!.name).toBe("MulBackward0");
  });

  test("detach shares storage and cuts the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    const v = x.detach();
    expect(v.storage).toBe(x.storage);
  });

  test("only floating tensors can require grad", () => {
    expect(() => tensor([1], { dtype: "int32", requiresGrad: true })).toThrow(/only Tensors of floating point dtype/);
  });

  test("requiresGrad of a non-leaf cannot be switched off", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => { y.requiresGrad = false; }).toThrow(/you can only change requires_grad flags of leaf variables/);
  });

  test("assigned grads are checked like PyTorch's", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => { x.grad = ones([3]); }).toThrow(/assigned grad has data of a different size/);
    expect(() => { x.grad = ones([2], { dtype: "float64" }); }).toThrow(/assigned grad has data of type/);
    x.grad = ones([2]);
    expect(x.grad.tolist()).toEqual([1, 1]);
  });
});

describe("in-place operations", () => {
  test("a leaf that requires grad refuses in-place ops under grad mode, accepts them under noGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    expect(w.tolist()).toEqual([1, 2]); // nothing half-applied
    noGrad(() => w.sub_(tensor([0.5, 0.5])));
    expect(w.tolist()).toEqual([0.5, 1.5]);
  });

  test("modifying a saved tensor in place is caught at backward", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.exp(); // ExpBackward0 saves its output
    const y = h.sum();
    noGrad(() => h.mul_(2));
    expect(() => y.backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[2\]\] is at version 1; expected version 0 instead/,
    );
  });

  test("in-place op on a non-leaf continues the graph", () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    const h = x.mul(2);
    h.relu_();
    h.sum().backward();
    // relu(2x): gradient 2 where x > 0, else 0
    expect(x.grad!.tolist()).toEqual([2, 0, 2]);
  });

  test("a view's in-place write bumps the shared version counter", () => {
    const x = zeros([2, 2]);
    const row = x.select(0, 1);
    const v0 = x.storage.version;
    row.fill_(7);
    expect(x.tolist()).toEqual([[0, 0], [7, 7]]);
    expect(x.storage.version).toBe(v0 + 1);
  });
});
