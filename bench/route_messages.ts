/**
 * Benchmark: typed parse time per message of addresses, neighbours and
 * rules into their public objects (`parseAddressMessage`,
 * `parseNeighbourMessage`, `parseRuleMessage`), on messages shaped like the
 * kernel's; with `--engine`, also the reference engine
 * (`parsePublicMessage`) on the same messages. Then the build time per
 * request of the same objects from their declarations (`buildRequest`),
 * and its parts: the header's policies (`requestHeader`), the attributes'
 * (`publicAttrs`), and the encoding (`MessageBuilder`, which a builder
 * compiled from the table would replace). CPU time of the process is
 * printed too (the machine is shared: compare best-of figures and ratios).
 *
 * Run: `deno run -A bench/route_messages.ts [--engine]` or
 * `bun bench/route_messages.ts [--engine]` (no root needed).
 *
 * @module
 */

import process from "node:process";
import { MessageBuilder } from "../src/wire/builder.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { IFA_ATTRS, IFADDRMSG } from "../src/route/addr/table.ts";
import { NDA_ATTRS, NDMSG } from "../src/route/neigh/table.ts";
import { FIB_RULE_HDR, RULE_ATTRS } from "../src/route/rule/table.ts";
import { parseAddressMessage } from "../src/route/addr/parse.ts";
import { parseNeighbourMessage } from "../src/route/neigh/parse.ts";
import { parseRuleMessage } from "../src/route/rule/parse.ts";
import {
  buildRequest,
  headerLayout,
  parsePublicMessage,
  type PublicMessage,
  requestHeader,
} from "../src/wire/public_message.ts";
import { publicAttrs, type PublicObject } from "../src/wire/public.ts";
import type { AttrTable } from "../src/wire/table.ts";
import { ADDRESS_MESSAGE } from "../src/route/addr/table.ts";
import { NEIGHBOUR_MESSAGE } from "../src/route/neigh/table.ts";
import { RULE_MESSAGE } from "../src/route/rule/table.ts";
import { bestNsPerCall } from "./_best.ts";

function msg(b: Uint8Array): NlMsg {
  return readMessage(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length);
}

// 10.0.0.1/24 on ifindex 2, as `ip addr add ... brd + label eth0:a` leaves it.
const addr4 = msg(
  new MessageBuilder(20, 0).struct(IFADDRMSG, { family: 2, prefixLen: 24, flags: 0x80, scope: 0, index: 2 })
    .attrs(IFA_ATTRS, {
      address: "10.0.0.1",
      local: "10.0.0.1",
      label: "eth0:a",
      broadcast: "10.0.0.255",
      flags: 0x80,
      cacheinfo: { preferred: 0xffffffff, valid: 0xffffffff, cstamp: 1234, tstamp: 1234 },
    }).finish(),
);
// A SLAAC IPv6 address with finite lifetimes.
const addr6 = msg(
  new MessageBuilder(20, 0).struct(IFADDRMSG, { family: 10, prefixLen: 64, flags: 0, scope: 0, index: 2 })
    .attrs(IFA_ATTRS, {
      address: "2001:db8::1234:5678:9abc:def0",
      flags: 0x100,
      cacheinfo: { preferred: 3000, valid: 7000, cstamp: 1234, tstamp: 5678 },
      protocol: "kernel_ra",
    }).finish(),
);
// A reachable ARP entry.
const neigh = msg(
  new MessageBuilder(28, 0).struct(NDMSG, { family: 2, ifindex: 2, state: 2, flags: 0, type: 1 })
    .attrs(NDA_ATTRS, {
      dst: "10.0.0.254",
      lladdr: "52:54:00:12:34:56",
      cacheinfo: { confirmed: 100, used: 100, updated: 100, refcnt: 1 },
      probes: 0,
    }).finish(),
);
// `ip rule add from 10.0.0.0/8 iif eth0 fwmark 0x10 lookup 1000 pref 100`.
const rule = msg(
  new MessageBuilder(32, 0).struct(FIB_RULE_HDR, { family: 2, dstLen: 0, srcLen: 8, table: 252, action: 1 })
    .attrs(RULE_ATTRS, { src: "10.0.0.0", iif: "eth0", fwmark: 0x10, priority: 100, table: 1000, protocol: "boot" })
    .finish(),
);

const CASES: [string, NlMsg, (m: NlMsg) => unknown, PublicMessage][] = [
  ["address (IPv4)", addr4, parseAddressMessage, ADDRESS_MESSAGE],
  ["address (IPv6)", addr6, parseAddressMessage, ADDRESS_MESSAGE],
  ["neighbour", neigh, parseNeighbourMessage, NEIGHBOUR_MESSAGE],
  ["rule", rule, parseRuleMessage, RULE_MESSAGE],
];
const N = 200_000;

const time = (fn: () => unknown) => bestNsPerCall(fn, N);

const engine = process.argv.includes("--engine");
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const ns = (t: { wall: number; cpu: number }) =>
  `${t.wall.toFixed(0).padStart(5)} (cpu ${t.cpu.toFixed(0).padStart(5)})`;
console.log(`${runtime}: ns per message, best of 5 x ${N}, wall clock (cpu)`);
for (const [name, m, parse, desc] of CASES) {
  const generated = time(() => parse(m));
  let line = `  ${name.padEnd(16)} parser ${ns(generated)}`;
  if (engine) {
    const ref = time(() => parsePublicMessage(desc, m));
    line += `  engine ${ns(ref)}  (${(ref.cpu / generated.cpu).toFixed(2)}x by cpu)`;
  }
  console.log(line);
}

/** A request to build: its declaration, wire table, header and attributes. */
type Request = [string, PublicMessage, AttrTable, Record<string, unknown>, PublicObject];
const REQUESTS: Request[] = [
  [
    "address add",
    ADDRESS_MESSAGE,
    IFA_ATTRS,
    { family: 2, prefixLen: 24, scope: "global", index: 2 },
    { local: "10.0.0.1", address: "10.0.0.1", broadcast: "10.0.0.255", label: "eth0:a", metric: 10 },
  ],
  [
    "neighbour add",
    NEIGHBOUR_MESSAGE,
    NDA_ATTRS,
    { family: 2, ifindex: 2, state: 0x80 },
    { dst: "10.0.0.254", lladdr: "52:54:00:12:34:56", protocol: "static" },
  ],
  [
    "rule add",
    RULE_MESSAGE,
    RULE_ATTRS,
    { family: 2, srcLen: 8, tos: 0, action: "lookup" },
    { src: "10.0.0.0", iif: "eth0", fwmark: 0x10, priority: 100, table: 1000, protocol: "boot" },
  ],
];
console.log(`${runtime}: ns per request built from its declaration, best of 5 x ${N}, wall clock (cpu)`);
for (const [name, m, table, header, attrs] of REQUESTS) {
  const all = time(() => buildRequest(m, 32, 0, header, table, attrs));
  const hdr = requestHeader(m, header), wire = publicAttrs(table, attrs);
  const parts = [
    time(() => requestHeader(m, header)),
    time(() => publicAttrs(table, attrs)),
    time(() => new MessageBuilder(32, 0).struct(headerLayout(m), hdr).attrs(table, wire).finish()),
  ].map((t) => t.cpu.toFixed(0)).join(" + ");
  console.log(
    `  ${name.padEnd(16)} request ${ns(all)}  cpu: header ${
      parts.replace(" + ", " + attributes ").replace(/ \+ (\d+)$/, " + encoding $1")
    }`,
  );
}
