/**
 * `nlkit monitor [link] [addr] [route] [neigh] [rule] [ct]`: live changes,
 * as `ip monitor` prints them, or with `-j` one JSON object per line:
 * `{"event":"new"|"del","object":"link"|...,...the object's ip -j keys}`.
 * Ends on SIGINT/SIGTERM.
 *
 * @module
 */

import { type Args, unknownWord } from "./args.ts";
import { lookup } from "./aliases.ts";
import { formatAddress } from "./addr_text.ts";
import type { Context } from "./context.ts";
import { onStopSignals } from "./io.ts";
import { formatLink } from "./link_text.ts";
import { jsonOpts, type LinkNames, linkNames, nameLookup, nameOfIndex } from "./names.ts";
import { formatNeighbour } from "./neigh_text.ts";
import { writeNdjson } from "./output.ts";
import { formatRoute } from "./route_text.ts";
import { formatRule } from "./rule_text.ts";
import { type RouteEvent, type RouteGroup, subscribeRoute } from "../route/events.ts";
import { addressesToIpJson } from "../route/addr_json.ts";
import { linkToIpJson } from "../route/link_json.ts";
import { neighToIpJson } from "../route/neigh_json.ts";
import { routeToIpJson } from "../route/route_json.ts";
import { ruleToIpJson } from "../route/rule_json.ts";
import type { Nexthop } from "../route/nexthop_parse.ts";
import { nexthopToIpJson } from "../route/nexthop_json.ts";
import { formatNexthop } from "./nexthop_text.ts";
import { subscribeConntrack } from "../netfilter/conntrack/events.ts";
import { conntrackToJson, formatConntrack } from "../netfilter/conntrack/format.ts";
import { subscribeTc } from "../route/tc/events.ts";
import { printClass, printFilter, printQdisc } from "../route/tc/print.ts";
import { TcPrinter } from "../route/tc/printer.ts";

const OBJECTS = ["link", "addr", "route", "neigh", "rule", "nexthop", "ct", "tc"] as const;
type MonitorObject = typeof OBJECTS[number];
const ALIASES: Record<string, MonitorObject | "all"> = {
  link: "link",
  l: "link",
  addr: "addr",
  address: "addr",
  a: "addr",
  route: "route",
  r: "route",
  neigh: "neigh",
  neighbor: "neigh",
  neighbour: "neigh",
  n: "neigh",
  rule: "rule",
  ru: "rule",
  nexthop: "nexthop",
  nh: "nexthop",
  ct: "ct",
  conntrack: "ct",
  tc: "tc",
  all: "all",
};

function parseObjects(args: Args): Set<MonitorObject> {
  const set = new Set<MonitorObject>();
  for (let w = args.next(); w !== undefined; w = args.next()) {
    const o = lookup(ALIASES, w);
    if (!o) throw unknownWord("monitor object", w, Object.keys(ALIASES));
    if (o === "all") {
      for (const x of OBJECTS) if (x !== "ct" && x !== "tc") set.add(x);
    } else {
      set.add(o);
    }
  }
  if (set.size === 0) { for (const x of OBJECTS) if (x !== "ct" && x !== "tc") set.add(x); }
  return set;
}

/** Names the device of a nexthop event (events carry only its index). */
function withDev(nh: Nexthop, names: LinkNames): Nexthop {
  return nh.ifindex === undefined ? nh : { ...nh, dev: nameOfIndex(names, nh.ifindex) };
}

function jsonOf(ctx: Context, ev: Exclude<RouteEvent, { type: "overrun" }>, names: LinkNames): Record<string, unknown> {
  switch (ev.kind) {
    case "link":
      return linkToIpJson(ev.object, jsonOpts(ctx, names));
    case "addr": {
      const link = names.get(ev.object.index);
      if (!link) return { ifindex: ev.object.index, addr_info: [] };
      return addressesToIpJson([link], [ev.object], jsonOpts(ctx, names))[0];
    }
    case "route":
      return routeToIpJson(ev.object, nameLookup(names));
    case "neigh":
      return neighToIpJson(ev.object, { byIndex: names });
    case "rule":
      return ruleToIpJson(ev.object);
    case "nexthop":
      return nexthopToIpJson(withDev(ev.object, names), ctx.opts.details > 0);
  }
}

