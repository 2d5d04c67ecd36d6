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
import { concat, outcome, tlv } from "./_fuzz.ts";
import { type AttrTable, parseAttrs } from "../src/wire/table.ts";
import { NEXTHOP_TABLE, ROUTE_TABLE } from "../src/route/route/table.ts";
import { parseNexthopTable, parseRouteTable } from "../src/route/route/_generated/table.ts";
import { IFLA_ATTRS } from "../src/route/link/table.ts";
import { parseIflaAttrs } from "../src/route/link/_generated/table.ts";
import { NHA_ATTRS } from "../src/route/nexthop/table.ts";
import { parseNhaAttrs } from "../src/route/nexthop/_generated/table.ts";
import { MROUTE_ATTRS } from "../src/route/mroute/table.ts";
import { parseMrouteAttrs } from "../src/route/mroute/_generated/table.ts";
import { CTA_TABLE } from "../src/netfilter/conntrack/tables.ts";
import { parseCtaTable } from "../src/netfilter/conntrack/_generated/tables.ts";
import { CTRL_ATTRS } from "../src/wire/genetlink.ts";
import { parseCtrlAttrs } from "../src/wire/_generated/genetlink.ts";

type Parser = (buf: Uint8Array, view: DataView, start: number, end: number) => unknown;

const PAIRS: [string, AttrTable, Parser][] = [
  ["ROUTE_TABLE", ROUTE_TABLE, parseRouteTable],
  ["NEXTHOP_TABLE", NEXTHOP_TABLE, parseNexthopTable],
  ["IFLA_ATTRS", IFLA_ATTRS, parseIflaAttrs],
  ["NHA_ATTRS", NHA_ATTRS, parseNhaAttrs],
  ["MROUTE_ATTRS", MROUTE_ATTRS, parseMrouteAttrs],
  ["CTA_TABLE", CTA_TABLE, parseCtaTable],
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
