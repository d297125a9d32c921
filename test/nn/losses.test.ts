/**
 * Every loss of nn.functional against PyTorch 1.13.1 (test/fixtures/losses.json, written by
 * scripts/fixtures/losses.py): value and gradients of every input that requires grad, in float64
 * and float32, for each loss × options case (random and edge-case inputs); gradcheck in float64 on
 * the random cases; and PyTorch's messages for bad input.
 */
import { describe, expect, it } from "vitest";
import { gradcheck, nn, randn, tensor, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose, fromFixture } from "../helpers/compare.js";

const F = nn.functional;
type AnyFn = (...args: unknown[]) => Tensor;
const FNS = F as unknown as Record<string, AnyFn>;

interface LossCase {
  name: string;
  fn: string;
  dtype: "float32" | "float64";
  args: (FixtureTensor | number[])[];
  requiresGrad: boolean[];
  options: Record<string, unknown>;
  out: FixtureTensor;
  gradOut: FixtureTensor;
  grads: (FixtureTensor | null)[];
  gradcheck: boolean;
}

interface ErrorCase {
  label: string;
  fn: string;
  args: (FixtureTensor | number[])[];
  options: Record<string, unknown>;
  kind: string;
  message: string;
}

const fixture = loadFixture<{ cases: LossCase[]; errors: ErrorCase[] }>("losses");

const DISTANCES: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  l1: (a, b) => a.sub(b).abs().sum(-1),
};

function isTensorFixture(v: unknown): v is FixtureTensor {
  return typeof v === "object" && v !== null && "dtype" in v && "data" in v && "shape" in v;
}

function decodeOptions(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (isTensorFixture(v)) out[k] = fromFixture(v);
    else if (k === "distanceFunction") out[k] = DISTANCES[v as string];
    else out[k] = v;
  }
  return out;
}

function decodeArgs(args: (FixtureTensor | number[])[], requiresGrad: boolean[] = []): (Tensor | number[])[] {
  return args.map((a, i) => (isTensorFixture(a) ? fromFixture(a, { requiresGrad: requiresGrad[i] ?? false }) : a));
}

describe("losses match PyTorch (value and gradients)", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const args = decodeArgs(c.args, c.requiresGrad);
      const out = FNS[c.fn]!(...args, decodeOptions(c.options));
      // default tolerances throughout: float64 1e-10, float32 1e-5 relative
      const tol = {};
      expectClose(out, c.out, tol, `${c.name} value`);
      if (c.grads.some((g) => g !== null)) {
        out.backward(fromFixture(c.gradOut));
        c.grads.forEach((g, i) => {
          if (g === null) return;
          expectClose((args[i] as Tensor).grad, g, tol, `${c.name} grad of argument ${i}`);
        });
      }
    });
  }
});

describe("gradcheck (float64 finite differences) on every loss", () => {
  const checked = fixture.cases.filter((c) => c.gradcheck);
  it("covers every loss but CTC (checked through logSoftmax below)", () => {
    const fns = new Set(checked.map((c) => c.fn));
    expect(fns.size).toBe(20);
  });
  for (const c of checked) {
    it(c.name, () => {
      const args = decodeArgs(c.args, c.requiresGrad);
      const opts = decodeOptions(c.options);
      const tensors = args.filter((a): a is Tensor => !Array.isArray(a));
      // Hard 0/1 BCE targets: a finite difference would step outside [0, 1], which descent
      // rejects; the target gradient (−w·logit(p)) is compared with PyTorch's in the tests above.
      if (c.fn === "binaryCrossEntropy") tensors[1] = tensors[1]!.detach();
      const fn = (...ins: Tensor[]): Tensor => {
        let k = 0;
        const full = args.map((a) => (Array.isArray(a) ? a : ins[k++]!));
        return FNS[c.fn]!(...full, opts);
      };
      expect(gradcheck(fn, tensors)).toBe(true);
    });
  }

  it("ctcLoss through logSoftmax (PyTorch's gradient is the logits' gradient)", () => {
    for (const c of fixture.cases.filter((x) => x.fn === "ctcLoss" && x.dtype === "float64" && !x.name.includes("impossible"))) {
      const args = decodeArgs(c.args);
      const logits = (args[0] as Tensor).detach().clone();
      logits.requiresGrad = true;
      const opts = decodeOptions(c.options);
      const dim = logits.ndim - 1;
      const fn = (x: Tensor): Tensor => F.ctcLoss(x.logSoftmax(dim), args[1] as Tensor, args[2] as number[], args[3] as number[], opts);
      expect(gradcheck(fn, [logits]), c.name).toBe(true);
    }
  });
});

