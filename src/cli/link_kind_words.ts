/**
 * The words after `link add ... type KIND`, per kind, as iproute2's
 * `link_util` parsers read them, and their translation into a
 * `LinkKindSpec`. A kind is one entry of {@link KIND_WORDS} plus
 * one case of {@link kindSpec}.
 *
 * @module
 */

import { toInt, unknownWord, UsageError } from "./args.ts";
import { required, type Words, type WordTable } from "./keywords.ts";
import type { LinkKindSpec } from "../route/link/change.ts";
import type { LinkKindData } from "../route/link/kinds.ts";
import {
  BOND_AD_SELECT,
  BOND_ARP_VALIDATE,
  BOND_FAIL_OVER_MAC,
  BOND_LACP_RATE,
  BOND_MODE,
  BOND_PRIMARY_RESELECT,
  BOND_XMIT_POLICY,
} from "../route/link/kinds.ts";
import { AF_INET6, ipFamily } from "../wire/addr.ts";

/** Bond words with a number: `[word, data key, max]`. */
const BOND_NUMBERS = [
  ["miimon", "miimon", 0xffffffff],
  ["updelay", "updelay", 0xffffffff],
  ["downdelay", "downdelay", 0xffffffff],
  ["peer_notify_delay", "peerNotifDelay", 0xffffffff],
  ["use_carrier", "useCarrier", 255],
  ["arp_interval", "arpInterval", 0xffffffff],
  ["arp_missed_max", "missedMax", 255],
  ["resend_igmp", "resendIgmp", 0xffffffff],
  ["num_grat_arp", "numPeerNotif", 255],
  ["num_unsol_na", "numPeerNotif", 255],
  ["all_slaves_active", "allSlavesActive", 255],
  ["min_links", "minLinks", 0xffffffff],
  ["lp_interval", "lpInterval", 0xffffffff],
  ["packets_per_slave", "packetsPerSlave", 0xffffffff],
  ["tlb_dynamic_lb", "tlbDynamicLb", 255],
  ["ad_user_port_key", "adUserPortKey", 0xffff],
  ["ad_actor_sys_prio", "adActorSysPrio", 0xffff],
] as const;

/** Bond words with a name (or its number, as iproute2's `get_index` allows): `[word, data key, names]`. */
const BOND_NAMES = [
  ["mode", "mode", BOND_MODE],
  ["arp_validate", "arpValidate", BOND_ARP_VALIDATE],
  ["arp_all_targets", "arpAllTargets", { 0: "any", 1: "all" }],
  ["primary_reselect", "primaryReselect", BOND_PRIMARY_RESELECT],
  ["fail_over_mac", "failOverMac", BOND_FAIL_OVER_MAC],
  ["xmit_hash_policy", "xmitHashPolicy", BOND_XMIT_POLICY],
  ["lacp_rate", "adLacpRate", BOND_LACP_RATE],
  ["lacp_active", "adLacpActive", { 0: "off", 1: "on" }],
  ["ad_select", "adSelect", BOND_AD_SELECT],
] as const;

const BOND_WORDS: WordTable = Object.fromEntries([
  ...[...BOND_NUMBERS, ...BOND_NAMES].map(([w]) => [w, { arg: w }]),
  ["ad_actor_system", { arg: "MAC address" }],
]);

/** GRE flag words: `[word, flag, in, out]`; the `no` forms clear. */
const GRE_FLAG_WORDS = [
  ["key", "key", true, true],
  ["seq", "seq", true, true],
  ["iseq", "seq", true, false],
  ["oseq", "seq", false, true],
  ["csum", "csum", true, true],
  ["icsum", "csum", true, false],
  ["ocsum", "csum", false, true],
] as const;

const GRE_WORDS: WordTable = {
  remote: { arg: "address" },
  local: { arg: "address" },
  dev: { arg: "device" },
  key: { arg: "key" },
  ikey: { arg: "key" },
  okey: { arg: "key" },
  ttl: { arg: "TTL" },
  hoplimit: { arg: "TTL", key: "ttl" },
  tos: { arg: "TOS" },
  dsfield: { arg: "TOS", key: "tos" },
  pmtudisc: {},
  nopmtudisc: {},
  external: {},
  "ignore-df": {},
  "noignore-df": {},
  fwmark: { arg: "mark" },
  ...Object.fromEntries(GRE_FLAG_WORDS.filter(([w]) => w !== "key").map(([w]) => [w, {}])),
};

