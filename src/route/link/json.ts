/**
 * `ip -j link show` output for a {@link Link}: the keys and value forms of
 * iproute2 (6.1), so scripts written against `ip -j` read nlkit's JSON
 * unchanged. Kind-specific `info_data` is mapped by per-kind tables.
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

import type { Link } from "./api.ts";
import { VLAN_PROTOCOL } from "./kinds.ts";
import { formatHex } from "../../wire/addr.ts";

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

/**
 * How one kind-specific field is printed:
 * `num` as is; `bool` as true/false; `true` only when set; `str` as text;
 * `hex` as C's `%#x` (`0` or `0x..`); `0x` always with the prefix; `timer` centiseconds as seconds; `bridgeId` as
 * `8000.aa:bb:..`; `ifname` an index as a link name.
 */
type Fmt = "num" | "bool" | "true" | "str" | "hex" | "0x" | "timer" | "bridgeId" | "ifname";

/** `[json key, parsed field, format]`. */
type FieldMap = readonly (readonly [string, string, Fmt])[];

const BRIDGE_JSON: FieldMap = [
  ["forward_delay", "forwardDelay", "num"],
  ["hello_time", "helloTime", "num"],
  ["max_age", "maxAge", "num"],
  ["ageing_time", "ageingTime", "num"],
  ["stp_state", "stpState", "num"],
  ["priority", "priority", "num"],
  ["vlan_filtering", "vlanFiltering", "num"],
  ["vlan_protocol", "vlanProtocol", "str"],
  ["bridge_id", "bridgeId", "bridgeId"],
  ["root_id", "rootId", "bridgeId"],
  ["root_port", "rootPort", "num"],
  ["root_path_cost", "rootPathCost", "num"],
  ["topology_change", "topologyChange", "num"],
  ["topology_change_detected", "topologyChangeDetected", "num"],
  ["hello_timer", "helloTimer", "timer"],
  ["tcn_timer", "tcnTimer", "timer"],
  ["topology_change_timer", "topologyChangeTimer", "timer"],
  ["gc_timer", "gcTimer", "timer"],
  ["vlan_default_pvid", "vlanDefaultPvid", "num"],
  ["vlan_stats_enabled", "vlanStatsEnabled", "num"],
  ["vlan_stats_per_port", "vlanStatsPerPort", "num"],
  ["group_fwd_mask", "groupFwdMask", "hex"],
  ["group_addr", "groupAddr", "str"],
  ["mcast_snooping", "mcastSnooping", "num"],
  ["mcast_router", "mcastRouter", "num"],
  ["mcast_query_use_ifaddr", "mcastQueryUseIfaddr", "num"],
  ["mcast_querier", "mcastQuerier", "num"],
  ["mcast_hash_elasticity", "mcastHashElasticity", "num"],
  ["mcast_hash_max", "mcastHashMax", "num"],
  ["mcast_last_member_cnt", "mcastLastMemberCnt", "num"],
  ["mcast_startup_query_cnt", "mcastStartupQueryCnt", "num"],
  ["mcast_last_member_intvl", "mcastLastMemberIntvl", "num"],
  ["mcast_membership_intvl", "mcastMembershipIntvl", "num"],
  ["mcast_querier_intvl", "mcastQuerierIntvl", "num"],
  ["mcast_query_intvl", "mcastQueryIntvl", "num"],
  ["mcast_query_response_intvl", "mcastQueryResponseIntvl", "num"],
  ["mcast_startup_query_intvl", "mcastStartupQueryIntvl", "num"],
  ["mcast_stats_enabled", "mcastStatsEnabled", "num"],
  ["mcast_igmp_version", "mcastIgmpVersion", "num"],
  ["mcast_mld_version", "mcastMldVersion", "num"],
  ["nf_call_iptables", "nfCallIptables", "num"],
  ["nf_call_ip6tables", "nfCallIp6tables", "num"],
  ["nf_call_arptables", "nfCallArptables", "num"],
];

