/**
 * Runs in both vitest projects: the suites of the "wasm" project really run on the WASM backend,
 * and those of the "cpu" project on the CPU reference (vitest.config.ts sets DESCENT_BACKEND).
 */
import { expect, test } from "vitest";
import { backend, tensor } from "../../src/index.js";

test("the backend named by DESCENT_BACKEND is the one the ops use", () => {
  const want = process.env["DESCENT_BACKEND"] || "wasm";
  // [1, 2]·[3, 4] = 11
  expect(tensor([1, 2]).matmul(tensor([3, 4])).item()).toBe(11);
  expect(backend().name).toBe(want);
});
