/**
 * `ip -j link show` output for a {@link Link}: the keys and value forms of
 * iproute2 (6.1), so scripts written against `ip -j` read nlkit's JSON
 * unchanged. Kind-specific `info_data` is printed by each kind's module.
 *
 * @example
 * ```ts ignore
 * import { listLinks } from "./api.ts";
 * import { linkIndexMap, linkToIpJson } from "./json.ts";
 * const links = await listLinks({}, { netns: "lab" });
 * const byIndex = linkIndexMap(links);
 * console.log(JSON.stringify(links.map((l) => linkToIpJson(l, { byIndex, details: true }))));
 * ```
 *
 * @module
 */

import { copyDefined, type FieldCopies } from "../../wire/copy.ts";
import type { Link } from "./api.ts";
import { type KindData, type KindPrintContext, linkKind } from "./kinds/registry.ts";

/** Options of {@link linkToIpJson}. */
export interface IpJsonOptions {
  /** Add what `ip -d` adds: promiscuity, MTU range, `linkinfo`, queue and offload sizes. */
  details?: boolean;
  /** Add what `ip -s` adds: `stats64`. */
  stats?: boolean;
  /** Links by index, to print master and parent links by name (and `M-DOWN`) as iproute2 does. */
  byIndex?: ReadonlyMap<number, Link>;
  /** User names by uid, for a tun/tap owner (iproute2 prints the name when there is one). */
  userName?: (uid: number) => string | undefined;
  /** Group names by gid, for a tun/tap group. */
  groupName?: (gid: number) => string | undefined;
}

/** An object in the shape of one element of `ip -j link show`. */
export type IpLinkJson = Record<string, unknown>;

/** Indexes links by interface index, for {@link IpJsonOptions.byIndex}. */
export function linkIndexMap(links: Iterable<Link>): Map<number, Link> {
  const m = new Map<number, Link>();
  for (const l of links) m.set(l.index, l);
  return m;
}

/** The order iproute2 prints flags in (`print_link_flags`). */
const FLAG_ORDER = [
  "LOOPBACK",
  "BROADCAST",
  "POINTOPOINT",
  "MULTICAST",
  "NOARP",
  "ALLMULTI",
  "PROMISC",
  "MASTER",
  "SLAVE",
  "DEBUG",
  "DYNAMIC",
  "AUTOMEDIA",
  "PORTSEL",
  "NOTRAILERS",
  "UP",
  "LOWER_UP",
  "DORMANT",
  "ECHO",
] as const;

/**
 * The flag words `ip link` prints between `<...>`: `NO-CARRIER` first (up
 * but not running), RUNNING hidden, `M-DOWN` last when the lower link
 * (found in `byIndex`) is down.
 */
export function linkFlagWords(link: Link, byIndex?: ReadonlyMap<number, Link>): string[] {
  const has = new Set(link.flags);
  const out: string[] = [];
  if (has.has("UP") && !has.has("RUNNING")) out.push("NO-CARRIER");
  for (const f of FLAG_ORDER) if (has.has(f)) out.push(f);
  if (link.link && link.linkNetnsid === undefined) {
    const lower = byIndex?.get(link.link);
    if (lower && !lower.flags.includes("UP")) out.push("M-DOWN");
  }
  return out;
}

function nameOfIndex(index: number, byIndex: ReadonlyMap<number, Link> | undefined): string {
  return byIndex?.get(index)?.name ?? `if${index}`;
}

function decoded(v: unknown): KindData | undefined {
  return v && !(v instanceof Uint8Array) ? v as KindData : undefined;
}

/** `linkinfo`: the kind and its settings, each printed by its kind module. */
function infoJson(link: Link, o: IpJsonOptions): IpLinkJson | undefined {
  const info = link.linkinfo;
  if (!info) return undefined;
  const ctx: KindPrintContext = {
    linkName: (i) => nameOfIndex(i, o.byIndex),
    userName: (uid) => o.userName?.(uid),
    groupName: (gid) => o.groupName?.(gid),
  };
  const out: IpLinkJson = {};
  if (info.kind !== undefined) out.info_kind = info.kind;
  const data = decoded(info.data);
  const json = linkKind(info.kind)?.json;
  if (data && json) out.info_data = json(data, ctx);
  if (info.slaveKind !== undefined) out.info_slave_kind = info.slaveKind;
  const slaveData = decoded(info.slaveData);
  const slaveJson = linkKind(info.slaveKind)?.slaveJson;
  if (slaveData && slaveJson) out.info_slave_data = slaveJson(slaveData, ctx);
  return out;
}

