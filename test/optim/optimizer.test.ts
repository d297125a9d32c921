/**
 * The Optimizer base and the constructors: parameter groups, defaults, zeroGrad, step(closure),
 * state dicts (validation, deep copies, casting, loading PyTorch's dicts), PyTorch's error
 * messages for bad hyper-parameters, non-finite gradients, and options switched mid-run.
 * Expected numbers are hand-derived in the comments (float64, so they are exact).
 */
import { describe, expect, it } from "vitest";
import { noGrad, optim, tensor, Tensor, zeros } from "../../src/index.js";
import { OPTIMIZERS, XorShift32 } from "./helpers.js";
import { CASES } from "./cases.js";
import { fixtureCase, makeProblem, type FixtureStateDict, type FixtureValue } from "./problem.js";
import type { FixtureTensor } from "../helpers/fixtures.js";

const f64 = { dtype: "float64" as const };

function param(values: number[], dtype: "float32" | "float64" = "float64"): Tensor {
  return tensor(values, { dtype, requiresGrad: true });
}

describe("construction", () => {
  it("rejects PyTorch's bad parameter lists with PyTorch's messages", () => {
    const p = param([1, 2]);
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(new RangeError("optimizer got an empty parameter list"));
    expect(() => new optim.SGD(p as unknown as Tensor[], { lr: 0.1 })).toThrow(
      new TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.DoubleTensor"),
    );
    expect(() => new optim.SGD([p, p], { lr: 0.1 })).toThrow(
      new RangeError("optimizer contains a parameter group with duplicate parameters"),
    );
    expect(() => new optim.SGD([{ params: [p] }, { params: p }], { lr: 0.1 })).toThrow(
      new RangeError("some parameters appear in more than one parameter group"),
    );
    expect(() => new optim.SGD([{ params: new Set([p]) }], { lr: 0.1 })).toThrow(TypeError);
    expect(() => new optim.SGD([1 as unknown as Tensor], { lr: 0.1 })).toThrow(
      new TypeError("optimizer can only optimize Tensors, but one of the params is number"),
    );
    expect(() => new optim.SGD([p.mul(2)], { lr: 0.1 })).toThrow(new RangeError("can't optimize a non-leaf Tensor"));
    expect(() => new optim.SGD([p])).toThrow(
      new RangeError("parameter group didn't specify a value of required optimization parameter lr"),
    );
    expect(() => new optim.LBFGS([{ params: [p] }, { params: [param([1])] }])).toThrow(
      new RangeError("LBFGS doesn't support per-parameter options (parameter groups)"),
    );
  });

  const bad: [string, () => unknown, string][] = [
    ["SGD lr", () => new optim.SGD([param([1])], { lr: -0.1 }), "Invalid learning rate: -0.1"],
    ["SGD momentum", () => new optim.SGD([param([1])], { lr: 0.1, momentum: -1 }), "Invalid momentum value: -1.0"],
    ["SGD weight decay", () => new optim.SGD([param([1])], { lr: 0.1, weightDecay: -1e-5 }), "Invalid weight_decay value: -1e-05"],
    ["SGD nesterov", () => new optim.SGD([param([1])], { lr: 0.1, nesterov: true }), "Nesterov momentum requires a momentum and zero dampening"],
    [
      "SGD nesterov dampening",
      () => new optim.SGD([param([1])], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      "Nesterov momentum requires a momentum and zero dampening",
    ],
    ["Adam beta0", () => new optim.Adam([param([1])], { betas: [1.0, 0.999] }), "Invalid beta parameter at index 0: 1.0"],
    ["Adam beta1", () => new optim.Adam([param([1])], { betas: [0.9, -0.1] }), "Invalid beta parameter at index 1: -0.1"],
    ["Adam eps", () => new optim.Adam([param([1])], { eps: -1 }), "Invalid epsilon value: -1.0"],
    ["Adam lr NaN", () => new optim.Adam([param([1])], { lr: NaN }), "Invalid learning rate: nan"],
    ["AdamW weight decay", () => new optim.AdamW([param([1])], { weightDecay: -0.1 }), "Invalid weight_decay value: -0.1"],
    ["Adagrad lr decay", () => new optim.Adagrad([param([1])], { lrDecay: -0.5 }), "Invalid lr_decay value: -0.5"],
    [
      "Adagrad accumulator",
      () => new optim.Adagrad([param([1])], { initialAccumulatorValue: -1 }),
      "Invalid initial_accumulator_value value: -1.0",
    ],
    ["RMSprop alpha", () => new optim.RMSprop([param([1])], { alpha: -0.1 }), "Invalid alpha value: -0.1"],
    ["RMSprop momentum", () => new optim.RMSprop([param([1])], { momentum: -0.1 }), "Invalid momentum value: -0.1"],
    ["Adadelta rho", () => new optim.Adadelta([param([1])], { rho: 1.5 }), "Invalid rho value: 1.5"],
    ["NAdam momentum decay", () => new optim.NAdam([param([1])], { momentumDecay: -1 }), "Invalid momentum_decay value: -1.0"],
    ["Rprop etas", () => new optim.Rprop([param([1])], { etas: [1.5, 1.2] }), "Invalid eta values: 1.5, 1.2"],
    ["Adamax lr", () => new optim.Adamax([param([1])], { lr: -1e-3 }), "Invalid learning rate: -0.001"],
    ["RAdam eps", () => new optim.RAdam([param([1])], { eps: -1e-8 }), "Invalid epsilon value: -1e-08"],
    ["ASGD weight decay", () => new optim.ASGD([param([1])], { weightDecay: -1 }), "Invalid weight_decay value: -1.0"],
    ["group lr", () => new optim.Adam([{ params: [param([1])], lr: -2 }]), "Invalid learning rate: -2.0"],
  ];
  for (const [label, make, message] of bad)
    it(`${label}: ${message}`, () => expect(make).toThrow(new RangeError(message)));

  it("rejects options of the wrong kind with a TypeError", () => {
    expect(() => new optim.Adam([param([1])], { lr: "0.1" as unknown as number })).toThrow(TypeError);
    expect(() => new optim.Adam([param([1])], { betas: [0.9] as unknown as [number, number] })).toThrow(TypeError);
    expect(() => new optim.SGD([param([1])], { lr: 0.1, nesterov: 1 as unknown as boolean })).toThrow(TypeError);
  });

  it("fills groups from the defaults, keeps extra keys, and adds groups later", () => {
    const a = param([1]), b = param([2]), c = param([3]);
    const opt = new optim.Adam([{ params: [a] }, { params: b, lr: 0.5, tag: "head" }], { lr: 0.01, betas: [0.8, 0.9] });
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.01, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, tag: "head" });
    expect(opt.paramGroups[1]!.params).toEqual([b]);
    opt.addParamGroup({ params: [c], weightDecay: 0.1 });
    expect(opt.paramGroups[2]).toMatchObject({ lr: 0.01, weightDecay: 0.1 });
    // a failing addParamGroup adds nothing
    expect(() => opt.addParamGroup({ params: [param([4])], lr: -1 })).toThrow(RangeError);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(RangeError);
    expect(opt.paramGroups.length).toBe(3);
    // group arrays are copies: mutating the caller's betas changes nothing
    const betas: [number, number] = [0.5, 0.5];
    const opt2 = new optim.Adam([a], { betas });
    betas[0] = 0.1;
    expect(opt2.paramGroups[0]!.betas).toEqual([0.5, 0.5]);
    expect(Object.isFrozen(opt2.defaults)).toBe(true);
  });
});

