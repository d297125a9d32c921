/**
 * `Optimizer`: the base of every torch.optim algorithm — parameter groups, lazily created
 * per-parameter state, `zeroGrad`, `step(closure?)` and `stateDict`/`loadStateDict`.
 *
 * The base owns the loop: for each group, for each parameter whose `.grad` is not null, it
 * creates the parameter's state on first use and calls the algorithm's `update` with the
 * parameter, its gradient and its state as flat typed arrays (no graph is recorded). Algorithms
 * update the parameter and their state buffers in place, so after the first step a step
 * allocates no tensor memory: parameter and state storages keep their identity.
 *
 * Parameter groups are plain mutable objects with camelCase options
 * (`opt.paramGroups[0].lr = 0.01`); a group may carry extra entries (schedulers add
 * `initialLr`, …). `stateDict()` has PyTorch 1.13's structure and key strings:
 * `{ state: { 0: { step, exp_avg, … } }, param_groups: [{ lr, betas, weight_decay, …, params: [0, 1] }] }`
 * — parameters are numbered in group order, option keys are snake_case, and each group also
 * lists PyTorch's implementation switches (`foreach: null`, `differentiable: false`, …) so the
 * dictionary maps one to one onto a torch `state_dict()`.
 *
 * PyTorch parity:
 * - `zeroGrad()` sets gradients to null by default, as PyTorch 2.x does (1.13 zeroed them);
 *   `zeroGrad({ setToNone: false })` zeroes them in place.
 * - A parameter listed twice is an error (PyTorch 1.13 only warns).
 * - `stateDict()` returns a snapshot (tensors copied); PyTorch returns references to the live
 *   state, which later steps keep changing.
 * - `loadStateDict` validates the state against the parameters (shapes, known keys) before
 *   changing anything, and casts per-element buffers to the parameter's dtype like PyTorch but
 *   keeps 0-d state tensors (`step`, NAdam's `mu_product`, ASGD's `eta`/`mu`) in their own dtype,
 *   so that resuming from a state dict is bit-exact (PyTorch casts those to the parameter's dtype
 *   too, which perturbs a float64 run after loading).
 */
import { Tensor } from "../tensor/tensor.js";
import { isGradEnabled, setGradEnabled } from "../autograd/grad_mode.js";
import { backend } from "../backend/registry.js";
import type { Strided } from "../backend/backend.js";
import { contiguousStrides, fmtShape, shapesEqual } from "../tensor/shape.js";
import type { FloatArray } from "./arith.js";

/** The value of an option in a parameter group (or in a state dict's `param_groups`). */
export type GroupValue = number | boolean | string | null | readonly number[];

/** A value in a parameter's state: tensors, numbers, null, and (for LBFGS) lists of them. */
export type StateValue = Tensor | number | null | readonly StateValue[];

/** One parameter group as stored: its parameters and every option of the algorithm. */
export type ParamGroup<O extends object> = O & { params: Tensor[] };

/** A parameter group as given by the user: options left out take the optimizer's defaults. */
export type ParamGroupInput<O extends object> = { params: Tensor | Iterable<Tensor> } & Partial<O> & {
  [extra: string]: unknown;
};

/** What an optimizer is built from: parameters, or parameter groups. */
export type ParamsInput<O extends object> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** One group of a state dict: snake_case options and the indices of its parameters. */
export type StateDictGroup = { [key: string]: GroupValue } & { params: number[] };

/** `optimizer.stateDict()`: PyTorch's structure and key strings. */
export interface OptimizerStateDict {
  state: { [index: number]: { [key: string]: StateValue } };
  param_groups: StateDictGroup[];
}

/** Options of {@link Optimizer.zeroGrad}. */
export interface ZeroGradOptions {
  /** Set gradients to null (default) instead of zeroing them in place. */
  setToNone?: boolean;
}

/**
 * How one state entry is stored and restored:
 * - `buffer`: a tensor shaped like the parameter (cast to the parameter's dtype on load);
 * - `optionalBuffer`: such a tensor, or null (SGD's momentum buffer without momentum);
 * - `scalar`: a 0-d tensor kept in its own dtype (`step`, `mu_product`, …);
 * - `number`: a plain number (RMSprop's integer `step`, …).
 */
