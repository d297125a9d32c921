/**
 * Generator vs PyTorch 1.13.1 CPU streams (fixtures from scripts/fixtures/generator.py).
 * Every float is compared bit for bit (Object.is, so the sign of zero counts), every integer
 * exactly, and the complete generator state against torch.get_rng_state() bytes.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SEED,
  Generator,
  TORCH_STATE_BYTES,
  defaultGenerator,
  fma,
  fmaf,
  glibcCos,
  glibcLog,
  glibcSin,
  manualSeed,
  type GeneratorState,
} from "../../src/tensor/generator.js";
import { loadFixture } from "../helpers/fixtures.js";

type Data = { data: (number | string)[] };
type Op = {
  op: "rand" | "uniform" | "randn" | "normal" | "normal_nc" | "randint" | "randperm" | "bernoulli" | "dropout" | "random64";
  dtype?: "float32" | "float64" | "uint8" | "int32";
  n: number;
  from?: number;
  to?: number;
  mean?: number;
  std?: number;
  low?: number;
  high?: number;
  p?: number;
  out: Data;
  state?: string;
};
type Case = { name: string; seed: string | null; initial_seed?: string; ops: Op[]; final_state_sha256: string };
type SeedEntry = {
  seed: string;
  initial_seed: string;
  rand32: Data;
  rand64: Data;
  randn64: Data;
  final_state_sha256: string;
};
type Libm = { log_x: number[]; log: number[]; sincos_x: number[]; sin: number[]; cos: number[] };
type Sampler = { seed: string; n: number; perm: number[]; final_state_sha256: string };
type Fixture = {
  torch: string;
  default_seed: string;
  seeds: SeedEntry[];
  cases: Case[];
  samplers: Sampler[];
  libm: Libm;
};

const fx = loadFixture<Fixture>("generator");

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Exact comparison (Object.is per element) with a readable first mismatch. */
function expectExact(actual: ArrayLike<number | string>, expected: (number | string)[], label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`${label}: element ${i} is ${String(actual[i])}, PyTorch gives ${String(expected[i])}`);
    }
  }
}