describe("zeroGrad and step", () => {
  it("zeroGrad sets gradients to null by default and zeroes them in place on request", () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.sum().backward();
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    p.sum().backward();
    const g = p.grad!;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
  });

  it("skips parameters without gradient and returns the closure's loss, computed with grad enabled", () => {
    const p = param([1, 2]), q = param([5]);
    const opt = new optim.SGD([p, q], { lr: 0.5 });
    const loss = noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = p.mul(p).sum(); // d/dp = 2p = [2, 4]
        l.backward();
        return l;
      }),
    );
    expect(loss).toBeInstanceOf(Tensor);
    expect(loss!.item()).toBe(5);
    expect(Array.from(p.dataSync())).toEqual([0, 0]); // [1, 2] − 0.5·[2, 4]
    expect(Array.from(q.dataSync())).toEqual([5]);
    expect(opt.step()).toBeUndefined();
  });

  it("uses a learning rate changed between steps at once", () => {
    const p = param([1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensor([1], f64);
    opt.step(); // 1 − 0.1 = 0.9
    opt.paramGroups[0]!.lr = 0.5;
    opt.step(); // 0.9 − 0.5 = 0.4
    expect(p.item()).toBe(0.4);
  });

  it("SGD: a momentum switched on mid-run starts its buffer from the gradient", () => {
    const p = param([1]);
    const opt = new optim.SGD([p], { lr: 0.5 });
    p.grad = tensor([1], f64);
    opt.step(); // 0.5; state momentum_buffer: null
    expect(opt.stateDict().state[0]).toEqual({ momentum_buffer: null });
    opt.paramGroups[0]!.momentum = 0.5;
    opt.step(); // buf = g = 1; p = 0.5 − 0.5 = 0
    opt.step(); // buf = 0.5·1 + 1 = 1.5; p = 0 − 0.75 = −0.75
    expect(p.item()).toBe(-0.75);
  });

  it("bumps the parameter's version counter on every step", () => {
    const p = param([1]);
    const opt = new optim.Adam([p]);
    p.grad = tensor([1], f64);
    const v = p.storage.version;
    opt.step();
    expect(p.storage.version).toBe(v + 1);
  });
});