export type StateEntryKind = "buffer" | "optionalBuffer" | "scalar" | "number";

/** One entry of an algorithm's state: its camelCase field, PyTorch's key, its kind. */
export interface StateEntrySpec {
  readonly field: string;
  readonly key: string;
  readonly kind: StateEntryKind;
  /** Absent in some configurations (AMSGrad's max_exp_avg_sq, …). */
  readonly optional?: boolean;
}

/** camelCase → snake_case (`weightDecay` → `weight_decay`, `t0` stays). */
export function toSnakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** snake_case → camelCase (`initial_lr` → `initialLr`). */
export function toCamelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * What the loop keeps per parameter tensor: its flat elements when it is contiguous, else a
 * scratch copy it is gathered into and scattered back from; and a scratch copy for gradients
 * that are not contiguous.
 */
interface Slot {
  flat: FloatArray | null;
  param: FloatArray | null;
  paramView: Strided | null;
  grad: FloatArray | null;
  gradView: Strided | null;
}

/**
 * The flat elements of a contiguous tensor: its storage array itself when the tensor covers it,
 * else a subarray. Null when the tensor is not contiguous.
 */
export function flatData(t: Tensor): FloatArray | null {
  if (!t.isContiguous()) return null;
  const data = t.storage.data as FloatArray;
  const n = t.numel();
  if (t.offset === 0 && data.length === n) return data;
  return data.subarray(t.offset, t.offset + n);
}

