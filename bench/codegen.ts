/**
 * Benchmark: typed parsing into the public object, per message: the public
 * table engine (`parsePublicMessage`, `parsePublicObject`) against the
 * parsers `scripts/gen_codecs.ts` generates from the same tables, on a link
 * captured from the kernel, a typical route and a conntrack entry.
 *
 * Run: `deno run -A bench/codegen.ts` or `bun bench/codegen.ts` (no root needed).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { MessageBuilder } from "../src/wire/builder.ts";
import { readMessage } from "../src/wire/message.ts";
import { ROUTE_MESSAGE, ROUTE_TABLE } from "../src/route/route/table.ts";
import { parseRouteMessage } from "../src/route/route/parse.ts";
import { LINK_MESSAGE } from "../src/route/link/object.ts";
import { parseLinkMessage } from "../src/route/link/api.ts";
import { CTA_TABLE } from "../src/netfilter/conntrack/tables.ts";
import { parseConntrackEntryAttrs } from "../src/netfilter/conntrack/_generated/tables.ts";
import { parsePublicObject } from "../src/wire/public.ts";
import { parsePublicMessage } from "../src/wire/public_message.ts";
import { bestNsPerCall } from "./_best.ts";

const hex = readFileSync(new URL("../tests/vectors/rtm_newlink_lo.hex", import.meta.url), "utf8").replace(/\s+/g, "");
const link = new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
// 10.20.30.0/24 proto static, table main: rtmsg then attributes.
const route = new MessageBuilder(24, 0).raw(Uint8Array.of(2, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0)).attrs(ROUTE_TABLE, {
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

const N = 200_000;

const time = (fn: () => unknown) => bestNsPerCall(fn, N);
const ns = (t: { wall: number; cpu: number }) =>
  `${t.wall.toFixed(0).padStart(5)} (cpu ${t.cpu.toFixed(0).padStart(5)})`;

const msg = (b: Uint8Array) => readMessage(b, new DataView(b.buffer), 0, b.length);
const lm = msg(link), rm = msg(route), cm = msg(ct);
const CASES: [string, () => unknown, () => unknown][] = [
  [
    "link (lo, from the kernel)",
    () => parsePublicMessage(LINK_MESSAGE, lm),
    () => parseLinkMessage(lm),
  ],
  [
    "route",
    () => parsePublicMessage(ROUTE_MESSAGE, rm),
    () => parseRouteMessage(rm),
  ],
  [
    "conntrack entry",
    () => parsePublicObject(CTA_TABLE, ct, cm.view, 20, ct.length, { family: "inet" }, "Conntrack message"),
    () => parseConntrackEntryAttrs(ct, cm.view, 20, ct.length, { family: "inet" }),
  ],
];

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
console.log(`${runtime}: typed parse into the public object, ns per message, best of 5 x ${N}, wall clock (cpu)`);
for (const [name, engine, generated] of CASES) {
  const e = time(engine), g = time(generated);
  console.log(`  ${name.padEnd(28)} engine ${ns(e)}  generated ${ns(g)}  (${(e.cpu / g.cpu).toFixed(2)}x by cpu)`);
}
