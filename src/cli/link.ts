/**
 * `nlkit link show|add|set|del`, in `ip link`'s grammar.
 *
 * @module
 */

import { type Args, toInt, unknownWord, UsageError } from "./args.ts";
import { COMMANDS, lookup, resolveAlias } from "./aliases.ts";
import type { Context } from "./context.ts";
import { parseWords, required, type Words, type WordTable } from "./keywords.ts";
import { formatLink, formatLinkBrief, linkBriefJson } from "./link_text.ts";
import { jsonOpts, type LinkNames, linkNames } from "./names.ts";
import { JsonArrayWriter, writeObject } from "./output.ts";
import { addErrorStats } from "./stats_json.ts";
import { getLink, type Link, streamLinks } from "../route/link.ts";
import type { CreateLinkSpec, LinkChanges } from "../route/link_change.ts";
import type { IpJsonOptions, IpLinkJson } from "../route/link_json.ts";
import { AF_INET6, ipFamily } from "../wire/addr.ts";

const SHOW: WordTable = { dev: { arg: "device name" }, type: { arg: "link kind" }, up: {}, master: { arg: "master" } };

/** Words valid before `type` in `link add`. */
const ADD: WordTable = {
  name: { arg: "link name" },
  link: { arg: "parent device" },
  mtu: { arg: "MTU" },
  address: { arg: "MAC address" },
  txqueuelen: { arg: "queue length" },
  txqlen: { arg: "queue length", key: "txqueuelen" },
  up: {},
  netns: { arg: "namespace" },
  alias: { arg: "alias" },
  type: { arg: "link kind" },
};

/** Per-kind words after `type KIND`. */
const KIND_WORDS: Record<string, WordTable> = {
  veth: {
    peer: {},
    name: { arg: "peer name" },
    address: { arg: "MAC address" },
    mtu: { arg: "MTU" },
    netns: { arg: "namespace" },
  },
  bridge: {},
  dummy: {},
  ifb: {},
  bond: {},
  vlan: { id: { arg: "VLAN id" }, protocol: { arg: "protocol" } },
  macvlan: { mode: { arg: "macvlan mode" } },
  macvtap: { mode: { arg: "macvlan mode" } },
  vxlan: {
    id: { arg: "VNI" },
    vni: { arg: "VNI", key: "id" },
    local: { arg: "address" },
    remote: { arg: "address" },
    group: { arg: "address" },
    dstport: { arg: "port" },
    dev: { arg: "device" },
    ttl: { arg: "TTL" },
    learning: {},
    nolearning: {},
  },
};

const SET: WordTable = {
  dev: { arg: "device name" },
  up: {},
  down: {},
  mtu: { arg: "MTU" },
  name: { arg: "new name" },
  address: { arg: "MAC address" },
  master: { arg: "master device" },
  nomaster: {},
  netns: { arg: "namespace" },
  alias: { arg: "alias" },
  txqueuelen: { arg: "queue length" },
  txqlen: { arg: "queue length", key: "txqueuelen" },
  group: { arg: "group" },
};

function matches(l: Link, w: Words): boolean {
  if (w.type !== undefined && l.linkinfo?.kind !== w.type) return false;
  if (w.up !== undefined && !l.flags.includes("UP")) return false;
  return true;
}

/** Converts a link to `ip -j` keys. */
type ToJson = (l: Link, o: IpJsonOptions) => IpLinkJson;

/** Prints links as text or JSON (`toJson` given with -j); `names` resolves peers and masters. */
function printLinks(ctx: Context, links: Iterable<Link>, names: LinkNames, toJson?: ToJson): void {
  const json = toJson ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  const text = { mode: true, details: ctx.opts.details, stats: ctx.opts.stats };
  for (const l of links) {
    if (ctx.opts.brief) {
      if (json) json.item(linkBriefJson(l, names));
      else ctx.out.line(formatLinkBrief(l, names, ctx.paint));
    } else if (json) {
      const item = toJson!(l, jsonOpts(ctx, names));
      if (ctx.opts.stats > 1) addErrorStats(item, l);
      json.item(item);
    } else writeObject(ctx.out, formatLink(l, names, ctx.paint, text), ctx.opts.oneline);
  }
  json?.end();
}

async function show(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, SHOW, "link show", "dev");
  const names = await linkNames(ctx);
  const master = w.master === undefined ? undefined : (await getLink(w.master, ctx.lib)).index;
  const links: Link[] = [];
  if (w.dev !== undefined) {
    links.push(await getLink(w.dev, ctx.lib));
  } else {
    for await (const l of streamLinks({ ...ctx.lib, master })) links.push(l);
  }
  // Loaded only when needed, like the change functions below: startup pays for what runs.
  const toJson = ctx.opts.json ? (await import("../route/link_json.ts")).linkToIpJson : undefined;
  printLinks(ctx, links.filter((l) => matches(l, w)), names, toJson);
}

function mtu(v: string): number {
  return toInt(v, "MTU", 0, 0xffffffff);
}

