/**
 * Benchmark: typed attribute parsing per message, the table engine
 * (`parseAttrs`) against the generated parsers (`scripts/gen_codecs.ts`),
 * on a link captured from the kernel, a typical route and a conntrack entry;
 * then typed parsing into the public object (`ConntrackEntry`): the public
 * table engine (`parsePublicObject`) against the generated parser.
 *
 * Run: `deno run -A bench/codegen.ts` or `bun bench/codegen.ts` (no root needed).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { type AttrTable, parseAttrs } from "../src/wire/table.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { ROUTE_TABLE } from "../src/route/route/table.ts";
import { parseRouteTable } from "../src/route/route/_generated/table.ts";
import { IFLA_ATTRS } from "../src/route/link/table.ts";
import { parseIflaAttrs } from "../src/route/link/_generated/table.ts";
import { CTA_TABLE } from "../src/netfilter/conntrack/tables.ts";
import { parseConntrackEntryAttrs, parseCtaTable } from "../src/netfilter/conntrack/_generated/tables.ts";
import { parsePublicObject } from "../src/wire/public.ts";
import { bestNsPerCall } from "./_best.ts";

type Parser = (buf: Uint8Array, view: DataView, start: number, end: number) => unknown;

const hex = readFileSync(new URL("../tests/vectors/rtm_newlink_lo.hex", import.meta.url), "utf8").replace(/\s+/g, "");
const link = new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
const route = new MessageBuilder(24, 0).raw(new Uint8Array(12)).attrs(ROUTE_TABLE, {
  table: 254,
  dst: "10.20.30.0",
  priority: 100,
  prefsrc: "10.0.0.1",
  gateway: "10.0.0.254",
  oif: 2,
}).finish();
const ct = new MessageBuilder(0x100, 0).raw(new Uint8Array(4)).attrs(CTA_TABLE, {
  tupleOrig: { ip: { v4Src: "10.0.0.1", v4Dst: "10.0.0.2" }, proto: { num: 6, srcPort: 40000, dstPort: 443 }, zone: 0 },
  tupleReply: {
    ip: { v4Src: "10.0.0.2", v4Dst: "10.0.0.1" },
    proto: { num: 6, srcPort: 443, dstPort: 40000 },
    zone: 0,
  },
  status: 0x18e,
  mark: 5,
  timeout: 120,
  use: 1,
  id: 123456,
}).finish();

const CASES: [string, Uint8Array, number, AttrTable, Parser][] = [
  ["link (lo, from the kernel)", link, 32, IFLA_ATTRS, parseIflaAttrs],
  ["route", route, 28, ROUTE_TABLE, parseRouteTable],
  ["conntrack entry", ct, 20, CTA_TABLE, parseCtaTable],
];
const N = 200_000;

const time = (fn: () => unknown): number => bestNsPerCall(fn, N).wall;

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
console.log(`${runtime}: ns per message, best of 5 x ${N}`);
for (const [name, bytes, at, table, gen] of CASES) {
  const view = new DataView(bytes.buffer);
  const engine = time(() => parseAttrs(table, bytes, view, at, bytes.length));
  const generated = time(() => gen(bytes, view, at, bytes.length));
  console.log(
    `  ${name.padEnd(28)} engine ${engine.toFixed(0).padStart(5)}  generated ${generated.toFixed(0).padStart(5)}  (${
      (engine / generated).toFixed(2)
    }x)`,
  );
}

console.log(`${runtime}: typed parse into the public object, ns per message`);
{
  const view = new DataView(ct.buffer);
  const engine = time(() =>
    parsePublicObject(CTA_TABLE, ct, view, 20, ct.length, { family: "inet" }, "Conntrack message")
  );
  const generated = time(() => parseConntrackEntryAttrs(ct, view, 20, ct.length, { family: "inet" }));
  console.log(
    `  ${"conntrack entry".padEnd(28)} engine ${engine.toFixed(0).padStart(5)}  generated ${
      generated.toFixed(0).padStart(5)
    }  (${(engine / generated).toFixed(2)}x)`,
  );
}
