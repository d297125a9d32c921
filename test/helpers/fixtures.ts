/**
 * Loading the PyTorch fixtures written by scripts/make_fixtures.py.
 * Non-finite numbers arrive as the strings "nan", "inf", "-inf" and are decoded here.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

export interface FixtureTensor {
  dtype: "float32" | "float64" | "int32" | "bool";
  shape: number[];
  data: number[];
}

function revive(_key: string, value: unknown): unknown {
  if (value === "nan") return NaN;
  if (value === "inf") return Infinity;
  if (value === "-inf") return -Infinity;
  return value;
}

/** Parse test/fixtures/<name>.json, decoding non-finite numbers. */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8"), revive) as T;
}
