/**
 * Kind-specific link data (`IFLA_INFO_DATA` and `IFLA_INFO_SLAVE_DATA`):
 * one attribute table per kind, declared once and used both to parse dumps
 * and to build create/change requests.
 *
 * Bridge times are in the kernel's clock ticks (centiseconds), as iproute2
 * prints them in JSON. VXLAN ports are big-endian on the wire; the tables
 * say so and values are plain numbers here.
 *
 * @module
 */

import type { MessageBuilder } from "../../wire/builder.ts";
import { TruncatedError } from "../../wire/errors.ts";
import { type Attrs, type AttrTable, type Codec, parseAttrs, parseStruct, type StructValue } from "../../wire/table.ts";
import { IFINFOMSG, IFINFOMSG_LEN, IFLA_ATTRS } from "./table.ts";

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

/** `MACVLAN_MODE_*`, named as iproute2 spells them. */
export const MACVLAN_MODE = {
  1: "private",
  2: "vepa",
  4: "bridge",
  8: "passthru",
  16: "source",
} as const;

/** `IFLA_MACVLAN_*`: macvlan and macvtap settings. */
export const IFLA_MACVLAN_ATTRS = {
  mode: { type: 1, kind: "u32", names: MACVLAN_MODE },
  flags: { type: 2, kind: "u16" },
  macaddrMode: { type: 3, kind: "u32" },
  macaddr: { type: 4, kind: "mac" },
  macaddrCount: { type: 6, kind: "u32" },
  bcQueueLen: { type: 7, kind: "u32" },
  bcQueueLenUsed: { type: 8, kind: "u32" },
} as const;

/**
 * A flag the kernel accepts only empty but reports as a u8 (0 or 1), like
 * `IFLA_VXLAN_TTL_INHERIT`. Builds as an empty flag: leave it out for false.
 */
export const FLAG_OR_U8: Codec<boolean> = {
  parse(buf: Uint8Array, _view: DataView, start: number, end: number): boolean {
    return end === start || buf[start] !== 0;
  },
  build(_b: MessageBuilder, _value: boolean): void {},
};

/** `IFLA_VXLAN_*`: VXLAN settings. `port` and `label` are big-endian on the wire. */
export const IFLA_VXLAN_ATTRS = {
  id: { type: 1, kind: "u32" },
  group: { type: 2, kind: "ip" },
  link: { type: 3, kind: "u32" },
  local: { type: 4, kind: "ip" },
  ttl: { type: 5, kind: "u8" },
  tos: { type: 6, kind: "u8" },
  learning: { type: 7, kind: "u8" },
  ageing: { type: 8, kind: "u32" },
  limit: { type: 9, kind: "u32" },
  portRange: { type: 10, kind: "struct", struct: { low: "u16be", high: "u16be" } },
  proxy: { type: 11, kind: "u8" },
  rsc: { type: 12, kind: "u8" },
  l2miss: { type: 13, kind: "u8" },
  l3miss: { type: 14, kind: "u8" },
  port: { type: 15, kind: "u16be" },
  group6: { type: 16, kind: "ip" },
  local6: { type: 17, kind: "ip" },
  udpCsum: { type: 18, kind: "u8" },
  udpZeroCsum6Tx: { type: 19, kind: "u8" },
  udpZeroCsum6Rx: { type: 20, kind: "u8" },
  remcsumTx: { type: 21, kind: "u8" },
  remcsumRx: { type: 22, kind: "u8" },
  gbp: { type: 23, kind: "flag" },
  remcsumNopartial: { type: 24, kind: "flag" },
  collectMetadata: { type: 25, kind: "u8" },
  label: { type: 26, kind: "u32be" },
  gpe: { type: 27, kind: "flag" },
  ttlInherit: { type: 28, kind: "codec", codec: FLAG_OR_U8 },
  df: { type: 29, kind: "u8" },
  vnifilter: { type: 30, kind: "u8" },
  localbypass: { type: 31, kind: "u8" },
  labelPolicy: { type: 32, kind: "u32" },
} as const;

/** VLAN tag protocols (`ETH_P_8021Q`, `ETH_P_8021AD`). */
export const VLAN_PROTOCOL = {
  0x8100: "802.1Q",
  0x88a8: "802.1ad",
} as const;

