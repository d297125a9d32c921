/**
 * Bit-exactness of the optimizer kernels against PyTorch 1.13.1: every case of the table (but
 * LBFGS) run on one parameter with given gradients (test/fixtures/optim_kernels.json, made by
 * scripts/fixtures/optim_kernels.py from a xorshift32 stream reproduced here), 30 steps.
 * float32: the final parameter and every state tensor equal PyTorch's bit for bit. float64:
 * equal to a relative 1e-12 (PyTorch fuses some multiply-adds in double too; descent does not),
 * with the default absolute floor of 1e-14 for values near zero.
 */
import { describe, expect, it } from "vitest";
import { tensor, Tensor } from "../../src/index.js";
import { loadFixture, type FixtureTensor } from "../helpers/fixtures.js";
import { expectClose } from "../helpers/compare.js";
import { OPTIMIZERS, XorShift32, expectBitExact, optionsOf } from "./helpers.js";

interface KernelCase {
  name: string;
  optim: string;
  dtype: "float32" | "float64";
  seed: number;
  n: number;
  kwargs: Record<string, unknown>;
  param: FixtureTensor;
  state: Record<string, FixtureTensor | number | null>;
}

const fixture = loadFixture<{ steps: number; cases: KernelCase[] }>("optim_kernels");

function isTensor(v: unknown): v is FixtureTensor {
  return typeof v === "object" && v !== null && "data" in v;
}

describe("optimizer kernels match PyTorch on given gradients", () => {
  for (const c of fixture.cases) {
    it(`${c.name} ${c.dtype}`, () => {
      const rng = new XorShift32(c.seed);
      const p = tensor(rng.array(c.n, -3, 5, c.dtype), { dtype: c.dtype, requiresGrad: true });
      const opt = new OPTIMIZERS[c.optim]!([p], optionsOf(c.kwargs));
      for (let s = 0; s < fixture.steps; s++) {
        p.grad = tensor(rng.array(c.n, -10, 12, c.dtype), { dtype: c.dtype });
        opt.step();
      }
      const check = (actual: Tensor, expected: FixtureTensor, label: string): void => {
        if (c.dtype === "float32") expectBitExact(actual, expected, label);
        else expectClose(actual, expected, { rtol: 1e-12 }, label); // tolerance: see the file comment
      };
      check(p, c.param, "param");
      const state = opt.stateDict().state[0]!;
      expect(Object.keys(state).sort()).toEqual(Object.keys(c.state).sort());
      for (const [key, expected] of Object.entries(c.state)) {
        const got = state[key];
        if (isTensor(expected)) {
          expect(got, key).toBeInstanceOf(Tensor);
          // 0-d state tensors (step, mu_product, eta, mu) are float32 in PyTorch for every dtype
          if ((got as Tensor).ndim === 0) expect((got as Tensor).item(), key).toBe(expected.data[0]);
          else check(got as Tensor, expected, key);
        } else {
          expect(got, key).toBe(expected);
        }
      }
    });
  }
});
