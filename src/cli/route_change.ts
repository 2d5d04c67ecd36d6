/**
 * `nlkit route get|add|replace|change|append|del|flush`: the commands that
 * build requests, loaded only when one runs (`route show` needs none of
 * their code: the request encoders and the nexthop, encap and metric words).
 *
 * @module
 */

import { Args, toInt, UsageError } from "./args.ts";
import { familyOf } from "./family.ts";
import type { Context } from "./context.ts";
import { parseWords, required, type Words, type WordTable } from "./keywords.ts";
import { linkNames, nameLookup } from "./names.ts";
import { JsonArrayWriter } from "./output.ts";
import { formatRoute } from "./route_text.ts";
import { applyVrf, checkPrefix, ownDevice, parseRouteSelectors, ROUTE_WORDS } from "./route_select.ts";
import { type ParsedEncap, resolveEncapLinks, takeEncap } from "./route_encap.ts";
import { parseRealms } from "./realms.ts";
import { routeGetDestination } from "./route_get_dst.ts";
import {
  addRoute,
  appendRoute,
  changeRoute,
  deleteRoute,
  flushRouteCache,
  getRoute,
  replaceRoute,
  streamRoutes,
} from "../route/route/api.ts";
import type { NexthopSpec, RouteSpec } from "../route/route/build.ts";
import type { Route } from "../route/route/table.ts";
import { ROUTER_PREF_NAMES } from "../route/route/names.ts";
import { withRouteSocket } from "../route/rtnl.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { errorText } from "./errors.ts";
import { routeToIpJson } from "../route/route/json.ts";
import { AF_INET, AF_INET6, parseCidr } from "../wire/addr.ts";
import { inetWord } from "./inet_words.ts";
import { invalidArgument, ipNumber, ipUnsigned, ipWord } from "./numbers.ts";
import { dsfield } from "./dsfield.ts";
import { ipProtoNumber } from "./etc_protocols.ts";
import { METRIC_WORD_TABLE, routeMetrics, takeMetricLocks } from "./route_metrics.ts";

const TYPES = [
  "unicast",
  "local",
  "broadcast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
  "throw",
  "nat",
  "anycast",
];

const CHANGE: WordTable = {
  to: { arg: "prefix", key: "dst", inet: true },
  from: { arg: "source prefix", inet: true },
  via: { arg: "gateway", inet: true },
  dev: { arg: "device" },
  oif: { arg: "device", key: "dev" },
  iif: { arg: "device" },
  src: { arg: "source address", inet: true },
  metric: { arg: "metric" },
  priority: { arg: "metric", key: "metric" },
  preference: { arg: "metric", key: "metric" },
  table: { arg: "table" },
  proto: { arg: "protocol" },
  protocol: { arg: "protocol", key: "proto" },
  scope: { arg: "scope" },
  type: { arg: "route type" },
  tos: { arg: "TOS" },
  onlink: {},
  nhid: { arg: "nexthop id" },
  ...METRIC_WORD_TABLE,
  pref: { arg: "preference" },
  expires: { arg: "seconds" },
  realm: { arg: "realm", key: "realms" },
  realms: { arg: "realms" },
};

const NEXTHOP: WordTable = {
  via: { arg: "gateway", inet: true },
  dev: { arg: "device" },
  weight: { arg: "weight" },
  onlink: {},
};

const GET: WordTable = {
  to: { arg: "address", key: "dst", inet: true },
  from: { arg: "source address", inet: true },
  iif: { arg: "device" },
  oif: { arg: "device" },
  dev: { arg: "device", key: "oif" },
  mark: { arg: "mark" },
  uid: { arg: "uid" },
  ipproto: { arg: "IP protocol" },
  sport: { arg: "port" },
  dport: { arg: "port" },
  fibmatch: {},
};

/** The delete request that removes exactly `r` (the key fields of a dumped route). */
function deleteSpecOf(r: Route): RouteSpec {
  const spec: RouteSpec = {
    dst: r.dst,
    family: r.family,
    table: r.table,
    tos: r.tos,
    type: r.type,
    scope: r.scope,
    protocol: /^\d+$/.test(r.protocol) ? Number(r.protocol) : r.protocol,
  };
  if (r.src !== undefined) spec.src = r.src;
  if (r.metric !== undefined) spec.metric = r.metric;
  if (r.oif !== undefined) spec.dev = r.oif;
  if (r.gateway !== undefined) spec.gateway = r.gateway;
  return spec;
}

/**
 * `ip route flush SELECTORS`: deletes every route `route show SELECTORS`
 * lists. The matches are read first, so the dump is never raced by deletes.
 */
