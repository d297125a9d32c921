import { defineConfig } from "vitest/config";

// Two projects: every test on the CPU reference backend, and the numeric suites (ops, layers,
// losses, autograd, optimizers, training) again on the WASM SIMD backend. The backend is chosen
// through DESCENT_BACKEND when the first op runs (src/backend/registry.ts); test/backend picks
// backends explicitly and runs once.
const wasmSuites = [
  "test/ops/**/*.test.ts",
  "test/nn/**/*.test.ts",
  "test/autograd/**/*.test.ts",
  "test/optim/**/*.test.ts",
  "test/train/**/*.test.ts",
  "test/backend/selected.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    pool: "forks",
    // --expose-gc lets the memory tests measure the heap after a full collection
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
    projects: [
      { extends: true, test: { name: "cpu", include: ["test/**/*.test.ts"], env: { DESCENT_BACKEND: "cpu" } } },
      { extends: true, test: { name: "wasm", include: wasmSuites, env: { DESCENT_BACKEND: "wasm" } } },
    ],
  },
});
