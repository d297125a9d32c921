/**
 * A description of the machine a benchmark ran on: CPU model and SIMD flags (/proc/cpuinfo),
 * logical cores, memory, OS, Node and V8 versions, load averages — written next to the results,
 * since absolute times only mean something on the machine that produced them.
 */
import { readFileSync } from "node:fs";
import os from "node:os";

export interface MachineInfo {
  cpuModel: string;
  /** Notable SIMD flags the CPU reports (avx2, avx512f, fma). */
  simdFlags: string[];
  logicalCores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
  /** 1-minute load average when the run started. */
  loadAtStart: number;
}

function cpuinfo(): string {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "";
  }
}

export function describeMachine(): MachineInfo {
  const info = cpuinfo();
  const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  const flags = new Set((/^flags\s*:\s*(.+)$/m.exec(info)?.[1] ?? "").split(/\s+/));
  return {
    cpuModel: model,
    simdFlags: ["avx2", "fma", "avx512f"].filter((f) => flags.has(f)),
    logicalCores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAtStart: os.loadavg()[0]!,
  };
}