const BRPORT_JSON: FieldMap = [
  ["state", "state", "str"],
  ["priority", "priority", "num"],
  ["cost", "cost", "num"],
  ["hairpin", "mode", "bool"],
  ["guard", "guard", "bool"],
  ["root_block", "protect", "bool"],
  ["fastleave", "fastLeave", "bool"],
  ["learning", "learning", "bool"],
  ["flood", "unicastFlood", "bool"],
  ["id", "id", "hex"],
  ["no", "no", "hex"],
  ["designated_port", "designatedPort", "num"],
  ["designated_cost", "designatedCost", "num"],
  ["bridge_id", "bridgeId", "bridgeId"],
  ["root_id", "rootId", "bridgeId"],
  ["hold_timer", "holdTimer", "timer"],
  ["message_age_timer", "messageAgeTimer", "timer"],
  ["forward_delay_timer", "forwardDelayTimer", "timer"],
  ["topology_change_ack", "topologyChangeAck", "num"],
  ["config_pending", "configPending", "num"],
  ["proxy_arp", "proxyarp", "bool"],
  ["proxy_arp_wifi", "proxyarpWifi", "bool"],
  ["multicast_router", "multicastRouter", "num"],
  ["mcast_flood", "mcastFlood", "bool"],
  ["bcast_flood", "bcastFlood", "bool"],
  ["mcast_to_unicast", "mcastToUcast", "bool"],
  ["neigh_suppress", "neighSuppress", "bool"],
  ["group_fwd_mask", "groupFwdMask", "hex"],
  ["group_fwd_mask_str", "groupFwdMask", "0x"],
  ["vlan_tunnel", "vlanTunnel", "bool"],
  ["isolated", "isolated", "bool"],
  ["locked", "locked", "bool"],
  ["backup_port", "backupPort", "ifname"],
];

const VXLAN_JSON: FieldMap = [
  ["link", "link", "ifname"],
  ["port_range", "portRange", "num"],
  ["port", "port", "num"],
  ["learning", "learning", "bool"],
  ["proxy", "proxy", "true"],
  ["rsc", "rsc", "true"],
  ["l2miss", "l2miss", "true"],
  ["l3miss", "l3miss", "true"],
  ["ttl", "ttl", "num"],
  ["ageing", "ageing", "num"],
  ["udp_csum", "udpCsum", "bool"],
  ["udp_zero_csum6_tx", "udpZeroCsum6Tx", "bool"],
  ["udp_zero_csum6_rx", "udpZeroCsum6Rx", "bool"],
  ["remcsum_tx", "remcsumTx", "true"],
  ["remcsum_rx", "remcsumRx", "true"],
  ["gbp", "gbp", "true"],
  ["gpe", "gpe", "true"],
];

const MACVLAN_JSON: FieldMap = [["mode", "mode", "str"]];
const MACVLAN_TAIL_JSON: FieldMap = [["bcqueuelen", "bcQueueLen", "num"], ["usedbcqueuelen", "bcQueueLenUsed", "num"]];

const VLAN_JSON: FieldMap = [["protocol", "protocol", "str"], ["id", "id", "num"]];

const BOND_JSON: FieldMap = [
  ["mode", "mode", "str"],
  ["miimon", "miimon", "num"],
  ["updelay", "updelay", "num"],
  ["downdelay", "downdelay", "num"],
  ["use_carrier", "useCarrier", "num"],
  ["arp_interval", "arpInterval", "num"],
  ["xmit_hash_policy", "xmitHashPolicy", "str"],
  ["min_links", "minLinks", "num"],
];

const IPVLAN_JSON: FieldMap = [["mode", "mode", "str"]];

const INFO_DATA_JSON: { readonly [kind: string]: FieldMap } = {
  bridge: BRIDGE_JSON,
  vxlan: VXLAN_JSON,
  vlan: VLAN_JSON,
  bond: BOND_JSON,
  ipvlan: IPVLAN_JSON,
  ipvtap: IPVLAN_JSON,
};

const SLAVE_DATA_JSON: { readonly [kind: string]: FieldMap } = { bridge: BRPORT_JSON };

