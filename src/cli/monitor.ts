/**
 * `nlkit monitor [link] [addr] [route] [mroute] [neigh] [rule] [netconf] [ct] [label|all]
 * [dev NAME] [file FILE]`: live changes, as `ip monitor` prints them (`-t`/`-ts` add
 * ip's timestamps), or with `-j` one JSON object per line:
 * `{"event":"new"|"del","object":"link"|...,...the object's ip -j keys}`.
 * `file FILE` prints an rtmon dump instead. `-4`/`-6`/`-0`/`-f FAMILY` keep one
 * family, as `ip -4 monitor` does. `-o` prints each event on one line, its
 * lines joined by a backslash as ip does (refused for tc). Ends on SIGINT/SIGTERM.
 *
 * @module
 */

import { type Args, unknownWord, UsageError } from "./args.ts";
import { pickWord, wordTable } from "./aliases.ts";
import { invalidArgument } from "./numbers.ts";
import { formatAddress } from "./addr_text.ts";
import type { Context } from "./context.ts";
import { onStopSignals } from "./io.ts";
import { formatLink } from "./link_text.ts";
import { jsonOpts, type LinkNames, linkNames, nameLookup, nameOfIndex, netnsNames } from "./names.ts";
import { formatNeighbour } from "./neigh_text.ts";
import { nsidJson, nsidName, nsidText } from "./nsid_text.ts";
import { writeNdjson, writeObject } from "./output.ts";
import { formatRoute } from "./route_text.ts";
import { formatRule, ruleJson } from "./rule_text.ts";
import type { RouteEvent, RouteGroup } from "../route/events.ts";
import { getLink } from "../route/link/api.ts";
import type { NetconfEvent, RTNLGRP_NETCONF } from "../route/netconf.ts";
import { netconfJson, netconfText } from "./netconf_text.ts";
import type { NsidEvent, StatsEvent } from "../route/monitor_events.ts";
import { AF_INET, AF_INET6, AF_MPLS } from "../wire/addr.ts";
import { familyName } from "../wire/family.ts";
import { addressesToIpJson } from "../route/addr/json.ts";
import { linkToIpJson } from "../route/link/json.ts";
import { neighToIpJson } from "../route/neigh/json.ts";
import { routeToIpJson } from "../route/route/json.ts";
import type { Nexthop } from "../route/nexthop/parse.ts";
import { nexthopToIpJson } from "../route/nexthop/json.ts";
import { formatNexthop } from "./nexthop_text.ts";
import { formatMroute } from "./mroute_text.ts";
import { type MrouteJsonOptions, mrouteToIpJson } from "../route/mroute/json.ts";
import type { MulticastRoute } from "../route/mroute/table.ts";
import { subscribeConntrack } from "../netfilter/conntrack/events.ts";
import { conntrackToJson, formatConntrack } from "../netfilter/conntrack/format.ts";
import { subscribeTc } from "../route/tc/events.ts";
import { printClass, printFilter, printQdisc } from "../route/tc/print.ts";
import { TcPrinter } from "../route/tc/printer.ts";

const OBJECTS = [
  "link",
  "addr",
  "route",
  "mroute",
  "neigh",
  "rule",
  "nexthop",
  "netconf",
  "nsid",
  "stats",
  "ct",
  "tc",
] as const;
type MonitorObject = typeof OBJECTS[number];

/**
 * `ip monitor`'s words in the order its do_ipmonitor tries them (a prefix
 * selects the first word it starts: `l` is label, `n` neigh, `al` all-nsid),
 * then nlkit's own: `nh`, `neighbour`, `ct`, `tc`.
 */
const WORDS = wordTable(
  "file label link address=addr route mroute prefix neigh netconf rule nsid nexthop stats! all! all-nsid dev! " +
    "nh=nexthop! neighbor=neigh! neighbour=neigh! ct! conntrack=ct! tc!",
);

/**
 * What `monitor` was asked: objects, `label`/`all` (the `[LINK]` banners, as
 * ip prints them), `all-nsid`, `file FILE`, `dev NAME`.
 */
