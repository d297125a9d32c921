/**
 * The `descent` CLI, called in-process through `runCli` (and once as a real process): help texts,
 * one-line usage errors with exit code 2, `schedule` values (hand-derived), `train` outputs on
 * iris, a bit-exact `--resume` against an uninterrupted run, refusals of changed configuration and
 * corrupt checkpoints, and `compare` runs sharing their initial weights.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";

const root = mkdtempSync(join(tmpdir(), "descent-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

class Sink {
  text = "";
  isTTY = false;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(argv, { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

async function usageError(argv: string[], message: string): Promise<void> {
  const r = await cli(...argv);
  expect(r.code).toBe(2);
  expect(r.err).toBe(`${message}\n`); // exactly one line
  expect(r.out).toBe("");
}

describe("help", () => {
  it("prints usage for the program and each command", async () => {
    const main = await cli("--help");
    expect(main.code).toBe(0);
    expect(main.out).toContain("Usage: descent <command> [options]");
    for (const c of ["train", "compare", "schedule"]) {
      const r = await cli(c, "--help");
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: descent ${c}`);
      expect(r.err).toBe("");
    }
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.out).toContain("Usage: descent <command>");
  });
});

describe("bad input: one line, exit code 2", () => {
  it("unknown commands and flags", async () => {
    await usageError(["fly"], 'descent: unknown command "fly" (expected train, compare or schedule)');
    await usageError(["--lr", "1"], "descent: expected a command (train, compare, schedule) before --lr");
    await usageError(["train", "--learning-rate", "1"], "descent train: unknown option --learning-rate (see descent train --help)");
    await usageError(["train", "extra"], 'descent train: unexpected argument "extra" (options start with --)');
    await usageError(["train", "--lr"], "descent train: option --lr needs a value");
    await usageError(["schedule", "--print=yes", "--name", "StepLR"], "descent schedule: option --print takes no value");
  });
  it("bad values name the flag, the value and what is expected", async () => {
    await usageError(["train", "--lr", "fast"], 'descent train: invalid --lr "fast": expected a number');
    await usageError(["train", "--lr", "-1"], "descent train: invalid --lr -1: expected a number > 0");
    await usageError(["train", "--epochs", "2.5"], "descent train: invalid --epochs 2.5: expected an integer");
    await usageError(["train", "--epochs", "0"], "descent train: invalid --epochs 0: expected an integer >= 1");
    await usageError(
      ["train", "--dataset", "cifar"],
      'descent train: invalid --dataset "cifar": expected one of mnist, fashion-mnist, digits, iris, wine, breast-cancer',
    );
    await usageError(["train", "--hidden", "64,,8"], 'descent train: invalid --hidden "64,,8": expected a comma-separated list of numbers');
    await usageError(["compare", "--optimizers", "sgd,lion"], 'descent compare: invalid --optimizers value "lion": expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, adadelta, adamax, nadam, radam');
    await usageError(["train", "--dataset", "iris", "--model", "lenet", "--out", join(root, "x")], "--model lenet needs 1×28×28 images: use --dataset mnist or fashion-mnist");
    await usageError(["train", "--dataset", "iris", "--scheduler", "multistep", "--out", join(root, "x")], "--scheduler multistep needs --milestones (epochs, e.g. 5,8)");
  });
  it("schedule errors", async () => {
    await usageError(["schedule"], "descent schedule: --name is required (one of StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, LinearLR, ConstantLR, PolynomialLR, OneCycleLR, CyclicLR)");
    await usageError(["schedule", "--name", "ReduceLROnPlateau"], "descent schedule: ReduceLROnPlateau follows a metric, so it has no schedule to plot");
    await usageError(["schedule", "--name", "StepLR", "--out", join(root, "s")], "descent schedule: StepLR: missing required option 'stepSize'");
  });
  it("exits with 2 as a real process", () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const repo = join(here, "..", "..");
    const r = spawnSync(join(repo, "node_modules", ".bin", "vite-node"), ["src/cli/main.ts", "--", "schedule", "--bogus"], { cwd: repo, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual(["descent schedule: unknown option --bogus (see descent schedule --help)"]);
  });
});

describe("schedule", () => {
  it("prints and plots a StepLR schedule", async () => {
    const out = join(root, "steplr");
    const r = await cli("schedule", "--name", "steplr", "--step-size", "2", "--gamma", "0.5", "--steps", "5", "--print", "--out", out);
    expect(r.code).toBe(0);
    // lr 0.1 halves every 2 steps: 0.1, 0.1, 0.05, 0.05, 0.025, 0.025
    expect(r.out.split("\n").slice(0, 6)).toEqual(["0 0.1", "1 0.1", "2 0.05", "3 0.05", "4 0.025", "5 0.025"]);
    expect(readFileSync(`${out}.svg`, "utf8")).toContain("StepLR(stepSize=2, gamma=0.5)");
    expect([...readFileSync(`${out}.png`).subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
  });
  it("plots the issue's example: CosineAnnealingLR with tMax 50", async () => {
    const out = join(root, "cos");
    const r = await cli("schedule", "--name", "CosineAnnealingLR", "--t-max", "50", "--print", "--out", out);
    expect(r.code).toBe(0);
    const values = r.out.trim().split("\n").slice(0, 51).map((l) => Number(l.split(" ")[1]));
    expect(values.length).toBe(51);
    expect(values[0]).toBe(0.1);
    // half-way down the cosine: 0.1 · (1 + cos(π/2)) / 2 = 0.05 (the chained form rounds, so 1e-12)
    expect(Math.abs(values[25]! - 0.05)).toBeLessThan(1e-12);
    expect(Math.abs(values[50]!)).toBeLessThan(1e-12);
  });
});

function ckptBytes(dir: string): Buffer {
  return readFileSync(join(dir, "checkpoint", "model.safetensors"));
}

describe("train", () => {
  const common = ["--dataset", "iris", "--batch-size", "16", "--optimizer", "momentum", "--lr", "0.05", "--dropout", "0.2", "--seed", "3"];

  it("trains, reports the test accuracy and writes history, curves and a checkpoint", async () => {
    const out = join(root, "iris");
    const r = await cli("train", ...common, "--epochs", "3", "--out", out);
    expect(r.code).toBe(0);
    // 150 irises: 30 test, 120 train of which 12 validation → 108 train in 7 batches of 16
    expect(r.out).toContain("iris (108 train / 12 validation / 30 test)");
    expect(r.out).toContain("3 epochs of 7 batches of 16");
    expect(r.out).toMatch(/test accuracy \d+\.\d\d% \(test loss \d\.\d{4}, 30 samples\)/);
    expect(r.out.split("\n").filter((l) => /^epoch \d\/3  loss/.test(l)).length).toBe(3);
    const h = JSON.parse(readFileSync(join(out, "history.json"), "utf8"));
    expect(h.config.dataset).toBe("iris");
    expect(h.history.epochs.length).toBe(3);
    expect(h.history.stepLoss.length).toBe(21);
    expect(h.test.count).toBe(30);
    for (const f of ["curves.svg", "curves.png", "checkpoint/checkpoint.json", "checkpoint/model.safetensors", "checkpoint/optimizer.safetensors"]) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    const ck = JSON.parse(readFileSync(join(out, "checkpoint", "checkpoint.json"), "utf8"));
    expect([ck.epoch, ck.step]).toEqual([3, 21]);
  });

  it("resumes bit for bit: 2 epochs + 2 more equal 4 uninterrupted epochs", async () => {
    const full = join(root, "full");
    const part = join(root, "part");
    expect((await cli("train", ...common, "--epochs", "4", "--out", full)).code).toBe(0);
    expect((await cli("train", ...common, "--epochs", "2", "--out", part)).code).toBe(0);
    expect(ckptBytes(part).equals(ckptBytes(full))).toBe(false);
    const r = await cli("train", "--resume", part, "--epochs", "4");
    expect(r.code).toBe(0);
    expect(r.out).toContain("resumed after epoch 2 (step 14)");
    expect(ckptBytes(part).equals(ckptBytes(full))).toBe(true);
    const a = JSON.parse(readFileSync(join(full, "history.json"), "utf8"));
    const b = JSON.parse(readFileSync(join(part, "history.json"), "utf8"));
    expect(b.history.stepLoss).toEqual(a.history.stepLoss);
    expect(b.test).toEqual(a.test);
  });

  it("resumes bit for bit a run stopped early under a schedule fitted to the whole run", async () => {
    const sched = ["--dataset", "iris", "--batch-size", "16", "--scheduler", "cosine", "--dropout", "0.1", "--epochs", "3", "--seed", "1"];
    const full = join(root, "cos-full");
    const part = join(root, "cos-part");
    expect((await cli("train", ...sched, "--out", full)).code).toBe(0);
    const r1 = await cli("train", ...sched, "--stop-after", "1", "--out", part);
    expect(r1.out).toContain("stopped after epoch 1 of 3 (--stop-after)");
    expect(JSON.parse(readFileSync(join(part, "checkpoint", "checkpoint.json"), "utf8")).epoch).toBe(1);
    expect((await cli("train", "--resume", part)).code).toBe(0);
    expect(ckptBytes(part).equals(ckptBytes(full))).toBe(true);
    await usageError(["train", "--resume", part, "--epochs", "5"], "descent train: the cosine schedule was fitted to 3 epochs; --epochs cannot change on resume");
  });

  it("refuses a changed configuration or a damaged checkpoint on resume", async () => {
    const dir = join(root, "refuse");
    expect((await cli("train", ...common, "--epochs", "1", "--out", dir)).code).toBe(0);
    await usageError(
      ["train", "--resume", dir, "--optimizer", "adam"],
      "descent train: --optimizer adam differs from the checkpoint's momentum (a resumed run keeps its configuration; only --epochs and --early-stopping may change)",
    );
    const p = join(dir, "checkpoint", "model.safetensors");
    const b = readFileSync(p);
    b[b.length - 1] ^= 1;
    writeFileSync(p, b);
    const r = await cli("train", "--resume", dir, "--epochs", "2");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^descent train: .*checkpoint: corrupt or incompatible checkpoint: model\.safetensors has CRC-32 \d+, checkpoint\.json says \d+ \(the file is damaged\)\n$/);
    const missing = await cli("train", "--resume", join(root, "nowhere"));
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`descent train: no checkpoint in ${join(root, "nowhere")} (expected ${join(root, "nowhere", "checkpoint")}/checkpoint.json)\n`);
  });

  it("stops on a non-finite loss with the step number and exit code 1", async () => {
    const dir = join(root, "nan");
    const r = await cli("train", "--dataset", "iris", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "3", "--out", dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^descent train: Loss is (NaN|Infinity) at step \d+ \(epoch \d, batch \d+\): training stopped before that step's update; /);
    expect(JSON.parse(readFileSync(join(dir, "history.json"), "utf8")).stoppedAt.step).toBeGreaterThan(1);
  });
});

describe("compare", () => {
  it("trains every variant from the same initial weights and plots both comparisons", async () => {
    const out = join(root, "cmp");
    const r = await cli("compare", "--dataset", "iris", "--epochs", "3", "--batch-size", "16", "--optimizers", "sgd,adam", "--lrs", "0.01,1e30", "--out", out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(out, "compare.json"), "utf8"));
    expect(j.comparisons.map((c: { title: string }) => c.title)).toEqual(["optimizers", "learning rates"]);
    const runs = j.comparisons.flatMap((c: { runs: { initialLoss: number }[] }) => c.runs);
    expect(runs.length).toBe(4);
    // one shared start: the same initial loss for every run
    expect(new Set(runs.map((x: { initialLoss: number }) => x.initialLoss)).size).toBe(1);
    const [sgd, adam] = j.comparisons[0].runs;
    expect([sgd.lr, adam.lr]).toEqual([0.01, 0.001]);
    expect(sgd.trainLoss.length).toBe(3);
    // the huge learning rate diverges and its legend says where
    const huge = j.comparisons[1].runs[1];
    expect(huge.diverged.step).toBeGreaterThan(0);
    const svg = readFileSync(join(out, "compare.svg"), "utf8");
    expect(svg.split('<g class="series"').length - 1).toBe(4);
    expect(svg).toContain(`SGD, lr 1e+30 (diverged at step ${huge.diverged.step})`);
    expect(existsSync(join(out, "compare.png"))).toBe(true);
  });
});
