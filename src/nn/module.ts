/**
 * `nn.Module`: the base class of layers and models.
 *
 * Like PyTorch, a module owns parameters (`Parameter` values), sub-modules (`Module` values) and
 * buffers (tensors registered with `registerBuffer`, e.g. BatchNorm's running statistics).
 * Assigning them as properties registers them — parameters and children are found by walking
 * the module's own properties in insertion order, so `namedParameters()` and `stateDict()` keys
 * are PyTorch's dotted names (`0.weight`, `fc1.bias`) and weights move between the two unchanged.
 */
import { Tensor } from "../tensor/tensor.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { noGrad } from "../autograd/grad_mode.js";
import { Parameter } from "./parameter.js";

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

interface Internals {
  buffers: Set<string>;
  nonPersistent: Set<string>;
}

const INTERNALS = new WeakMap<Module, Internals>();

function internals(m: Module): Internals {
  let s = INTERNALS.get(m);
  if (!s) {
    s = { buffers: new Set(), nonPersistent: new Set() };
    INTERNALS.set(m, s);
  }
  return s;
}

export abstract class Module {
  /** Training mode (dropout active, batch statistics) vs evaluation mode. */
  training = true;

  /** The computation; subclasses define it with their own signature. */
  abstract forward(...inputs: never[]): unknown;

  // ---- registration -------------------------------------------------------------------------

  /** Register (or with null, clear) a parameter under `name`. */
  registerParameter(name: string, param: Parameter | null): void {
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /** Register a sub-module under `name`. */
  registerModule(name: string, module: Module | null): void {
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  /** Register a buffer: state saved in `stateDict()` (when persistent) that is not a parameter. */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    const s = internals(this);
    s.buffers.add(name);
    if (!persistent) s.nonPersistent.add(name);
    else s.nonPersistent.delete(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }

  // ---- traversal ----------------------------------------------------------------------------

  private ownEntries(): [string, unknown][] {
    return Object.entries(this);
  }

  /** Direct children with their attribute names, in registration order. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this.ownEntries()) if (v instanceof Module) yield [k, v];
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every descendant (pre-order), each once, with dotted names. */
  *namedModules(prefix = "", seen: Set<Module> = new Set()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k, seen);
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with dotted names; a parameter shared by two modules appears once. */
  namedParameters(prefix = "", recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? [...this.namedModules(prefix)] : [[prefix, this]];
    for (const [name, m] of mods) {
      for (const [k, v] of m.ownEntries()) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          out.push([name ? `${name}.${k}` : k, v]);
        }
      }
    }
    return out;
  }

  parameters(recurse = true): Parameter[] {
    return this.namedParameters("", recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = "", recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const mods: [string, Module][] = recurse ? [...this.namedModules(prefix)] : [[prefix, this]];
    for (const [name, m] of mods) {
      const s = internals(m);
      for (const k of s.buffers) {
        const v = (m as unknown as Record<string, unknown>)[k];
        if (v instanceof Tensor) out.push([name ? `${name}.${k}` : k, v]);
      }
    }
    return out;
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers("", recurse).map(([, b]) => b);
  }

  // ---- modes and gradients --------------------------------------------------------------------

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Reset the gradients of all parameters (to null by default, like PyTorch 2.x). */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }

  /** Call `fn` on every module (children first, then this), like `Module.apply`. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---- state ----------------------------------------------------------------------------------

  /** Parameters and persistent buffers by dotted name (detached tensors sharing storage). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      const s = internals(m);
      for (const [k, v] of m.ownEntries()) {
        const key = prefix ? `${prefix}.${k}` : k;
        if (v instanceof Parameter) out[key] = v.detach();
        else if (s.buffers.has(k) && !s.nonPersistent.has(k) && v instanceof Tensor) out[key] = v.detach();
      }
    }
    return out;
  }

  /**
   * Copy values from `state` into this module's parameters and buffers. Everything is checked
   * first (missing/unexpected keys under `strict`, shape mismatches), so a rejected state dict
   * leaves the module unchanged. Messages follow PyTorch's `Error(s) in loading state_dict`.
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !(k in own));
    const errors: string[] = [];
    if (strict) {
      if (unexpectedKeys.length)
        errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
      if (missingKeys.length) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}. `);
    }
    for (const [k, target] of Object.entries(own)) {
      const src = state[k];
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        errors.push(`While copying the parameter named "${k}", expected a Tensor but got ${typeof src}.`);
        continue;
      }
      if (!shapesEqual(src.shape, target.shape))
        errors.push(
          `size mismatch for ${k}: copying a param with shape torch.Size(${fmtShape(src.shape)}) from checkpoint, the shape in current model is torch.Size(${fmtShape(target.shape)}).`,
        );
    }
    if (errors.length)
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    noGrad(() => {
      for (const [k, target] of Object.entries(own)) {
        const src = state[k];
        if (src !== undefined) target.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing -------------------------------------------------------------------------------

  /** The constructor arguments shown in the module's repr (`in_features=3, …`). */
  extraRepr(): string {
    return "";
  }

  toString(): string {
    const children = [...this.namedChildren()];
    const name = this.constructor.name;
    const extra = this.extraRepr();
    if (children.length === 0) return `${name}(${extra})`;
    const lines = children.map(([k, m]) => `  (${k}): ${m.toString().split("\n").join("\n  ")}`);
    if (extra) lines.unshift(`  ${extra}`);
    return `${name}(\n${lines.join("\n")}\n)`;
  }
}
