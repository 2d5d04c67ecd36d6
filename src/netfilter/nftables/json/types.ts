/**
 * nft's data types: how a key, a register or an element value is printed
 * in nft's JSON and parsed back. Each type is declared once here, by nft's
 * type id (`NFTA_SET_KEY_TYPE`) and name.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { RTN_NAMES } from "../../../route/route/names.ts";

/**
 * A JSON value of nft's schema. An integer a number cannot hold exactly
 * (past 2^53, as nft prints a 64-bit value) is a raw JSON number
 * (`JSON.rawJSON`), which `JSON.stringify` writes as its digits.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One data type. */
export interface NftType {
  /** nft's type id. */
  id: number;
  /** nft's type name (`ipv4_addr`). */
  name: string;
  /** Size in bytes on the wire (0: variable, as strings). */
  size: number;
  /** Stored in host order (little-endian here) rather than network order. */
  host?: boolean;
  /** A range that is one prefix prints as that prefix, and a prefix mask as `/len` (nft's `DTYPE_F_PREFIX`). */
  prefix?: boolean;
  /** Names of values (enumerations). */
  names?: { readonly [v: number]: string };
  /** Names of flag bits (bitmasks). */
  bits?: { readonly [v: number]: string };
  /** Further names parsed but not printed (`hopopt`, protocol 0 after `ip`). */
  aliases?: { readonly [name: string]: number };
  /** Printed form of an address or a string. */
  kind?:
    | "ip4"
    | "ip6"
    | "ether"
    | "string"
    | "classid"
    | "bool"
    | "realm"
    | "time"
    | "hour"
    | "label"
    | "ms"
    | "user"
    | "group";
}

const ICMP_TYPES = {
  0: "echo-reply",
  3: "destination-unreachable",
  4: "source-quench",
  5: "redirect",
  8: "echo-request",
  9: "router-advertisement",
  10: "router-solicitation",
  11: "time-exceeded",
  12: "parameter-problem",
  13: "timestamp-request",
  14: "timestamp-reply",
  15: "info-request",
  16: "info-reply",
  17: "address-mask-request",
  18: "address-mask-reply",
} as const;

const ICMPV6_TYPES = {
  1: "destination-unreachable",
  2: "packet-too-big",
  3: "time-exceeded",
  4: "parameter-problem",
  128: "echo-request",
  129: "echo-reply",
  130: "mld-listener-query",
  131: "mld-listener-report",
  132: "mld-listener-done",
  133: "nd-router-solicit",
  134: "nd-router-advert",
  135: "nd-neighbor-solicit",
  136: "nd-neighbor-advert",
  137: "nd-redirect",
  138: "router-renumbering",
  141: "ind-neighbor-solicit",
  142: "ind-neighbor-advert",
  143: "mld2-listener-report",
} as const;

/** Layer-4 protocol names as nft prints them (nft asks the system: these are netbase's /etc/protocols). */
export const INET_PROTOS = {
  0: "ip", // getprotobynumber(0): the first line for 0 is `ip` (`hopopt` follows)
  1: "icmp",
  2: "igmp",
  3: "ggp",
  4: "ipencap",
  5: "st",
  6: "tcp",
  8: "egp",
  9: "igp",
  12: "pup",
  17: "udp",
  20: "hmp",
  22: "xns-idp",
  27: "rdp",
  29: "iso-tp4",
  33: "dccp",
  36: "xtp",
  37: "ddp",
  38: "idpr-cmtp",
  41: "ipv6",
  43: "ipv6-route",
  44: "ipv6-frag",
  45: "idrp",
  46: "rsvp",
  47: "gre",
  50: "esp",
  51: "ah",
  57: "skip",
  58: "ipv6-icmp",
  59: "ipv6-nonxt",
  60: "ipv6-opts",
  73: "rspf",
  81: "vmtp",
  88: "eigrp",
  89: "ospf",
  93: "ax.25",
  94: "ipip",
  97: "etherip",
  98: "encap",
  103: "pim",
  108: "ipcomp",
  112: "vrrp",
  115: "l2tp",
  124: "isis",
  132: "sctp",
  133: "fc",
  135: "mobility-header",
  136: "udplite",
  137: "mpls-in-ip",
  138: "manet",
  139: "hip",
  140: "shim6",
  141: "wesp",
  142: "rohc",
  143: "ethernet",
} as const;

const MH_TYPES = {
  0: "binding-refresh-request",
  1: "home-test-init",
  2: "careof-test-init",
  3: "home-test",
  4: "careof-test",
  5: "binding-update",
  6: "binding-acknowledgement",
  7: "binding-error",
  8: "fast-binding-update",
  9: "fast-binding-acknowledgement",
  10: "fast-binding-advertisement",
  11: "experimental-mobility-header",
  12: "home-agent-switch-message",
} as const;

/** nft's `addrtype_tbl`: the route types (`RTN_*`) up to `prohibit` (8), type 0 named `unspec` (ip's `none`). */
const FIB_ADDRTYPES: { readonly [v: number]: string } = {
  ...Object.fromEntries(Object.entries(RTN_NAMES).filter(([type]) => Number(type) <= 8)),
  0: "unspec",
};

