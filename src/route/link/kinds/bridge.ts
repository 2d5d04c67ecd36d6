/**
 * `bridge`: an Ethernet bridge (`IFLA_BR_*`) and its ports (`IFLA_BRPORT_*`,
 * slave data of kind `bridge`). Times are in the kernel's clock ticks
 * (centiseconds), as iproute2 prints them in JSON.
 *
 * @module
 */

import type { KindData, KindJson, KindPrintContext, KindWordReader, LinkKind } from "./kind.ts";
import type { BridgeData } from "./_generated/types.ts";
import type { Attrs } from "../../../wire/table.ts";
import { bridgeId, type JsonFieldMap, jsonFields, onOffText, textFields, timerText } from "./format.ts";
import { VLAN_PROTOCOL } from "./vlan.ts";

/** Bridge port STP states (`BR_STATE_*`), named as iproute2 prints them. */
export const BR_STATE = {
  0: "disabled",
  1: "listening",
  2: "learning",
  3: "forwarding",
  4: "blocking",
} as const;

/** `IFLA_BR_*`: bridge settings. */
export const IFLA_BR_ATTRS = {
  forwardDelay: { type: 1, kind: "u32" },
  helloTime: { type: 2, kind: "u32" },
  maxAge: { type: 3, kind: "u32" },
  ageingTime: { type: 4, kind: "u32" },
  stpState: { type: 5, kind: "u32" },
  priority: { type: 6, kind: "u16" },
  vlanFiltering: { type: 7, kind: "u8" },
  vlanProtocol: { type: 8, kind: "u16be" },
  groupFwdMask: { type: 9, kind: "u16" },
  rootId: { type: 10, kind: "bytes" },
  bridgeId: { type: 11, kind: "bytes" },
  rootPort: { type: 12, kind: "u16" },
  rootPathCost: { type: 13, kind: "u32" },
  topologyChange: { type: 14, kind: "u8" },
  topologyChangeDetected: { type: 15, kind: "u8" },
  helloTimer: { type: 16, kind: "u64" },
  tcnTimer: { type: 17, kind: "u64" },
  topologyChangeTimer: { type: 18, kind: "u64" },
  gcTimer: { type: 19, kind: "u64" },
  groupAddr: { type: 20, kind: "mac" },
  fdbFlush: { type: 21, kind: "flag" },
  mcastRouter: { type: 22, kind: "u8" },
  mcastSnooping: { type: 23, kind: "u8" },
  mcastQueryUseIfaddr: { type: 24, kind: "u8" },
  mcastQuerier: { type: 25, kind: "u8" },
  mcastHashElasticity: { type: 26, kind: "u32" },
  mcastHashMax: { type: 27, kind: "u32" },
  mcastLastMemberCnt: { type: 28, kind: "u32" },
  mcastStartupQueryCnt: { type: 29, kind: "u32" },
  mcastLastMemberIntvl: { type: 30, kind: "u64" },
  mcastMembershipIntvl: { type: 31, kind: "u64" },
  mcastQuerierIntvl: { type: 32, kind: "u64" },
  mcastQueryIntvl: { type: 33, kind: "u64" },
  mcastQueryResponseIntvl: { type: 34, kind: "u64" },
  mcastStartupQueryIntvl: { type: 35, kind: "u64" },
  nfCallIptables: { type: 36, kind: "u8" },
  nfCallIp6tables: { type: 37, kind: "u8" },
  nfCallArptables: { type: 38, kind: "u8" },
  vlanDefaultPvid: { type: 39, kind: "u16" },
  vlanStatsEnabled: { type: 41, kind: "u8" },
  mcastStatsEnabled: { type: 42, kind: "u8" },
  mcastIgmpVersion: { type: 43, kind: "u8" },
  mcastMldVersion: { type: 44, kind: "u8" },
  vlanStatsPerPort: { type: 45, kind: "u8" },
  multiBoolopt: { type: 46, kind: "struct", struct: { optval: "u32", optmask: "u32" } },
} as const;

