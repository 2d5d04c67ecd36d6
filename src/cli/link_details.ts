/**
 * The `-d` part of `ip link show`'s second line: counters, the kind and
 * slave-kind lines with their settings (bridge, bridge_slave, macvlan,
 * vxlan, tun; veth has none), and queue and offload sizes. Words, order and
 * spacing follow iproute2 6.1, including its trailing spaces.
 *
 * @module
 */

import type { Link } from "../route/link/api.ts";
import { groupName, userName } from "./ids.ts";
import { type LinkNames, nameOfIndex } from "./names.ts";

/** Kind settings as parsed by the table engine. */
type Data = Record<string, unknown>;

const hex2 = (b: number): string => b.toString(16).padStart(2, "0");

/** `struct ifla_bridge_id` as iproute2 prints it: `8000.aa:b:cc:d:ee:f` (ether_ntoa_r does not pad). */
function bridgeId(v: unknown): string | undefined {
  if (!(v instanceof Uint8Array) || v.length < 8) return undefined;
  return `${hex2(v[0])}${hex2(v[1])}.${Array.from(v.subarray(2, 8), (b) => b.toString(16)).join(":")}`;
}

/** A timer in 1/100 s, as `%7.2f`. */
const timer = (v: number): string => (v / 100).toFixed(2).padStart(7);
const onOff = (v: unknown): string => (v ? "on" : "off");

/** Appends `word value ` for each present key, in order. */
function fields(d: Data, spec: readonly (readonly [string, string, ((v: never) => string | undefined)?])[]): string {
  let s = "";
  for (const [word, key, fmt] of spec) {
    const v = d[key];
    if (v === undefined) continue;
    const text = fmt ? (fmt as (v: unknown) => string | undefined)(v) : String(v);
    if (text !== undefined) s += `${word} ${text} `;
  }
  return s;
}

function bridge(d: Data): string {
  let s = fields(d, [
    ["forward_delay", "forwardDelay"],
    ["hello_time", "helloTime"],
    ["max_age", "maxAge"],
    ["ageing_time", "ageingTime"],
    ["stp_state", "stpState"],
    ["priority", "priority"],
    ["vlan_filtering", "vlanFiltering"],
    [
      "vlan_protocol",
      "vlanProtocol",
      (v: number) => v === 0x88a8 ? "802.1ad" : v === 0x8100 ? "802.1Q" : `0x${v.toString(16)}`,
    ],
    ["bridge_id", "bridgeId", bridgeId],
    ["designated_root", "rootId", bridgeId],
    ["root_port", "rootPort"],
    ["root_path_cost", "rootPathCost"],
    ["topology_change", "topologyChange"],
    ["topology_change_detected", "topologyChangeDetected"],
    ["hello_timer", "helloTimer", timer],
    ["tcn_timer", "tcnTimer", timer],
    ["topology_change_timer", "topologyChangeTimer", timer],
    ["gc_timer", "gcTimer", timer],
    ["vlan_default_pvid", "vlanDefaultPvid"],
    ["vlan_stats_enabled", "vlanStatsEnabled"],
    ["vlan_stats_per_port", "vlanStatsPerPort"],
    ["group_fwd_mask", "groupFwdMask"],
    ["group_address", "groupAddr"],
    ["mcast_snooping", "mcastSnooping"],
  ]);
  const bool = d.multiBoolopt as { optval: number; optmask: number } | undefined;
  if (bool) {
    // BR_BOOLOPT_NO_LL_LEARN and BR_BOOLOPT_MCAST_VLAN_SNOOPING, the two iproute2 6.1 knows.
    if (bool.optmask & 1) s += `no_linklocal_learn ${bool.optval & 1} `;
    if (bool.optmask & 2) s += `mcast_vlan_snooping ${(bool.optval >> 1) & 1} `;
  }
  return s + fields(d, [
    ["mcast_router", "mcastRouter"],
    ["mcast_query_use_ifaddr", "mcastQueryUseIfaddr"],
    ["mcast_querier", "mcastQuerier"],
    ["mcast_hash_elasticity", "mcastHashElasticity"],
    ["mcast_hash_max", "mcastHashMax"],
    ["mcast_last_member_count", "mcastLastMemberCnt"],
    ["mcast_startup_query_count", "mcastStartupQueryCnt"],
    ["mcast_last_member_interval", "mcastLastMemberIntvl"],
    ["mcast_membership_interval", "mcastMembershipIntvl"],
    ["mcast_querier_interval", "mcastQuerierIntvl"],
    ["mcast_query_interval", "mcastQueryIntvl"],
    ["mcast_query_response_interval", "mcastQueryResponseIntvl"],
    ["mcast_startup_query_interval", "mcastStartupQueryIntvl"],
    ["mcast_stats_enabled", "mcastStatsEnabled"],
    ["mcast_igmp_version", "mcastIgmpVersion"],
    ["mcast_mld_version", "mcastMldVersion"],
    ["nf_call_iptables", "nfCallIptables"],
    ["nf_call_ip6tables", "nfCallIp6tables"],
    ["nf_call_arptables", "nfCallArptables"],
  ]);
}