interface MonitorArgs {
  objs: Set<MonitorObject>;
  banner: boolean;
  allNsid: boolean;
  file?: string;
  dev?: string;
}

function parseMonitorArgs(args: Args, oneline: boolean): MonitorArgs {
  const objs = new Set<MonitorObject>();
  let banner = false;
  let allNsid = false;
  let file: string | undefined;
  let dev: string | undefined;
  for (let w = args.next(); w !== undefined; w = args.next()) {
    const name = pickWord(WORDS, w)?.name;
    if (name === "label" || name === "all") banner = true;
    else if (name === "all-nsid") allNsid = true;
    else if (name === "dev") dev = args.value("dev", "device name");
    else if (name === "file") {
      if (file !== undefined) throw new UsageError(`Duplicate "file" in monitor`, w);
      file = args.value("file", "file name");
    } else if (name === "prefix") {
      throw new UsageError(`Monitor object "${name}" is not supported by nlkit (ip monitor ${name})`, w);
    } else if (name !== undefined) objs.add(name as MonitorObject);
    else throw unknownWord("monitor object", w, WORDS.map((e) => e.word));
  }
  // ip's default is every rtnetlink group; conntrack and tc (nlkit's additions) only when named.
  if (objs.size === 0) { for (const x of OBJECTS) if (x !== "ct" && x !== "tc") objs.add(x); }
  // tc monitor has no one-line form to match.
  if (oneline && objs.has("tc")) throw new UsageError(`"-oneline" applies to ip's objects and ct, not tc events`, "tc");
  for (const [word, on] of [["dev", dev !== undefined], ["all-nsid", allNsid]] as const) {
    if (on && (objs.has("ct") || objs.has("tc"))) {
      throw new UsageError(`"${word}" applies to ip's objects only, not ct or tc events`, word);
    }
  }
  return { objs, banner, allNsid, file, dev };
}

/**
 * `dev NAME`: ip's filters then keep the links, addresses, neighbours and
 * netconf entries of that index and the routes whose own output device it
 * is; rules, nexthops and nsids pass.
 */
function ofDevice(ev: Change | NetconfChange, index: number): boolean {
  switch (ev.kind) {
    case "link":
      return ev.object.index === index;
    case "addr":
      return ev.object.ifindex === index;
    case "route":
      return ev.object.oif === index;
    case "mroute":
      return ev.object.iif === index;
    case "neigh":
    case "netconf":
      return ev.object.ifindex === index;
    default:
      return true;
  }
}

/** The index of `monitor dev NAME`, or ip's error for a name no link has. */
function devIndex(dev: string | undefined, names: LinkNames): number | undefined {
  if (dev === undefined) return undefined;
  for (const l of names.values()) if (l.name === dev) return l.index;
  throw invalidArgument(dev, "Device does not exist");
}

/** ip's `print_timestamp`: `Timestamp: <asctime> N usec` on its own line (-t), or `[ISO.usec] ` (-ts). */
function timestampText(short: boolean): string {
  const ms = performance.timeOrigin + performance.now();
  const d = new Date(Math.floor(ms));
  const usec = Math.floor((ms % 1000) * 1000);
  const p2 = (n: number) => String(n).padStart(2, "0");
  if (short) {
    const date = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
    return `[${date}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${
      String(usec).padStart(6, "0")
    }] `;
  }
  return `Timestamp: ${asctime(d)} ${usec} usec\n`;
}

/** C's `asctime` without its newline: `Tue Dec  1 10:30:00 2026`, local time. */
export function asctime(d: Date): string {
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getDay()];
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getMonth()];
  const t = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
  return `${day} ${mon} ${String(d.getDate()).padStart(2)} ${t} ${d.getFullYear()}`;
}

/**
 * The text before each event, as ip's print_headers writes it: the
 * timestamp (-t/-ts), with `all-nsid` the namespace (`[nsid 5]`, or
 * `[nsid current]` for the monitor's own), and the `[KIND]` banner.
 */
function header(ctx: Context, banner: boolean, label: string, nsid: string = ""): string {
  const ts = ctx.opts.timestamp ? timestampText(ctx.opts.timestampShort) : "";
  return ts + nsid + (banner ? label : "");
}

