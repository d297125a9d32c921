/**
 * CPU fused linear layer: out [m, n] = x [m, k] · weight [n, k]ᵀ + bias [n].
 *
 * The product is the CPU matmul (float64 accumulation, rounded once to the output dtype) with the
 * weight read transposed through its strides; the bias is then added in the output's dtype. This
 * is exactly what the unfused `matmul(x, weight.t())` followed by `add(·, bias)` computes, so the
 * fused op changes no CPU result.
 */
import type { LinearArgs, Storage, Strided } from "../backend.js";
import { matmul } from "./matmul.js";

export function linear(x: Strided, weight: Strided, bias: Strided | null, out: Storage, { m, n, k }: LinearArgs): void {
  const [xsm, xsk] = x.strides as [number, number];
  const [wsn, wsk] = weight.strides as [number, number];
  matmul(
    { storage: x.storage, shape: [1, m, k], strides: [0, xsm, xsk], offset: x.offset },
    { storage: weight.storage, shape: [1, k, n], strides: [0, wsk, wsn], offset: weight.offset },
    out,
    { batch: 1, m, n, k },
  );
  if (bias === null) return;
  const o = out.data;
  const b = bias.storage.data;
  const bs = bias.strides[0] ?? 0;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0, q = bias.offset; j < n; j++, q += bs) o[row + j] = o[row + j]! + b[q]!;
  }
}
