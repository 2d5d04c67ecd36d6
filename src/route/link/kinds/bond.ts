/**
 * `bond`: link aggregation (`IFLA_BOND_*`) and its members
 * (`IFLA_BOND_SLAVE_*`, slave data of kind `bond`).
 *
 * @module
 */

import { type JsonFieldMap, jsonFields, namedWord } from "./format.ts";
import type { KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { BondData } from "./_generated/types.ts";

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

const ARP_ALL_TARGETS = { 0: "any", 1: "all" } as const;
const LACP_ACTIVE = { 0: "off", 1: "on" } as const;

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
  arpAllTargets: { type: 10, kind: "u32", names: ARP_ALL_TARGETS },
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
  adLacpActive: { type: 29, kind: "u8", names: LACP_ACTIVE },
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

const BOND_JSON: JsonFieldMap = [
  ["mode", "mode", "str"],
  ["miimon", "miimon", "num"],
  ["updelay", "updelay", "num"],
  ["downdelay", "downdelay", "num"],
  ["use_carrier", "useCarrier", "num"],
  ["arp_interval", "arpInterval", "num"],
  ["xmit_hash_policy", "xmitHashPolicy", "str"],
  ["min_links", "minLinks", "num"],
];

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
  ["arp_all_targets", "arpAllTargets", ARP_ALL_TARGETS],
  ["primary_reselect", "primaryReselect", BOND_PRIMARY_RESELECT],
  ["fail_over_mac", "failOverMac", BOND_FAIL_OVER_MAC],
  ["xmit_hash_policy", "xmitHashPolicy", BOND_XMIT_POLICY],
  ["lacp_rate", "adLacpRate", BOND_LACP_RATE],
  ["lacp_active", "adLacpActive", LACP_ACTIVE],
  ["ad_select", "adSelect", BOND_AD_SELECT],
] as const;

function read(r: KindWordReader): KindWordsSpec {
  const k = r.words;
  const d: Record<string, unknown> = {};
  for (const [w, key, max] of BOND_NUMBERS) if (k[w] !== undefined) d[key] = r.int(k[w]!, w, 0, max);
  for (const [w, key, names] of BOND_NAMES) if (k[w] !== undefined) d[key] = namedWord(r, w, k[w]!, names);
  if (k.ad_actor_system !== undefined) d.adActorSystem = k.ad_actor_system;
  return { data: d };
}

/** A new bond: what `createLink` takes for kind `bond`. */
export interface BondLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "bond";
  /** Bond settings. */
  data?: BondData;
}

/** The `bond` kind. */
export const BOND_KIND: LinkKind<
  "bond",
  typeof IFLA_BOND_ATTRS,
  typeof IFLA_BOND_SLAVE_ATTRS,
  Omit<BondLinkSpec, "kind">
> = {
  kind: "bond",
  data: IFLA_BOND_ATTRS,
  types: {
    data: { name: "BondData", prefix: "IFLA_BOND_", doc: "Bonding settings" },
    slaveData: { name: "BondPortData", prefix: "IFLA_BOND_SLAVE_", doc: "A bond member's state" },
  },
  slaveData: IFLA_BOND_SLAVE_ATTRS,
  json: (d, ctx) => jsonFields(d, BOND_JSON, ctx),
  words: Object.fromEntries([
    ...[...BOND_NUMBERS, ...BOND_NAMES].map(([w]) => [w, { arg: w }]),
    ["ad_actor_system", { arg: "MAC address" }],
  ]),
  read,
  help: "bond [ mode MODE ] [ miimon N ] [ xmit_hash_policy P ] [ lacp_rate slow|fast ] ...  (ip's bond words)",
};