function floatArray(dtype: string | undefined, n: number): Float32Array | Float64Array {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/** Runs one fixture operation on g and returns its values in fixture form. */
function runOp(g: Generator, op: Op): ArrayLike<number | string> {
  switch (op.op) {
    case "rand": {
      const out = floatArray(op.dtype, op.n);
      g.uniform(out);
      return out;
    }
    case "uniform": {
      const out = floatArray(op.dtype, op.n);
      g.uniform(out, op.from, op.to);
      return out;
    }
    case "randn": {
      const out = floatArray(op.dtype, op.n);
      g.normal(out);
      return out;
    }
    case "normal": {
      const out = floatArray(op.dtype, op.n);
      g.normal(out, op.mean, op.std);
      return out;
    }
    case "normal_nc": {
      const out = floatArray(op.dtype, op.n);
      g.normal(out, op.mean, op.std, false);
      return out;
    }
    case "randint": {
      const out =
        op.dtype === "int32" ? new Int32Array(op.n) : op.dtype === "float32" ? new Float32Array(op.n) : new Float64Array(op.n);
      g.randint(out, op.low!, op.high!);
      return out;
    }
    case "randperm":
      return g.randperm(op.n);
    case "bernoulli": {
      const out = op.dtype === "uint8" ? new Uint8Array(op.n) : floatArray(op.dtype, op.n);
      g.bernoulli(out, op.p!);
      return out;
    }
    case "dropout": {
      // F.dropout(x, p) on CPU multiplies by noise.bernoulli_(1 - p) / (1 - p).
      const mask = new Uint8Array(op.n);
      g.bernoulli(mask, 1 - op.p!);
      return mask;
    }
    case "random64": {
      const vals: string[] = [];
      for (let i = 0; i < op.n; i++) vals.push(g.randomInt64().toString());
      return vals;
    }
  }
}

function opLabel(c: Case, i: number): string {
  const op = c.ops[i]!;
  const { out: _out, state: _state, ...rest } = op;
  return `${c.name} op#${i} ${JSON.stringify(rest)}`;
}

function seeded(c: Case): Generator {
  return c.seed === null ? new Generator() : new Generator(BigInt(c.seed));
}

describe("Generator: seeds", () => {
  it("uses PyTorch's default seed", () => {
    expect(DEFAULT_SEED).toBe(BigInt(fx.default_seed));
    expect(new Generator().initialSeed()).toBe(BigInt(fx.default_seed));
  });

  for (const s of fx.seeds) {
    it(`manualSeed(${s.seed}) matches torch.manual_seed`, () => {
      const g = new Generator().manualSeed(BigInt(s.seed));
      expect(g.initialSeed()).toBe(BigInt(s.initial_seed));
      const r32 = new Float32Array(s.rand32.data.length);
      g.uniform(r32);
      expectExact(r32, s.rand32.data, "rand float32");
      const r64 = new Float64Array(s.rand64.data.length);
      g.uniform(r64);
      expectExact(r64, s.rand64.data, "rand float64");
      const n64 = new Float64Array(s.randn64.data.length);
      g.normal(n64);
      expectExact(n64, s.randn64.data, "randn float64");
      expect(sha256(g.getTorchState())).toBe(s.final_state_sha256);
      // A safe-integer number seed is the same seed.
      const asNumber = Number(s.seed);
      if (Number.isSafeInteger(asNumber)) {
        const h = new Generator(asNumber);
        expect(h.initialSeed()).toBe(BigInt(s.initial_seed));
        const again = new Float32Array(s.rand32.data.length);
        h.uniform(again);
        expectExact(again, s.rand32.data, "rand float32 (number seed)");
      }
    });
  }

  it("rejects invalid seeds with clear errors", () => {
    const g = new Generator();
    expect(() => g.manualSeed(1.5)).toThrow(TypeError);
    expect(() => g.manualSeed(Number.NaN)).toThrow(/integer/);
    expect(() => g.manualSeed(Number.POSITIVE_INFINITY)).toThrow(/integer/);
    expect(() => g.manualSeed(2 ** 60)).toThrow(/safe integer/);
    expect(() => g.manualSeed(1n << 64n)).toThrow(RangeError);
    expect(() => g.manualSeed(-(1n << 63n) - 1n)).toThrow(/\[-2\^63, 2\^64\)/);
    expect(() => g.manualSeed("7" as unknown as number)).toThrow(TypeError);
    expect(() => new Generator(-0.5)).toThrow(TypeError);
    // A failed manualSeed leaves the generator untouched.
    expect(g.initialSeed()).toBe(DEFAULT_SEED);
  });

  it("seed() reseeds nondeterministically and reports the seed", () => {
    const g = new Generator(0);
    const a = g.seed();
    expect(typeof a).toBe("bigint");
    expect(a >= 0n && a < 1n << 64n).toBe(true);
    expect(g.initialSeed()).toBe(a);
    const x = new Float64Array(4);
    g.uniform(x);
    const h = new Generator(a);
    const y = new Float64Array(4);
    h.uniform(y);
    expectExact(x, Array.from(y), "stream after seed()");
    expect(g.seed()).not.toBe(a); // 2^-64 chance of a false failure
  });

  it("manualSeed() seeds defaultGenerator like torch.manual_seed", () => {
    const s = fx.seeds.find((e) => e.seed === "0")!;
    expect(manualSeed(0)).toBe(defaultGenerator);
    expect(defaultGenerator.initialSeed()).toBe(0n);
    const r32 = new Float32Array(s.rand32.data.length);
    defaultGenerator.uniform(r32);
    expectExact(r32, s.rand32.data, "defaultGenerator rand");
  });
});

describe("Generator: streams match PyTorch", () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const g = seeded(c);
      if (c.initial_seed !== undefined) expect(g.initialSeed()).toBe(BigInt(c.initial_seed));
      c.ops.forEach((op, i) => {
        expectExact(runOp(g, op), op.out.data, opLabel(c, i));
        if (op.state !== undefined) expect(bytesToHex(g.getTorchState()), `${opLabel(c, i)}: state`).toBe(op.state);
      });
      expect(sha256(g.getTorchState()), "final torch state").toBe(c.final_state_sha256);
    });
  }
});

describe("Generator: DataLoader's RandomSampler recipe", () => {
  for (const smp of fx.samplers) {
    it(`seed ${smp.seed}, n=${smp.n}`, () => {
      const g = new Generator(BigInt(smp.seed));
      const sub = new Generator(g.randomInt64()); // torch.Generator().manual_seed(int64 random_())
      expectExact(sub.randperm(smp.n), smp.perm, "RandomSampler order");
      expect(sha256(g.getTorchState())).toBe(smp.final_state_sha256);
    });
  }
});

