/**
 * `npm run bench`: measures descent against TensorFlow.js (cpu and wasm backends) and PyTorch
 * (when `/usr/bin/python3 -c "import torch"` works) in one run, prints one table of medians,
 * minima and ratios, and writes it to BENCHMARKS.md with the machine's description.
 *
 *   npm run bench                          full run, writes BENCHMARKS.md
 *   npm run bench -- --quick               smoke run (few repetitions), prints only
 *   npm run bench -- --only mlp-adam,ce    some workloads (ids or id prefixes), prints only
 *   npm run bench -- --with-start          also times `npm start` (the MNIST job) for the targets
 *   other flags: --no-torch --no-tfjs --contenders descent,torch --rounds N --reps N
 *                --out FILE (write the report there, even for a partial run)
 *
 * Method: for each workload, every contender builds it from the same synthetic weights and batch
 * (bench/data.ts), runs two checked steps (the sanity check: the loss, Σ p·g or Σ C² after one
 * step must agree with PyTorch's to 1e-5 relative), warms up, then all contenders are timed in interleaved rounds
 * (A B C A B C …) — 6 rounds of 5 repetitions by default, so ≥ 30 timed steps each, and a burst
 * of load from elsewhere on the machine falls on every contender alike; a contender
 * whose single step takes so long that this would exceed the slow budget (30 s) runs fewer and
 * the table says so. Medians and minima of the per-step times are reported. One thread for every
 * contender unless its label says otherwise.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import type { Contender, Runner } from "./contender.js";
import { DescentContender } from "./contenders/descent.js";
import { describeMachine } from "./machine.js";
import { checkLines, renderMarkdown, type CellResult, type RunReport, type WorkloadResult } from "./report.js";
import { median, minimum } from "./stats.js";
import { FULL_SIZES, WORKLOAD_IDS, WORKLOADS, type WorkloadId, type WorkloadSizes } from "./workloads.js";
import type { TorchInfo, TorchServer } from "./contenders/torch.js";

interface Options {
  quick: boolean;
  only: WorkloadId[] | null;
  withStart: boolean;
  torch: boolean;
  tfjs: boolean;
  contenders: string[] | null;
  rounds: number;
  reps: number;
  out: string | null;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    quick: false, only: null, withStart: false, torch: true, tfjs: true, contenders: null, rounds: 0, reps: 0, out: null,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new RangeError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") o.quick = true;
    else if (a === "--with-start") o.withStart = true;
    else if (a === "--no-torch") o.torch = false;
    else if (a === "--no-tfjs") o.tfjs = false;
    else if (a === "--only") {
      const wanted = value(i++, a).split(",").filter(Boolean);
      const ids = WORKLOAD_IDS.filter((id) => wanted.some((w) => id === w || id.startsWith(w)));
      const unknown = wanted.filter((w) => !WORKLOAD_IDS.some((id) => id === w || id.startsWith(w)));
      if (unknown.length) throw new RangeError(`unknown workload ${unknown.join(", ")}; known: ${WORKLOAD_IDS.join(", ")}`);
      o.only = ids;
    } else if (a === "--contenders") o.contenders = value(i++, a).split(",").filter(Boolean);
    else if (a === "--rounds") o.rounds = Number(value(i++, a));
    else if (a === "--reps") o.reps = Number(value(i++, a));
    else if (a === "--out") o.out = value(i++, a);
    else throw new RangeError(`unknown argument ${a}`);
  }
  if (o.rounds === 0) o.rounds = o.quick ? 2 : 6;
  if (o.reps === 0) o.reps = o.quick ? 6 : 30;
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${o.rounds}`);
  if (!Number.isInteger(o.reps) || o.reps < 1) throw new RangeError(`--reps must be a positive integer, got ${o.reps}`);
  return o;
}

/** A full collection when possible (V8's gc exposed at run time), so heap figures are live data. */
function collectGarbage(): boolean {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as (() => void) | undefined;
    if (typeof gc !== "function") return false;
    gc();
    return true;
  } catch {
    return false;
  }
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0]!.slice(0, 200);
}

interface Built {
  contender: Contender;
  runner: Runner;
  cell: CellResult;
  perRound: number;
}

interface Budget {
  slowMs: number;
  warmMs: number;
  warmMax: number;
}

/**
 * Builds the workload for one contender, runs its two checked steps and warms it up; returns the
 * prepared runner, or null when the contender skipped or failed (the cell's note says why).
 */
