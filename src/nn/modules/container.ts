/**
 * Containers: `nn.Sequential` (children called in order, each output feeding the next) and
 * `nn.ModuleList` (an indexable list of sub-modules with no forward of its own).
 *
 * Children are registered under the keys "0", "1", … (or the names given to Sequential), so
 * parameter names and state-dict keys are PyTorch's (`0.weight`, `2.bias`, `fc1.weight`) and the
 * repr nests like PyTorch's.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

type Callable = { forward(input: unknown): unknown };

function assertModule(m: unknown, where: string): asserts m is Module {
  if (!(m instanceof Module)) throw new TypeError(`${where}: ${String(m)} is not a Module subclass`);
}

export class Sequential extends Module {
  /** Children by position (and, for named children, `seq.get(name)`). */
  [index: number]: Module;

  /** `new Sequential(a, b, c)` or `new Sequential({ fc1: a, act: b })` (names kept in order). */
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    if (modules.length === 1 && !(modules[0] instanceof Module) && typeof modules[0] === "object") {
      for (const [name, m] of Object.entries(modules[0] as Record<string, Module>)) {
        assertModule(m, "Sequential");
        this.registerModule(name, m);
      }
    } else {
      (modules as Module[]).forEach((m, i) => {
        assertModule(m, "Sequential");
        this.registerModule(String(i), m);
      });
    }
  }

  /** The number of children. */
  get length(): number {
    return [...this.namedChildren()].length;
  }

  /** The child at position `index` (negative counts from the end). */
  at(index: number): Module {
    const children = [...this.children()];
    const i = index < 0 ? index + children.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= children.length) throw new RangeError(`index ${index} is out of range`);
    return children[i]!;
  }

  /** Add a module at the end (key: the next position). */
  append(module: Module): this {
    assertModule(module, "Sequential.append");
    this.registerModule(String(this.length), module);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }

  forward(input: Tensor): Tensor {
    let x: unknown = input;
    for (const m of this.children()) x = (m as unknown as Callable).forward(x);
    return x as Tensor;
  }
}

export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return [...this.namedChildren()].length;
  }

  /** The module at position `index` (negative counts from the end). */
  at(index: number): Module {
    const n = this.length;
    const i = index < 0 ? index + n : index;
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`index ${index} is out of range`);
    return this[i]!;
  }

  append(module: Module): this {
    assertModule(module, "ModuleList.append");
    this.registerModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Insert before position `index`, shifting later modules up by one. */
  insert(index: number, module: Module): this {
    assertModule(module, "ModuleList.insert");
    const n = this.length;
    const i = Math.min(Math.max(index < 0 ? index + n : index, 0), n);
    for (let k = n; k > i; k--) this.registerModule(String(k), this[k - 1]!);
    this.registerModule(String(i), module);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }

  forward(): never {
    throw new Error('Module [ModuleList] is missing the required "forward" function');
  }
}