describe("Generator: state", () => {
  const withStates = fx.cases.filter((c) => c.ops.some((op) => op.state !== undefined));

  it("fixtures include resumable states, some holding a cached normal", () => {
    expect(withStates.length).toBeGreaterThan(0);
    const cachedFlags = withStates.flatMap((c) =>
      c.ops.filter((op) => op.state !== undefined).map((op) => hexToBytes(op.state!)[5040]),
    );
    expect(cachedFlags).toContain(1);
    expect(cachedFlags).toContain(0);
  });

  for (const c of withStates) {
    it(`resumes from PyTorch states: ${c.name}`, () => {
      c.ops.forEach((op, i) => {
        if (op.state === undefined) return;
        const g = new Generator(12345);
        g.setTorchState(hexToBytes(op.state));
        expect(g.initialSeed()).toBe(BigInt(c.seed!));
        for (let j = i + 1; j < c.ops.length; j++) expectExact(runOp(g, c.ops[j]!), c.ops[j]!.out.data, `resumed ${opLabel(c, j)}`);
        expect(sha256(g.getTorchState())).toBe(c.final_state_sha256);
      });
    });

    it(`getState/setState (through JSON) resumes exactly: ${c.name}`, () => {
      const g = seeded(c);
      const half = Math.floor(c.ops.length / 2);
      for (let i = 0; i < half; i++) runOp(g, c.ops[i]!);
      const saved = JSON.parse(JSON.stringify(g.getState())) as GeneratorState;
      for (let i = half; i < c.ops.length; i++) runOp(g, c.ops[i]!); // advance the original
      const h = new Generator(99);
      h.setState(saved);
      for (let i = half; i < c.ops.length; i++) expectExact(runOp(h, c.ops[i]!), c.ops[i]!.out.data, `restored ${opLabel(c, i)}`);
      expect(sha256(h.getTorchState())).toBe(c.final_state_sha256);
      // Setting the same state again rewinds.
      h.setState(saved);
      expectExact(runOp(h, c.ops[half]!), c.ops[half]!.out.data, "rewound");
    });
  }

  it("getState/setState copy deeply", () => {
    const g = new Generator(5);
    const x = new Float64Array(3);
    g.normal(x); // leaves a cached normal
    const s = g.getState();
    expect(s.nextDoubleNormal).not.toBeNull();
    const snapshot = JSON.stringify(s);
    s.state[0] = (s.state[0]! + 1) >>> 0;
    s.left = 3;
    expect(JSON.stringify(g.getState())).toBe(snapshot); // mutating the returned object does nothing
    const input = JSON.parse(snapshot) as GeneratorState;
    const h = new Generator();
    h.setState(input);
    input.state[7] = 0;
    input.nextDoubleNormal = null;
    expect(JSON.stringify(h.getState())).toBe(snapshot); // nor does mutating the argument afterwards
    expect(h.getTorchState()).toEqual(g.getTorchState());
    expect(g.getTorchState().length).toBe(TORCH_STATE_BYTES);
  });

  it("validates states with clear errors", () => {
    const good = new Generator(1).getState();
    const g = new Generator(1);
    const bad = (patch: Record<string, unknown>): GeneratorState => ({ ...good, ...patch }) as GeneratorState;
    expect(() => g.setState(null as unknown as GeneratorState)).toThrow(/GeneratorState object/);
    expect(() => g.setState(bad({ kind: "philox" }))).toThrow(/kind/);
    expect(() => g.setState(bad({ seed: "-1" }))).toThrow(/seed/);
    expect(() => g.setState(bad({ seed: (1n << 64n).toString() }))).toThrow(/seed/);
    expect(() => g.setState(bad({ seed: 5 }))).toThrow(/seed/);
    expect(() => g.setState(bad({ left: 0 }))).toThrow(/left/);
    expect(() => g.setState(bad({ left: 625 }))).toThrow(/left/);
    expect(() => g.setState(bad({ next: -1 }))).toThrow(/next/);
    expect(() => g.setState(bad({ left: 300, next: 400 }))).toThrow(/left \+ next/);
    expect(() => g.setState(bad({ state: good.state.slice(1) }))).toThrow(/624/);
    expect(() => g.setState(bad({ state: [...good.state.slice(1), 2 ** 32] }))).toThrow(/state\[623\]/);
    expect(() => g.setState(bad({ state: [1.5, ...good.state.slice(1)] }))).toThrow(/state\[0\]/);
    expect(() => g.setState(bad({ nextDoubleNormal: "0.5" }))).toThrow(/nextDoubleNormal/);
    expect(() => g.setState(bad({ nextFloatNormal: Number.NaN }))).toThrow(/nextFloatNormal/);
    // Failed setState calls leave the generator unchanged.
    expect(g.getState()).toEqual(good);
    expect(() => g.setTorchState(new Uint8Array(10))).toThrow(/5056 bytes/);
    const t = g.getTorchState();
    t[12] = 0; // seeded = false
    expect(() => g.setTorchState(t)).toThrow(/Invalid mt19937 state/);
  });
});

