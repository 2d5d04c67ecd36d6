// copyDefined: the present fields, renamed where asked, in the declared order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { copyDefined } from "../src/wire/copy.ts";

test("copyDefined copies the defined fields in the listed order, renamed by [to, from]", () => {
  const out: Record<string, unknown> = { first: 0 };
  copyDefined(out, { b: 2, a: 1, gone: undefined, zero: 0, no: false, skipped: 9 }, [
    "a",
    ["bee", "b"],
    "gone",
    "zero",
    "no",
    "absent",
  ]);
  assert.deepEqual(out, { first: 0, a: 1, bee: 2, zero: 0, no: false });
  assert.deepEqual(Object.keys(out), ["first", "a", "bee", "zero", "no"]);
});
