/**
 * Gradient mode: whether operations record the autograd graph (like `torch.no_grad`).
 */

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

export function setGradEnabled(on: boolean): void {
  enabled = on;
}

function withMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Run `fn` without recording a graph (`with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Run `fn` with graph recording on, even inside `noGrad` (`with torch.enable_grad():`). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}
