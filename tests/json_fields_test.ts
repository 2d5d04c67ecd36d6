/**
 * `JsonTextFields` writes, byte for byte, what `JSON.stringify` writes for
 * the object `ObjectFields` builds from the same fields (large dumps print
 * through the first, the public API returns the second).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type JsonFields, JsonTextFields, ObjectFields } from "../src/wire/json_fields.ts";
import { TextSink } from "../src/wire/text_sink.ts";

type Field = ["str", string] | ["num", number] | ["strs", string[]] | ["any", unknown];

const KEYS = ["dst", "dev", "metric", "flags", "via", "x"];
const text = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("\ud800", 'a"b\\c', "\u007f\n"));
const field: fc.Arbitrary<[string, Field]> = fc.tuple(
  fc.constantFrom(...KEYS),
  fc.oneof(
    fc.tuple(fc.constant("str" as const), text),
    fc.tuple(fc.constant("num" as const), fc.oneof(fc.nat(), fc.maxSafeNat(), fc.double(), fc.integer())),
    fc.tuple(fc.constant("strs" as const), fc.array(text, { maxLength: 4 })),
    fc.tuple(fc.constant("any" as const), fc.oneof(fc.jsonValue(), fc.constant(undefined))),
  ),
);

function give(f: JsonFields, fields: readonly [string, Field][]): void {
  for (const [k, [kind, v]] of fields) {
    if (kind === "str") f.str(k, v);
    else if (kind === "num") f.num(k, v);
    else if (kind === "strs") f.strs(k, v);
    else f.any(k, v);
  }
}

test("property: JsonTextFields writes JSON.stringify of the object ObjectFields builds", () => {
  const w = new TextSink(4); // tiny: every write crosses a growth
  fc.assert(
    fc.property(
      fc.uniqueArray(field, { selector: ([k]) => k, maxLength: KEYS.length }),
      fc.subarray(KEYS),
      (fields, omitted) => {
        const omit = omitted.length ? new Set(omitted) : undefined;
        const o = new ObjectFields(omit);
        give(o, fields);
        const t = new JsonTextFields(w, omit);
        for (let i = 0; i < 2; i++) { // one writer, several objects
          t.begin();
          give(t, fields);
          t.end();
          assert.equal(w.take(), JSON.stringify(o.out));
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test("ObjectFields copies arrays, so the caller's stay its own", () => {
  const flags = ["onlink"];
  const o = new ObjectFields();
  o.strs("flags", flags);
  (o.out.flags as string[]).push("dead");
  assert.deepEqual(flags, ["onlink"]);
});

test("hotMethods gives the private per-field writers as functions, for keeping them out of the top JIT tier", () => {
  const fns = JsonTextFields.hotMethods();
  assert.equal(fns.length, 2);
  for (const f of fns) assert.equal(typeof f, "function");
  assert.deepEqual(JsonTextFields.hotMethods(), fns); // the same functions, whichever instance gave them
});