function textOf(ctx: Context, ev: Exclude<RouteEvent, { type: "overrun" }>, names: LinkNames): string {
  switch (ev.kind) {
    case "link":
      return formatLink(ev.object, names, ctx.paint, { mode: false, details: ctx.opts.details, stats: 0 }).join("\n");
    case "addr": {
      const [first, ...rest] = formatAddress(ev.object, ctx.paint);
      return [`${ev.object.index}: ${nameOfIndex(names, ev.object.index)}${first}`, ...rest].join("\n");
    }
    case "route":
      return formatRoute(ev.object, names, ctx.paint);
    case "neigh":
      return formatNeighbour(ev.object, names, ctx.paint, { dev: true, stats: 0 });
    case "rule":
      return formatRule(ev.object);
    case "nexthop":
      return formatNexthop(nexthopToIpJson(withDev(ev.object, names), ctx.opts.details > 0));
  }
}

async function followRoute(
  ctx: Context,
  objs: Set<MonitorObject>,
  signal: AbortSignal,
  banner: boolean,
): Promise<void> {
  const groups = [...objs].filter((o) => o !== "ct" && o !== "tc") as RouteGroup[];
  if (!groups.length) return;
  const names = await linkNames(ctx);
  const stream = await subscribeRoute(groups, { ...ctx.lib, signal });
  for await (const ev of stream) {
    if (ev.type === "overrun") {
      if (ctx.opts.json) writeNdjson(ctx.out, { event: "overrun" });
      else ctx.err.line("Warning: events were lost (receive buffer overrun); re-list to resynchronise");
      ctx.err.flush();
      continue;
    }
    if (ev.kind === "link") {
      if (ev.type === "del") names.delete(ev.object.index);
      else names.set(ev.object.index, ev.object);
    }
    if (ctx.opts.json) {
      writeNdjson(ctx.out, { event: ev.type, object: ev.kind, ...jsonOf(ctx, ev, names) });
    } else {
      const prefix = (banner ? `[${ev.kind.toUpperCase()}]` : "") + (ev.type === "del" ? "Deleted " : "");
      ctx.out.line(prefix + textOf(ctx, ev, names));
      ctx.out.flush();
    }
  }
}

async function followCt(ctx: Context, signal: AbortSignal, banner: boolean): Promise<void> {
  for await (const ev of subscribeConntrack({ signal }, ctx.lib)) {
    if (ev.type === "overrun") {
      if (ctx.opts.json) writeNdjson(ctx.out, { event: "overrun" });
      continue;
    }
    if (!("entry" in ev)) continue;
    if (ctx.opts.json) {
      writeNdjson(ctx.out, { event: ev.type, object: "ct", ...conntrackToJson(ev.entry) });
    } else {
      const type = ev.type === "new" ? "NEW" : ev.type === "update" ? "UPDATE" : "DESTROY";
      ctx.out.line((banner ? "[CT]" : "") + formatConntrack(ev.entry, { event: type }));
      ctx.out.flush();
    }
  }
}

/** Prints tc changes as `tc monitor` does, or one tc -j object per line with the event. */
async function followTc(ctx: Context, signal: AbortSignal, banner: boolean): Promise<void> {
  const names = await linkNames(ctx);
  const print = { details: ctx.opts.details, stats: 0, linkName: (i: number) => nameOfIndex(names, i) };
  for await (const ev of subscribeTc({ ...ctx.lib, signal })) {
    const p = new TcPrinter(ctx.opts.json);
    if (ev.type === "overrun") {
      if (ctx.opts.json) writeNdjson(ctx.out, { event: "overrun" });
      continue;
    }
    if (ev.object === "qdisc") printQdisc(p, ev.value, print);
    else if (ev.object === "class") printClass(p, ev.value, print);
    else printFilter(p, ev.value, print);
    if (ctx.opts.json) {
      ctx.out.line(`{"event":"${ev.type}","object":"${ev.object}",${p.json().slice(1)}`);
    } else {
      ctx.out.write((banner ? "[TC]" : "") + p.take());
    }
    ctx.out.flush();
  }
}

/** Handles `nlkit monitor ...`. */
export async function monitorHandler(ctx: Context, args: Args): Promise<number | void> {
  const objs = parseObjects(args);
  const stop = new AbortController();
  const unlisten = onStopSignals(() => stop.abort());
  const banner = objs.size > 1;
  try {
    await Promise.all([
      followRoute(ctx, objs, stop.signal, banner),
      objs.has("ct") ? followCt(ctx, stop.signal, banner) : undefined,
      objs.has("tc") ? followTc(ctx, stop.signal, banner) : undefined,
    ]);
  } finally {
    unlisten();
  }
}