describe("non-finite gradients", () => {
  for (const name of Object.keys(OPTIMIZERS).filter((n) => n !== "LBFGS")) {
    it(`${name}: a NaN gradient element is not turned into a finite step`, () => {
      const p = param([1, 2]);
      const opt = new OPTIMIZERS[name]!([p], name === "SGD" ? { lr: 0.1 } : {});
      p.grad = tensor([NaN, 1], f64);
      opt.step();
      const [a, b] = Array.from(p.dataSync());
      // Rprop: PyTorch's sign(NaN) is 0, so that element does not move at all
      if (name === "Rprop") expect(a).toBe(1);
      else expect(a).toBeNaN();
      expect(Number.isFinite(b)).toBe(true);
    });
  }
});

describe("state dicts", () => {
  it("have PyTorch's structure and index parameters across groups", () => {
    const a = param([1, 2]), b = param([3]), c = param([4]);
    const opt = new optim.Adam([{ params: [a, b] }, { params: [c], lr: 0.1, initialLr: 0.1 }], { amsgrad: true });
    a.grad = tensor([1, 1], f64);
    c.grad = tensor([1], f64);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0, 1], [2]]);
    expect(sd.param_groups[1]).toMatchObject({ lr: 0.1, initial_lr: 0.1, weight_decay: 0, foreach: null, capturable: false });
    expect(Object.keys(sd.state)).toEqual(["0", "2"]);
    expect(Object.keys(sd.state[0]!)).toEqual(["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]);
    const step = sd.state[0]!["step"] as Tensor;
    expect([step.dtype, step.ndim, step.item()]).toEqual(["float32", 0, 1]);
    // a snapshot: later steps do not change it
    opt.step();
    expect((sd.state[0]!["step"] as Tensor).item()).toBe(1);
    // loading restores camelCase group keys, including extra ones
    const fresh = new optim.Adam([{ params: [a, b] }, { params: [c] }]);
    fresh.loadStateDict(sd);
    expect(fresh.paramGroups[1]).toMatchObject({ lr: 0.1, initialLr: 0.1, amsgrad: true });
    expect(fresh.paramGroups[1]!.params).toEqual([c]);
    expect("foreach" in fresh.paramGroups[1]!).toBe(false);
  });

  it("reject mismatched groups with PyTorch's messages and leave the optimizer unchanged", () => {
    const a = param([1, 2]), b = param([3]);
    const opt = new optim.SGD([a, b], { lr: 0.1, momentum: 0.9 });
    a.grad = tensor([1, 1], f64);
    opt.step();
    const good = opt.stateDict();
    const before = JSON.stringify(opt.paramGroups.map(({ params, ...o }) => [params.length, o]));
    const check = (sd: unknown, error: Error): void => {
      expect(() => opt.loadStateDict(sd as optim.OptimizerStateDict)).toThrow(error);
      expect(JSON.stringify(opt.paramGroups.map(({ params, ...o }) => [params.length, o]))).toBe(before);
      expect(opt.state.size).toBe(1);
    };
    check({ state: {}, param_groups: [] }, new RangeError("loaded state dict has a different number of parameter groups"));
    check(
      { state: {}, param_groups: [{ ...good.param_groups[0], params: [0] }] },
      new RangeError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group"),
    );
    check(
      { state: { 0: { momentum_buffer: zeros([3], f64) } }, param_groups: [{ ...good.param_groups[0], lr: 0.5 }] },
      new RangeError("loaded state dict's 'momentum_buffer' of parameter 0 has shape [3], but the parameter has shape [2]"),
    );
    check(
      { state: { 0: { momentum: zeros([2], f64) } }, param_groups: good.param_groups },
      new RangeError("loaded state dict has an unexpected entry 'momentum' in the state of parameter 0"),
    );
    check(
      { state: {}, param_groups: [{ ...good.param_groups[0], lr: -1 }] },
      new RangeError("Invalid learning rate: -1.0"),
    );
  });

  it("deep-copy on load and cast buffers to the parameter's dtype (0-d state keeps float32)", () => {
    const p32 = param([1, 2], "float32");
    const src = new optim.Adam([p32]);
    p32.grad = tensor([0.5, -0.25], { dtype: "float32" });
    src.step();
    const sd = src.stateDict();
    const p64 = param([1, 2]);
    const dst = new optim.Adam([p64]);
    dst.loadStateDict(sd);
    const s = dst.state.get(p64)!;
    expect(s.expAvg.dtype).toBe("float64");
    expect(s.step.dtype).toBe("float32");
    (sd.state[0]!["exp_avg"] as Tensor).storage.data.fill(7);
    expect(Array.from(s.expAvg.dataSync())).toEqual([0.05000000074505806, -0.02500000037252903]); // 0.1·g in float32
  });

  it("load PyTorch's own state dicts (every optimizer of the table)", () => {
    for (const c of CASES) {
      for (const dtype of ["float32", "float64"] as const) {
        const f = fixtureCase(c.name, dtype);
        const sd = toStateDict(f.state_dict);
        const pb = makeProblem(c, dtype);
        pb.opt.loadStateDict(sd);
        const back = pb.opt.stateDict();
        for (const [i, entry] of Object.entries(sd.state))
          for (const [key, value] of Object.entries(entry)) {
            const got = back.state[Number(i)]![key];
            if (value instanceof Tensor && got instanceof Tensor) expect(Array.from(got.dataSync()), `${c.name} ${key}`).toEqual(Array.from(value.dataSync()));
          }
      }
    }
  });
});