/** Per-kind words after `type KIND`. */
export const KIND_WORDS: Record<string, WordTable> = {
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
  wireguard: {},
  bond: BOND_WORDS,
  vlan: { id: { arg: "VLAN id" }, protocol: { arg: "protocol" } },
  macvlan: { mode: { arg: "macvlan mode" } },
  macvtap: { mode: { arg: "macvlan mode" } },
  ipvlan: { mode: { arg: "ipvlan mode" }, bridge: {}, private: {}, vepa: {} },
  ipvtap: { mode: { arg: "ipvlan mode" }, bridge: {}, private: {}, vepa: {} },
  gre: GRE_WORDS,
  gretap: GRE_WORDS,
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

/** Looks a kind's words up; `tuntap` points to the command that makes them. */
export function kindWords(kind: string): WordTable {
  if (Object.hasOwn(KIND_WORDS, kind)) return KIND_WORDS[kind];
  // The kernel makes tun/tap devices only through ioctls ("tun/tap creation via rtnetlink is not supported").
  if (kind === "tun" || kind === "tuntap" || kind === "tap") {
    throw new UsageError(`Unknown link kind: "${kind}" (tun/tap devices are made with "nlkit tuntap add")`, kind);
  }
  throw unknownWord("link kind", kind, Object.keys(KIND_WORDS));
}

/** A name from `names`, or its number (iproute2's `get_index`). */
function named(word: string, v: string, names: { readonly [n: number]: string }): string {
  const list = Object.values(names);
  if (list.includes(v)) return v;
  if (/^\d+$/.test(v) && names[Number(v)] !== undefined) return names[Number(v)];
  throw unknownWord(`${word}`, v, list);
}

function bond(k: Words): LinkKindData["bond"] {
  const d: Record<string, unknown> = {};
  for (const [w, key, max] of BOND_NUMBERS) if (k[w] !== undefined) d[key] = toInt(k[w]!, w, 0, max);
  for (const [w, key, names] of BOND_NAMES) if (k[w] !== undefined) d[key] = named(w, k[w]!, names);
  if (k.ad_actor_system !== undefined) d.adActorSystem = k.ad_actor_system;
  return d as LinkKindData["bond"];
}

function ipvlan(k: Words): LinkKindData["ipvlan"] {
  const modes = ["l2", "l3", "l3s"];
  const flags = (["bridge", "private", "vepa"] as const).filter((f) => k[f] !== undefined);
  if (flags.length > 1) throw new UsageError(`Use one of "bridge", "private" or "vepa"`, flags[1]);
  const d: LinkKindData["ipvlan"] = { flags: flags[0] === "private" || flags[0] === "vepa" ? [flags[0]] : [] };
  if (k.mode !== undefined) {
    if (!modes.includes(k.mode)) throw unknownWord("ipvlan mode", k.mode, modes);
    d.mode = k.mode as "l2";
  }
  return d;
}

function ipv4(word: string, v: string): string {
  if (ipFamily(v) !== 2) throw new UsageError(`Invalid "${word}": "${v}" (an IPv4 address)`, v);
  return v;
}

/** A GRE key: a number or a dotted quad, as iproute2's `tnl_parse_key` reads it. */
function greKey(word: string, v: string): number {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) {
    const parts = v.split(".").map(Number);
    if (parts.every((p) => p <= 255)) return parts.reduce((a, p) => a * 256 + p, 0);
  }
  return toInt(v, word);
}