/** `IFLA_VLAN_QOS_*`: one priority mapping per attribute. */
export const IFLA_VLAN_QOS_ATTRS = {
  mappings: { type: 1, kind: "struct", struct: { from: "u32", to: "u32" }, repeat: true },
} as const;

/** `IFLA_VLAN_*`: 802.1Q/802.1ad VLAN settings. */
export const IFLA_VLAN_ATTRS = {
  id: { type: 1, kind: "u16" },
  flags: { type: 2, kind: "struct", struct: { flags: "u32", mask: "u32" } },
  egressQos: { type: 3, kind: "nested", table: IFLA_VLAN_QOS_ATTRS },
  ingressQos: { type: 4, kind: "nested", table: IFLA_VLAN_QOS_ATTRS },
  protocol: { type: 5, kind: "u16be", names: VLAN_PROTOCOL },
} as const;

/** `BOND_MODE_*`, named as iproute2 spells them. */
export const BOND_MODE = {
  0: "balance-rr",
  1: "active-backup",
  2: "balance-xor",
  3: "broadcast",
  4: "802.3ad",
  5: "balance-tlb",
  6: "balance-alb",
} as const;

/** `BOND_XMIT_POLICY_*`, named as iproute2 spells them. */
export const BOND_XMIT_POLICY = {
  0: "layer2",
  1: "layer3+4",
  2: "layer2+3",
  3: "encap2+3",
  4: "encap3+4",
  5: "vlan+srcmac",
} as const;

/** `BOND_ARP_VALIDATE_*`, named as iproute2 spells them. */
export const BOND_ARP_VALIDATE = {
  0: "none",
  1: "active",
  2: "backup",
  3: "all",
  4: "filter",
  5: "filter_active",
  6: "filter_backup",
} as const;

/** `BOND_PRI_RESELECT_*`. */
export const BOND_PRIMARY_RESELECT = { 0: "always", 1: "better", 2: "failure" } as const;

/** `BOND_FOM_*` (fail_over_mac). */
export const BOND_FAIL_OVER_MAC = { 0: "none", 1: "active", 2: "follow" } as const;

/** 802.3ad LACPDU rates. */
export const BOND_LACP_RATE = { 0: "slow", 1: "fast" } as const;

/** 802.3ad aggregator selection (`BOND_AD_*`). */
export const BOND_AD_SELECT = { 0: "stable", 1: "bandwidth", 2: "count" } as const;

/** `IFLA_BOND_*`: bonding settings (`IFLA_BOND_ARP_IP_TARGET` and `IFLA_BOND_AD_INFO` stay raw in `unknown`). */
export const IFLA_BOND_ATTRS = {
  mode: { type: 1, kind: "u8", names: BOND_MODE },
  activeSlave: { type: 2, kind: "u32" },
  miimon: { type: 3, kind: "u32" },
  updelay: { type: 4, kind: "u32" },
  downdelay: { type: 5, kind: "u32" },
  useCarrier: { type: 6, kind: "u8" },
  arpInterval: { type: 7, kind: "u32" },
  arpValidate: { type: 9, kind: "u32", names: BOND_ARP_VALIDATE },
  arpAllTargets: { type: 10, kind: "u32", names: { 0: "any", 1: "all" } },
  primary: { type: 11, kind: "u32" },
  primaryReselect: { type: 12, kind: "u8", names: BOND_PRIMARY_RESELECT },
  failOverMac: { type: 13, kind: "u8", names: BOND_FAIL_OVER_MAC },
  xmitHashPolicy: { type: 14, kind: "u8", names: BOND_XMIT_POLICY },
  resendIgmp: { type: 15, kind: "u32" },
  numPeerNotif: { type: 16, kind: "u8" },
  allSlavesActive: { type: 17, kind: "u8" },
  minLinks: { type: 18, kind: "u32" },
  lpInterval: { type: 19, kind: "u32" },
  packetsPerSlave: { type: 20, kind: "u32" },
  adLacpRate: { type: 21, kind: "u8", names: BOND_LACP_RATE },
  adSelect: { type: 22, kind: "u8", names: BOND_AD_SELECT },
  adActorSysPrio: { type: 24, kind: "u16" },
  adUserPortKey: { type: 25, kind: "u16" },
  adActorSystem: { type: 26, kind: "mac" },
  tlbDynamicLb: { type: 27, kind: "u8" },
  peerNotifDelay: { type: 28, kind: "u32" },
  adLacpActive: { type: 29, kind: "u8", names: { 0: "off", 1: "on" } },
  missedMax: { type: 30, kind: "u8" },
} as const;