/** `all-nsid`'s part of the header: where the event happened. */
function nsidHeader(allNsid: boolean, nsid: number | undefined): string {
  return !allNsid ? "" : nsid === undefined ? "[nsid current]" : `[nsid ${nsid}]`;
}

/** With `all-nsid`, events carry the id of the namespace they come from. */
type Tagged = { nsid?: number };
type Change = Exclude<RouteEvent, { type: "overrun" }> & Tagged;
type NetconfChange = Extract<NetconfEvent, { kind: "netconf" }> & Tagged;

/** Names the device of a nexthop event (events carry only its index). */
function withDev(nh: Nexthop, names: LinkNames): Nexthop {
  return nh.ifindex === undefined ? nh : { ...nh, dev: nameOfIndex(names, nh.ifindex) };
}

/** Names the devices of a multicast route event (events carry only their indexes). */
function withDevs(r: MulticastRoute, names: LinkNames): MulticastRoute {
  const out = { ...r, oifs: r.oifs?.map((o) => ({ ...o, dev: nameOfIndex(names, o.oif) })) };
  if (r.iif !== undefined) out.iifName = nameOfIndex(names, r.iif);
  return out;
}

function jsonOf(ctx: Context, ev: Change, names: LinkNames): Record<string, unknown> {
  switch (ev.kind) {
    case "link":
      return linkToIpJson(ev.object, jsonOpts(ctx, names));
    case "addr": {
      const link = names.get(ev.object.ifindex);
      if (!link) return { ifindex: ev.object.ifindex, addr_info: [] };
      return addressesToIpJson([link], [ev.object], jsonOpts(ctx, names))[0];
    }
    case "route":
      return routeToIpJson(ev.object, nameLookup(names));
    case "neigh":
      return neighToIpJson(ev.object, { byIndex: names });
    case "rule":
      return ruleJson(ev.object);
    case "nexthop":
      return nexthopToIpJson(withDev(ev.object, names), ctx.opts.details > 0);
    case "mroute":
      return mrouteToIpJson(withDevs(ev.object, names), mrouteOpts(ctx));
  }
}

/** ip monitor prints multicast routes of every table (`Table: default` for IPv4's), and with -s their counters. */
function mrouteOpts(ctx: Context): MrouteJsonOptions {
  return { stats: ctx.opts.stats > 0, details: ctx.opts.details > 0 };
}

/** `devFixed`: `monitor dev` is on, and ip leaves the device out of route and neighbour lines. */
function textOf(
  ctx: Context,
  ev: Change,
  names: LinkNames,
  netnsNames: ReadonlyMap<number, string> | undefined,
  devFixed: boolean,
): string {
  switch (ev.kind) {
    case "link": {
      // ip monitor prints neither the link mode nor the queue length.
      const o = { mode: false, details: ctx.opts.details, stats: 0, noQlen: true, netnsNames };
      return formatLink(ev.object, names, ctx.paint, o).join("\n");
    }
    case "addr": {
      const [first, ...rest] = formatAddress(ev.object, ctx.paint);
      return [`${ev.object.ifindex}: ${nameOfIndex(names, ev.object.ifindex)}${first}`, ...rest].join("\n");
    }
    case "route":
      return formatRoute(ev.object, names, ctx.paint, {
        details: ctx.opts.details,
        ...devFixed ? { omit: new Set(["dev"]) } : {},
      });
    case "neigh":
      return formatNeighbour(ev.object, names, ctx.paint, { dev: !devFixed, stats: 0 });
    case "rule":
      return formatRule(ev.object);
    case "nexthop":
      return formatNexthop(nexthopToIpJson(withDev(ev.object, names), ctx.opts.details > 0));
    case "mroute":
      return formatMroute(withDevs(ev.object, names), ctx.paint, mrouteOpts(ctx));
  }
}

