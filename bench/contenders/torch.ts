/**
 * PyTorch contenders: Debian's PyTorch 1.13.1 (`/usr/bin/python3`) running bench/torch_bench.py
 * as a long-lived subprocess that answers one JSON request per line, so its rounds interleave
 * with the JavaScript contenders'. Timing happens inside Python (time.perf_counter around each
 * step), so the pipe's latency is not counted.
 *
 * One thread: OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS are set to 1 and the
 * script calls torch.set_num_threads(1). OPENBLAS_CORETYPE is passed through as the machine sets
 * it (reported with the results).
 *
 * Two contenders share the process: `torch` (PyTorch's defaults — single-tensor Adam in 1.13) and
 * `torch-foreach` (`Adam(foreach=True)`, only for the Adam workloads).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Contender, Runner } from "../contender.js";
import type { WorkloadId, WorkloadSizes } from "../workloads.js";

export const PYTHON = "/usr/bin/python3";

/** PyTorch's configuration as the script reports it. */
export interface TorchInfo {
  torch: string;
  /** Version of Debian's python3-torch package, when dpkg knows it. */
  debian_package: string | null;
  threads: number;
  interop_threads: number;
  cpu_capability: string | null;
  openblas_coretype: string | null;
  openblas_num_threads: string | null;
  omp_num_threads: string | null;
  numpy: string;
  python: string;
}

/** Whether `/usr/bin/python3 -c "import torch"` works. */
export function torchAvailable(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore", timeout: 60_000 });
  return r.status === 0;
}

/** The Python process and its request/answer queue. */
export class TorchServer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = "";
  private exited = false;
  private nextKey = 0;

  constructor() {
    const script = fileURLToPath(new URL("../torch_bench.py", import.meta.url));
    this.proc = spawn(PYTHON, [script], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    createInterface({ input: this.proc.stdout }).on("line", (line) => this.waiting.shift()?.(line));
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.proc.on("exit", () => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: `python exited: ${this.stderr.slice(-500)}` }));
    });
  }

  /** Sends one request and resolves with its answer; an `error` answer rejects. */
  request<T>(req: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`python exited: ${this.stderr.slice(-500)}`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push((line) => {
        const out = JSON.parse(line) as T & { error?: string };
        if (out.error !== undefined) reject(new Error(out.error));
        else resolve(out);
      });
      this.proc.stdin.write(JSON.stringify(req) + "\n");
    });
  }

  newKey(): string {
    return `w${this.nextKey++}`;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.proc.once("exit", () => r()));
    this.proc.stdin.write(JSON.stringify({ cmd: "quit" }) + "\n");
    this.proc.stdin.end();
    await done;
  }
}

const ADAM_WORKLOADS: readonly WorkloadId[] = ["mlp-adam", "lenet-adam", "adam-10m"];

/** PyTorch with the default (`default`) or `foreach=True` Adam as a contender. */
export class TorchContender implements Contender {
  readonly id: string;
  readonly label: string;

  constructor(
    private readonly server: TorchServer,
    readonly info: TorchInfo,
    private readonly variant: "default" | "foreach",
  ) {
    this.id = variant === "default" ? "torch" : "torch-foreach";
    this.label = variant === "default"
      ? `PyTorch ${info.torch} (defaults, ${info.threads} thread)`
      : `PyTorch ${info.torch} Adam(foreach=True)`;
  }

  async activate(): Promise<void> {}

  async build(workload: WorkloadId, sizes: WorkloadSizes): Promise<Runner | string> {
    if (this.variant === "foreach" && !ADAM_WORKLOADS.includes(workload)) return "–";
    const key = this.server.newKey();
    await this.server.request({ cmd: "build", key, workload, variant: this.variant, sizes });
    const server = this.server;
    return {
      run: async (reps) => (await server.request<{ times: number[] }>({ cmd: "run", key, reps })).times,
      check: async (steps) => (await server.request<{ values: number[] }>({ cmd: "check", key, steps })).values,
      dispose: async () => {
        await server.request({ cmd: "free", key });
      },
    };
  }

  /** The shared process is closed by whoever started it ({@link startTorch}'s caller). */
  async close(): Promise<void> {}
}

/** Starts PyTorch: its process (close it when done), configuration and two contenders, or why it is unavailable. */
export async function startTorch(): Promise<{ server: TorchServer; info: TorchInfo; contenders: [TorchContender, TorchContender] } | string> {
  if (!torchAvailable()) return `PyTorch: ${PYTHON} -c "import torch" failed`;
  const server = new TorchServer();
  try {
    const info = await server.request<TorchInfo>({ cmd: "info" });
    return { server, info, contenders: [new TorchContender(server, info, "default"), new TorchContender(server, info, "foreach")] };
  } catch (e) {
    await server.close();
    return `PyTorch: ${(e as Error).message}`;
  }
}
