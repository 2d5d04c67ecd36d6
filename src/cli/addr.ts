/**
 * `nlkit addr show|add|replace|del|flush`, in `ip addr`'s grammar.
 *
 * @module
 */

import { type Args, toInt, UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import { formatAddress } from "./addr_text.ts";
import type { Context } from "./context.ts";
import { familyOf } from "./family.ts";
import { parseWords, required, type Words, type WordTable } from "./keywords.ts";
import { formatLink, linkStatsLines } from "./link_text.ts";
import { jsonOpts, linkNames } from "./names.ts";
import { JsonArrayWriter } from "./output.ts";
import { addErrorStats } from "./stats_json.ts";
import { getLink, type Link, streamLinks } from "../route/link.ts";
import type { Address, Lifetime } from "../route/addr_table.ts";
import {
  addAddress,
  type AddressSettings,
  deleteAddress,
  flushAddresses,
  replaceAddress,
  streamAddresses,
} from "../route/addr.ts";
import { addressesToIpJson } from "../route/addr_json.ts";

const SHOW: WordTable = { dev: { arg: "device name" }, scope: { arg: "scope" }, up: {}, label: { arg: "label" } };

const CHANGE: WordTable = {
  local: { arg: "address" },
  dev: { arg: "device name" },
  peer: { arg: "peer address" },
  remote: { arg: "peer address", key: "peer" },
  broadcast: { arg: "broadcast address" },
  brd: { arg: "broadcast address", key: "broadcast" },
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
  const w = parseWords(args, SHOW, "addr show", "dev");
  const family = familyOf(ctx);
  const names = await linkNames(ctx);
  const links: Link[] = [];
  if (w.dev !== undefined) links.push(await getLink(w.dev, ctx.lib));
  else for await (const l of streamLinks(ctx.lib)) links.push(l);
  const byLink = new Map<number, Address[]>();
  const filter = { family, link: w.dev };
  for await (const a of streamAddresses(filter, ctx.lib)) {
    if (w.scope !== undefined && a.scope !== w.scope) continue;
    if (w.label !== undefined && a.label !== w.label) continue;
    byLink.get(a.index)?.push(a) ?? byLink.set(a.index, [a]);
  }
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  const text = { mode: false, details: ctx.opts.details, stats: 0, noLinkLine: family !== undefined };
  for (const l of links) {
    if (w.up !== undefined && !l.flags.includes("UP")) continue;
    const addrs = byLink.get(l.index) ?? [];
    // Like ip: with a family, scope or label filter, links without a matching address are left out.
    if (!addrs.length && (family !== undefined || w.scope !== undefined || w.label !== undefined)) continue;
    if (json) {
      const item = addressesToIpJson([l], addrs, jsonOpts(ctx, names))[0];
      if (ctx.opts.stats > 1) addErrorStats(item, l);
      json.item(item);
    } else {
      for (const line of formatLink(l, names, ctx.paint, text)) ctx.out.line(line);
      for (const a of addrs) for (const line of formatAddress(a, ctx.paint)) ctx.out.line(line);
      if (ctx.opts.stats) { for (const line of linkStatsLines(l, ctx.opts.stats)) ctx.out.line(line); }
    }
  }
  json?.end();
}

async function change(ctx: Context, args: Args, cmd: "add" | "replace" | "del"): Promise<void> {
  const w = parseWords(args, CHANGE, `addr ${cmd}`, "local");
  const local = required(w, "local", `addr ${cmd}`);
  const dev = required(w, "dev", `addr ${cmd}`);
  if (cmd === "del") return await deleteAddress(dev, local, ctx.lib);
  await (cmd === "add" ? addAddress : replaceAddress)(dev, local, settings(w), ctx.lib);
}

async function flush(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, { dev: { arg: "device name" }, scope: { arg: "scope" } }, "addr flush", "dev");
  if (w.dev === undefined) throw new UsageError(`Flush requires arguments: "dev NAME"`, "flush");
  const scope = w.scope === undefined ? undefined : /^\d+$/.test(w.scope) ? Number(w.scope) : w.scope;
  await flushAddresses({ link: w.dev, family: familyOf(ctx), scope }, ctx.lib);
}

/** Handles `nlkit addr ...`. */
export async function addrHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = resolveAlias(COMMANDS, args.next() ?? "show", "addr command", ["show", "add", "replace", "del", "flush"]);
  if (cmd === "show") return await show(ctx, args);
  if (cmd === "flush") return await flush(ctx, args);
  return await change(ctx, args, cmd);
}