/** Prints events as they come (and those of a file), keeping the link names current. */
class Printer {
  readonly #ctx: Context;
  readonly #banner: boolean;
  readonly names: LinkNames;
  readonly netnsNames: Map<number, string>;
  /** `dev NAME`: the index events must belong to. */
  dev: number | undefined;
  /** `all-nsid`: each header says which namespace the event comes from. */
  allNsid = false;
  /** `-4`/`-6`/`-f`: the only family of neighbour events printed. */
  family: number | undefined;

  constructor(ctx: Context, banner: boolean, names: LinkNames, netnsNames: Map<number, string> = new Map()) {
    this.#ctx = ctx;
    this.#banner = banner;
    this.names = names;
    this.netnsNames = netnsNames;
  }

  /** `nlEnds`: ip ends the event with print_nl, which -o turns into a backslash too (no newline follows). */
  #emit(ev: Tagged, label: string, text: string, json: () => Record<string, unknown>, nlEnds = false): void {
    const ctx = this.#ctx;
    if (ctx.opts.json) writeNdjson(ctx.out, ev.nsid === undefined ? json() : { ...json(), nsid: ev.nsid });
    else {
      ctx.out.write(header(ctx, this.#banner, label, nsidHeader(this.allNsid, ev.nsid)));
      // -o joins the event's own lines (not the -t timestamp's), as ip's _SL_ does.
      if (nlEnds && ctx.opts.oneline) ctx.out.write(`${text}\n`.replaceAll("\n", "\\"));
      else writeObject(ctx.out, [text], ctx.opts.oneline);
      ctx.out.flush();
    }
  }

  /** An event `dev` filtered out: ip has printed its headers already (no line follows them). */
  #skipped(ev: Tagged, label: string): void {
    if (this.#ctx.opts.json) return;
    this.#ctx.out.write(header(this.#ctx, this.#banner, label, nsidHeader(this.allNsid, ev.nsid)));
  }

  change(ev: Change): void {
    if (ev.kind === "link" && ev.object.family !== "bridge") {
      const known = this.names.get(ev.object.index);
      if (ev.type === "del") this.names.delete(ev.object.index);
      // ip (ll_entry_update) keeps the first name it saw for an index until the link is deleted.
      else this.names.set(ev.object.index, known ? { ...ev.object, name: known.name } : ev.object);
    }
    // accept_msg: with a family chosen, ip drops other families' neighbours before any header.
    if (ev.kind === "neigh" && this.family !== undefined && ev.object.family !== familyName(this.family)) return;
    if (this.dev !== undefined && !ofDevice(ev, this.dev)) return this.#skipped(ev, `[${ev.kind.toUpperCase()}]`);
    const devFixed = this.dev !== undefined;
    const text = (ev.type === "del" ? "Deleted " : "") + textOf(this.#ctx, ev, this.names, this.netnsNames, devFixed);
    this.#emit(ev, `[${ev.kind.toUpperCase()}]`, text, () => ({
      event: ev.type,
      object: ev.kind,
      ...jsonOf(this.#ctx, ev, this.names),
    }));
  }

