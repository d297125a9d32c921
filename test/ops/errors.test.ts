/**
 * Bad input: descent's errors vs PyTorch 1.13.1's (fixtures from scripts/fixtures/ops_errors.py).
 *
 * Every case must throw the Error subclass the fixture names (TypeError for a wrong kind of
 * argument, RangeError for a bad value) with PyTorch's message. descent names dtypes its own way
 * (int32 where torch says int64/Long, float32 where torch says Float), so PyTorch's message is
 * compared after translating those words; descent may append the bad value after PyTorch's text.
 * A few PyTorch messages are artefacts of a particular kernel; those cases list the fragments that
 * must match instead, with the reason.
 */
import { describe, expect, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { runError, type ErrorCase } from "./harness.js";

const { cases } = loadFixture<{ cases: (ErrorCase & { kind: "TypeError" | "RangeError" })[] }>("ops_errors");

/** PyTorch's dtype words in descent's terms. */
function translate(message: string): string {
  return message
    .replace(/\bint64\b/g, "int32")
    .replace(/\bLong\b/g, "int32")
    .replace(/\bFloat\b/g, "float32")
    .replace(/\bDouble\b/g, "float64")
    .replace(/'int32'/g, "int32");
}

/** Cases whose PyTorch message cannot be matched word for word: the fragments descent must contain. */
const FRAGMENTS: Record<string, { why: string; contains: string[] }> = {
  "permute wrong length": {
    why: "PyTorch 1.13 prints the wrong op name ('permute(sparse_coo)') for dense tensors",
    contains: ["number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 3 is not equal to len(dims) = 2"],
  },
  "indexSelect out of range": {
    why: "this text comes from PyTorch's FBGEMM fast path; its generic index_select path says 'index out of range in self'",
    contains: ["index out of range in self"],
  },
  "indexSelect float index": {
    why: "torch accepts int32 or int64; descent's only index dtype is int32",
    contains: ["index_select(): Expected dtype int32", "for index"],
  },
  "indexAdd float index": {
    why: "torch accepts int32 or int64; descent's only index dtype is int32",
    contains: ["index_add_(): Expected dtype int32", "for index", "float32"],
  },
  "softmax of int": {
    why: "PyTorch reports a missing kernel; descent names the op and the dtype",
    contains: ["softmax", "int32"],
  },
};

describe("errors match PyTorch's", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (name, c) => {
    const e = runError(c);
    expect(e.constructor.name, `${name}: error class (PyTorch raised ${c.error})`).toBe(c.kind);
    const special = FRAGMENTS[name];
    if (special) {
      for (const f of special.contains) expect(e.message, `${name} (${special.why})`).toContain(f);
      return;
    }
    const expected = [c.message, translate(c.message)];
    const ok = expected.some((m) => e.message === m || e.message.startsWith(m));
    expect(ok, `${name}:\n  descent: ${e.message}\n  PyTorch: ${c.message}`).toBe(true);
  });
});
