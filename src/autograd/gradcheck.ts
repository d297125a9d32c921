/**
 * `gradcheck(fn, inputs)`: compare the gradients autograd computes with central finite
 * differences in float64, like `torch.autograd.gradcheck`.
 *
 * For every input that requires grad and every output element, the analytical Jacobian row
 * (one backward pass with a one-hot output gradient) must agree with the numerical one,
 * (f(x + eps) − f(x − eps)) / 2eps, within |analytical − numerical| ≤ atol + rtol·|numerical|.
 * PyTorch's defaults: eps 1e-6, atol 1e-5, rtol 1e-3.
 */
import { Tensor } from "../tensor/tensor.js";
import { zeros } from "../tensor/creation.js";
import { noGrad } from "./grad_mode.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw a descriptive Error on mismatch (default) instead of returning false. */
  raiseException?: boolean;
}

type Outputs = Tensor | readonly Tensor[];

function asList(out: Outputs): Tensor[] {
  return out instanceof Tensor ? [out] : [...out];
}

function flatValues(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

export function gradcheck(fn: (...inputs: Tensor[]) => Outputs, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const raise = options.raiseException ?? true;
  inputs.forEach((x, i) => {
    if (x.requiresGrad && x.dtype !== "float64")
      throw new TypeError(
        `gradcheck: input ${i} requires grad but is ${x.dtype}; finite differences need float64 inputs`,
      );
  });
  // fresh leaves that own contiguous copies of the inputs
  const leaves = inputs.map((x) => {
    const c = noGrad(() => x.detach().clone());
    if (x.requiresGrad) c.requiresGrad = true;
    return c;
  });
  const outputs = asList(fn(...leaves)).filter((o) => o.dtype === "float64" || o.dtype === "float32");
  const checked = leaves.map((l, i) => ({ leaf: l, i })).filter(({ leaf }) => leaf.requiresGrad);

  for (let o = 0; o < outputs.length; o++) {
    const out = outputs[o]!;
    const nOut = out.numel();
    for (const { leaf, i } of checked) {
      const nIn = leaf.numel();
      // numerical Jacobian: column per input element
      const numerical = new Float64Array(nIn * nOut);
      const data = leaf.storage.data;
      for (let j = 0; j < nIn; j++) {
        const orig = data[j]!;
        data[j] = orig + eps;
        const plus = flatValues(noGrad(() => asList(fn(...leaves))[o]!));
        data[j] = orig - eps;
        const minus = flatValues(noGrad(() => asList(fn(...leaves))[o]!));
        data[j] = orig;
        for (let k = 0; k < nOut; k++) numerical[j * nOut + k] = (plus[k]! - minus[k]!) / (2 * eps);
      }
      // analytical Jacobian: one backward per output element
      const analytical = new Float64Array(nIn * nOut);
      if (out.requiresGrad) {
        for (let k = 0; k < nOut; k++) {
          const gOut = zeros(out.shape, { dtype: out.dtype });
          gOut.storage.data[k] = 1;
          for (const { leaf: l } of checked) l.grad = null;
          out.backward(gOut, { retainGraph: true });
          const g = leaf.grad ? flatValues(leaf.grad) : new Float64Array(nIn);
          for (let j = 0; j < nIn; j++) analytical[j * nOut + k] = g[j]!;
        }
      }
      for (let idx = 0; idx < numerical.length; idx++) {
        const a = analytical[idx]!;
        const n = numerical[idx]!;
        if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
          if (!raise) return false;
          const j = Math.floor(idx / nOut);
          const k = idx % nOut;
          throw new Error(
            `Jacobian mismatch for output ${o} with respect to input ${i},\n` +
              `at input element ${j}, output element ${k}: numerical ${n}, analytical ${a}\n` +
              `numerical:${fmt(numerical, nIn, nOut)}\nanalytical:${fmt(analytical, nIn, nOut)}`,
          );
        }
      }
    }
  }
  return true;
}

function fmt(m: Float64Array, rows: number, cols: number): string {
  const lines: string[] = [];
  for (let r = 0; r < Math.min(rows, 8); r++) {
    const row: string[] = [];
    for (let c = 0; c < Math.min(cols, 8); c++) row.push(m[r * cols + c]!.toPrecision(6));
    lines.push(`  [${row.join(", ")}${cols > 8 ? ", …" : ""}]`);
  }
  if (rows > 8) lines.push("  …");
  return "\n" + lines.join("\n");
}