async function flush(ctx: Context, args: Args): Promise<void> {
  if (args.done) {
    throw new UsageError(`"route flush" requires arguments (table, proto, dev, type, scope or a prefix)`, "flush");
  }
  if (args.peek() === "cache") {
    args.next();
    if (!args.done) throw new UsageError(`Unexpected argument after "flush cache": "${args.peek()}"`, args.peek());
    await flushRouteCache(ctx.lib);
    if (ctx.opts.stats) ctx.out.line("*** IPv4 routing cache is flushed.");
    return;
  }
  const sel = parseRouteSelectors(ctx, args, "flush");
  const { filter } = sel;
  if (filter.cached) {
    // ip flushes the IPv4 cache and deletes IPv6 exceptions here; nlkit has the first as `flush cache` only.
    throw new UsageError(`"cached" is not supported by "route flush": use "route flush cache"`, "cached");
  }
  if (sel.vrf !== undefined) applyVrf(sel, await linkNames(ctx));
  const doomed: Route[] = [];
  try {
    for await (const r of streamRoutes(filter, ctx.lib)) if (ownDevice(r, filter)) doomed.push(r);
  } catch (e) {
    // A table that does not exist, main in a fresh namespace included: ip's words and exit code 2.
    if (!(e instanceof NetlinkError && e.code === "ENOENT")) throw e;
    ctx.err.line(errorText(e));
    throw new UsageError("Flush terminated", undefined, true);
  }
  await withRouteSocket(ctx.lib, async (socket) => {
    for (const r of doomed) {
      try {
        await deleteRoute(deleteSpecOf(r), { ...ctx.lib, socket });
      } catch (e) {
        // Gone already: deleting an address or link takes its routes along.
        if (!(e instanceof NetlinkError && e.code === "ESRCH")) throw e;
      }
    }
  });
  if (ctx.opts.stats) {
    ctx.out.line(`\n*** Round 1, deleting ${doomed.length} entries ***`);
    ctx.out.line("*** Flush is complete after 1 round ***");
  }
}

function nexthops(args: Args): NexthopSpec[] {
  const out: NexthopSpec[] = [];
  while (args.peek() === "nexthop") {
    args.next();
    const w = parseWords(args, NEXTHOP, "nexthop", undefined, (x) => x === "nexthop");
    const nh: NexthopSpec = {};
    if (w.via !== undefined) nh.gateway = w.via;
    if (w.dev !== undefined) nh.dev = w.dev;
    if (w.weight !== undefined) nh.weight = toInt(w.weight, "weight", 1, 256);
    if (w.onlink !== undefined) nh.onlink = true;
    out.push(nh);
  }
  return out;
}

/** `pref low|medium|high`, or ip's numbers for them (`ICMPV6_ROUTER_PREF_*`, 2 being none of them). */
function routerPref(word: string): "low" | "medium" | "high" {
  if (word === "low" || word === "medium" || word === "high") return word;
  const n = ipUnsigned(word, 3) as keyof typeof ROUTER_PREF_NAMES | undefined;
  const p = n === undefined ? undefined : ROUTER_PREF_NAMES[n];
  if (p === undefined || p === "invalid") throw invalidArgument(word, `"pref" value is invalid`);
  return p;
}

/** Builds a route spec from `ip route add`-style words. */
function routeSpec(input: Args, cmd: string): { spec: RouteSpec; encap?: ParsedEncap } {
  const words = input.rest();
  const encap = takeEncap(words);
  const locks = takeMetricLocks(words);
  const args = new Args(words);
  let type: string | undefined;
  if (TYPES.includes(args.peek() ?? "")) type = args.next();
  const w: Words = parseWords(args, CHANGE, `route ${cmd}`, "dst", (x) => x === "nexthop");
  const spec: RouteSpec = { dst: inetWord(required(w, "dst", `route ${cmd}`)) };
  checkPrefix(spec.dst); // ip's words for a destination that is no prefix
  if (type !== undefined && w.type !== undefined) throw new UsageError(`Route type given twice: "${w.type}"`, w.type);
  if (type ?? w.type) spec.type = type ?? w.type;
  if (w.from !== undefined) spec.src = w.from;
  if (w.via !== undefined) spec.gateway = w.via;
  if (w.dev !== undefined) spec.dev = w.dev;
  if (w.iif !== undefined) spec.iif = w.iif;
  if (w.src !== undefined) spec.prefsrc = w.src;
  if (w.metric !== undefined) spec.metric = ipNumber(w.metric, `"metric" value is invalid`);
  if (w.table !== undefined) {
    spec.table = ipWord(() => ROUTE_WORDS.table(w.table!), w.table, `"table" value is invalid`);
  }
  if (w.proto !== undefined) {
    spec.protocol = ipWord(() => ROUTE_WORDS.protocol(w.proto!), w.proto, `"protocol" value is invalid`);
  }
  if (w.scope !== undefined) spec.scope = ipWord(() => ROUTE_WORDS.scope(w.scope!), w.scope, `invalid "scope" value`);
  if (w.tos !== undefined) spec.tos = ipWord(() => dsfield(w.tos!), w.tos, `"tos" value is invalid`);
  if (w.onlink !== undefined) spec.onlink = true;
  if (w.nhid !== undefined) spec.nhid = toInt(w.nhid, "nexthop id", 1);
  if (w.pref !== undefined) spec.pref = routerPref(w.pref);
  if (w.expires !== undefined) spec.expires = ipNumber(w.expires, `"expires" value is invalid`);
  if (w.realms !== undefined) spec.flow = ipWord(() => parseRealms(w.realms!), w.realms, `"realm" value is invalid`);
  const metrics = routeMetrics(w, locks);
  if (metrics) spec.metrics = metrics;
  if (args.peek() === "nexthop") spec.nexthops = nexthops(args);
  if (!args.done) throw new UsageError(`Unexpected argument: "${args.peek()}"`, args.peek());
  return { spec, encap };
}

