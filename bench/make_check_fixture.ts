/**
 * Writes test/bench/torch_checks.json: PyTorch's check values (bench/contender.ts) of two steps
 * of every workload at TINY_SIZES, computed by bench/torch_bench.py from the shared synthetic
 * data, so the smoke test (test/bench) compares descent's workload builders with PyTorch without
 * needing Python.
 *
 *   npx vite-node bench/make_check_fixture.ts
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startTorch } from "./contenders/torch.js";
import { TINY_SIZES, WORKLOAD_IDS } from "./workloads.js";

const t = await startTorch();
if (typeof t === "string") throw new Error(t);
const out: Record<string, unknown> = { torch: t.info.torch, sizes: TINY_SIZES, checks: {} };
const checks = out["checks"] as Record<string, Record<string, number[]>>;
for (const id of WORKLOAD_IDS) {
  checks[id] = {};
  for (const c of t.contenders) {
    const r = await c.build(id, TINY_SIZES);
    if (typeof r === "string") continue;
    checks[id]![c.id] = await r.check(2);
    await r.dispose();
  }
}
await t.server.close();
const path = fileURLToPath(new URL("../test/bench/torch_checks.json", import.meta.url));
writeFileSync(path, JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${path}`);