function typeName(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

/** PyTorch's `torch.typename` of a tensor (`torch.FloatTensor`). */
function torchTypeName(t: Tensor): string {
  const names = { float32: "FloatTensor", float64: "DoubleTensor", int32: "IntTensor", bool: "BoolTensor" } as const;
  return `torch.${names[t.dtype]}`;
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return typeof x === "object" && x !== null && typeof (x as Iterable<unknown>)[Symbol.iterator] === "function";
}

/** Deep copy of a state value (tensors cloned into fresh contiguous storage). */
export function copyStateValue(v: StateValue): StateValue {
  if (v instanceof Tensor) return cloneTensor(v, v.dtype);
  if (Array.isArray(v)) return (v as readonly StateValue[]).map(copyStateValue);
  return v;
}

/** A fresh contiguous copy of `t` in `dtype` (no autograd). */
export function cloneTensor(t: Tensor, dtype: Tensor["dtype"]): Tensor {
  const out = new Tensor(backend().alloc(dtype, t.numel()), t.shape);
  backend().copy(t, out);
  return out;
}

/**
 * Base class of the optimizers. `O` is the complete options record of the algorithm
 * (camelCase), `S` its per-parameter state record.
 */
export abstract class Optimizer<O extends object = object, S extends object = object> {
  /** The options every group starts from (`undefined` marks a required option, like SGD's lr). */
  readonly defaults: Readonly<O>;
  /** The parameter groups: plain objects, mutable (`paramGroups[0].lr = 0.01`). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  readonly state: Map<Tensor, S> = new Map();
  private slots = new WeakMap<Tensor, Slot>();

  /**
   * @param params parameters, or parameter groups (`{ params, ...options }`)
   * @param defaults every option of the algorithm, already checked
   */
  protected constructor(params: ParamsInput<O>, defaults: O) {
    if (params instanceof Tensor)
      throw new TypeError(
        `params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${torchTypeName(params)}`,
      );
    if (!isIterable(params))
      throw new TypeError(
        `params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typeName(params)}`,
      );
    this.checkOptions(defaults);
    this.defaults = Object.freeze({ ...defaults });
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new RangeError("optimizer got an empty parameter list");
    const first = list[0];
    const isGroup = typeof first === "object" && first !== null && !(first instanceof Tensor) && !Array.isArray(first);
    const groups: unknown[] = isGroup ? list : [{ params: list }];
    for (const g of groups) this.addParamGroup(g as ParamGroupInput<O>);
  }

  /** PyTorch's implementation switches listed in each state-dict group (`foreach: null`, …). */
  protected abstract get torchOnlyKeys(): Readonly<Record<string, GroupValue>>;

  /** The state entries of one parameter, for state dicts. */
  protected abstract get stateSpec(): readonly StateEntrySpec[];

  /**
   * Throw PyTorch's error for an invalid option value of a group (or of the defaults, where a
   * required option may be undefined).
   */
  protected abstract checkOptions(options: O): void;

  /** The state of a parameter on its first step. */
  protected abstract initState(param: Tensor, group: ParamGroup<O>): S;

  /**
   * One step of the algorithm for one parameter, in place on `param` (its flat elements) and the
   * state; `tensor` is the parameter itself (for shapes, and buffers created late).
   */
  protected abstract update(param: FloatArray, grad: FloatArray, state: S, group: ParamGroup<O>, tensor: Tensor): void;

  /** Add a parameter group (`add_param_group`); options it leaves out take the defaults. */
  addParamGroup(paramGroup: ParamGroupInput<O>): void {
    if (typeof paramGroup !== "object" || paramGroup === null || paramGroup instanceof Tensor)
      throw new TypeError("param group must be a dict");
    const raw = (paramGroup as { params?: unknown }).params;
    let params: unknown[];
    if (raw instanceof Tensor) params = [raw];
    else if (raw instanceof Set)
      throw new TypeError(
        "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.",
      );
    else if (isIterable(raw)) params = Array.from(raw);
    else throw new TypeError(`param group must have an iterable 'params' entry, got ${typeName(raw)}`);
    for (const p of params) {
      if (!(p instanceof Tensor))
        throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`);
      if (!p.isLeaf) throw new RangeError("can't optimize a non-leaf Tensor");
    }
    const tensors = params as Tensor[];
    if (new Set(tensors).size !== tensors.length)
      throw new RangeError("optimizer contains a parameter group with duplicate parameters");
    for (const g of this.paramGroups)
      for (const p of g.params)
        if (tensors.includes(p)) throw new RangeError("some parameters appear in more than one parameter group");

    const group: Record<string, unknown> = { params: tensors };
    const given = paramGroup as Record<string, unknown>;
    for (const [key, value] of Object.entries(this.defaults)) {
      const v = key in given && given[key] !== undefined ? given[key] : value;
      if (v === undefined)
        throw new RangeError(`parameter group didn't specify a value of required optimization parameter ${key}`);
      group[key] = Array.isArray(v) ? [...(v as unknown[])] : v;
    }
    for (const [key, value] of Object.entries(given)) if (!(key in group)) group[key] = value;
    this.checkOptions(group as O);
    this.paramGroups.push(group as ParamGroup<O>);
  }

  /** Reset the gradients of every parameter: to null (default), or to zeros in place. */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
          continue;
        }
        if (g.gradFn !== null) g.detach_();
        else g.requiresGrad = false;
        backend().fill(g, 0);
        g.storage.version++;
      }
    }
  }

  /**
   * One optimization step over every parameter that has a gradient. A `closure` that
   * re-evaluates the model and returns the loss is called first, with gradients enabled; its
   * result is returned.
   */
  step<L>(closure?: () => L): L | undefined {
    let loss: L | undefined;
    if (closure !== undefined) {
      const prev = isGradEnabled();
      setGradEnabled(true);
      try {
        loss = closure();
      } finally {
        setGradEnabled(prev);
      }
    }
    const prev = isGradEnabled();
    setGradEnabled(false);
    try {
      for (const group of this.paramGroups) this.stepGroup(group);
    } finally {
      setGradEnabled(prev);
    }
    return loss;
  }

  /** The loop over one group's parameters (overridden by algorithms with group-wide steps). */
  protected stepGroup(group: ParamGroup<O>): void {
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      let state = this.state.get(p);
      if (state === undefined) {
        state = this.initState(p, group);
        this.state.set(p, state);
      }
      this.updateTensor(p, grad, state, group);
    }
  }

  /** Run `update` on a parameter tensor (gathering and scattering non-contiguous ones). */
  protected updateTensor(p: Tensor, grad: Tensor, state: S, group: ParamGroup<O>): void {
    let slot = this.slots.get(p);
    if (slot === undefined) {
      slot = { flat: flatData(p), param: null, paramView: null, grad: null, gradView: null };
      this.slots.set(p, slot);
    } else if (slot.flat !== null && slot.flat.buffer !== p.storage.data.buffer) {
      // a storage in an unshared WASM memory is re-pointed when the memory grows
      slot.flat = flatData(p);
    }
    const pa = slot.flat ?? gather(p, slot, "param");
    const ga = flatData(grad) ?? gather(grad, slot, "grad");
    this.update(pa, ga, state, group, p);
    if (slot.flat === null) backend().copy(slot.paramView!, p);
    p.storage.version++;
  }

  /** The optimizer's state and options, with PyTorch's structure and key strings (a snapshot). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups: StateDictGroup[] = this.paramGroups.map((group) => {
      const packed: Record<string, GroupValue> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key === "params") continue;
        packed[toSnakeCase(key)] = Array.isArray(value) ? [...(value as unknown as number[])] : (value as GroupValue);
      }
      for (const [key, value] of Object.entries(this.torchOnlyKeys)) packed[key] = value;
      const ids = group.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return Object.assign(packed, { params: ids }) as StateDictGroup;
    });
    const state: OptimizerStateDict["state"] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = this.packState(s, p);
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Restore a state dict (from {@link stateDict} or converted from PyTorch): options and state
   * are deep-copied; everything is validated before anything changes.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    if (typeof stateDict !== "object" || stateDict === null || !Array.isArray(stateDict.param_groups))
      throw new TypeError("loadStateDict expects an object with 'state' and 'param_groups'");
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length)
      throw new RangeError("loaded state dict has a different number of parameter groups");
    for (let i = 0; i < saved.length; i++) {
      const ids = saved[i]?.params;
      if (!Array.isArray(ids)) throw new TypeError(`loaded state dict's param_groups[${i}] has no 'params' list`);
      if (ids.length !== this.paramGroups[i]!.params.length)
        throw new RangeError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idMap = new Map<string, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => idMap.set(String(id), this.paramGroups[i]!.params[j]!)));

    // options: saved values over the defaults; PyTorch's implementation switches are dropped
    const newGroups = saved.map((g, i) => {
      const group: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(this.defaults)) group[key] = Array.isArray(value) ? [...value] : value;
      for (const [key, value] of Object.entries(g)) {
        if (key === "params" || key in this.torchOnlyKeys) continue;
        group[toCamelCase(key)] = Array.isArray(value) ? [...(value as unknown[])] : value;
      }
      for (const [key, value] of Object.entries(group))
        if (value === undefined)
          throw new RangeError(`loaded state dict's param_groups[${i}] lacks the required option ${toSnakeCase(key)}`);
      this.checkOptions(group as O);
      return group;
    });

    const newState = new Map<Tensor, S>();
    const entries = typeof stateDict.state === "object" && stateDict.state !== null ? Object.entries(stateDict.state) : [];
    for (const [id, value] of entries) {
      const p = idMap.get(id);
      if (p === undefined)
        throw new RangeError(`loaded state dict has state for parameter ${id}, which is not in any parameter group`);
      if (typeof value !== "object" || value === null) throw new TypeError(`loaded state dict's state[${id}] is not an object`);
      newState.set(p, this.unpackState(value, p, id));
    }

    // commit
    this.paramGroups.forEach((group, i) => {
      const params = group.params;
      const target = group as Record<string, unknown>;
      for (const key of Object.keys(target)) if (key !== "params") delete target[key];
      Object.assign(target, newGroups[i], { params });
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }

  /** One parameter's state as a state-dict entry (snake_case keys, tensors copied). */
  protected packState(state: S, _param: Tensor): { [key: string]: StateValue } {
    const out: { [key: string]: StateValue } = {};
    const rec = state as Record<string, unknown>;
    for (const e of this.stateSpec) {
      if (!(e.field in rec)) continue;
      out[e.key] = copyStateValue(rec[e.field] as StateValue);
    }
    return out;
  }

  /** A state-dict entry as one parameter's state: validated, copied, cast. */
  protected unpackState(entry: { [key: string]: StateValue }, param: Tensor, id: string): S {
    const out: Record<string, unknown> = {};
    const known = new Set(this.stateSpec.map((e) => e.key));
    for (const key of Object.keys(entry))
      if (!known.has(key))
        throw new RangeError(`loaded state dict has an unexpected entry '${key}' in the state of parameter ${id}`);
    for (const e of this.stateSpec) {
      const v = entry[e.key];
      const where = `'${e.key}' of parameter ${id}`;
      if (v === undefined) {
        if (e.optional) continue;
        throw new RangeError(`loaded state dict lacks ${where}`);
      }
      switch (e.kind) {
        case "number":
          if (typeof v !== "number") throw new TypeError(`loaded state dict's ${where} must be a number`);
          out[e.field] = v;
          break;
        case "scalar":
          if (v instanceof Tensor && v.numel() === 1) out[e.field] = scalarOf(v.item(), v.dtype);
          else if (typeof v === "number") out[e.field] = scalarOf(v);
          else throw new TypeError(`loaded state dict's ${where} must be a one-element tensor`);
          break;
        case "optionalBuffer":
        case "buffer":
          if (v === null && e.kind === "optionalBuffer") {
            out[e.field] = null;
            break;
          }
          if (!(v instanceof Tensor)) throw new TypeError(`loaded state dict's ${where} must be a tensor`);
          if (!shapesEqual(v.shape, param.shape))
            throw new RangeError(
              `loaded state dict's ${where} has shape ${fmtShape(v.shape)}, but the parameter has shape ${fmtShape(param.shape)}`,
            );
          out[e.field] = newBuffer(param);
          backend().copy(v, out[e.field] as Tensor);
          break;
        default:
          e.kind satisfies never;
      }
    }
    return out as S;
  }
}