function statsJson(s: NonNullable<Link["stats64"]>): IpLinkJson {
  return {
    rx: {
      bytes: s.rxBytes,
      packets: s.rxPackets,
      errors: s.rxErrors,
      dropped: s.rxDropped,
      over_errors: s.rxOverErrors,
      multicast: s.multicast,
    },
    tx: {
      bytes: s.txBytes,
      packets: s.txPackets,
      errors: s.txErrors,
      dropped: s.txDropped,
      carrier_errors: s.txCarrierErrors,
      collisions: s.collisions,
    },
  };
}

// The `-d` fields copied as they are, `[ip's key, Link field]`, in ip's order: before linkinfo, and after it.
const DETAILS_BEFORE_INFO: FieldCopies = ["promiscuity", "allmulti", ["min_mtu", "minMtu"], ["max_mtu", "maxMtu"]];
const DETAILS_AFTER_INFO: FieldCopies = [
  ["num_tx_queues", "numTxQueues"],
  ["num_rx_queues", "numRxQueues"],
  ["gso_max_size", "gsoMaxSize"],
  ["gso_max_segs", "gsoMaxSegs"],
  ["tso_max_size", "tsoMaxSize"],
  ["tso_max_segs", "tsoMaxSegs"],
  ["gro_max_size", "groMaxSize"],
  ["parentbus", "parentDevBusName"],
  ["parentdev", "parentDevName"],
];

/**
 * Renders a link the way `ip -j link show` does (`ip -j -d` with
 * `details`, `-s` with `stats`). Pass `byIndex` (see {@link linkIndexMap})
 * so `master` and `link` print as names, as iproute2 prints them.
 */
export function linkToIpJson(link: Link, options: IpJsonOptions = {}): IpLinkJson {
  const { byIndex } = options;
  const out: IpLinkJson = { ifindex: link.index };
  if (link.link !== undefined) {
    if (link.link === 0) out.link = null;
    else if (link.linkNetnsid !== undefined) out.link_index = link.link;
    else out.link = nameOfIndex(link.link, byIndex);
  }
  out.ifname = link.name;
  out.flags = linkFlagWords(link, byIndex);
  if (link.mtu !== undefined) out.mtu = link.mtu;
  if (link.qdisc !== undefined) out.qdisc = link.qdisc;
  if (link.master !== undefined) out.master = nameOfIndex(link.master, byIndex);
  if (link.operstate !== undefined) out.operstate = link.operstate;
  if (link.linkmode !== undefined) out.linkmode = link.linkmode;
  if (link.group !== undefined) out.group = link.group === 0 ? "default" : String(link.group);
  if (link.txqlen !== undefined) out.txqlen = link.txqlen;
  out.link_type = link.linkType;
  if (link.address !== undefined) out.address = link.address;
  if (link.broadcast !== undefined) out.broadcast = link.broadcast;
  if (link.permAddress !== undefined && link.permAddress !== link.address) out.permaddr = link.permAddress;
  if (link.linkNetnsid !== undefined) out.link_netnsid = link.linkNetnsid;
  if (link.protoDown) out.proto_down = true;
  if (options.stats && link.stats64) out.stats64 = statsJson(link.stats64);
  if (options.details) {
    copyDefined(out, link, DETAILS_BEFORE_INFO);
    const info = infoJson(link, options);
    if (info) out.linkinfo = info;
    const genMode = link.afSpec?.inet6?.addrGenMode;
    if (genMode !== undefined) out.inet6_addr_gen_mode = genMode;
    copyDefined(out, link, DETAILS_AFTER_INFO);
  }
  if (link.alias !== undefined) out.ifalias = link.alias;
  if (link.altnames) out.altnames = link.altnames;
  return out;
}
