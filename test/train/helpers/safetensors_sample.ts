/**
 * A small state dict with exact float32 values (multiples of 1/16), the one the PyTorch round-trip
 * fixture (scripts/fixtures/safetensors.py) loads into `torch.nn.Sequential(Linear(4, 3), ReLU(),
 * Linear(3, 2))`; ./write_safetensors_sample.ts writes it as a file for that script.
 */
import { tensor, type Tensor } from "../../../src/index.js";

function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (((i * 37 + seed * 11) % 17) - 8) / 16;
  return a;
}

/** `0.weight` [3, 4], `0.bias` [3], `2.weight` [2, 3], `2.bias` [2]: PyTorch's Sequential key names. */
export function sampleStateDict(): Record<string, Tensor> {
  return {
    "0.weight": tensor(values(12, 1), { shape: [3, 4] }),
    "0.bias": tensor(values(3, 2)),
    "2.weight": tensor(values(6, 3), { shape: [2, 3] }),
    "2.bias": tensor(values(2, 4)),
  };
}

/** The input the fixture feeds the loaded PyTorch model: 2 × 4, multiples of 1/4. */
export function sampleInput(): Tensor {
  return tensor([[1, -0.5, 0.25, 2], [-1, 0.75, 1.5, -0.25]]);
}

