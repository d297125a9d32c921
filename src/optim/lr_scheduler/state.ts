/**
 * Scheduler state dicts: plain JSON-like objects with PyTorch's keys (snake_case, as in the
 * scheduler's `__dict__`), so they map one to one onto a torch scheduler's `state_dict()`.
 *
 * Each scheduler lists its state as fields `{ key, prop, kind }`: `key` is PyTorch's name,
 * `prop` the property holding it, `kind` what a loaded value must be. `writeState` copies the
 * fields out (deep copies); `prepareState` checks a state dict against the fields and returns
 * the assignment to perform, so a bad state dict throws before anything is changed.
 *
 * PyTorch parity: like torch, the optimizer and the user's functions (lambdas, `scaleFn`) are
 * not part of the state; keys torch stores for bound methods (`anneal_func`, `_scale_fn_ref`)
 * are not kept (they follow from the constructor options). Unknown keys are ignored on load and
 * missing keys leave the current value, as torch's `__dict__.update` does.
 */

/** A value in a scheduler state dict. */
export type StateValue = number | string | boolean | null | StateValue[] | { [key: string]: StateValue };

/** A scheduler's state: PyTorch's keys and plain values. */
export interface SchedulerStateDict {
  [key: string]: StateValue;
}

/** What a loaded value must be. */
export type StateKind =
  | "number"
  | "boolean"
  | "string"
  | "numbers" // number[]
  | "counter" // { [integer as string]: count }
  | "json"; // any StateValue (deep-copied)

/** One entry of a scheduler's state: PyTorch's key, the property, the kind of value. */
export interface StateField {
  readonly key: string;
  readonly prop: string;
  readonly kind: StateKind;
}

/** Shorthand for a `StateField`. */
export function field(key: string, prop: string, kind: StateKind): StateField {
  return { key, prop, kind };
}

/** Deep copy of a state value. */
export function cloneState<T extends StateValue>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => cloneState(x)) as T;
  if (v !== null && typeof v === "object") {
    const out: { [key: string]: StateValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneState(x);
    return out as T;
  }
  return v;
}

function isStateValue(v: unknown): v is StateValue {
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return true;
  if (Array.isArray(v)) return v.every(isStateValue);
  if (typeof v === "object") return Object.values(v as object).every(isStateValue);
  return false;
}

function check(kind: StateKind, v: unknown): boolean {
  switch (kind) {
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "string":
      return typeof v === "string";
    case "numbers":
      return Array.isArray(v) && v.every((x) => typeof x === "number");
    case "counter":
      return (
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        Object.entries(v).every(([k, c]) => Number.isInteger(Number(k)) && typeof c === "number")
      );
    case "json":
      return isStateValue(v);
    default:
      return kind satisfies never;
  }
}

/** The state of `owner` as a state dict (deep copies). */
export function writeState(owner: object, fields: readonly StateField[]): SchedulerStateDict {
  const self = owner as Record<string, unknown>;
  const out: SchedulerStateDict = {};
  for (const f of fields) out[f.key] = cloneState(self[f.prop] as StateValue);
  return out;
}

/**
 * Check `sd` against `fields` and return the assignment of its values to `owner` (deep copies).
 * Throws a TypeError naming the key when a value has the wrong kind; nothing is assigned then.
 */
export function prepareState(owner: object, fields: readonly StateField[], sd: unknown, who: string): () => void {
  if (typeof sd !== "object" || sd === null || Array.isArray(sd)) {
    throw new TypeError(`${who}.loadStateDict: expected a state dict object, but got ${typeof sd}`);
  }
  const src = sd as Record<string, unknown>;
  const assignments: [string, StateValue][] = [];
  for (const f of fields) {
    if (!(f.key in src)) continue;
    const v = src[f.key];
    if (!check(f.kind, v)) {
      throw new TypeError(`${who}.loadStateDict: '${f.key}' has the wrong kind of value (expected ${f.kind})`);
    }
    assignments.push([f.prop, cloneState(v as StateValue)]);
  }
  return () => {
    const self = owner as Record<string, unknown>;
    for (const [prop, v] of assignments) self[prop] = v;
  };
}