  netconf(ev: NetconfChange): void {
    if (this.dev !== undefined && !ofDevice(ev, this.dev)) return this.#skipped(ev, "[NETCONF]");
    this.#emit(ev, "[NETCONF]", netconfText(ev.object, this.names, ev.type === "del"), () => ({
      event: ev.type,
      object: "netconf",
      ...netconfJson(ev.object, this.names),
    }));
  }

  /** `print_nsid`, with ip's name look-up. */
  async nsid(ev: NsidEvent & Tagged): Promise<void> {
    const name = await nsidName(this.#ctx, this.netnsNames, ev.object, ev.type === "new");
    const text = (ev.type === "del" ? "Deleted " : "") + nsidText(ev.object, name);
    this.#emit(ev, "[NSID]", text, () => ({ event: ev.type, object: "nsid", ...nsidJson(ev.object, name) }));
  }

  /** `ipstats_print`: `N: NAME:`, then the hardware statistics info (`    l3_stats on used off`). */
  stats(ev: StatsEvent & Tagged): void {
    const s = ev.object;
    const name = nameOfIndex(this.names, s.ifindex);
    let text = `${s.ifindex}: ${name}:`;
    const info: Record<string, unknown> = {};
    if (s.hwStatsInfo) {
      text += "\n";
      const l3 = s.hwStatsInfo.l3Stats;
      if (l3) {
        text += "    l3_stats";
        if (l3.request !== undefined) text += l3.request ? " on" : " off";
        if (l3.used !== undefined) text += ` used ${l3.used ? "on" : "off"}`;
        info.l3_stats = { ...l3 };
      }
    }
    this.#emit(ev, "[STATS]", text, () => ({
      event: ev.type,
      object: "stats",
      ifindex: s.ifindex,
      ifname: name,
      ...(s.hwStatsInfo ? { info } : {}),
    }), true);
  }

  overrun(): void {
    const ctx = this.#ctx;
    if (ctx.opts.json) writeNdjson(ctx.out, { event: "overrun" });
    else ctx.err.line("Warning: events were lost (receive buffer overrun); re-list to resynchronise");
    ctx.err.flush();
  }

  /** An rtmon time record: `Timestamp: <asctime> N us` (print_nlmsg_timestamp). */
  timestamp(sec: number, usec: number): void {
    const ctx = this.#ctx;
    if (ctx.opts.json) writeNdjson(ctx.out, { event: "timestamp", sec, usec });
    else ctx.out.line(`Timestamp: ${asctime(new Date(sec * 1000))} ${usec} us`);
  }
}

/**
 * With `-4`/`-6`/`-f mpls` ip joins only that family's groups of each
 * object (do_ipmonitor); links, neighbours, nexthops, nsids and stats
 * stay, and other families (`-0`, `-f bridge`) keep only those.
 */
const FAMILY_GROUPS: Record<string, Partial<Record<number, RouteGroup>> & { all: RouteGroup }> = {
  addr: { all: "addr", [AF_INET]: "ipv4-addr", [AF_INET6]: "ipv6-addr" },
  route: { all: "route", [AF_INET]: "ipv4-route", [AF_INET6]: "ipv6-route", [AF_MPLS]: "mpls-route" },
  mroute: { all: "mroute", [AF_INET]: "ipv4-mroute", [AF_INET6]: "ipv6-mroute" },
  rule: { all: "rule", [AF_INET]: "ipv4-rule", [AF_INET6]: "ipv6-rule" },
};

function routeGroups(objs: Set<MonitorObject>, family: number | undefined): RouteGroup[] {
  const out: RouteGroup[] = [];
  for (const o of objs) {
    if (["ct", "tc", "netconf", "nsid", "stats"].includes(o)) continue;
    const byFamily = FAMILY_GROUPS[o];
    const g = !byFamily ? o as RouteGroup : family === undefined ? byFamily.all : byFamily[family];
    if (g) out.push(g);
  }
  return out;
}

function netconfFamilies(objs: Set<MonitorObject>, f: number | undefined): (keyof typeof RTNLGRP_NETCONF)[] {
  if (!objs.has("netconf")) return [];
  if (f === undefined) return ["inet", "inet6"];
  return f === AF_INET ? ["inet"] : f === AF_INET6 ? ["inet6"] : f === AF_MPLS ? ["mpls"] : [];
}

/** Route objects, netconf and nsids on one socket, so lines come in the kernel's order as with ip. */
async function follow(ctx: Context, objs: Set<MonitorObject>, signal: AbortSignal, p: Printer): Promise<void> {
  const allNsid = p.allNsid;
  const f = ctx.opts.family;
  const groups = routeGroups(objs, f);
  const what = { groups, netconf: netconfFamilies(objs, f), nsid: objs.has("nsid"), stats: objs.has("stats"), allNsid };
  if (!groups.length && !what.netconf.length && !what.nsid && !what.stats) return;
  const { subscribeMonitor } = await import("../route/monitor_events.ts");
  for await (const ev of await subscribeMonitor(what, { ...ctx.lib, signal })) {
    if (ev.type === "overrun") p.overrun();
    else if (ev.kind === "netconf") {
      await learnLink(ctx, p.names, ev.object.ifindex);
      p.netconf(ev);
    } else if (ev.kind === "nsid") await p.nsid(ev);
    else if (ev.kind === "stats") p.stats(ev);
    else p.change(ev);
  }
}

