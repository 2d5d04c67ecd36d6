/**
 * Benchmark: requests built per second by the route, address, link,
 * neighbour and rule builders (validation and encoding, no socket; devices
 * given as indexes), in this tree and, with `--tree DIR`, in another tree
 * in the same run (the builders before the declarations: see below). Then
 * the tables' part of each request, the runtime engine (`requestHeader`,
 * `checkAttrs`/`publicAttrs`, `MessageBuilder.attrs`) against the builders
 * `scripts/gen_codecs.ts` generates from the same tables.
 *
 * The tree before the declarations (32c277e, the parent of c93dde4, where
 * every one of these builders was still written by hand):
 *
 * ```sh
 * mkdir /tmp/predeclare && git archive 32c277e | tar -x -C /tmp/predeclare
 * # its address and neighbour builders were module-private: export them for the benchmark
 * sed -i 's/^function newAddressMessage(/export function newAddressMessage(/' /tmp/predeclare/src/route/addr/api.ts
 * sed -i 's/^function neighbourMessage(/export function neighbourMessage(/' /tmp/predeclare/src/route/neigh/api.ts
 * ```
 *
 * Run: `deno run -A bench/build_requests.ts [--tree /tmp/predeclare]` or
 * `bun bench/build_requests.ts [--tree /tmp/predeclare]` (no root needed).
 *
 * @module
 */

import { existsSync } from "node:fs";
import process from "node:process";
import { bestNsPerCall } from "./_best.ts";

const N = 100_000;
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";

type Fn = (...args: never[]) => unknown;
type Mod = Record<string, Fn>;

/** One request per builder, as a call on a tree's modules (found in `build.ts`, else `api.ts`/`change.ts`). */
async function builders(root: string): Promise<[string, () => unknown][]> {
  const mod = async (dir: string, ...files: string[]): Promise<Mod> => {
    const out: Mod = {};
    for (const f of files) {
      const p = `${root}/src/route/${dir}/${f}`;
      if (existsSync(p)) Object.assign(out, await import(p));
    }
    return out;
  };
  const route = await mod("route", "build.ts");
  const addr = await mod("addr", "api.ts", "build.ts");
  const link = await mod("link", "change.ts", "build.ts");
  const neigh = await mod("neigh", "api.ts", "build.ts");
  const rule = await mod("rule", "build.ts");
  const call = (f: Fn, ...args: unknown[]) => (f as (...a: unknown[]) => unknown)(...args);
  return [
    ["route add (via, metric, table)", () => {
      const c = call(route.checkRouteSpec, "add", {
        dst: "10.1.0.0/16",
        gateway: "10.0.0.1",
        dev: 2,
        metric: 100,
        protocol: "static",
        table: 1000,
      }) as { attrs: { oif?: number } };
      c.attrs.oif = 2;
      return call(route.encodeRoute, "add", c);
    }],
    ["address add (brd +, label, metric)", () => {
      const spec = { broadcast: true, label: "eth0:a", metric: 10 };
      return (call(addr.newAddressMessage, 0x600, "10.0.0.1/24", spec) as (i: number) => Uint8Array)(2);
    }],
    ["link create (dummy, mtu, address, up)", () =>
      call(link.createLinkRequest, {
        kind: "dummy",
        name: "d0",
        mtu: 9000,
        address: "02:00:00:00:00:01",
        up: true,
      })],
    [
      "link create (veth pair)",
      () => call(link.createLinkRequest, { kind: "veth", name: "v0", mtu: 1400, peer: { name: "v1", mtu: 1400 } }),
    ],
    ["neighbour add (lladdr, permanent)", () => {
      const spec = { dst: "10.0.0.254", lladdr: "52:54:00:12:34:56", ifindex: 2, state: "permanent" };
      return (call(neigh.neighbourMessage, 28, 0x600, spec) as (i: number) => Uint8Array)(2);
    }],
    ["rule add (from, iif, fwmark, table)", () =>
      call(rule.buildRuleMessage, "add", {
        src: "10.0.0.0/8",
        iif: "eth0",
        fwmark: 0x10,
        priority: 100,
        table: 1000,
      })],
  ];
}

const hex = (b: Uint8Array) => Array.from(b.slice().fill(0, 8, 16), (x) => x.toString(16).padStart(2, "0")).join("");
const rate = (ns: number) => `${(1e9 / ns / 1000).toFixed(0).padStart(5)} k/s`;
const other = process.argv.includes("--tree") ? process.argv[process.argv.indexOf("--tree") + 1] : undefined;
const here = await builders(new URL("..", import.meta.url).pathname.replace(/\/$/, ""));
const there = other ? await builders(other) : undefined;

console.log(`${runtime}: requests built per second (CPU time; best of 5 x ${N}); ns per request in brackets`);
console.log(
  `  ${"request".padEnd(38)} ${"this tree".padStart(18)}${there ? `${"--tree".padStart(20)}  this/tree` : ""}`,
);
for (let i = 0; i < here.length; i++) {
  const [name, fn] = here[i];
  const t = bestNsPerCall(fn, N);
  let line = `  ${name.padEnd(38)} ${rate(t.cpu)} (${t.cpu.toFixed(0).padStart(5)})`;
  if (there) {
    const o = bestNsPerCall(there[i][1], N);
    // Same bytes from both trees, or the comparison is void.
    const same = hex(fn() as Uint8Array) === hex(there[i][1]() as Uint8Array);
    line += `  ${rate(o.cpu)} (${o.cpu.toFixed(0).padStart(5)})  ${(o.cpu / t.cpu).toFixed(2)}x${
      same ? "" : " (bytes differ)"
    }`;
  }
  console.log(line);
}