/** `br_dump_bridge_id`: priority as `%.2x%.2x`, then the MAC as `ether_ntoa` prints it (no zero padding). */
function bridgeId(b: Uint8Array): string {
  return `${formatHex(b, 0, 2).replace(":", "")}.${Array.from(b.subarray(2), (x) => x.toString(16)).join(":")}`;
}

function fmtValue(v: unknown, fmt: Fmt, byIndex: ReadonlyMap<number, Link> | undefined): unknown {
  switch (fmt) {
    case "bool":
      return v !== 0 && v !== false;
    case "true":
      return v ? true : undefined;
    case "hex":
      return v ? `0x${(v as number).toString(16)}` : "0";
    case "0x":
      return `0x${(v as number).toString(16)}`;
    case "timer":
      return Math.round(v as number) / 100;
    case "bridgeId":
      return v instanceof Uint8Array && v.length === 8 ? bridgeId(v) : undefined;
    case "ifname":
      return v ? nameOfIndex(v as number, byIndex) : undefined;
    default:
      return v;
  }
}

function mapFields(data: Record<string, unknown>, map: FieldMap, byIndex?: ReadonlyMap<number, Link>): IpLinkJson {
  const out: IpLinkJson = {};
  for (const [key, field, fmt] of map) {
    if (data[field] === undefined) continue;
    const v = fmtValue(data[field], fmt, byIndex);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function isMulticast(ip: string): boolean {
  return ip.includes(":")
    ? ip.toLowerCase().startsWith("ff")
    : Number(ip.split(".")[0]) >= 224 && Number(ip.split(".")[0]) < 240;
}

/** VXLAN endpoints: `group` when multicast, else `remote`, as iproute2 chooses. */
function vxlanJson(d: Record<string, unknown>, byIndex?: ReadonlyMap<number, Link>): IpLinkJson {
  if (d.collectMetadata) return { external: true };
  const out: IpLinkJson = { id: d.id };
  const g = d.group as string | undefined;
  const g6 = d.group6 as string | undefined;
  if (g && g !== "0.0.0.0") out[isMulticast(g) ? "group" : "remote"] = g;
  else if (!g && g6 && g6 !== "::") out[isMulticast(g6) ? "group6" : "remote6"] = g6;
  const l = d.local as string | undefined;
  const l6 = d.local6 as string | undefined;
  if (l && l !== "0.0.0.0") out.local = l;
  else if (!l && l6 && l6 !== "::") out.local6 = l6;
  Object.assign(out, mapFields(d, VXLAN_JSON, byIndex));
  // Printed only when non-zero, in iproute2's `%#x`.
  if (d.tos) out.tos = `0x${(d.tos as number).toString(16)}`;
  if (d.label) out.label = `0x${(d.label as number).toString(16)}`;
  if (d.limit) out.limit = d.limit;
  if (d.df !== undefined) out.df = ["unset", "set", "inherit"][d.df as number] ?? d.df;
  return out;
}

/** `MACVLAN_FLAG_*` and the source-mode address count, printed as iproute2 does. */
function macvlanJson(d: Record<string, unknown>): IpLinkJson {
  const out = mapFields(d, MACVLAN_JSON);
  const flags = (d.flags as number | undefined) ?? 0;
  if (flags & 1) out.nopromisc = true;
  if (flags & 2) out.nodst = true;
  if (d.mode === "source" && d.macaddrCount !== undefined) out.macaddr_count = d.macaddrCount;
  return Object.assign(out, mapFields(d, MACVLAN_TAIL_JSON));
}

/** `tun_print_opt`: flags as booleans, queue counts with multi_queue, owner and group by name when known. */
function tunJson(d: Record<string, unknown>, o: IpJsonOptions): IpLinkJson {
  const out: IpLinkJson = {};
  if (d.type !== undefined) out.type = d.type;
  if (d.pi !== undefined) out.pi = d.pi === 1;
  if (d.vnetHdr !== undefined) out.vnet_hdr = d.vnetHdr === 1;
  out.multi_queue = d.multiQueue === 1;
  if (d.multiQueue === 1) {
    if (d.numQueues !== undefined) out.numqueues = d.numQueues;
    if (d.numDisabledQueues !== undefined) out.numdisabled = d.numDisabledQueues;
  }
  if (d.persist !== undefined) out.persist = d.persist === 1;
  if (typeof d.owner === "number") out.user = o.userName?.(d.owner) ?? d.owner;
  if (typeof d.group === "number") out.group = o.groupName?.(d.group) ?? d.group;
  return out;
}

function bridgeJson(d: Record<string, unknown>): IpLinkJson {
  const out = mapFields(d, BRIDGE_JSON);
  const opt = d.multiBoolopt as { optval: number; optmask: number } | undefined;
  // BR_BOOLOPT_NO_LL_LEARN and BR_BOOLOPT_MCAST_VLAN_SNOOPING, printed when the kernel reports them.
  if (opt && opt.optmask & 1) out.no_linklocal_learn = opt.optval & 1;
  if (opt && opt.optmask & 2) out.mcast_vlan_snooping = (opt.optval >> 1) & 1;
  if (typeof out.vlan_protocol === "number") {
    out.vlan_protocol = VLAN_PROTOCOL[out.vlan_protocol as 0x8100] ?? out.vlan_protocol;
  }
  return out;
}

function infoJson(link: Link, o: IpJsonOptions): IpLinkJson | undefined {
  const byIndex = o.byIndex;
  const info = link.linkinfo;
  if (!info) return undefined;
  const out: IpLinkJson = {};
  if (info.kind !== undefined) out.info_kind = info.kind;
  if (info.kind && info.data && !(info.data instanceof Uint8Array)) {
    const d = info.data as Record<string, unknown>;
    if (info.kind === "vxlan") out.info_data = vxlanJson(d, byIndex);
    else if (info.kind === "bridge") out.info_data = bridgeJson(d);
    else if (info.kind === "tun") out.info_data = tunJson(d, o);
    else if (info.kind === "macvlan" || info.kind === "macvtap") out.info_data = macvlanJson(d);
    else if (INFO_DATA_JSON[info.kind]) out.info_data = mapFields(d, INFO_DATA_JSON[info.kind], byIndex);
  }
  if (info.slaveKind !== undefined) out.info_slave_kind = info.slaveKind;
  const map = info.slaveKind ? SLAVE_DATA_JSON[info.slaveKind] : undefined;
  if (map && info.slaveData && !(info.slaveData instanceof Uint8Array)) {
    out.info_slave_data = mapFields(info.slaveData as Record<string, unknown>, map, byIndex);
  }
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
    if (link.promiscuity !== undefined) out.promiscuity = link.promiscuity;
    if (link.allmulti !== undefined) out.allmulti = link.allmulti;
    if (link.minMtu !== undefined) out.min_mtu = link.minMtu;
    if (link.maxMtu !== undefined) out.max_mtu = link.maxMtu;
    const info = infoJson(link, options);
    if (info) out.linkinfo = info;
    const genMode = link.afSpec?.inet6?.addrGenMode;
    if (genMode !== undefined) out.inet6_addr_gen_mode = genMode;
    if (link.numTxQueues !== undefined) out.num_tx_queues = link.numTxQueues;
    if (link.numRxQueues !== undefined) out.num_rx_queues = link.numRxQueues;
    if (link.gsoMaxSize !== undefined) out.gso_max_size = link.gsoMaxSize;
    if (link.gsoMaxSegs !== undefined) out.gso_max_segs = link.gsoMaxSegs;
    if (link.tsoMaxSize !== undefined) out.tso_max_size = link.tsoMaxSize;
    if (link.tsoMaxSegs !== undefined) out.tso_max_segs = link.tsoMaxSegs;
    if (link.groMaxSize !== undefined) out.gro_max_size = link.groMaxSize;
    if (link.parentDevBusName !== undefined) out.parentbus = link.parentDevBusName;
    if (link.parentDevName !== undefined) out.parentdev = link.parentDevName;
  }
  if (link.alias !== undefined) out.ifalias = link.alias;
  if (link.altnames) out.altnames = link.altnames;
  return out;
}