async function prepare(id: WorkloadId, c: Contender, cell: CellResult, sizes: WorkloadSizes, o: Options, budget: Budget): Promise<Built | null> {
  let runner: Runner | string;
  try {
    await c.activate();
    runner = await c.build(id, sizes);
  } catch (e) {
    cell.note = `failed: ${message(e)}`;
    return null;
  }
  if (typeof runner === "string") {
    cell.note = runner;
    return null;
  }
  try {
    const [v0, v1] = await runner.check(2);
    cell.firstCheck = v0!;
    cell.checkAfterStep = v1!;
    // warm-up: at least two steps (the first pays for compilation and first-touch memory),
    // more while cheap; the step time estimate is the fastest warm-up step after the first
    let spent = (await runner.run(1))[0]!;
    let estimate = Infinity;
    for (let k = 1; k < budget.warmMax && (k < 2 || spent < budget.warmMs); k++) {
      const t = (await runner.run(1))[0]!;
      spent += t;
      estimate = Math.min(estimate, t);
    }
    let perRound = Math.ceil(o.reps / o.rounds);
    if (estimate * perRound * o.rounds > budget.slowMs) {
      perRound = Math.max(1, Math.floor(budget.slowMs / estimate / o.rounds));
      cell.note = `fewer repetitions: ${(estimate / 1000).toFixed(1)} s a step`;
    }
    return { contender: c, runner, cell, perRound };
  } catch (e) {
    cell.note = `failed: ${message(e)}`;
    await runner.dispose().catch(() => {});
    return null;
  }
}

/** `rounds` rounds over the prepared contenders (A B C A B C …), then disposes their runners. */
async function timeRounds(built: readonly Built[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const b of built) {
      if (b.cell.note?.startsWith("failed")) continue;
      try {
        await b.contender.activate();
        b.cell.times.push(...(await b.runner.run(b.perRound)));
      } catch (e) {
        b.cell.note = `failed: ${message(e)}`;
        b.cell.times = [];
      }
    }
  }
  for (const b of built) {
    await b.contender.activate();
    await b.runner.dispose().catch(() => {});
  }
}

/**
 * Builds, checks, warms up and times one workload for every contender: the interleaved ones in
 * rounds together, then each exclusive one (see Contender.exclusive) alone, rounds back to back.
 */
async function measure(
  id: WorkloadId, contenders: readonly Contender[], sizes: WorkloadSizes, o: Options, log: (s: string) => void,
): Promise<WorkloadResult> {
  const spec = WORKLOADS[id];
  const budget: Budget = { slowMs: (o.quick ? 3 : 30) * 1000, warmMs: o.quick ? 300 : 2000, warmMax: o.quick ? 2 : 5 };
  const cells = new Map<Contender, CellResult>();
  for (const c of contenders) cells.set(c, { contenderId: c.id, times: [], note: null, checkAfterStep: null, firstCheck: null });
  const built: Built[] = [];
  for (const c of contenders.filter((x) => !x.exclusive)) {
    const b = await prepare(id, c, cells.get(c)!, sizes, o, budget);
    if (b) built.push(b);
  }
  await timeRounds(built, o.rounds);
  for (const c of contenders.filter((x) => x.exclusive)) {
    const b = await prepare(id, c, cells.get(c)!, sizes, o, budget);
    if (b) await timeRounds([b], o.rounds);
  }
  for (const c of cells.values()) {
    const stat = c.times.length ? `median ${median(c.times).toFixed(3)} ms, min ${minimum(c.times).toFixed(3)} ms, n=${c.times.length}` : "";
    log(`  ${c.contenderId.padEnd(14)} ${stat}${c.note ? `${stat ? "  " : ""}(${c.note})` : ""}`);
  }
  return { id, title: spec.title, throughput: spec.throughput(sizes), cells: [...cells.values()] };
}