function kindSpec(kind: string, k: Words, common: Words): CreateLinkSpec {
  const name = required(common, "name", "link add");
  const base = { name };
  switch (kind) {
    case "veth": {
      if (k.name !== undefined && k.peer === undefined) throw new UsageError(`Missing "peer" before "name"`, "name");
      const peer: { name?: string; address?: string; mtu?: number; netns?: string } = {};
      if (k.name !== undefined) peer.name = k.name;
      if (k.address !== undefined) peer.address = k.address;
      if (k.mtu !== undefined) peer.mtu = mtu(k.mtu);
      if (k.netns !== undefined) peer.netns = k.netns;
      return { ...base, kind, peer };
    }
    case "vlan": {
      const id = toInt(required(k, "id", "vlan"), "VLAN id", 0, 4094);
      const protocol = k.protocol === undefined ? undefined : resolveProto(k.protocol);
      return { ...base, kind, parent: required(common, "link", "vlan"), data: protocol ? { id, protocol } : { id } };
    }
    case "macvlan":
    case "macvtap": {
      const modes = ["private", "vepa", "bridge", "passthru", "source"];
      if (k.mode !== undefined && !modes.includes(k.mode)) throw unknownWord("macvlan mode", k.mode, modes);
      const data = k.mode === undefined ? undefined : { mode: k.mode as "bridge" };
      return { ...base, kind, parent: required(common, "link", kind), data };
    }
    case "vxlan":
      return { ...base, kind, ...vxlan(k, common) };
    case "bridge":
    case "bond":
    case "dummy":
    case "ifb":
      return { ...base, kind };
  }
  throw unknownWord("link kind", kind, Object.keys(KIND_WORDS));
}

function resolveProto(p: string): "802.1Q" | "802.1ad" {
  const v = p.toLowerCase() === "802.1q" ? "802.1Q" : p.toLowerCase() === "802.1ad" ? "802.1ad" : undefined;
  if (!v) throw unknownWord("VLAN protocol", p, ["802.1Q", "802.1ad"]);
  return v;
}

function vxlan(k: Words, common: Words): { parent?: string; data: Record<string, unknown> } {
  const data: Record<string, unknown> = { id: toInt(required(k, "id", "vxlan"), "VNI", 0, 0xffffff) };
  const ip = (v: string, v4: string, v6: string): void => {
    data[ipFamily(v) === AF_INET6 ? v6 : v4] = v;
  };
  if (k.remote !== undefined && k.group !== undefined) {
    throw new UsageError(`Use "remote" or "group", not both`, "group");
  }
  if (k.local !== undefined) ip(k.local, "local", "local6");
  if (k.remote !== undefined) ip(k.remote, "group", "group6");
  if (k.group !== undefined) ip(k.group, "group", "group6");
  if (k.dstport !== undefined) data.port = toInt(k.dstport, "port", 0, 65535);
  if (k.ttl !== undefined) data.ttl = toInt(k.ttl, "TTL", 0, 255);
  if (k.learning !== undefined || k.nolearning !== undefined) data.learning = k.nolearning === undefined ? 1 : 0;
  const parent = k.dev ?? common.link;
  return parent === undefined ? { data } : { parent, data };
}

function settings(w: Words): LinkChanges {
  const c: LinkChanges = {};
  if (w.up !== undefined && w.down !== undefined) throw new UsageError(`Use "up" or "down", not both`, "down");
  if (w.up !== undefined) c.up = true;
  if (w.down !== undefined) c.up = false;
  if (w.mtu !== undefined) c.mtu = mtu(w.mtu);
  if (w.address !== undefined) c.address = w.address;
  if (w.txqueuelen !== undefined) c.txqlen = toInt(w.txqueuelen, "queue length");
  if (w.alias !== undefined) c.alias = w.alias;
  if (w.group !== undefined) c.group = w.group === "default" ? 0 : toInt(w.group, "group");
  if (w.netns !== undefined) c.netns = /^\d+$/.test(w.netns) ? { pid: Number(w.netns) } : w.netns;
  if (w.master !== undefined && w.nomaster !== undefined) {
    throw new UsageError(`Use "master" or "nomaster"`, "nomaster");
  }
  if (w.master !== undefined) c.master = w.master;
  if (w.nomaster !== undefined) c.master = null;
  return c;
}

async function add(ctx: Context, args: Args): Promise<void> {
  const common = parseWords(args, ADD, "link add", "name", (w) => w === "type");
  if (args.next() !== "type") throw new UsageError(`Missing "type" in link add`, "type");
  const kind = args.value("type", "link kind");
  const table = lookup(KIND_WORDS, kind);
  if (!table) throw unknownWord("link kind", kind, Object.keys(KIND_WORDS));
  const k = parseWords(args, table, `${kind} options`);
  const spec = { ...settings(common), ...kindSpec(kind, k, common) } as CreateLinkSpec;
  const { createLink } = await import("../route/link_change.ts");
  await createLink(spec, ctx.lib);
}

async function set(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, SET, "link set", "dev");
  const dev = required(w, "dev", "link set");
  const changes: LinkChanges = settings(w);
  if (w.name !== undefined) changes.name = w.name;
  if (Object.keys(changes).length === 0) throw new UsageError(`Nothing to change for "${dev}"`, dev);
  const { changeLink } = await import("../route/link_change.ts");
  await changeLink(dev, changes, ctx.lib);
}

async function del(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, { dev: { arg: "device name" }, type: { arg: "link kind" } }, "link del", "dev");
  const dev = required(w, "dev", "link del");
  const { deleteLink } = await import("../route/link_change.ts");
  await deleteLink(dev, ctx.lib);
}

/** Handles `nlkit link ...`. */
export async function linkHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = resolveAlias(COMMANDS, args.next() ?? "show", "link command", ["show", "add", "set", "del"]);
  if (cmd === "show") return await show(ctx, args);
  if (cmd === "add") return await add(ctx, args);
  if (cmd === "set") return await set(ctx, args);
  return await del(ctx, args);
}