// The tables' part of each request: the engine against the generated builders, on the same values.
const { buildRequest, encodeRequest, requestHeader } = await import("../src/wire/public_message.ts");
const { checkAttrs } = await import("../src/wire/table.ts");
const { MessageBuilder } = await import("../src/wire/builder.ts");
const route = await import("../src/route/route/table.ts");
const routeGen = await import("../src/route/route/_generated/table.ts");
const link = await import("../src/route/link/table.ts");
const linkGen = await import("../src/route/link/_generated/table.ts");
const addr = await import("../src/route/addr/table.ts");
const addrGen = await import("../src/route/addr/_generated/table.ts");
const neigh = await import("../src/route/neigh/table.ts");
const neighGen = await import("../src/route/neigh/_generated/table.ts");
const rule = await import("../src/route/rule/table.ts");
const ruleGen = await import("../src/route/rule/_generated/table.ts");

const routeHeader = { family: 2, dstLen: 16, table: 0, protocol: "static", type: "unicast", scope: "global" };
const routeAttrs = { dst: "10.1.0.0", gateway: "10.0.0.1", oif: 2, priority: 100, table: 1000 };
const linkHeader = { flags: 1, change: 1 };
const linkAttrs = { name: "d0", mtu: 9000, address: "02:00:00:00:00:01", linkinfo: { kind: "dummy" } };
const addrHeader = { family: 2, prefixLen: 24, scope: "global", index: 2 };
const addrAttrs = { local: "10.0.0.1", address: "10.0.0.1", broadcast: "10.0.0.255", label: "eth0:a", metric: 10 };
const neighHeader = { family: 2, ifindex: 2, state: 0x80 };
const neighAttrs = { dst: "10.0.0.254", lladdr: "52:54:00:12:34:56", protocol: "static" };
const ruleHeader = { family: 2, srcLen: 8, tos: 0, action: "lookup" };
const ruleAttrs = { src: "10.0.0.0", iif: "eth0", fwmark: 0x10, priority: 100, table: 1000, protocol: "boot" };

const TABLES: [string, () => Uint8Array, () => Uint8Array][] = [
  [
    "route (rtmsg, ROUTE_ATTRS)",
    () =>
      encodeRequest(
        route.ROUTE_MESSAGE,
        24,
        0x600,
        requestHeader(route.ROUTE_MESSAGE, routeHeader),
        route.ROUTE_ATTRS,
        checkAttrs(route.ROUTE_ATTRS, routeAttrs),
      ),
    () =>
      routeGen.encodeRouteRequest(
        new MessageBuilder(24, 0x600),
        routeGen.routeRequestHeader(routeHeader),
        routeGen.checkRouteAttrs(routeAttrs),
      ).finish(),
  ],
  [
    "link (ifinfomsg, IFLA_ATTRS)",
    () =>
      encodeRequest(
        link.LINK_REQUEST,
        16,
        0x600,
        requestHeader(link.LINK_REQUEST, linkHeader),
        link.IFLA_ATTRS,
        checkAttrs(link.IFLA_ATTRS, linkAttrs),
      ),
    () =>
      linkGen.encodeLinkRequest(
        new MessageBuilder(16, 0x600),
        linkGen.linkRequestHeader(linkHeader),
        linkGen.checkLinkAttrs(linkAttrs),
      ).finish(),
  ],
  [
    "address (public object)",
    () => buildRequest(addr.ADDRESS_MESSAGE, 20, 0x600, addrHeader, addr.IFA_ATTRS, addrAttrs),
    () => addrGen.buildAddressRequest(20, 0x600, addrHeader, addrAttrs),
  ],
  [
    "neighbour (public object)",
    () => buildRequest(neigh.NEIGHBOUR_MESSAGE, 28, 0x600, neighHeader, neigh.NDA_ATTRS, neighAttrs),
    () => neighGen.buildNeighbourRequest(28, 0x600, neighHeader, neighAttrs),
  ],
  [
    "rule (public object)",
    () => buildRequest(rule.RULE_MESSAGE, 32, 0x600, ruleHeader, rule.RULE_ATTRS, ruleAttrs),
    () => ruleGen.buildRuleRequest(32, 0x600, ruleHeader, ruleAttrs),
  ],
];
console.log(`${runtime}: the tables' part (header, policies, encoding), ns per request (CPU time; best of 5 x ${N})`);
console.log(`  ${"request".padEnd(38)} ${"engine".padStart(8)} ${"generated".padStart(10)}  engine/generated`);
for (const [name, engine, generated] of TABLES) {
  if (hex(engine()) !== hex(generated())) throw new Error(`${name}: the engine and the generated builder differ`);
  const e = bestNsPerCall(engine, N), g = bestNsPerCall(generated, N);
  console.log(
    `  ${name.padEnd(38)} ${e.cpu.toFixed(0).padStart(8)} ${g.cpu.toFixed(0).padStart(10)}  ${
      (e.cpu / g.cpu).toFixed(2)
    }x`,
  );
}