/** Every type nft's JSON names, by name. */
export const NFT_TYPES = {
  verdict: { id: 1, name: "verdict", size: 4 },
  nf_proto: {
    id: 2,
    name: "nf_proto",
    size: 1,
    names: { 1: "inet", 2: "ipv4", 3: "arp", 5: "netdev", 7: "bridge", 10: "ipv6" },
  },
  bitmask: { id: 3, name: "bitmask", size: 4, host: true },
  integer: { id: 4, name: "integer", size: 4, host: true },
  string: { id: 5, name: "string", size: 0, host: true, kind: "string" },
  ipv4_addr: { id: 7, name: "ipv4_addr", size: 4, kind: "ip4", prefix: true },
  ipv6_addr: { id: 8, name: "ipv6_addr", size: 16, kind: "ip6", prefix: true },
  ether_addr: { id: 9, name: "ether_addr", size: 6, kind: "ether" },
  ether_type: {
    id: 10,
    name: "ether_type",
    size: 2,
    names: { 0x0800: "ip", 0x0806: "arp", 0x86dd: "ip6", 0x8100: "8021q", 0x88a8: "8021ad", 0x8035: "rarp" },
    aliases: { vlan: 0x8100 }, // nft reads `vlan` and prints 8021q
  },
  arp_op: {
    id: 11,
    name: "arp_op",
    size: 2,
    names: { 1: "request", 2: "reply", 3: "rrequest", 4: "rreply", 8: "inrequest", 9: "inreply", 10: "nak" },
  },
  inet_proto: {
    id: 12,
    name: "inet_proto",
    size: 1,
    names: INET_PROTOS,
    // nft's keywords for protocols whose /etc/protocols names differ (`comp`, `icmpv6`).
    aliases: { hopopt: 0, comp: 108, icmpv6: 58 },
  },
  inet_service: { id: 13, name: "inet_service", size: 2 },
  icmp_type: { id: 14, name: "icmp_type", size: 1, names: ICMP_TYPES },
  tcp_flag: {
    id: 15,
    name: "tcp_flag",
    size: 1,
    bits: { 1: "fin", 2: "syn", 4: "rst", 8: "psh", 16: "ack", 32: "urg", 64: "ecn", 128: "cwr" },
  },
  mark: { id: 19, name: "mark", size: 4, host: true, prefix: true },
  iface_index: { id: 20, name: "iface_index", size: 4, host: true },
  iface_type: {
    id: 21,
    name: "iface_type",
    size: 2,
    host: true,
    names: { 1: "ether", 512: "ppp", 768: "ipip", 769: "ipip6", 772: "loopback", 776: "sit", 778: "ipgre" },
  },
  uid: { id: 24, name: "uid", size: 4, host: true, kind: "user" },
  gid: { id: 25, name: "gid", size: 4, host: true, kind: "group" },
  ct_state: {
    id: 26,
    name: "ct_state",
    size: 4,
    host: true,
    bits: { 1: "invalid", 2: "established", 4: "related", 8: "new", 64: "untracked" },
  },
  ct_dir: { id: 27, name: "ct_dir", size: 1, names: { 0: "original", 1: "reply" } },
  ct_status: {
    id: 28,
    name: "ct_status",
    size: 4,
    host: true,
    bits: { 1: "expected", 2: "seen-reply", 4: "assured", 8: "confirmed", 16: "snat", 32: "dnat", 512: "dying" },
  },
  icmpv6_type: {
    id: 29,
    name: "icmpv6_type",
    size: 1,
    names: ICMPV6_TYPES,
    aliases: { "mld-listener-reduction": 132 }, // nft's other name of mld-listener-done
  },
  pkt_type: { id: 31, name: "pkt_type", size: 1, names: { 0: "host", 1: "broadcast", 2: "multicast", 3: "other" } },
  icmp_code: {
    id: 32,
    name: "icmp_code",
    size: 1,
    names: {
      0: "net-unreachable",
      1: "host-unreachable",
      2: "prot-unreachable",
      3: "port-unreachable",
      4: "frag-needed",
      9: "net-prohibited",
      10: "host-prohibited",
      13: "admin-prohibited",
    },
  },
  icmpv6_code: {
    id: 33,
    name: "icmpv6_code",
    size: 1,
    names: {
      0: "no-route",
      1: "admin-prohibited",
      3: "addr-unreachable",
      4: "port-unreachable",
      5: "policy-fail",
      6: "reject-route",
    },
  },
  icmpx_code: {
    id: 34,
    name: "icmpx_code",
    size: 1,
    names: { 0: "no-route", 1: "port-unreachable", 2: "host-unreachable", 3: "admin-prohibited" },
  },
  fib_addrtype: {
    id: 38,
    name: "fib_addrtype",
    size: 4,
    host: true,
    names: FIB_ADDRTYPES,
  },
  dscp: {
    id: 36,
    name: "dscp",
    size: 1,
    names: {
      0: "cs0",
      8: "cs1",
      10: "af11",
      12: "af12",
      14: "af13",
      16: "cs2",
      18: "af21",
      20: "af22",
      22: "af23",
      24: "cs3",
      26: "af31",
      28: "af32",
      30: "af33",
      32: "cs4",
      34: "af41",
      36: "af42",
      38: "af43",
      40: "cs5",
      46: "ef",
      48: "cs6",
      56: "cs7",
    },
  },
  // `meta iifgroup`: names from /etc/iproute2/group (Debian's names only 0).
  devgroup: { id: 35, name: "devgroup", size: 4, host: true, names: { 0: "default" }, prefix: true },
  // `ct expiration`: nft's relative time (type "time", id 18), milliseconds printed as seconds.
  reltime: { id: 18, name: "time", size: 4, host: true, kind: "ms" },
  dccp_pkttype: {
    id: 16,
    name: "dccp_pkttype",
    size: 1,
    names: {
      0: "request",
      1: "response",
      2: "data",
      3: "ack",
      4: "dataack",
      5: "closereq",
      6: "close",
      7: "reset",
      8: "sync",
      9: "syncack",
    },
  },
  igmp_type: {
    id: 42,
    name: "igmp_type",
    size: 1,
    names: {
      0x11: "membership-query",
      0x12: "membership-report-v1",
      0x16: "membership-report-v2",
      0x22: "membership-report-v3",
      0x17: "leave-group",
    },
  },
  ecn: { id: 37, name: "ecn", size: 1, names: { 0: "not-ect", 1: "ect1", 2: "ect0", 3: "ce" } },
  classid: { id: 23, name: "classid", size: 4, host: true, kind: "classid" },
  ifname: { id: 41, name: "ifname", size: 16, host: true, kind: "string" },
  boolean: { id: 39, name: "boolean", size: 1, host: true, kind: "bool" },
  // nft's integer in network order (`meta random`): the same type id, the other byte order.
  be_integer: { id: 4, name: "integer", size: 4 },
  // `meta time`: nanoseconds since the epoch, printed as a local date; `meta hour`: seconds since midnight UTC.
  time: { id: 43, name: "time", size: 8, host: true, kind: "time" },
  hour: { id: 44, name: "hour", size: 4, host: true, kind: "hour" },
  // `ct label`: a 128-bit map, bit n being byte n / 8, bit n % 8; printed by name or number.
  ct_label: { id: 30, name: "ct_label", size: 16, host: true, kind: "label" },
  day: {
    id: 45,
    name: "day",
    size: 1,
    host: true,
    names: { 0: "Sunday", 1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday" },
  },
  ct_event: {
    id: 40,
    name: "ct_event",
    size: 4,
    host: true,
    bits: {
      1: "new",
      2: "related",
      4: "destroy",
      8: "reply",
      16: "assured",
      32: "protoinfo",
      64: "helper",
      128: "mark",
      256: "seqadj",
      512: "secmark",
      1024: "label",
    },
  },
  realm: { id: 22, name: "realm", size: 4, host: true, kind: "realm", prefix: true },
  mh_type: { id: 17, name: "mh_type", size: 1, names: MH_TYPES },
} as const satisfies Record<string, NftType>;

/** A type name of {@link NFT_TYPES}. */
export type NftTypeName = keyof typeof NFT_TYPES;

// By id, each type under its own name only (`be_integer` is `integer` in the other byte order).
const BY_ID = new Map<number, NftType>(
  Object.entries(NFT_TYPES).filter(([k, t]) => k === t.name || k === "reltime").map(([, t]) => [t.id, t as NftType]),
);

/** A type by nft's id; unknown ids become a host-order integer type named by number. */
export function typeById(id: number): NftType {
  // A deleted set's event carries no key type: nft calls type 0 `invalid`.
  if (id === 0) return { id, name: "invalid", size: 0 };
  return BY_ID.get(id) ?? { id, name: String(id), size: 4, host: true };
}

/** A type by name; throws on an unknown one. */
export function typeByName(name: string): NftType {
  const t = NFT_TYPES[name as NftTypeName] as NftType | undefined;
  if (!t) {
    throw new InvalidArgumentError(`Cannot use type "${name}": expected one of ${Object.keys(NFT_TYPES).join(", ")}`);
  }
  return t;
}

/** nft's concatenated key types: 6 bits per field, first field highest. */
export function concatTypes(id: number): NftType[] {
  if (id < 64) return [typeById(id)];
  const out: NftType[] = [];
  for (let rest = id; rest > 0; rest = Math.floor(rest / 64)) out.unshift(typeById(rest % 64));
  return out;
}

/** Joins field types into a concatenated type id. */
export function concatId(types: readonly NftType[]): number {
  let id = 0;
  for (const t of types) id = id * 64 + t.id;
  return id;
}

/** `key` as an interval set stores it: host-order fields in network order (nft orders intervals so). */
export function intervalKey(key: readonly NftType[]): NftType[] {
  return key.map((t) => (t.host ? { ...t, host: false } : t));
}