function bridgePort(d: Data, names: LinkNames): string {
  const hex = (v: number): string => `0x${v.toString(16)}`;
  return fields(d, [
    ["state", "state"],
    ["priority", "priority"],
    ["cost", "cost"],
    ["hairpin", "mode", onOff],
    ["guard", "guard", onOff],
    ["root_block", "protect", onOff],
    ["fastleave", "fastLeave", onOff],
    ["learning", "learning", onOff],
    ["flood", "unicastFlood", onOff],
    ["port_id", "id", hex],
    ["port_no", "no", hex],
    ["designated_port", "designatedPort"],
    ["designated_cost", "designatedCost"],
    ["designated_bridge", "bridgeId", bridgeId],
    ["designated_root", "rootId", bridgeId],
    ["hold_timer", "holdTimer", timer],
    ["message_age_timer", "messageAgeTimer", timer],
    ["forward_delay_timer", "forwardDelayTimer", timer],
    ["topology_change_ack", "topologyChangeAck"],
    ["config_pending", "configPending"],
    ["proxy_arp", "proxyarp", onOff],
    ["proxy_arp_wifi", "proxyarpWifi", onOff],
    ["mcast_router", "multicastRouter"],
    ["mcast_fast_leave", "fastLeave", onOff],
    ["mcast_flood", "mcastFlood", onOff],
    ["bcast_flood", "bcastFlood", onOff],
    ["mcast_to_unicast", "mcastToUcast", onOff],
    ["neigh_suppress", "neighSuppress", onOff],
    ["group_fwd_mask", "groupFwdMask"],
    ["group_fwd_mask_str", "groupFwdMask", hex],
    ["vlan_tunnel", "vlanTunnel", onOff],
    ["isolated", "isolated", onOff],
    ["backup_port", "backupPort", (v: number) => nameOfIndex(names, v)],
    ["locked", "locked", onOff],
  ]);
}

function macvlan(d: Data): string {
  let s = fields(d, [["mode", "mode"]]);
  if (typeof d.flags === "number" && d.flags & 1) s += "nopromisc ";
  return s + fields(d, [["bcqueuelen", "bcQueueLen"], ["usedbcqueuelen", "bcQueueLenUsed"]]);
}

const isMulticast = (ip: string): boolean => /^(22[4-9]|23\d)\./.test(ip) || /^ff/i.test(ip);