/** `route get ... ipproto NAME|N`: ip's inet_proto_a2n (/etc/protocols names). */
function getIpProto(word: string): number {
  const n = ipProtoNumber(word);
  if (n === undefined) throw invalidArgument(word, `Invalid "ipproto" value`);
  return n;
}

/** `route get ... from PREFIX` as ip sends it: the prefix's length as the source length, `default` as the zero address /0. */
function getSource(word: string, v6: boolean): string {
  if (word === "default" || word === "all" || word === "any") return v6 ? "::/0" : "0.0.0.0/0";
  let ok = false;
  try {
    ok = parseCidr(word).family === (v6 ? AF_INET6 : AF_INET);
  } catch { /* refused below */ }
  if (!ok) throw new UsageError(`${v6 ? "inet6" : "inet"} prefix is expected rather than "${word}".`, word);
  return word;
}

async function get(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, GET, "route get", "dst");
  const dst = routeGetDestination(inetWord(required(w, "dst", "route get")), familyOf(ctx), (t) => ctx.err.line(t));
  const r = await getRoute(dst, {
    src: w.from === undefined ? undefined : getSource(w.from, dst.includes(":")),
    iif: w.iif,
    oif: w.oif,
    mark: w.mark === undefined ? undefined : toInt(w.mark, "mark"),
    uid: w.uid === undefined ? undefined : toInt(w.uid, "uid"),
    ipProto: w.ipproto === undefined ? undefined : getIpProto(w.ipproto),
    sport: w.sport === undefined ? undefined : ipNumber(w.sport, "invalid sport", 0xffff),
    dport: w.dport === undefined ? undefined : ipNumber(w.dport, "invalid dport", 0xffff),
    fibMatch: w.fibmatch !== undefined,
    // ip asks which table matched, and prints it (`table local`); IPv6 reports it unasked and
    // refuses the flag under strict checking.
    lookupTable: !dst.includes(":"),
  }, ctx.lib);
  const names = await linkNames(ctx);
  if (ctx.opts.json) {
    const j = new JsonArrayWriter(ctx.out, ctx.opts.pretty);
    j.item(routeToIpJson(r, nameLookup(names)));
    j.end();
  } else {
    ctx.out.line(formatRoute(r, names, ctx.paint, { details: ctx.opts.details }));
  }
}

/** The canonical `route` commands other than `show`. */
export type RouteCommand = "get" | "add" | "replace" | "change" | "append" | "del" | "flush";

const CHANGERS = {
  add: addRoute,
  replace: replaceRoute,
  change: changeRoute,
  append: appendRoute,
  del: deleteRoute,
} as const;

/** Runs `route CMD` (`cmd` canonical, not `show`) with the words after it. */
export async function routeChange(ctx: Context, cmd: RouteCommand, args: Args): Promise<void> {
  if (cmd === "flush") return await flush(ctx, args);
  if (cmd === "get") return await get(ctx, args);
  const { spec, encap } = routeSpec(args, cmd);
  if (encap) spec.encap = resolveEncapLinks(encap, await linkNames(ctx));
  if (spec.family === undefined && spec.dst === "default" && familyOf(ctx) === AF_INET6) spec.family = "inet6";
  await CHANGERS[cmd](spec, ctx.lib);
}