/** Times `npm start` (wall clock, including its build step). */
function timeNpmStart(cwd: string): RunReport["start"] {
  const t0 = performance.now();
  const r = spawnSync("npm", ["start"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 });
  const seconds = (performance.now() - t0) / 1000;
  const lines = `${r.stdout ?? ""}`.split("\n").map((l) => l.trim()).filter(Boolean);
  return { command: "npm start", seconds, exitCode: r.status, lastLine: (lines[lines.length - 1] ?? "").slice(0, 160) };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const root = fileURLToPath(new URL("..", import.meta.url));
  const log = (s: string): void => void process.stdout.write(s + "\n");
  const machine = describeMachine();
  const unavailable: string[] = [];
  const contenders: Contender[] = [];
  const want = (id: string): boolean => o.contenders === null || o.contenders.includes(id);

  const chosen = DescentContender.chosenBackendName();
  if (want("descent")) contenders.push(new DescentContender("chosen", 1));
  if (want("descent-cpu")) {
    if (chosen !== "cpu") contenders.push(new DescentContender("cpu", 1));
    else unavailable.push("descent-cpu: the chosen backend already is the CPU backend");
  }
  if (want("descent-2t")) {
    if (chosen !== "cpu") contenders.push(new DescentContender("chosen", 2));
    else unavailable.push("descent-2t: the CPU backend is single-threaded");
  }
  let tfjsVersion: string | null = null;
  let tfjsTensors: (() => number) | null = null;
  if (o.tfjs && (want("tfjs-wasm") || want("tfjs-cpu"))) {
    const { TfjsContender, tfjsVersion: version } = await import("./contenders/tfjs.js");
    tfjsVersion = version();
    tfjsTensors = TfjsContender.numTensors;
    for (const b of ["wasm", "cpu"] as const) {
      if (!want(`tfjs-${b}`)) continue;
      const c = await TfjsContender.create(b);
      if (typeof c === "string") unavailable.push(c);
      else contenders.push(c);
    }
  }
  let torchInfo: TorchInfo | null = null;
  let torchServer: TorchServer | null = null;
  if (o.torch && (want("torch") || want("torch-foreach"))) {
    const { startTorch } = await import("./contenders/torch.js");
    const t = await startTorch();
    if (typeof t === "string") unavailable.push(t);
    else {
      torchInfo = t.info;
      torchServer = t.server;
      contenders.push(...t.contenders.filter((c) => want(c.id)));
    }
  }

  log(`descent benchmark — ${new Date().toISOString()}`);
  log(`${machine.cpuModel}, ${machine.logicalCores} cores, Node ${machine.node}; load ${machine.loadAtStart.toFixed(2)}`);
  log(`contenders: ${contenders.map((c) => c.label).join("; ")}`);
  for (const u of unavailable) log(`not measured: ${u}`);
  log("");

  const workloads: WorkloadResult[] = [];
  for (const id of o.only ?? WORKLOAD_IDS) {
    log(`${id}: ${WORKLOADS[id].title}`);
    workloads.push(await measure(id, contenders, FULL_SIZES, o, log));
    collectGarbage();
  }
  for (const c of contenders) await c.close();
  await torchServer?.close();

  const afterGc = collectGarbage();
  const mem = process.memoryUsage();
  const MiB = 2 ** 20;
  const report: RunReport = {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    durationS: 0,
    machine,
    loadAtEnd: os.loadavg()[0]!,
    descentBackend: chosen,
    tfjsVersion,
    torch: torchInfo,
    unavailable,
    contenders: contenders.map((c) => ({ id: c.id, label: c.label })),
    workloads,
    settings: { rounds: o.rounds, reps: o.reps, quick: o.quick, slowBudgetS: o.quick ? 3 : 30 },
    heap: {
      heapUsedMiB: mem.heapUsed / MiB, rssMiB: mem.rss / MiB, externalMiB: mem.external / MiB,
      arrayBuffersMiB: mem.arrayBuffers / MiB, afterGc,
    },
    tfjsTensorsLeft: tfjsTensors ? tfjsTensors() : null,
    start: null,
    checkRtol: 1e-5,
  };
  if (o.withStart) {
    log("timing `npm start` …");
    report.start = timeNpmStart(root);
  }

  report.durationS = (performance.now() - started) / 1000;
  log("");
  log(renderMarkdown(report, false));
  const partial = o.quick || o.only !== null || o.contenders !== null;
  const out = o.out ?? (partial ? null : `${root}BENCHMARKS.md`);
  if (out) {
    writeFileSync(out, renderMarkdown(report, true));
    log(`wrote ${out}`);
  } else {
    log("(partial or quick run: BENCHMARKS.md left unchanged; --out FILE writes the report)");
  }
  if (checkLines(report).some((l) => !l.ok)) {
    log("✗ descent's result after one step disagrees with the reference: these timings measure a wrong computation");
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