/** Fetches a link the names do not know yet (netconf comes before the link's own event), as ip's ll_index_to_name does. */
async function learnLink(ctx: Context, names: LinkNames, index: number | undefined): Promise<void> {
  if (index === undefined || index <= 0 || names.has(index)) return;
  try {
    names.set(index, await getLink(index, ctx.lib));
  } catch { /* gone already: printed as ifN */ }
}

async function followCt(ctx: Context, signal: AbortSignal, banner: boolean): Promise<void> {
  for await (const ev of await subscribeConntrack({ signal }, ctx.lib)) {
    if (ev.type === "overrun") {
      if (ctx.opts.json) writeNdjson(ctx.out, { event: "overrun" });
      continue;
    }
    if (!("entry" in ev)) continue;
    if (ctx.opts.json) {
      writeNdjson(ctx.out, { event: ev.type, object: "ct", ...conntrackToJson(ev.entry) });
    } else {
      const type = ev.type === "new" ? "NEW" : ev.type === "update" ? "UPDATE" : "DESTROY";
      ctx.out.write(header(ctx, banner, "[CT]"));
      writeObject(ctx.out, [formatConntrack(ev.entry, { event: type })], ctx.opts.oneline);
      ctx.out.flush();
    }
  }
}

/** `monitor file FILE`: prints an rtmon dump as ip does (every record, whatever objects were named). */
async function replay(
  ctx: Context,
  file: string,
  banner: boolean,
  allNsid: boolean,
  dev?: number,
): Promise<number | void> {
  const { readFile } = await import("./io.ts");
  const { readRtmon } = await import("../route/rtmon.ts");
  // Link names come from the dump itself (rtmon starts with a link dump), as in ip.
  const p = new Printer(ctx, banner, new Map());
  p.dev = dev;
  p.allNsid = allNsid; // ip prints "[nsid current]" before each record
  p.family = ctx.opts.family;
  for (const rec of readRtmon(readFile(file))) {
    if (rec.type === "timestamp") p.timestamp(rec.sec, rec.usec);
    else if (rec.type === "other") {
      // ip skips errors, no-ops and dump ends silently.
      if (rec.messageType > 3) ctx.err.line(`Unknown message: type=0x${rec.messageType.toString(16).padStart(8, "0")}`);
    } else if (rec.kind === "netconf") p.netconf(rec);
    else if (rec.kind === "nsid") await p.nsid(rec);
    else if (rec.kind === "stats") p.stats(rec);
    else p.change(rec);
  }
}

/** Prints tc changes as `tc monitor` does, or one tc -j object per line with the event. */
async function followTc(ctx: Context, signal: AbortSignal, banner: boolean): Promise<void> {
  const names = await linkNames(ctx);
  const print = { details: ctx.opts.details, stats: 0, linkName: (i: number) => nameOfIndex(names, i) };
  for await (const ev of await subscribeTc({ ...ctx.lib, signal })) {
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
      ctx.out.write(header(ctx, banner, "[TC]") + p.take());
    }
    ctx.out.flush();
  }
}

/** Handles `nlkit monitor ...`. */
export async function monitorHandler(ctx: Context, args: Args): Promise<number | void> {
  const { objs, banner, allNsid, file, dev } = parseMonitorArgs(args, ctx.opts.oneline);
  // Like ip, the device is looked up among the live links, even to filter a file.
  const names = await linkNames(ctx);
  const index = devIndex(dev, names);
  if (file !== undefined) return await replay(ctx, file, banner, allNsid, index);
  const stop = new AbortController();
  const unlisten = onStopSignals(() => stop.abort());
  const p = new Printer(ctx, banner, names, await netnsNames(ctx));
  p.dev = index;
  p.allNsid = allNsid;
  p.family = ctx.opts.family;
  try {
    await Promise.all([
      follow(ctx, objs, stop.signal, p),
      objs.has("ct") ? followCt(ctx, stop.signal, banner) : undefined,
      objs.has("tc") ? followTc(ctx, stop.signal, banner) : undefined,
    ]);
  } finally {
    unlisten();
  }
}