/** `IFLA_BRPORT_*`: a bridge port's settings (slave data of kind `bridge`, or `IFLA_PROTINFO` of `AF_BRIDGE`). */
export const IFLA_BRPORT_ATTRS = {
  state: { type: 1, kind: "u8", names: BR_STATE },
  priority: { type: 2, kind: "u16" },
  cost: { type: 3, kind: "u32" },
  mode: { type: 4, kind: "u8" },
  guard: { type: 5, kind: "u8" },
  protect: { type: 6, kind: "u8" },
  fastLeave: { type: 7, kind: "u8" },
  learning: { type: 8, kind: "u8" },
  unicastFlood: { type: 9, kind: "u8" },
  proxyarp: { type: 10, kind: "u8" },
  learningSync: { type: 11, kind: "u8" },
  proxyarpWifi: { type: 12, kind: "u8" },
  rootId: { type: 13, kind: "bytes" },
  bridgeId: { type: 14, kind: "bytes" },
  designatedPort: { type: 15, kind: "u16" },
  designatedCost: { type: 16, kind: "u16" },
  id: { type: 17, kind: "u16" },
  no: { type: 18, kind: "u16" },
  topologyChangeAck: { type: 19, kind: "u8" },
  configPending: { type: 20, kind: "u8" },
  messageAgeTimer: { type: 21, kind: "u64" },
  forwardDelayTimer: { type: 22, kind: "u64" },
  holdTimer: { type: 23, kind: "u64" },
  multicastRouter: { type: 25, kind: "u8" },
  mcastFlood: { type: 27, kind: "u8" },
  mcastToUcast: { type: 28, kind: "u8" },
  vlanTunnel: { type: 29, kind: "u8" },
  bcastFlood: { type: 30, kind: "u8" },
  groupFwdMask: { type: 31, kind: "u16" },
  neighSuppress: { type: 32, kind: "u8" },
  isolated: { type: 33, kind: "u8" },
  backupPort: { type: 34, kind: "u32" },
  mrpRingOpen: { type: 35, kind: "u8" },
  mrpInOpen: { type: 36, kind: "u8" },
  mcastEhtHostsLimit: { type: 37, kind: "u32" },
  mcastEhtHostsCnt: { type: 38, kind: "u32" },
  locked: { type: 39, kind: "u8" },
  mab: { type: 40, kind: "u8" },
  mcastNGroups: { type: 41, kind: "u32" },
  mcastMaxGroups: { type: 42, kind: "u32" },
  neighVlanSuppress: { type: 43, kind: "u8" },
  backupNhid: { type: 44, kind: "u32" },
} as const;

