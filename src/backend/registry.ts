/**
 * The active backend. Ops allocate and compute through `backend()`; `setBackend` swaps it
 * (the WASM backend registers itself here when the runtime supports it).
 */
import type { Backend } from "./backend.js";
import { CpuBackend } from "./cpu/index.js";

let active: Backend = new CpuBackend();

export function backend(): Backend {
  return active;
}

export function setBackend(b: Backend): void {
  active = b;
}
