/**
 * BatchNorm1d / BatchNorm2d against PyTorch 1.13.1 (test/fixtures/nn_batchnorm.json): outputs,
 * input/weight/bias gradients and the running statistics after several training steps (momentum,
 * cumulative average, no affine, untracked statistics) and in evaluation; gradchecks in float64;
 * bad-input messages and that a rejected input changes nothing.
 */
import { describe, expect, it } from "vitest";
import { gradcheck, nn, noGrad, randn, tensor, zeros, type Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose, fromFixture } from "../helpers/compare.js";

type T = FixtureTensor;
interface Step { train: boolean; x: T; gy: T; y: T; gx: T; gw: T | null; gb: T | null; running_mean: T | null; running_var: T | null; num_batches_tracked: number | null }
interface Case { name: string; dtype: "float32" | "float64"; kind: "1d" | "2d"; features: number; options: nn.BatchNormModuleOptions; weight: T | null; bias: T | null; steps: Step[] }

const { cases } = loadFixture<{ cases: Case[] }>("nn_batchnorm");

describe("BatchNorm matches PyTorch step by step", () => {
  for (const c of cases) {
    it(`${c.name} ${c.dtype}`, () => {
      const Cls = c.kind === "1d" ? nn.BatchNorm1d : nn.BatchNorm2d;
      const m = new Cls(c.features, { ...c.options, dtype: c.dtype });
      if (c.weight) noGrad(() => {
        m.weight!.copy_(fromFixture(c.weight!));
        m.bias!.copy_(fromFixture(c.bias!));
      });
      c.steps.forEach((s, i) => {
        const label = `step ${i} (${s.train ? "train" : "eval"})`;
        m.train(s.train);
        m.zeroGrad();
        const x = fromFixture(s.x, { requiresGrad: true });
        const y = m.forward(x);
        expectClose(y, s.y, {}, `${label} y`);
        y.backward(fromFixture(s.gy));
        expectClose(x.grad, s.gx, {}, `${label} grad input`);
        if (s.gw) expectClose(m.weight!.grad, s.gw, {}, `${label} grad weight`);
        if (s.gb) expectClose(m.bias!.grad, s.gb, {}, `${label} grad bias`);
        if (s.running_mean) expectClose(m.runningMean, s.running_mean, {}, `${label} running_mean`);
        else expect(m.runningMean).toBeNull();
        if (s.running_var) expectClose(m.runningVar, s.running_var, {}, `${label} running_var`);
        if (s.num_batches_tracked !== null) expect(m.numBatchesTracked!.item(), label).toBe(s.num_batches_tracked);
      });
    });
  }
});

describe("batchNorm gradients pass finite-difference checks (float64)", () => {
  it("training mode (batch statistics), 2-D and 4-D inputs", () => {
    const w = randn([3], { dtype: "float64", requiresGrad: true });
    const b = randn([3], { dtype: "float64", requiresGrad: true });
    for (const shape of [[5, 3], [2, 3, 2, 2]]) {
      const x = randn(shape, { dtype: "float64", requiresGrad: true });
      expect(
        gradcheck((a: Tensor, ww: Tensor, bb: Tensor) => nn.functional.batchNorm(a, null, null, { weight: ww, bias: bb, training: true }), [x, w, b]),
      ).toBe(true);
    }
  });
  it("evaluation mode (running statistics)", () => {
    const rm = randn([3], { dtype: "float64" });
    const rv = randn([3], { dtype: "float64" }).abs().add(0.5);
    const x = randn([4, 3, 2], { dtype: "float64", requiresGrad: true });
    const w = randn([3], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((a: Tensor, ww: Tensor) => nn.functional.batchNorm(a, rm, rv, { weight: ww }), [x, w])).toBe(true);
  });
});

describe("BatchNorm input checks", () => {
  it("uses PyTorch's messages", () => {
    expect(() => new nn.BatchNorm1d(3).forward(zeros([2, 3, 4, 5]))).toThrow("expected 2D or 3D input (got 4D input)");
    expect(() => new nn.BatchNorm2d(3).forward(zeros([2, 3, 4]))).toThrow("expected 4D input (got 3D input)");
    expect(() => new nn.BatchNorm1d(3).forward(zeros([1, 3]))).toThrow(
      "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])",
    );
    expect(() => new nn.BatchNorm1d(3).forward(zeros([4, 4]))).toThrow("running_mean should contain 4 elements not 3");
    expect(() => new nn.BatchNorm1d(3).eval().forward(zeros([4, 4]))).toThrow("running_mean should contain 4 elements not 3");
    expect(() => new nn.BatchNorm1d(3, { trackRunningStats: false }).forward(zeros([4, 4]))).toThrow("weight should contain 4 elements not 3");
  });

  it("leaves the running statistics and the batch count alone when it refuses an input", () => {
    const m = new nn.BatchNorm1d(3);
    expect(() => m.forward(zeros([1, 3]))).toThrow();
    expect(() => m.forward(zeros([4, 4]))).toThrow();
    expect(m.numBatchesTracked!.item()).toBe(0);
    expect(m.runningMean!.tolist()).toEqual([0, 0, 0]);
  });

  it("has PyTorch's state-dict keys, with num_batches_tracked as an int32 scalar", () => {
    const m = new nn.BatchNorm2d(2);
    const sd = m.stateDict();
    expect(Object.keys(sd)).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    expect(sd.num_batches_tracked!.dtype).toBe("int32");
    expect(sd.num_batches_tracked!.shape).toEqual([]);
    expect(Object.keys(new nn.BatchNorm2d(2, { affine: false, trackRunningStats: false }).stateDict())).toEqual([]);
  });

  it("counts batches and normalises a constant channel to the bias", () => {
    const m = new nn.BatchNorm1d(1);
    const y = m.forward(tensor([[2], [2], [2]]));
    // zero variance: (x − mean)/√eps = 0, so y = β = 0 everywhere
    expect(y.tolist()).toEqual([[0], [0], [0]]);
    expect(m.numBatchesTracked!.item()).toBe(1);
    // running_mean = 0.9·0 + 0.1·2 = 0.2 (in float32)
    expect(m.runningMean!.item()).toBe(Math.fround(0.2));
  });
});