describe("Generator: argument checks", () => {
  const g = new Generator(0);
  it("uniform", () => {
    expect(() => g.uniform(new Float32Array(2), 2, 1)).toThrow(/from=2 > to=1/);
    expect(() => g.uniform(new Float32Array(2), 0, 1e39)).toThrow(/out of bounds for float32/);
    expect(() => g.uniform(new Float32Array(2), -3e38, 3e38)).toThrow(/to-from/);
    expect(() => g.uniform(new Float64Array(2), Number.NaN, 1)).toThrow(/from is out of bounds/);
    expect(() => g.uniform([0, 0] as unknown as Float32Array)).toThrow(/Float32Array or Float64Array/);
  });
  it("normal", () => {
    expect(() => g.normal(new Float32Array(2), 0, -1)).toThrow(/std >= 0.0/);
    expect(() => g.normal(new Float64Array(2), 0, Number.NaN)).toThrow(/std/);
  });
  it("randint", () => {
    expect(() => g.randint(new Int32Array(2), 5, 5)).toThrow(/from=5 >= to=5/);
    expect(() => g.randint(new Int32Array(2), 0.5, 5)).toThrow(/safe integers/);
    expect(() => g.randint(new Int32Array(2), 0, 2 ** 31 + 1)).toThrow(/Int32Array/);
    expect(() => g.randint(new Float64Array(2), 0, 2 ** 53)).toThrow(/safe integers/);
  });
  it("randperm / bernoulli", () => {
    expect(() => g.randperm(-1)).toThrow(/non-negative/);
    expect(() => g.randperm(2.5)).toThrow(/non-negative/);
    expect(() => g.bernoulli(new Float32Array(2), 1.5)).toThrow(/\[0, 1\]/);
    expect(() => g.bernoulli(new Int32Array(2) as unknown as Uint8Array, 0.5)).toThrow(/Uint8Array/);
  });
  it("a failed call draws nothing", () => {
    const a = new Generator(3);
    const b = new Generator(3);
    expect(() => a.uniform(new Float32Array(4), 1, 0)).toThrow();
    expect(a.getTorchState()).toEqual(b.getTorchState());
  });
});

describe("glibc math ports (the doubles PyTorch's normal kernels use)", () => {
  it("glibcLog matches glibc log bit for bit", () => {
    const { log_x, log } = fx.libm;
    expectExact(log_x.map(glibcLog), log, "log");
  });
  it("glibcSin / glibcCos match glibc sincos bit for bit", () => {
    const { sincos_x, sin, cos } = fx.libm;
    expectExact(sincos_x.map(glibcSin), sin, "sin");
    expectExact(sincos_x.map(glibcCos), cos, "cos");
  });
  it("fma / fmaf round once", () => {
    // (1 + 2^-30)^2 - 1 = 2^-29 + 2^-60 exactly; an unfused evaluation loses the 2^-60 term.
    const a = 1 + 2 ** -30;
    expect(fma(a, a, -1)).toBe(2 ** -29 + 2 ** -60);
    expect(a * a - 1).toBe(2 ** -29);
    // Double rounding trap for float32: exact a*b + c lies just above a float32 tie.
    const x = Math.fround(1 + 2 ** -12);
    const y = Math.fround(1 + 2 ** -12);
    // x*y = 1 + 2^-11 + 2^-24 (exact, a float32 tie); adding c = 2^-60 puts it just above the
    // tie, but the binary64 sum rounds back onto the tie, so rounding twice goes down.
    expect(fmaf(x, y, 2 ** -60)).toBe(Math.fround(1 + 2 ** -11 + 2 ** -23));
    expect(Math.fround(x * y + 2 ** -60)).toBe(Math.fround(1 + 2 ** -11));
    expect(fmaf(x, y, 0)).toBe(Math.fround(1 + 2 ** -11)); // exact tie rounds to even
    expect(fma(2, 3, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(fma(1e300, 1e300, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