/** `IFLA_BOND_SLAVE_*`: a bond member's state. */
export const IFLA_BOND_SLAVE_ATTRS = {
  state: { type: 1, kind: "u8", names: { 0: "ACTIVE", 1: "BACKUP" } },
  miiStatus: { type: 2, kind: "u8", names: { 0: "UP", 1: "GOING_DOWN", 2: "DOWN", 3: "GOING_BACK" } },
  linkFailureCount: { type: 3, kind: "u32" },
  permHwaddr: { type: 4, kind: "mac" },
  queueId: { type: 5, kind: "u16" },
  adAggregatorId: { type: 6, kind: "u16" },
  adActorOperPortState: { type: 7, kind: "u8" },
  adPartnerOperPortState: { type: 8, kind: "u16" },
  prio: { type: 9, kind: "s32" },
} as const;

/** `IPVLAN_MODE_*`. */
export const IPVLAN_MODE = {
  0: "l2",
  1: "l3",
  2: "l3s",
} as const;

/** `IPVLAN_F_*` flag bits. */
export const IPVLAN_F = {
  1: "private",
  2: "vepa",
} as const;

/** `IFLA_IPVLAN_*`: ipvlan and ipvtap settings. */
export const IFLA_IPVLAN_ATTRS = {
  mode: { type: 1, kind: "u16", names: IPVLAN_MODE },
  flags: { type: 2, kind: "u16", bits: IPVLAN_F },
} as const;

/** `IFF_TUN`/`IFF_TAP`: the device type of a tun/tap link. */
export const TUN_TYPE = { 1: "tun", 2: "tap" } as const;

/** `IFLA_TUN_*`: what the kernel reports of a tun/tap device (created with ioctls, see `link_tuntap.ts`). */
export const IFLA_TUN_ATTRS = {
  owner: { type: 1, kind: "u32" },
  group: { type: 2, kind: "u32" },
  type: { type: 3, kind: "u8", names: TUN_TYPE },
  pi: { type: 4, kind: "u8" },
  vnetHdr: { type: 5, kind: "u8" },
  persist: { type: 6, kind: "u8" },
  multiQueue: { type: 7, kind: "u8" },
  numQueues: { type: 8, kind: "u32" },
  numDisabledQueues: { type: 9, kind: "u32" },
} as const;

/** `GRE_*` header flag bits of `IFLA_GRE_IFLAGS`/`IFLA_GRE_OFLAGS` (big-endian on the wire). */
export const GRE_FLAGS = { 0x8000: "csum", 0x4000: "routing", 0x2000: "key", 0x1000: "seq" } as const;

/** `IFLA_GRE_*`: GRE and GRE-tap tunnel settings; keys, ports and flow info are big-endian. */
export const IFLA_GRE_ATTRS = {
  link: { type: 1, kind: "u32" },
  iflags: { type: 2, kind: "u16be", bits: GRE_FLAGS },
  oflags: { type: 3, kind: "u16be", bits: GRE_FLAGS },
  ikey: { type: 4, kind: "u32be" },
  okey: { type: 5, kind: "u32be" },
  local: { type: 6, kind: "ip" },
  remote: { type: 7, kind: "ip" },
  ttl: { type: 8, kind: "u8" },
  tos: { type: 9, kind: "u8" },
  pmtudisc: { type: 10, kind: "u8" },
  encapLimit: { type: 11, kind: "u8" },
  flowinfo: { type: 12, kind: "u32be" },
  flags: { type: 13, kind: "u32" },
  encapType: { type: 14, kind: "u16" },
  encapFlags: { type: 15, kind: "u16" },
  encapSport: { type: 16, kind: "u16be" },
  encapDport: { type: 17, kind: "u16be" },
  collectMetadata: { type: 18, kind: "flag" },
  ignoreDf: { type: 19, kind: "u8" },
  fwmark: { type: 20, kind: "u32" },
} as const;