function gre(k: Words): { parent?: string; data: LinkKindData["gre"] } {
  const iflags = new Set<string>(), oflags = new Set<string>();
  const d: LinkKindData["gre"] = {};
  for (const [w, flag, i, o] of GRE_FLAG_WORDS) {
    if (k[w] === undefined) continue;
    if (i) iflags.add(flag);
    if (o) oflags.add(flag);
  }
  if (k.key !== undefined) d.ikey = d.okey = greKey("key", k.key);
  if (k.ikey !== undefined) (iflags.add("key"), d.ikey = greKey("ikey", k.ikey));
  if (k.okey !== undefined) (oflags.add("key"), d.okey = greKey("okey", k.okey));
  if (iflags.size) d.iflags = [...iflags] as typeof d.iflags;
  if (oflags.size) d.oflags = [...oflags] as typeof d.oflags;
  if (k.remote !== undefined) d.remote = ipv4("remote", k.remote);
  if (k.local !== undefined) d.local = ipv4("local", k.local);
  if (k.ttl !== undefined) d.ttl = k.ttl === "inherit" ? 0 : toInt(k.ttl, "TTL", 0, 255);
  if (k.tos !== undefined) d.tos = k.tos === "inherit" ? 1 : toInt(k.tos, "TOS", 0, 255);
  if (k.pmtudisc !== undefined && k.nopmtudisc !== undefined) {
    throw new UsageError(`Use "pmtudisc" or "nopmtudisc"`, "nopmtudisc");
  }
  if (k.pmtudisc !== undefined || k.nopmtudisc !== undefined) d.pmtudisc = k.nopmtudisc === undefined ? 1 : 0;
  if (k["ignore-df"] !== undefined || k["noignore-df"] !== undefined) d.ignoreDf = k["ignore-df"] ? 1 : 0;
  if (k.fwmark !== undefined) d.fwmark = toInt(k.fwmark, "fwmark");
  if (k.external !== undefined) d.collectMetadata = true;
  return k.dev === undefined ? { data: d } : { parent: k.dev, data: d };
}

function vlanProto(p: string): "802.1Q" | "802.1ad" {
  const v = p.toLowerCase() === "802.1q" ? "802.1Q" : p.toLowerCase() === "802.1ad" ? "802.1ad" : undefined;
  if (!v) throw unknownWord("VLAN protocol", p, ["802.1Q", "802.1ad"]);
  return v;
}

function vxlan(k: Words, common: Words): { parent?: string; data: LinkKindData["vxlan"] } {
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
  const d = data as LinkKindData["vxlan"];
  return parent === undefined ? { data: d } : { parent, data: d };
}

/** The kind part of a new link: `k` are the words after `type KIND`, `common` those before. */
export function kindSpec(kind: string, k: Words, common: Words): LinkKindSpec {
  switch (kind) {
    case "veth": {
      if (k.name !== undefined && k.peer === undefined) throw new UsageError(`Missing "peer" before "name"`, "name");
      const peer: { name?: string; address?: string; mtu?: number; netns?: string } = {};
      if (k.name !== undefined) peer.name = k.name;
      if (k.address !== undefined) peer.address = k.address;
      if (k.mtu !== undefined) peer.mtu = toInt(k.mtu, "MTU");
      if (k.netns !== undefined) peer.netns = k.netns;
      return { kind, peer };
    }
    case "vlan": {
      const id = toInt(required(k, "id", "vlan"), "VLAN id", 0, 4094);
      const data = k.protocol === undefined ? { id } : { id, protocol: vlanProto(k.protocol) };
      return { kind, parent: required(common, "link", "vlan"), data };
    }
    case "macvlan":
    case "macvtap": {
      const modes = ["private", "vepa", "bridge", "passthru", "source"];
      if (k.mode !== undefined && !modes.includes(k.mode)) throw unknownWord("macvlan mode", k.mode, modes);
      const data = k.mode === undefined ? undefined : { mode: k.mode as "bridge" };
      return { kind, parent: required(common, "link", kind), data };
    }
    case "ipvlan":
    case "ipvtap":
      return { kind, parent: required(common, "link", kind), data: ipvlan(k) };
    case "bond":
      return { kind, data: bond(k) };
    case "gre":
    case "gretap": {
      const g = gre(k);
      const parent = g.parent ?? common.link;
      return parent === undefined ? { kind, data: g.data } : { kind, parent, data: g.data };
    }
    case "vxlan":
      return { kind, ...vxlan(k, common) };
    default:
      return { kind: kind as "dummy" };
  }
}
