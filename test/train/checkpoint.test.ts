/**
 * Checkpoint folders: a lossless round trip of every part (tensors bit for bit, special numbers,
 * generator state), atomic replacement under a simulated crash at each stage of a save, and
 * refusal of corrupt, truncated, missing or foreign files with a message naming the problem.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Generator, tensor, type Tensor } from "../../src/index.js";
import { loadCheckpoint, saveCheckpoint, checkpointExists } from "../../src/train/checkpoint.js";
import { crc32, decodeCheckpoint, encodeCheckpoint, type CheckpointData } from "../../src/train/checkpoint_format.js";
import { packState, unpackState } from "../../src/train/state.js";

const root = mkdtempSync(join(tmpdir(), "descent-ckpt-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function sample(epoch: number, scale = 1): CheckpointData {
  const g = new Generator(7);
  g.randperm(10); // advance: a state in the middle of the stream
  return {
    epoch,
    step: epoch * 12,
    model: {
      "0.weight": tensor([[0.1 * scale, -0.2], [0.3, 1e-8]]),
      "0.bias": tensor([0.5, -0.5]),
      "bn.num_batches_tracked": tensor([3], { dtype: "int32" }),
    },
    optimizer: {
      state: { 0: { step: tensor(12), exp_avg: tensor([[1, 2], [3, 4]]) }, 1: { step: tensor(12), exp_avg: tensor([0, -0]) } },
      param_groups: [{ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, foreach: null, params: [0, 1] }],
    },
    scheduler: { best: Infinity, last_epoch: epoch, num_bad_epochs: 0, mode: "min", lr_lambdas: [() => 1] },
    generators: { data: g.getState() },
    fit: { earlyStopping: { best: -Infinity, wait: 0 } },
    history: { epochs: [{ epoch: 1, trainLoss: 0.5, valLoss: NaN }] },
    config: { model: "mlp", lr: 0.001 },
  };
}

function bits(t: unknown): number[] {
  return Array.from((t as Tensor).dataSync());
}

describe("state packing", () => {
  it("replaces tensors by references and keeps special numbers", () => {
    const a = tensor([1, 2]);
    const { json, tensors } = packState({ x: a, y: [a, { z: -0, w: NaN, v: -Infinity }], f: () => 1, u: undefined }, "opt");
    expect(json).toEqual({ x: { __tensor__: "opt.x" }, y: [{ __tensor__: "opt.x" }, { z: { __number__: "-0" }, w: { __number__: "NaN" }, v: { __number__: "-Infinity" } }] });
    expect(Object.keys(tensors)).toEqual(["opt.x"]);
    const back = unpackState(json, tensors) as { x: Tensor; y: [Tensor, { z: number; w: number; v: number }] };
    expect(back.x).toBe(a);
    expect(Object.is(back.y[1].z, -0)).toBe(true);
    expect(back.y[1].w).toBeNaN();
    expect(() => unpackState({ __tensor__: "gone" }, {}, "opt")).toThrow('opt: the tensor "gone" is missing');
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => packState(cyc)).toThrow("circular");
  });
});

describe("CRC-32", () => {
  it("matches the standard check value", () => {
    // the CRC-32/ISO-HDLC check value of "123456789" is 0xCBF43926
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe("saving and loading", () => {
  it("round-trips every part exactly", () => {
    const dir = join(root, "rt", "checkpoint");
    const data = sample(3);
    saveCheckpoint(dir, data);
    expect(checkpointExists(dir)).toBe(true);
    const back = loadCheckpoint(dir);
    expect(back.epoch).toBe(3);
    expect(back.step).toBe(36);
    expect(Object.keys(back.model)).toEqual(Object.keys(data.model));
    for (const k of Object.keys(data.model)) {
      expect(back.model[k]!.dtype).toBe(data.model[k]!.dtype);
      expect(back.model[k]!.shape).toEqual(data.model[k]!.shape);
      expect(bits(back.model[k])).toEqual(bits(data.model[k]));
    }
    const opt = back.optimizer as { state: Record<string, { step: Tensor; exp_avg: Tensor }>; param_groups: unknown[] };
    expect(bits(opt.state["0"]!.exp_avg)).toEqual([1, 2, 3, 4]);
    expect(Object.is(bits(opt.state["1"]!.exp_avg)[1], -0)).toBe(true);
    expect(opt.state["1"]!.step.shape).toEqual([]);
    expect(opt.param_groups).toEqual([{ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, foreach: null, params: [0, 1] }]);
    // the lambda is dropped, like PyTorch drops plain functions from LambdaLR's state
    expect(back.scheduler).toEqual({ best: Infinity, last_epoch: 3, num_bad_epochs: 0, mode: "min", lr_lambdas: [null] });
    expect(back.fit).toEqual({ earlyStopping: { best: -Infinity, wait: 0 } });
    expect((back.history as { epochs: { valLoss: number }[] }).epochs[0]!.valLoss).toBeNaN();
    expect(back.config).toEqual({ model: "mlp", lr: 0.001 });
    // the generator continues the same stream
    const g1 = new Generator(0);
    g1.setState(back.generators!.data!);
    const g2 = new Generator(7);
    g2.randperm(10);
    expect(Array.from(g1.randperm(20))).toEqual(Array.from(g2.randperm(20)));
    expect(existsSync(`${dir}.tmp`)).toBe(false);
    expect(existsSync(`${dir}.old`)).toBe(false);
  });

  it("writes nothing when the data cannot be encoded", () => {
    const dir = join(root, "bad-data");
    expect(() => saveCheckpoint(dir, { ...sample(1), epoch: -1 })).toThrow("checkpoint epoch must be a non-negative integer, got -1");
    expect(existsSync(dir)).toBe(false);
    expect(() => loadCheckpoint(dir)).toThrow(`no checkpoint at ${dir}: the folder does not exist`);
  });
});

describe("atomic replacement", () => {
  const crash = (at: string) => (stage: string) => {
    if (stage === at) throw new Error(`simulated crash after ${stage}`);
  };
  const weight0 = (d: CheckpointData): number => bits(d.model["0.weight"])[0]!;

  it("keeps the last good checkpoint when a save dies before the swap", () => {
    const dir = join(root, "a1");
    saveCheckpoint(dir, sample(1));
    expect(() => saveCheckpoint(dir, sample(2, 10), crash("files-written"))).toThrow("simulated crash");
    expect(existsSync(`${dir}.tmp`)).toBe(true); // the half-made one is left aside …
    expect(loadCheckpoint(dir).epoch).toBe(1); // … and ignored
    saveCheckpoint(dir, sample(3, 10)); // the next save clears it
    expect(existsSync(`${dir}.tmp`)).toBe(false);
    expect(loadCheckpoint(dir).epoch).toBe(3);
    expect(weight0(loadCheckpoint(dir))).toBe(Math.fround(1));
  });

  it("reads the previous checkpoint when a save dies between the two renames", () => {
    const dir = join(root, "a2");
    saveCheckpoint(dir, sample(1));
    expect(() => saveCheckpoint(dir, sample(2), crash("old-moved"))).toThrow("simulated crash");
    expect(existsSync(dir)).toBe(false);
    expect(checkpointExists(dir)).toBe(true);
    expect(loadCheckpoint(dir).epoch).toBe(1);
    saveCheckpoint(dir, sample(4));
    expect(loadCheckpoint(dir).epoch).toBe(4);
    expect(existsSync(`${dir}.old`)).toBe(false);
  });

  it("reads the new checkpoint when a save dies before removing the old one", () => {
    const dir = join(root, "a3");
    saveCheckpoint(dir, sample(1));
    expect(() => saveCheckpoint(dir, sample(2), crash("new-in-place"))).toThrow("simulated crash");
    expect(existsSync(`${dir}.old`)).toBe(true);
    expect(loadCheckpoint(dir).epoch).toBe(2);
    saveCheckpoint(dir, sample(5));
    expect(existsSync(`${dir}.old`)).toBe(false);
    expect(loadCheckpoint(dir).epoch).toBe(5);
  });
});

describe("corrupt checkpoints are refused", () => {
  const fresh = (name: string): string => {
    const dir = join(root, "c", name);
    saveCheckpoint(dir, sample(2));
    return dir;
  };
  const prefix = (dir: string): string => `${dir}: corrupt or incompatible checkpoint: `;

  it("a flipped byte", () => {
    const dir = fresh("flip");
    const p = join(dir, "model.safetensors");
    const b = readFileSync(p);
    b[b.length - 1] ^= 0x10;
    writeFileSync(p, b);
    expect(() => loadCheckpoint(dir)).toThrow(new RegExp(`^${prefix(dir)}model\\.safetensors has CRC-32 \\d+, checkpoint\\.json says \\d+ \\(the file is damaged\\)$`));
  });
  it("a truncated file", () => {
    const dir = fresh("trunc");
    const p = join(dir, "optimizer.safetensors");
    const size = readFileSync(p).length;
    truncateSync(p, size - 5);
    expect(() => loadCheckpoint(dir)).toThrow(
      `${prefix(dir)}optimizer.safetensors has ${size - 5} bytes, checkpoint.json says ${size} (truncated or overwritten)`,
    );
  });
  it("a missing file", () => {
    const dir = fresh("missing");
    unlinkSync(join(dir, "model.safetensors"));
    expect(() => loadCheckpoint(dir)).toThrow(`${prefix(dir)}model.safetensors is missing`);
    unlinkSync(join(dir, "checkpoint.json"));
    expect(() => loadCheckpoint(dir)).toThrow(`no checkpoint at ${dir}: checkpoint.json is missing`);
  });
  it("broken or foreign JSON", () => {
    const dir = fresh("json");
    const p = join(dir, "checkpoint.json");
    const text = readFileSync(p, "utf8");
    writeFileSync(p, text.slice(0, 40));
    expect(() => loadCheckpoint(dir)).toThrow(`${prefix(dir)}checkpoint.json is not valid JSON`);
    writeFileSync(p, text.replace('"version": 1', '"version": 99'));
    expect(() => loadCheckpoint(dir)).toThrow(`${prefix(dir)}checkpoint.json has version 99; this descent reads version 1`);
    writeFileSync(p, JSON.stringify({ format: "keras" }));
    expect(() => loadCheckpoint(dir)).toThrow(`${prefix(dir)}checkpoint.json is not a descent checkpoint (format "keras")`);
  });
  it("a malformed safetensors file with a matching checksum", () => {
    const files = encodeCheckpoint(sample(1));
    const model = files["model.safetensors"]!.slice(0, 4); // too short, then re-described in the manifest
    const json = JSON.parse(new TextDecoder().decode(files["checkpoint.json"]));
    json.files["model.safetensors"] = { bytes: 4, crc32: crc32(model) };
    const bytes = new TextEncoder().encode(JSON.stringify(json));
    expect(() => decodeCheckpoint({ "checkpoint.json": bytes, "model.safetensors": model }, "ck")).toThrow(
      "ck: corrupt or incompatible checkpoint: model.safetensors: not a valid safetensors file: 4 bytes is too short for the 8-byte header length",
    );
  });
});