/**
 * `step_t += 1` on a one-element step tensor (float32 in PyTorch, so exact up to 2^24); returns
 * the new count (`step_t.item()`).
 */
export function incrementStep(step: Tensor): number {
  const data = step.storage.data;
  data[step.offset] = data[step.offset]! + 1;
  step.storage.version++;
  return data[step.offset]!;
}

/** A contiguous state buffer shaped and typed like `param`, filled with `value` (`zeros_like`). */
export function newBuffer(param: Tensor, value = 0): Tensor {
  // persistent: state lives as long as the optimizer (the WASM backend keeps it in module memory)
  const t = new Tensor(backend().alloc(param.dtype, param.numel(), { persistent: true }), param.shape);
  if (value !== 0) backend().fill(t, value);
  return t;
}

/** The flat elements of a state buffer made by the optimizer (contiguous, own storage). */
export function bufferData(t: Tensor): FloatArray {
  return t.storage.data as FloatArray;
}

/** A 0-d tensor holding `value`, float32 by default (PyTorch's `torch.tensor(value)`). */
export function scalarOf(value: number, dtype: Tensor["dtype"] = "float32"): Tensor {
  const t = new Tensor(backend().alloc(dtype, 1), []);
  t.storage.data[0] = value;
  return t;
}

function gather(t: Tensor, scratch: Slot, which: "param" | "grad"): FloatArray {
  let data = scratch[which];
  let view = which === "param" ? scratch.paramView : scratch.gradView;
  if (data === null || data.length !== t.numel() || view === null || view.storage.dtype !== t.dtype) {
    const storage = backend().alloc(t.dtype, t.numel());
    data = storage.data as FloatArray;
    view = { storage, shape: t.shape, strides: contiguousStrides(t.shape), offset: 0 };
    scratch[which] = data;
    if (which === "param") scratch.paramView = view;
    else scratch.gradView = view;
  }
  backend().copy(t, view);
  return data;
}
