import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    // --expose-gc lets the memory tests measure the heap after a full collection
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
  },
});
