/**
 * `nlkit addr show|add|replace|del|flush`, in `ip addr`'s grammar.
 *
 * @module
 */

import { type Args, toInt, UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import { addressBriefJson, formatAddress, formatAddressBrief } from "./addr_text.ts";
import { ADDR_WORDS, type AddrSelection, parseAddrSelectors } from "./addr_select.ts";
import { suggest } from "./suggest.ts";
import { invalidArgument } from "./numbers.ts";
import type { Context } from "./context.ts";
import { familyOf } from "./family.ts";
import { parseWords, required, type Words, type WordTable } from "./keywords.ts";
import { formatLink, formatLinkBrief, linkBriefJson, linkStatsLines } from "./link_text.ts";
import { jsonOpts, type LinkNames, linkNames } from "./names.ts";
import { JsonArrayWriter, writeObject } from "./output.ts";
import { addErrorStats } from "./stats_json.ts";
import { getLink, type Link, streamLinks } from "../route/link/api.ts";
import type { Address, Lifetime } from "../route/addr/table.ts";
import {
  addAddress,
  type AddressFilter,
  type AddressSettings,
  deleteAddress,
  flushAddresses,
  replaceAddress,
  streamAddresses,
} from "../route/addr/api.ts";
import { addressesToIpJson, addressToIpJson } from "../route/addr/json.ts";
import { AF_INET6, AF_PACKET, ipFamily } from "../wire/addr.ts";
import { inetWord } from "./inet_words.ts";

const CHANGE: WordTable = {
  local: { arg: "address", inet: true },
  dev: { arg: "device name" },
  peer: { arg: "peer address", inet: true },
  remote: { arg: "peer address", key: "peer", inet: true },
  broadcast: { arg: "broadcast address", inet: true },
  brd: { arg: "broadcast address", key: "broadcast", inet: true },
  label: { arg: "label" },
  scope: { arg: "scope" },
  valid_lft: { arg: "lifetime" },
  preferred_lft: { arg: "lifetime" },
  metric: { arg: "metric" },
  priority: { arg: "metric", key: "metric" },
  noprefixroute: {},
  nodad: {},
  home: {},
  mngtmpaddr: {},
  autojoin: {},
  optimistic: {},
};

function lifetime(v: string, what: string): Lifetime {
  return v === "forever" ? "forever" : toInt(v.replace(/sec$/, ""), what);
}

function settings(w: Words): AddressSettings {
  const s: AddressSettings = {};
  if (w.peer !== undefined) s.peer = w.peer;
  if (w.broadcast !== undefined) s.broadcast = w.broadcast === "+" ? true : w.broadcast;
  if (w.label !== undefined) s.label = w.label;
  if (w.scope !== undefined) s.scope = /^\d+$/.test(w.scope) ? Number(w.scope) : w.scope;
  if (w.valid_lft !== undefined) s.validLft = lifetime(w.valid_lft, "valid_lft");
  if (w.preferred_lft !== undefined) s.preferredLft = lifetime(w.preferred_lft, "preferred_lft");
  if (w.metric !== undefined) s.metric = toInt(w.metric, "metric");
  const flags = ["noprefixroute", "nodad", "home", "mngtmpaddr", "autojoin", "optimistic"].filter((f) => w[f]);
  if (flags.length) s.flags = flags;
  return s;
}

async function show(ctx: Context, args: Args): Promise<void> {
  const sel = parseAddrSelectors(args);
  const family = familyOf(ctx) ?? (sel.filter.to === undefined ? undefined : ipFamily(sel.filter.to.split("/")[0]));
  const names = await linkNames(ctx);
  if (sel.master !== undefined && ![...names.values()].some((l) => l.name === sel.master)) {
    throw invalidArgument(sel.master, "Device does not exist");
  }
  const links: Link[] = [];
  if (sel.dev !== undefined) links.push(await getAddrLink(ctx, sel.dev, names));
  else for await (const l of streamLinks({ master: sel.master, kind: sel.kind }, ctx.lib)) links.push(l);
  if (family === AF_PACKET) return printLinksOnly(ctx, sel, links, names);
  const base: AddressFilter = { dev: sel.dev };
  if (family !== undefined) base.family = family;
  const all = await addressesByLink(streamAddresses(base, ctx.lib));
  // Address-level selectors: the library filters a second dump, so each address is known to match or not.
  const f = sel.filter;
  const selective = f.scope !== undefined || f.flags !== undefined || f.label !== undefined || f.to !== undefined;
  const matching = selective ? await addressesByLink(streamAddresses({ ...base, ...f }, ctx.lib)) : all;
  const keys = new Set([...matching.values()].flat().map(addressKey));
  // ip drops a link whose addresses all fail the filter; one without any address stays (unless a family is set).
  const shown = links.filter((l) =>
    matching.has(l.index) || (family === undefined && !(selective && all.has(l.index)))
  );
  const matches = (a: Address) => keys.has(addressKey(a));
  // ip -6 lists links with an AF_INET6 dump, whose answers carry no qdisc, master or group (not one asked by name).
  const listed = ctx.opts.family === AF_INET6 && sel.dev === undefined
    ? shown.map((l) => ({ ...l, qdisc: undefined, master: undefined, group: undefined }))
    : shown;
  printAddresses(ctx, listed, all, names, { family, label: f.label !== undefined, matches, sel });
}

/** `ip -0 addr show`: the links without their addresses; address selectors have nothing to select. */
function printLinksOnly(ctx: Context, sel: AddrSelection, links: Link[], names: LinkNames): void {
  const f = sel.filter;
  if (f.scope !== undefined || f.flags !== undefined || f.label !== undefined || f.to !== undefined) {
    throw new UsageError("Cannot select addresses with family link (-0)", "-0");
  }
  const none = () => false;
  printAddresses(ctx, links, new Map(), names, { label: false, matches: none, sel, linksOnly: true });
}

/** Groups a dump's addresses by link index, in dump order. */
async function addressesByLink(list: AsyncIterable<Address>): Promise<Map<number, Address[]>> {
  const byLink = new Map<number, Address[]>();
  for await (const a of list) byLink.get(a.ifindex)?.push(a) ?? byLink.set(a.ifindex, [a]);
  return byLink;
}

function addressKey(a: Address): string {
  return `${a.ifindex} ${a.family} ${a.local} ${a.prefixLen} ${a.peer}`;
}

/** The named link of `addr show dev X`: a misspelt filter word is a usage error, not a missing device. */
async function getAddrLink(ctx: Context, dev: string, names: LinkNames): Promise<Link> {
  for (const l of names.values()) if (l.name === dev) return l;
  const near = suggest(dev, ADDR_WORDS);
  if (near !== undefined) {
    throw new UsageError(`Unknown argument of addr show: "${dev}" (did you mean "${near}"?)`, dev);
  }
  return await getLink(dev, ctx.lib);
}

/** ip's link-level selectors of `addr show` (applied before any address is printed). */
function linkPasses(l: Link, sel: AddrSelection): boolean {
  if (sel.up && !l.flags.includes("UP")) return false;
  if (sel.group !== undefined && (l.group ?? 0) !== sel.group) return false;
  if (sel.nomaster && l.master) return false;
  if (sel.slaveKind !== undefined && l.linkinfo?.slaveKind !== sel.slaveKind) return false;
  return true;
}

interface PrintOptions {
  /** The address family selected (by -4/-6 or `to`): links print without their `link/` line. */
  family?: number;
  /** A label filter: ip prints only the matching addresses, without their link. */
  label: boolean;
  /** Tells whether an address passes the address-level selectors. */
  matches: (a: Address) => boolean;
  /** The selectors, for the link-level ones. */
  sel: AddrSelection;
  /** -0: links alone, in `ip link`'s -br and -o shapes. */
  linksOnly?: boolean;
}

function printAddresses(
  ctx: Context,
  links: readonly Link[],
  byLink: Map<number, Address[]>,
  names: LinkNames,
  o: PrintOptions,
): void {
  const { brief, oneline } = ctx.opts;
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  const text = { mode: false, details: ctx.opts.details, stats: 0, noLinkLine: o.family !== undefined };
  for (const l of links) {
    const every = byLink.get(l.index) ?? [];
    const addrs = every.filter(o.matches);
    if (json) {
      // ip opens a JSON object before it filters, so a link or address it leaves out prints as `{}`.
      if (!linkPasses(l, o.sel) && !oneline) json.item({});
      else {
        const item = addrJsonItem(ctx, l, linkPasses(l, o.sel) ? every : [], names, o) as Record<string, unknown>;
        if (o.linksOnly) delete item.addr_info;
        json.item(item);
      }
    } else if (!linkPasses(l, o.sel)) {
      continue;
    } else if (o.linksOnly && (brief || oneline)) {
      if (brief) ctx.out.line(formatLinkBrief(l, names, ctx.paint));
      else writeObject(ctx.out, formatLink(l, names, ctx.paint, text), true);
    } else if (brief) {
      const head = o.label ? "" : briefHead(l, names, ctx);
      ctx.out.line(head + addrs.map((a) => formatAddressBrief(a, ctx.paint)).join(""));
    } else if (oneline || o.label) {
      for (const a of addrs) {
        const lines = formatAddress(a, ctx.paint);
        if (oneline) lines[0] = `${l.index}: ${l.name}${lines[0]}`;
        writeObject(ctx.out, lines, oneline);
      }
    } else {
      for (const line of formatLink(l, names, ctx.paint, text)) ctx.out.line(line);
      for (const a of addrs) for (const line of formatAddress(a, ctx.paint)) ctx.out.line(line);
      if (ctx.opts.stats) { for (const line of linkStatsLines(l, ctx.opts.stats)) ctx.out.line(line); }
    }
  }
  json?.end();
}

function briefHead(l: Link, names: LinkNames, ctx: Context): string {
  return formatLinkBrief(l, names, ctx.paint, false);
}

/** The `ip -j` keys of the `link/...` line. */
const LINK_LINE_KEYS = ["link_type", "address", "broadcast", "link_pointtopoint", "permaddr"];

/** One element of `ip -j addr show`, in the shape -br, -o and a label filter give it. */
function addrJsonItem(ctx: Context, l: Link, every: Address[], names: LinkNames, o: PrintOptions): unknown {
  const noLinkLine = o.family !== undefined && !ctx.opts.details;
  const each = (fn: (a: Address) => Record<string, unknown>) => every.map((a) => (o.matches(a) ? fn(a) : {}));
  if (ctx.opts.brief) {
    const info = each(addressBriefJson);
    return o.label ? { addr_info: info } : { ...linkBriefJson(l, names, false), addr_info: info };
  }
  if (ctx.opts.oneline) return { addr_info: each((a) => ({ index: l.index, dev: l.name, ...addressToIpJson(a) })) };
  if (o.label) return { addr_info: each(addressToIpJson) };
  const item = addressesToIpJson([l], [], jsonOpts(ctx, names))[0];
  item.addr_info = each(addressToIpJson);
  // With a family selected ip leaves out the `link/` line, in JSON too.
  if (noLinkLine) { for (const k of LINK_LINE_KEYS) delete item[k]; }
  if (ctx.opts.stats > 1) addErrorStats(item, l);
  return item;
}

async function change(ctx: Context, args: Args, cmd: "add" | "replace" | "del"): Promise<void> {
  const w = parseWords(args, CHANGE, `addr ${cmd}`, "local");
  if (w.local !== undefined) w.local = inetWord(w.local);
  const local = required(w, "local", `addr ${cmd}`);
  const dev = required(w, "dev", `addr ${cmd}`);
  if (cmd === "del") return await deleteAddress(dev, local, ctx.lib);
  await (cmd === "add" ? addAddress : replaceAddress)(dev, local, settings(w), ctx.lib);
}

async function flush(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, { dev: { arg: "device name" }, scope: { arg: "scope" } }, "addr flush", "dev");
  if (w.dev === undefined) throw new UsageError(`Flush requires arguments: "dev NAME"`, "flush");
  const scope = w.scope === undefined ? undefined : /^\d+$/.test(w.scope) ? Number(w.scope) : w.scope;
  await flushAddresses({ dev: w.dev, family: familyOf(ctx), scope }, ctx.lib);
}

/** Handles `nlkit addr ...`. */
export async function addrHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = resolveAlias(COMMANDS, args.next() ?? "show", "addr command", ["show", "add", "replace", "del", "flush"]);
  if (cmd === "show") return await show(ctx, args);
  if (ctx.opts.family === AF_PACKET) throw new UsageError(`Cannot ${cmd} link addresses (family link, -0)`, "-0");
  if (cmd === "flush") return await flush(ctx, args);
  return await change(ctx, args, cmd);
}