describe("decoupled weight decay (PyTorch 2.x) for NAdam and RAdam", () => {
  for (const name of ["NAdam", "RAdam"] as const) {
    it(`${name}: equals multiplying θ by 1 − γλ before an undecayed step`, () => {
      const Ctor = OPTIMIZERS[name]!;
      const rng = new XorShift32(3);
      const init = rng.array(19, -2, 4, "float32");
      const p = tensor(init, { requiresGrad: true }), q = tensor(init, { requiresGrad: true });
      const lr = 0.01, wd = 0.1;
      const a = new Ctor([p], { lr, weightDecay: wd, decoupledWeightDecay: true });
      const b = new Ctor([q], { lr, weightDecay: 0 });
      const decay = Math.fround(1 - lr * wd);
      for (let s = 0; s < 10; s++) {
        const g = rng.array(19, -6, 8, "float32");
        p.grad = tensor(g);
        q.grad = tensor(g);
        a.step();
        noGrad(() => q.mul_(decay));
        b.step();
      }
      expect(p.dataSync()).toEqual(q.dataSync());
    });
  }
});

describe("LBFGS", () => {
  it("requires a closure", () => {
    const opt = new optim.LBFGS([param([1])]);
    expect(() => opt.step()).toThrow(TypeError);
  });
});

/** A fixture state dict ({tensor} wrappers) as a descent state dict. */
function toStateDict(f: FixtureStateDict): optim.OptimizerStateDict {
  const conv = (v: FixtureValue): optim.StateValue => {
    if (Array.isArray(v)) return v.map(conv);
    if (typeof v === "object" && v !== null) {
      const t = (v as { tensor: FixtureTensor }).tensor;
      const data = t.dtype === "float64" ? Float64Array.from(t.data) : Float32Array.from(t.data);
      return tensor(data, { dtype: t.dtype as "float32" | "float64", shape: t.shape });
    }
    return v as number | null;
  };
  const state: optim.OptimizerStateDict["state"] = {};
  for (const [k, s] of Object.entries(f.state)) state[Number(k)] = Object.fromEntries(Object.entries(s).map(([key, v]) => [key, conv(v)]));
  const groups = f.param_groups.map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v as optim.GroupValue]))) as optim.StateDictGroup[];
  return { state, param_groups: groups };
}