const BRIDGE_JSON: JsonFieldMap = [
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

const BRPORT_JSON: JsonFieldMap = [
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

/** `IFLA_BR_MULTI_BOOLOPT`: BR_BOOLOPT_NO_LL_LEARN and BR_BOOLOPT_MCAST_VLAN_SNOOPING, the two iproute2 6.1 knows. */
function boolopts(d: KindData): [string, number][] {
  const opt = d.multiBoolopt as { optval: number; optmask: number } | undefined;
  const out: [string, number][] = [];
  if (opt && opt.optmask & 1) out.push(["no_linklocal_learn", opt.optval & 1]);
  if (opt && opt.optmask & 2) out.push(["mcast_vlan_snooping", (opt.optval >> 1) & 1]);
  return out;
}

/** Where ip prints the boolopts: right after `mcast_snooping`. */
const BOOLOPTS_AT = BRIDGE_JSON.findIndex(([k]) => k === "mcast_snooping") + 1;

function json(d: KindData, ctx: KindPrintContext): KindJson {
  const out = jsonFields(d, BRIDGE_JSON.slice(0, BOOLOPTS_AT), ctx);
  for (const [k, v] of boolopts(d)) out[k] = v;
  Object.assign(out, jsonFields(d, BRIDGE_JSON.slice(BOOLOPTS_AT), ctx));
  if (typeof out.vlan_protocol === "number") {
    out.vlan_protocol = VLAN_PROTOCOL[out.vlan_protocol as 0x8100] ?? out.vlan_protocol;
  }
  return out;
}

function details(d: KindData): string {
  let s = textFields(d, [
    ["forward_delay", "forwardDelay"],
    ["hello_time", "helloTime"],
    ["max_age", "maxAge"],
    ["ageing_time", "ageingTime"],
    ["stp_state", "stpState"],
    ["priority", "priority"],
    ["vlan_filtering", "vlanFiltering"],
    ["vlan_protocol", "vlanProtocol", (v: number) => VLAN_PROTOCOL[v as 0x8100] ?? `0x${v.toString(16)}`],
    ["bridge_id", "bridgeId", bridgeId],
    ["designated_root", "rootId", bridgeId],
    ["root_port", "rootPort"],
    ["root_path_cost", "rootPathCost"],
    ["topology_change", "topologyChange"],
    ["topology_change_detected", "topologyChangeDetected"],
    ["hello_timer", "helloTimer", timerText],
    ["tcn_timer", "tcnTimer", timerText],
    ["topology_change_timer", "topologyChangeTimer", timerText],
    ["gc_timer", "gcTimer", timerText],
    ["vlan_default_pvid", "vlanDefaultPvid"],
    ["vlan_stats_enabled", "vlanStatsEnabled"],
    ["vlan_stats_per_port", "vlanStatsPerPort"],
    ["group_fwd_mask", "groupFwdMask"],
    ["group_address", "groupAddr"],
    ["mcast_snooping", "mcastSnooping"],
  ]);
  for (const [k, v] of boolopts(d)) s += `${k} ${v} `;
  return s + textFields(d, [
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

function slaveDetails(d: KindData, ctx: KindPrintContext): string {
  const hex = (v: number): string => `0x${v.toString(16)}`;
  return textFields(d, [
    ["state", "state"],
    ["priority", "priority"],
    ["cost", "cost"],
    ["hairpin", "mode", onOffText],
    ["guard", "guard", onOffText],
    ["root_block", "protect", onOffText],
    ["fastleave", "fastLeave", onOffText],
    ["learning", "learning", onOffText],
    ["flood", "unicastFlood", onOffText],
    ["port_id", "id", hex],
    ["port_no", "no", hex],
    ["designated_port", "designatedPort"],
    ["designated_cost", "designatedCost"],
    ["designated_bridge", "bridgeId", bridgeId],
    ["designated_root", "rootId", bridgeId],
    ["hold_timer", "holdTimer", timerText],
    ["message_age_timer", "messageAgeTimer", timerText],
    ["forward_delay_timer", "forwardDelayTimer", timerText],
    ["topology_change_ack", "topologyChangeAck"],
    ["config_pending", "configPending"],
    ["proxy_arp", "proxyarp", onOffText],
    ["proxy_arp_wifi", "proxyarpWifi", onOffText],
    ["mcast_router", "multicastRouter"],
    ["mcast_fast_leave", "fastLeave", onOffText],
    ["mcast_flood", "mcastFlood", onOffText],
    ["bcast_flood", "bcastFlood", onOffText],
    ["mcast_to_unicast", "mcastToUcast", onOffText],
    ["neigh_suppress", "neighSuppress", onOffText],
    ["group_fwd_mask", "groupFwdMask"],
    ["group_fwd_mask_str", "groupFwdMask", hex],
    ["vlan_tunnel", "vlanTunnel", onOffText],
    ["isolated", "isolated", onOffText],
    ["backup_port", "backupPort", (v: number) => ctx.linkName(v)],
    ["locked", "locked", onOffText],
  ]);
}

/** `type bridge_slave` on/off words (iproute2's `iplink_bridge_slave.c`) and the `IFLA_BRPORT_*` each drives. */
const PORT_SWITCHES = {
  hairpin: "mode",
  guard: "guard",
  root_block: "protect",
  fastleave: "fastLeave",
  mcast_fast_leave: "fastLeave",
  learning: "learning",
  flood: "unicastFlood",
  mcast_flood: "mcastFlood",
  bcast_flood: "bcastFlood",
  mcast_to_unicast: "mcastToUcast",
  neigh_suppress: "neighSuppress",
  isolated: "isolated",
  proxy_arp: "proxyarp",
  proxy_arp_wifi: "proxyarpWifi",
  vlan_tunnel: "vlanTunnel",
  locked: "locked",
} as const;

/** The port settings `type bridge_slave` words ask for; `state` by name or number, as ip takes it. */
function readPort(r: KindWordReader): KindData {
  const w = r.words;
  const d: Attrs<typeof IFLA_BRPORT_ATTRS> = {};
  for (const [word, key] of Object.entries(PORT_SWITCHES)) {
    if (w[word] !== undefined) d[key] = r.onOff(word, w[word]!) ? 1 : 0;
  }
  if (w.state !== undefined) {
    const names = Object.values(BR_STATE);
    const n = /^\d+$/.test(w.state) ? BR_STATE[Number(w.state) as keyof typeof BR_STATE] : undefined;
    const state = n ?? names.find((x) => x === w.state);
    if (!state) throw r.unknown("port state", w.state, names);
    d.state = state;
  }
  if (w.priority !== undefined) d.priority = r.int(w.priority, "priority", 0, 63);
  if (w.cost !== undefined) d.cost = r.int(w.cost, "cost");
  return d;
}

/** A new bridge: what `createLink` takes for kind `bridge`. */
export interface BridgeLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "bridge";
  /** Bridge settings. */
  data?: BridgeData;
}

/** The `bridge` kind. */
export const BRIDGE_KIND: LinkKind<
  "bridge",
  typeof IFLA_BR_ATTRS,
  typeof IFLA_BRPORT_ATTRS,
  Omit<BridgeLinkSpec, "kind">
> = {
  kind: "bridge",
  data: IFLA_BR_ATTRS,
  types: {
    data: { name: "BridgeData", prefix: "IFLA_BR_", doc: "Bridge settings" },
    slaveData: { name: "BridgePortData", prefix: "IFLA_BRPORT_", doc: "A bridge port's settings and state" },
  },
  slaveData: IFLA_BRPORT_ATTRS,
  json,
  slaveJson: (d, ctx) => jsonFields(d, BRPORT_JSON, ctx),
  details,
  slaveDetails,
  words: {},
  read: () => ({}),
  help: "bridge",
  slaveWords: {
    words: {
      state: { arg: "port state" },
      priority: { arg: "priority" },
      cost: { arg: "cost" },
      ...Object.fromEntries(Object.keys(PORT_SWITCHES).map((w) => [w, { arg: "on or off" }])),
    },
    read: readPort,
    help: `bridge_slave { state STATE | priority N | cost N | { hairpin | guard | root_block | fastleave |
                learning | flood | mcast_flood | bcast_flood | mcast_to_unicast | neigh_suppress | isolated |
                proxy_arp | proxy_arp_wifi | vlan_tunnel | locked } on|off } ...`,
  },
};