/** The peer of a new veth pair: an `ifinfomsg` header plus link attributes. */
export interface VethPeer {
  /** Interface index to request for the peer (0 = any). */
  index?: number;
  /** Link attributes of the peer (name, address, mtu, target namespace...). */
  attrs: Attrs<typeof IFLA_ATTRS>;
}

/** `VETH_INFO_PEER` payload: a whole `ifinfomsg` with attributes. */
export const VETH_PEER_CODEC: Codec<VethPeer> = {
  parse(buf: Uint8Array, view: DataView, start: number, end: number): VethPeer {
    if (end - start < IFINFOMSG_LEN) throw new TruncatedError("veth peer ifinfomsg", start, IFINFOMSG_LEN, end - start);
    const h: StructValue<typeof IFINFOMSG> = parseStruct(IFINFOMSG, view, start, end);
    return { index: h.index, attrs: parseAttrs(IFLA_ATTRS, buf, view, start + IFINFOMSG_LEN, end) };
  },
  build(b: MessageBuilder, value: VethPeer): void {
    b.struct(IFINFOMSG, { index: value.index ?? 0 }).attrs(IFLA_ATTRS, value.attrs);
  },
};

/** `VETH_INFO_*`: only sent when creating a pair. */
export const VETH_INFO_ATTRS = {
  peer: { type: 1, kind: "codec", codec: VETH_PEER_CODEC },
} as const;

/** The data table of each kind that has one, declared once. Kinds without data (dummy, ifb, wireguard) are absent. */
export const KIND_TABLES = {
  /** A bridge. */
  bridge: IFLA_BR_ATTRS,
  /** A macvlan. */
  macvlan: IFLA_MACVLAN_ATTRS,
  /** A macvtap. */
  macvtap: IFLA_MACVLAN_ATTRS,
  /** A VXLAN tunnel. */
  vxlan: IFLA_VXLAN_ATTRS,
  /** An 802.1Q/802.1ad VLAN. */
  vlan: IFLA_VLAN_ATTRS,
  /** A bond. */
  bond: IFLA_BOND_ATTRS,
  /** An ipvlan. */
  ipvlan: IFLA_IPVLAN_ATTRS,
  /** An ipvtap. */
  ipvtap: IFLA_IPVLAN_ATTRS,
  /** A tun/tap device (reported only: the kernel creates them through ioctls). */
  tun: IFLA_TUN_ATTRS,
  /** A GRE tunnel. */
  gre: IFLA_GRE_ATTRS,
  /** A GRE tunnel carrying Ethernet frames. */
  gretap: IFLA_GRE_ATTRS,
  /** A veth (only in requests). */
  veth: VETH_INFO_ATTRS,
} as const;

/** The slave-data table of each master kind that has one. */
export const KIND_SLAVE_TABLES = {
  /** A bridge port. */
  bridge: IFLA_BRPORT_ATTRS,
  /** A bond member. */
  bond: IFLA_BOND_SLAVE_ATTRS,
} as const;

/** Parsed `IFLA_INFO_DATA`, per kind (see {@link KIND_TABLES}). */
export type LinkKindData = { -readonly [K in keyof typeof KIND_TABLES]: Attrs<(typeof KIND_TABLES)[K]> };

/** Parsed `IFLA_INFO_SLAVE_DATA`, per master kind (see {@link KIND_SLAVE_TABLES}). */
export type LinkSlaveData = { -readonly [K in keyof typeof KIND_SLAVE_TABLES]: Attrs<(typeof KIND_SLAVE_TABLES)[K]> };

/** {@link KIND_TABLES}, looked up by any kind name. */
export const KIND_DATA: { readonly [kind: string]: AttrTable } = KIND_TABLES;

/** {@link KIND_SLAVE_TABLES}, looked up by any master kind name. */
export const KIND_SLAVE_DATA: { readonly [kind: string]: AttrTable } = KIND_SLAVE_TABLES;

/** Decodes kind-specific bytes with `tables[kind]`; unknown kinds keep the raw bytes. */
export function parseKindData(
  tables: { readonly [kind: string]: AttrTable },
  kind: string | undefined,
  data: Uint8Array,
): Record<string, unknown> | Uint8Array {
  const table = kind === undefined ? undefined : tables[kind];
  if (!table) return data;
  return parseAttrs(table, data, new DataView(data.buffer, data.byteOffset, data.byteLength), 0, data.length);
}
