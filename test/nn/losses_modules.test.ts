/**
 * The loss modules (nn.*Loss) against the same PyTorch fixtures as the functions, their buffers
 * (PyTorch's state-dict keys), and a few hand-derived values.
 */
import { describe, expect, it } from "vitest";
import { nn, noGrad, tensor, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose, fromFixture } from "../helpers/compare.js";

interface LossCase {
  name: string;
  fn: string;
  dtype: string;
  args: (FixtureTensor | number[])[];
  options: Record<string, unknown>;
  out: FixtureTensor;
}

const fixture = loadFixture<{ cases: LossCase[] }>("losses");

type LossModule = { forward: (...args: unknown[]) => Tensor };
type LossCtor = new (options?: Record<string, unknown>) => LossModule;

const MODULES: Record<string, LossCtor> = {
  mseLoss: nn.MSELoss, l1Loss: nn.L1Loss, smoothL1Loss: nn.SmoothL1Loss, huberLoss: nn.HuberLoss,
  binaryCrossEntropy: nn.BCELoss, binaryCrossEntropyWithLogits: nn.BCEWithLogitsLoss,
  crossEntropy: nn.CrossEntropyLoss, nllLoss: nn.NLLLoss, klDiv: nn.KLDivLoss, poissonNllLoss: nn.PoissonNLLLoss,
  gaussianNllLoss: nn.GaussianNLLLoss, marginRankingLoss: nn.MarginRankingLoss, hingeEmbeddingLoss: nn.HingeEmbeddingLoss,
  softMarginLoss: nn.SoftMarginLoss, multilabelSoftMarginLoss: nn.MultiLabelSoftMarginLoss,
  multilabelMarginLoss: nn.MultiLabelMarginLoss, multiMarginLoss: nn.MultiMarginLoss,
  cosineEmbeddingLoss: nn.CosineEmbeddingLoss, tripletMarginLoss: nn.TripletMarginLoss,
  tripletMarginWithDistanceLoss: nn.TripletMarginWithDistanceLoss, ctcLoss: nn.CTCLoss,
} as unknown as Record<string, LossCtor>;

const DISTANCES: Record<string, (a: Tensor, b: Tensor) => Tensor> = { l1: (a, b) => a.sub(b).abs().sum(-1) };

function decode(v: unknown, key = ""): unknown {
  if (typeof v === "object" && v !== null && "dtype" in v) return fromFixture(v as FixtureTensor);
  if (key === "distanceFunction") return DISTANCES[v as string];
  return v;
}

describe("loss modules match PyTorch", () => {
  it("there is one module per loss", () => {
    expect(new Set(fixture.cases.map((c) => c.fn))).toEqual(new Set(Object.keys(MODULES)));
  });
  for (const c of fixture.cases) {
    it(c.name, () => {
      const opts = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, decode(v, k)]));
      const m = new MODULES[c.fn]!(opts);
      const out = m.forward(...c.args.map((a) => decode(a)));
      expectClose(out, c.out, {}, c.name);
    });
  }
});

describe("loss module state", () => {
  it("registers weight and pos_weight as buffers with PyTorch's keys", () => {
    const w = tensor([1, 2, 3]);
    expect(Object.keys(new nn.CrossEntropyLoss({ weight: w }).stateDict())).toEqual(["weight"]);
    expect(Object.keys(new nn.CrossEntropyLoss().stateDict())).toEqual([]);
    const bce = new nn.BCEWithLogitsLoss({ weight: w, posWeight: tensor([2, 2, 2]) });
    expect(Object.keys(bce.stateDict())).toEqual(["weight", "pos_weight"]);
    expect(bce.posWeight?.tolist()).toEqual([2, 2, 2]);
    expect(new nn.MSELoss().parameters()).toEqual([]);
  });

  it("rejects an unknown reduction at construction, like PyTorch", () => {
    expect(() => new nn.MSELoss({ reduction: "avg" as "mean" })).toThrow("avg is not a valid value for reduction");
    expect(() => new nn.KLDivLoss({ reduction: "batchmean" })).not.toThrow();
  });
});

describe("hand-derived values", () => {
  it("BCE on a sigmoid output: ln 2 at p = ½, gradient p − y at the logit", () => {
    const z = tensor([0, 0], { dtype: "float64", requiresGrad: true });
    const y = tensor([1, 0], { dtype: "float64" });
    const loss = nn.functional.binaryCrossEntropy(z.sigmoid(), y);
    // −(1·ln ½ + 1·ln ½)/2 = ln 2
    expect(loss.item()).toBeCloseTo(Math.LN2, 14);
    loss.backward();
    // (σ(0) − y)/2 = (½ − 1)/2, (½ − 0)/2
    expect(z.grad!.tolist()).toEqual([-0.25, 0.25]);
  });

  it("cross-entropy of uniform logits is ln C; gradient (softmax − onehot)/N", () => {
    const x = tensor([[0, 0, 0, 0]], { dtype: "float64", requiresGrad: true });
    const loss = nn.functional.crossEntropy(x, tensor([2], { dtype: "int32" }));
    expect(loss.item()).toBeCloseTo(Math.log(4), 14);
    loss.backward();
    expect(x.grad!.tolist()).toEqual([[0.25, 0.25, -0.75, 0.25]]);
  });

  it("MSE: mean of squared differences ((1−0)² + (3−1)²)/2 = 2.5", () => {
    expect(nn.functional.mseLoss(tensor([1, 3]), tensor([0, 1])).item()).toBe(2.5);
  });

  it("records no graph under noGrad", () => {
    const x = tensor([[1, 2, 3]], { requiresGrad: true });
    const loss = noGrad(() => nn.functional.crossEntropy(x, tensor([0], { dtype: "int32" })));
    expect(loss.requiresGrad).toBe(false);
  });

  it("ctcLoss takes lengths as int32 tensors or arrays", () => {
    const lp = tensor([[[-1.2, -0.9, -1.2]], [[-0.7, -1.5, -1.2]], [[-1.0, -1.1, -1.2]]], { dtype: "float64" }).logSoftmax(2);
    const t = tensor([[1, 2]], { dtype: "int32" });
    const a = nn.functional.ctcLoss(lp, t, [3], [2]).item();
    const b = nn.functional.ctcLoss(lp, t, tensor([3], { dtype: "int32" }), tensor([2], { dtype: "int32" })).item();
    expect(b).toBe(a);
    expect(Number.isFinite(a)).toBe(true);
  });
});
