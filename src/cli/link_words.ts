/**
 * The words `ip link add` and `ip link set` share (iproute2's
 * `iplink_parse`), and their translation into library settings.
 *
 * @module
 */

import { toInt, UsageError } from "./args.ts";
import { invalidArgument } from "./numbers.ts";
import { IN6_ADDR_GEN_MODE } from "../route/link/table.ts";
import type { Words, WordTable } from "./keywords.ts";
import type { CreateOnlySettings, LinkChanges } from "../route/link/change.ts";

/** Words valid in both `link add` (before `type`) and `link set`. */
export const COMMON_WORDS: WordTable = {
  up: {},
  down: {},
  mtu: { arg: "MTU" },
  address: { arg: "MAC address" },
  broadcast: { arg: "broadcast address" },
  brd: { arg: "broadcast address", key: "broadcast" },
  txqueuelen: { arg: "queue length" },
  txqlen: { arg: "queue length", key: "txqueuelen" },
  qlen: { arg: "queue length", key: "txqueuelen" },
  master: { arg: "master device" },
  nomaster: {},
  netns: { arg: "namespace" },
  alias: { arg: "alias" },
  group: { arg: "group" },
  promisc: { arg: "on or off" },
  arp: { arg: "on or off" },
  multicast: { arg: "on or off" },
  allmulticast: { arg: "on or off" },
  gso_max_size: { arg: "size" },
  gso_max_segs: { arg: "segment count" },
  gro_max_size: { arg: "size" },
  addrgenmode: { arg: "address generation mode" },
};

/** Words only `link add` takes (before `type`). */
export const ADD_WORDS: WordTable = {
  ...COMMON_WORDS,
  name: { arg: "link name" },
  dev: { arg: "link name" },
  link: { arg: "parent device" },
  index: { arg: "interface index" },
  numtxqueues: { arg: "queue count" },
  numrxqueues: { arg: "queue count" },
  type: { arg: "link kind" },
};

const FLAG_WORDS = ["promisc", "arp", "multicast", "allmulticast"] as const;

/** `on` or `off`, as ip spells them (nothing else). */
export function onOff(word: string, v: string): boolean {
  if (v === "on") return true;
  if (v === "off") return false;
  throw new UsageError(`Invalid "${word}": "${v}" (must be "on" or "off")`, v);
}

/** A group number or `default` (group 0), as `rtnl_group_a2n` reads it without a groups file. */
export function groupNumber(v: string): number {
  return v === "default" ? 0 : toInt(v, "group");
}

/** An `IN6_ADDR_GEN_MODE_*` name (`eui64`, `none`, `stable_secret`, `random`), as `get_addr_gen_mode` takes it. */
function addrGenMode(v: string): NonNullable<LinkChanges["addrGenMode"]> {
  const names: readonly string[] = Object.values(IN6_ADDR_GEN_MODE);
  if (!names.includes(v)) throw invalidArgument(v, "Invalid address generation mode");
  return v as NonNullable<LinkChanges["addrGenMode"]>;
}

/** The settings both commands share, checked. */
export function linkSettings(w: Words): LinkChanges {
  const c: LinkChanges = {};
  if (w.up !== undefined && w.down !== undefined) throw new UsageError(`Use "up" or "down", not both`, "down");
  if (w.up !== undefined) c.up = true;
  if (w.down !== undefined) c.up = false;
  for (const f of FLAG_WORDS) if (w[f] !== undefined) c[f] = onOff(f, w[f]!);
  if (w.mtu !== undefined) c.mtu = toInt(w.mtu, "MTU");
  if (w.address !== undefined) c.address = w.address;
  if (w.broadcast !== undefined) c.broadcast = w.broadcast;
  if (w.txqueuelen !== undefined) c.txqlen = toInt(w.txqueuelen, "queue length");
  if (w.alias !== undefined) c.alias = w.alias;
  if (w.group !== undefined) c.group = groupNumber(w.group);
  if (w.gso_max_size !== undefined) c.gsoMaxSize = toInt(w.gso_max_size, "gso_max_size");
  if (w.gso_max_segs !== undefined) c.gsoMaxSegs = toInt(w.gso_max_segs, "gso_max_segs", 0, 65535);
  if (w.gro_max_size !== undefined) c.groMaxSize = toInt(w.gro_max_size, "gro_max_size");
  if (w.addrgenmode !== undefined) c.addrGenMode = addrGenMode(w.addrgenmode);
  if (w.netns !== undefined) c.netns = /^\d+$/.test(w.netns) ? { pid: Number(w.netns) } : w.netns;
  if (w.master !== undefined && w.nomaster !== undefined) {
    throw new UsageError(`Use "master" or "nomaster"`, "nomaster");
  }
  if (w.master !== undefined) c.master = w.master;
  if (w.nomaster !== undefined) c.master = null;
  return c;
}

/** What only a new link takes: index and queue counts. */
export function createOnly(w: Words): CreateOnlySettings {
  const c: CreateOnlySettings = {};
  if (w.index !== undefined) c.index = toInt(w.index, "index", 1, 0x7fffffff);
  if (w.numtxqueues !== undefined) c.numTxQueues = toInt(w.numtxqueues, "numtxqueues", 1, 4096);
  if (w.numrxqueues !== undefined) c.numRxQueues = toInt(w.numrxqueues, "numrxqueues", 1, 4096);
  return c;
}

/** The new link's name from `name NAME`, `dev NAME` or the bare word (ip allows all three, not two different ones). */
export function addName(w: Words): string {
  if (w.name !== undefined && w.dev !== undefined && w.name !== w.dev) {
    throw new UsageError(`Use "name" or "dev", not both: "${w.name}" and "${w.dev}"`, w.dev);
  }
  const name = w.name ?? w.dev;
  if (name === undefined) throw new UsageError(`Missing "name" in link add`, "name");
  return name;
}