function vxlan(d: Data, names: LinkNames): string {
  let s = d.collectMetadata ? "external " : "";
  if (d.id !== undefined) s += `id ${d.id} `;
  const group = (d.group ?? d.group6) as string | undefined;
  if (group !== undefined) s += `${isMulticast(group) ? "group" : "remote"} ${group} `;
  const local = d.local ?? d.local6;
  if (local !== undefined) s += `local ${local} `;
  if (typeof d.link === "number" && d.link) s += `dev ${nameOfIndex(names, d.link)} `;
  const range = d.portRange as { low: number; high: number } | undefined;
  if (range) s += `srcport ${range.low} ${range.high} `;
  if (d.port !== undefined) s += `dstport ${d.port} `;
  if (d.learning === 0) s += "nolearning ";
  for (const k of ["proxy", "rsc", "l2miss", "l3miss"]) if (d[k]) s += `${k} `;
  if (typeof d.tos === "number" && d.tos) s += d.tos === 1 ? "tos inherit " : `tos 0x${d.tos.toString(16)} `;
  if (d.ttlInherit) s += "ttl inherit ";
  else if (typeof d.ttl === "number") s += d.ttl ? `ttl ${d.ttl} ` : "ttl auto ";
  if (d.df === 1) s += "df set ";
  else if (d.df === 2) s += "df inherit ";
  if (typeof d.label === "number" && d.label) s += `flowlabel 0x${d.label.toString(16)} `;
  if (typeof d.ageing === "number") s += d.ageing ? `ageing ${d.ageing} ` : "ageing none ";
  if (typeof d.limit === "number" && d.limit) s += `maxaddr ${d.limit} `;
  if (d.udpCsum !== undefined) s += `${d.udpCsum ? "" : "no"}udpcsum `;
  if (d.udpZeroCsum6Tx !== undefined) s += `${d.udpZeroCsum6Tx ? "" : "no"}udp6zerocsumtx `;
  if (d.udpZeroCsum6Rx !== undefined) s += `${d.udpZeroCsum6Rx ? "" : "no"}udp6zerocsumrx `;
  if (d.remcsumTx) s += "remcsumtx ";
  if (d.remcsumRx) s += "remcsumrx ";
  if (d.gbp) s += "gbp ";
  if (d.gpe) s += "gpe ";
  if (d.vnifilter) s += "vnifilter ";
  return s;
}

/** `tun_print_opt`: type, pi, vnet_hdr, queues, persist, owner and group (by name when known). */
function tun(d: Data): string {
  let s = d.type !== undefined ? `type ${d.type} ` : "";
  s += fields(d, [["pi", "pi", onOff], ["vnet_hdr", "vnetHdr", onOff]]);
  if (d.multiQueue) s += "multi_queue " + fields(d, [["numqueues", "numQueues"], ["numdisabled", "numDisabledQueues"]]);
  s += fields(d, [["persist", "persist", onOff]]);
  if (typeof d.owner === "number") s += `user ${userName(d.owner) ?? d.owner} `;
  if (typeof d.group === "number") s += `group ${groupName(d.group) ?? d.group} `;
  return s;
}

/** The settings of a kind iproute2 prints details for (others print only the kind). */
function kindText(kind: string, d: Data, names: LinkNames): string {
  if (kind === "bridge") return bridge(d);
  if (kind === "tun") return tun(d);
  if (kind === "macvlan" || kind === "macvtap") return macvlan(d);
  if (kind === "vxlan") return vxlan(d, names);
  return "";
}

function dataOf(v: unknown): Data {
  return v && typeof v === "object" && !(v instanceof Uint8Array) ? v as Data : {};
}

/**
 * Everything `-d` adds after the `link/...` address words, starting with
 * " promiscuity"; may contain newlines (the kind lines). `linkListing`: ip
 * prints `addrgenmode` in `ip link` listings, not in `ip addr` ones.
 */
export function linkDetails(l: Link, names: LinkNames, linkListing: boolean): string {
  let s = ` promiscuity ${l.promiscuity ?? 0} `;
  if (l.allmulti !== undefined) s += ` allmulti ${l.allmulti} `;
  if (l.minMtu !== undefined) s += `minmtu ${l.minMtu} `;
  if (l.maxMtu !== undefined) s += `maxmtu ${l.maxMtu} `;
  const info = l.linkinfo;
  if (info?.kind) s += `\n    ${info.kind} ${kindText(info.kind, dataOf(info.data), names)}`;
  if (info?.slaveKind) {
    s += `\n    ${info.slaveKind}_slave `;
    if (info.slaveKind === "bridge") s += bridgePort(dataOf(info.slaveData), names);
  }
  const gen = (l.afSpec as { inet6?: { addrGenMode?: string | number } } | undefined)?.inet6?.addrGenMode;
  if (gen !== undefined && linkListing) s += `addrgenmode ${gen} `;
  return s + fields(l as unknown as Data, [
    ["numtxqueues", "numTxQueues"],
    ["numrxqueues", "numRxQueues"],
    ["gso_max_size", "gsoMaxSize"],
    ["gso_max_segs", "gsoMaxSegs"],
    ["tso_max_size", "tsoMaxSize"],
    ["tso_max_segs", "tsoMaxSegs"],
    ["gro_max_size", "groMaxSize"],
  ]);
}
