/**
 * The generated parsers (`scripts/gen_codecs.ts`) agree with the table
 * engine (`parseAttrs`) on random and mutated attribute streams: the same
 * object, or the same error.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type AttrTable, parseAttrs } from "../src/wire/table.ts";
import { IFA_ATTRS } from "../src/route/addr/table.ts";
import { parseIfaAttrs } from "../src/route/addr/_generated/table.ts";
import { NDA_ATTRS } from "../src/route/neigh/table.ts";
import { parseNdaAttrs } from "../src/route/neigh/_generated/table.ts";
import { RULE_ATTRS } from "../src/route/rule/table.ts";
import { parseRuleAttrs } from "../src/route/rule/_generated/table.ts";
import { NHA_ATTRS } from "../src/route/nexthop/table.ts";
import { parseNhaAttrs } from "../src/route/nexthop/_generated/table.ts";
import { CTRL_ATTRS } from "../src/wire/genetlink.ts";
import { parseCtrlAttrs } from "../src/wire/_generated/genetlink.ts";

type Parser = (buf: Uint8Array, view: DataView, start: number, end: number) => unknown;

const PAIRS: [string, AttrTable, Parser][] = [
  ["IFA_ATTRS", IFA_ATTRS, parseIfaAttrs],
  ["NDA_ATTRS", NDA_ATTRS, parseNdaAttrs],
  ["RULE_ATTRS", RULE_ATTRS, parseRuleAttrs],
  ["NHA_ATTRS", NHA_ATTRS, parseNhaAttrs],
  ["CTRL_ATTRS", CTRL_ATTRS, parseCtrlAttrs],
];

/** Attributes with types the table knows (and a few it does not), nested one level with some chance. */
function stream(maxType: number): fc.Arbitrary<Uint8Array> {
  const leaf = fc.record({
    type: fc.integer({ min: 0, max: maxType + 2 }),
    flags: fc.constantFrom(0, 0x8000, 0x4000),
    payload: fc.uint8Array({ maxLength: 24 }),
  });
  const attr = fc.oneof(
    leaf.map((a) => tlv(a.type | a.flags, a.payload)),
    fc.tuple(fc.integer({ min: 0, max: maxType + 2 }), fc.array(leaf, { maxLength: 4 })).map(([t, kids]) =>
      tlv(t | 0x8000, concat(kids.map((k) => tlv(k.type | k.flags, k.payload))))
    ),
  );
  return fc.tuple(fc.array(attr, { maxLength: 12 }), fc.nat(), fc.boolean()).map(([attrs, cut, doCut]) => {
    const all = concat(attrs);
    return doCut && all.length ? all.slice(0, cut % all.length) : all;
  });
}

function tlv(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array((4 + payload.length + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint16(0, 4 + payload.length, true);
  v.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

for (const [name, table, generated] of PAIRS) {
  test(`generated ${name} parser agrees with the table engine`, () => {
    const maxType = Math.max(...Object.values(table).map((s) => s.type));
    fc.assert(
      fc.property(stream(maxType), (bytes) => {
        const view = new DataView(bytes.buffer);
        assert.deepEqual(
          outcome(() => generated(bytes, view, 0, bytes.length)),
          outcome(() => parseAttrs(table, bytes, view, 0, bytes.length)),
        );
      }),
      { numRuns: 1500 },
    );
  });
}
