/**
 * Command-line parsing for `descent`: flags declared per command and read with Node's
 * `util.parseArgs` (strict: an unknown flag is an error), and value checkers that turn a bad value
 * into a one-line `CliError` naming the flag, the value and what was expected.
 */
import { parseArgs } from "node:util";

/** A usage error: printed as one line, exit code 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A flag: `string` takes a value, `boolean` does not. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
}

export type Flags = Record<string, FlagSpec>;

/** The parsed flags (strings and booleans, undefined when absent) and positional arguments. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parse `argv` against `flags`; `command` names the command in messages (e.g. "descent train"). */
export function parseFlags(argv: readonly string[], flags: Flags, command: string): Parsed {
  // "--lr -1": parseArgs would take "-1" for a flag; a negative number is the value of a string flag
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const name = a.startsWith("--") ? a.slice(2) : null;
    if (name !== null && flags[name]?.type === "string" && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else {
      args.push(a);
    }
  }
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...flags, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    const e = err as Error & { code?: string };
    const flag = /'(-[^']*)'/.exec(e.message)?.[1] ?? "";
    const name = flag.replace(/^-+/, "").split(/[ ,=]/)[0] ?? "";
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new CliError(`${command}: unknown option ${flag.split(" ")[0]} (see ${command} --help)`);
    }
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const spec = flags[name];
      if (spec?.type === "boolean") throw new CliError(`${command}: option --${name} takes no value`);
      throw new CliError(`${command}: option --${name} needs a value`);
    }
    throw new CliError(`${command}: ${e.message.split("\n")[0]}`);
  }
}

/** Reads typed values out of parsed flags, each error one line naming the flag. */
export class FlagReader {
  constructor(
    private readonly parsed: Parsed,
    private readonly command: string,
  ) {}

  private fail(msg: string): never {
    throw new CliError(`${this.command}: ${msg}`);
  }

  has(name: string): boolean {
    return this.parsed.values[name] !== undefined;
  }

  flag(name: string): boolean {
    return this.parsed.values[name] === true;
  }

  string(name: string): string | undefined {
    const v = this.parsed.values[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.length === 0) this.fail(`option --${name} needs a value`);
    return v;
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T;
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined;
  choice<T extends string>(name: string, choices: readonly T[], fallback?: T): T | undefined {
    const v = this.string(name);
    if (v === undefined) return fallback;
    const hit = choices.find((c) => c.toLowerCase() === v.toLowerCase());
    if (hit === undefined) this.fail(`invalid --${name} ${JSON.stringify(v)}: expected one of ${choices.join(", ")}`);
    return hit;
  }

  number(
    name: string,
    fallback: number,
    check?: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean },
  ): number;
  number(
    name: string,
    fallback?: undefined,
    check?: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean },
  ): number | undefined;
  number(
    name: string,
    fallback?: number,
    check: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean } = {},
  ): number | undefined {
    const v = this.string(name);
    if (v === undefined) return fallback;
    return this.parseNumber(name, v, check);
  }

  private parseNumber(name: string, v: string, check: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean }): number {
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()) ? Number(v) : NaN;
    const kind = check.integer ? "an integer" : "a number";
    if (!Number.isFinite(n)) this.fail(`invalid --${name} ${JSON.stringify(v)}: expected ${kind}`);
    if (check.integer && !Number.isInteger(n)) this.fail(`invalid --${name} ${v}: expected an integer`);
    if (check.min !== undefined && (check.exclusiveMin ? n <= check.min : n < check.min)) {
      this.fail(`invalid --${name} ${v}: expected ${kind} ${check.exclusiveMin ? ">" : ">="} ${check.min}`);
    }
    if (check.max !== undefined && n > check.max) this.fail(`invalid --${name} ${v}: expected ${kind} <= ${check.max}`);
    return n;
  }

  /** A comma-separated list of numbers. */
  numbers(name: string, fallback: number[], check: { integer?: boolean; min?: number; exclusiveMin?: boolean } = {}): number[] {
    const v = this.string(name);
    if (v === undefined) return fallback;
    const parts = v.split(",").map((s) => s.trim());
    if (parts.some((p) => p === "")) this.fail(`invalid --${name} ${JSON.stringify(v)}: expected a comma-separated list of numbers`);
    return parts.map((p) => this.parseNumber(name, p, check));
  }

  /** A comma-separated list of choices. */
  choices<T extends string>(name: string, choices: readonly T[], fallback: T[]): T[] {
    const v = this.string(name);
    if (v === undefined) return fallback;
    return v.split(",").map((s) => {
      const p = s.trim();
      const hit = choices.find((c) => c.toLowerCase() === p.toLowerCase());
      if (hit === undefined) this.fail(`invalid --${name} value ${JSON.stringify(p)}: expected one of ${choices.join(", ")}`);
      return hit;
    });
  }

  /** No positional arguments are accepted. */
  noPositionals(): void {
    const p = this.parsed.positionals[0];
    if (p !== undefined) this.fail(`unexpected argument ${JSON.stringify(p)} (options start with --)`);
  }
}