/** PyTorch's message in descent's terms: dtype names (torch's Long is descent's int32) and sizes printed as [a, b]. */
function translate(message: string): string {
  return message
    .replace(/torch\.Size\((\[[^\]]*\])\)/g, "$1")
    .replace(/\bLong\b/g, "int32")
    .replace(/\bDouble\b/g, "float64")
    .replace(/\bFloat\b/g, "float32");
}

describe("bad input is rejected with PyTorch's message", () => {
  for (const e of fixture.errors) {
    it(`${e.label}: ${e.message}`, () => {
      const args = decodeArgs(e.args);
      // the one case about a target that requires grad
      if (e.label.includes("requires grad")) (args[1] as Tensor).requiresGrad = true;
      let thrown: unknown = null;
      try {
        FNS[e.fn]!(...args, decodeOptions(e.options));
      } catch (err) {
        thrown = err;
      }
      expect(thrown, "no error thrown").toBeInstanceOf(Error);
      expect((thrown as Error).message).toBe(translate(e.message));
      // wrong kinds are TypeErrors, bad values RangeErrors
      if (/scalar type|requires_grad/.test(e.message)) expect(thrown).toBeInstanceOf(TypeError);
      else expect(thrown).toBeInstanceOf(RangeError);
    });
  }
});

describe("strided (non-contiguous) inputs give the contiguous results", () => {
  const cases: [string, (x: Tensor) => Tensor, number[], (x: Tensor) => Tensor][] = [
    // [label, loss of a view, base shape, the view]
    ["crossEntropy 4-D from a permuted tensor", (x) => F.crossEntropy(x, tensor([[[0, 1], [2, 3], [1, 1]], [[3, 2], [0, -100], [2, 0]]], { dtype: "int32" })), [2, 3, 2, 4], (b) => b.permute(0, 3, 1, 2)],
    ["nllLoss of a transposed matrix", (x) => F.nllLoss(x, tensor([0, 3, 1], { dtype: "int32" }), { reduction: "sum" }), [4, 3], (b) => b.t()],
    ["crossEntropy with label smoothing, transposed", (x) => F.crossEntropy(x, tensor([2, 0, 1], { dtype: "int32" }), { labelSmoothing: 0.1 }), [4, 3], (b) => b.t()],
    ["ctcLoss of (N, T, C) transposed to (T, N, C)", (x) => F.ctcLoss(x.logSoftmax(2), tensor([[1, 2], [3, 3]], { dtype: "int32" }), [5, 5], [2, 2]), [2, 5, 4], (b) => b.transpose(0, 1)],
  ];
  for (const [label, loss, shape, viewOf] of cases) {
    it(label, () => {
      const base = randn(shape, { dtype: "float64" });
      const a = base.clone().requiresGrad_();
      const b = base.clone().requiresGrad_();
      const la = loss(viewOf(a));
      const lb = loss(viewOf(b).contiguous());
      expect(viewOf(a).isContiguous()).toBe(false);
      expect(la.item()).toBeCloseTo(lb.item(), 12);
      la.backward();
      lb.backward();
      const ga = a.grad!.dataSync();
      const gb = b.grad!.dataSync();
      for (let i = 0; i < ga.length; i++) expect(ga[i]).toBeCloseTo(gb[i]!, 12);
    });
  }
});

describe("binaryCrossEntropy targets (beyond PyTorch 1.13)", () => {
  it("targets outside [0, 1] are rejected with the input check's wording", () => {
    const p = tensor([0.2, 0.7, 0.5]);
    expect(() => nn.functional.binaryCrossEntropy(p, tensor([1.5, 0, 1]))).toThrow(
      "all elements of target should be between 0 and 1",
    );
    expect(() => nn.functional.binaryCrossEntropy(p, tensor([1, -0.5, 0]))).toThrow(
      "all elements of target should be between 0 and 1",
    );
    // boundary values are fine: −(log 0.2 + log 0.3 + log 0.5)/3 with y = [1, 0, 1]
    const l = nn.functional.binaryCrossEntropy(p, tensor([1, 0, 1])).item();
    expect(l).toBeCloseTo(-(Math.log(0.2) + Math.log(0.3) + Math.log(0.5)) / 3, 6);
  });
});
