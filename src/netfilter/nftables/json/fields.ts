/**
 * Packet header fields nft names (`tcp dport`, `ip saddr`), by header base,
 * offset and length in bits, with their data types; and the keys of `meta`
 * and `ct` with theirs.
 *
 * @module
 */

import type { Json, NftTypeName } from "./types.ts";

/** One header field. */
export interface HeaderField {
  /** The header (`ip`, `tcp`, `th`, ...). */
  protocol: string;
  /** The field (`saddr`). */
  field: string;
  /** Payload base (`ll`, `nh`, `th`). */
  base: "ll" | "nh" | "th";
  /** Offset in bits from the base. */
  offset: number;
  /** Length in bits. */
  len: number;
  /** Data type. */
  type: NftTypeName;
  /** nft's JSON naming it, when that is not `{ payload: { protocol, field } }` (an extension header's field). */
  key?: Json;
  /** The ICMP(v6) type whose messages have this field (`icmp mtu`: destination-unreachable); echo: request. */
  icmpType?: number;
}

// A field's type is `integer` unless named; an ICMP field may name the message type it belongs to.
type Row = [field: string, offset: number, len: number, type?: NftTypeName, icmpType?: number];

const PORTS: Row[] = [["sport", 0, 16, "inet_service"], ["dport", 16, 16, "inet_service"]];
// ICMP(v6) rows in nft's template order: the first one that fits the message type names a load.
const ICMP_ECHO = 8, ICMPV6_ECHO = 128;

const HEADERS: Record<string, { base: "ll" | "nh" | "th"; rows: Row[] }> = {
  ether: {
    base: "ll",
    rows: [["daddr", 0, 48, "ether_addr"], ["saddr", 48, 48, "ether_addr"], ["type", 96, 16, "ether_type"]],
  },
  vlan: {
    base: "ll",
    rows: [["pcp", 112, 3], ["dei", 115, 1], ["id", 116, 12], ["type", 128, 16, "ether_type"]],
  },
  arp: {
    base: "nh",
    rows: [
      ["htype", 0, 16],
      ["ptype", 16, 16, "ether_type"],
      ["hlen", 32, 8],
      ["plen", 40, 8],
      ["operation", 48, 16, "arp_op"],
      ["saddr ether", 64, 48, "ether_addr"],
      ["saddr ip", 112, 32, "ipv4_addr"],
      ["daddr ether", 144, 48, "ether_addr"],
      ["daddr ip", 192, 32, "ipv4_addr"],
    ],
  },
  ip: {
    base: "nh",
    rows: [
      ["version", 0, 4],
      ["hdrlength", 4, 4],
      ["dscp", 8, 6, "dscp"],
      ["ecn", 14, 2, "ecn"],
      ["length", 16, 16],
      ["id", 32, 16],
      ["frag-off", 48, 16],
      ["ttl", 64, 8],
      ["protocol", 72, 8, "inet_proto"],
      ["checksum", 80, 16],
      ["saddr", 96, 32, "ipv4_addr"],
      ["daddr", 128, 32, "ipv4_addr"],
    ],
  },
  ip6: {
    base: "nh",
    rows: [
      ["version", 0, 4],
      ["dscp", 4, 6, "dscp"],
      ["ecn", 10, 2, "ecn"],
      ["flowlabel", 12, 20],
      ["length", 32, 16],
      ["nexthdr", 48, 8, "inet_proto"],
      ["hoplimit", 56, 8],
      ["saddr", 64, 128, "ipv6_addr"],
      ["daddr", 192, 128, "ipv6_addr"],
    ],
  },
  tcp: {
    base: "th",
    rows: [
      ...PORTS,
      ["sequence", 32, 32],
      ["ackseq", 64, 32],
      ["doff", 96, 4],
      ["reserved", 100, 4],
      ["flags", 104, 8, "tcp_flag"],
      ["window", 112, 16],
      ["checksum", 128, 16],
      ["urgptr", 144, 16],
    ],
  },
  udp: { base: "th", rows: [...PORTS, ["length", 32, 16], ["checksum", 48, 16]] },
  th: { base: "th", rows: PORTS },
  udplite: { base: "th", rows: [...PORTS, ["csumcov", 32, 16], ["checksum", 48, 16]] },
  dccp: { base: "th", rows: [...PORTS, ["type", 67, 4, "dccp_pkttype"]] },
  sctp: { base: "th", rows: [...PORTS, ["vtag", 32, 32], ["checksum", 64, 32]] },
  ah: {
    base: "th",
    rows: [["nexthdr", 0, 8, "inet_proto"], ["hdrlength", 8, 8], ["reserved", 16, 16], ["spi", 32, 32], [
      "sequence",
      64,
      32,
    ]],
  },
  esp: { base: "th", rows: [["spi", 0, 32], ["sequence", 32, 32]] },
  comp: { base: "th", rows: [["nexthdr", 0, 8, "inet_proto"], ["flags", 8, 8], ["cpi", 16, 16]] },
  igmp: {
    base: "th",
    rows: [["type", 0, 8, "igmp_type"], ["mrt", 8, 8], ["checksum", 16, 16], ["group", 32, 32]],
  },
  icmp: {
    base: "th",
    rows: [
      ["type", 0, 8, "icmp_type"],
      ["code", 8, 8, "icmp_code"],
      ["checksum", 16, 16],
      ["id", 32, 16, "integer", ICMP_ECHO],
      ["sequence", 48, 16, "integer", ICMP_ECHO],
      ["gateway", 32, 32, "integer", 5],
      ["mtu", 48, 16, "integer", 3],
    ],
  },
  icmpv6: {
    base: "th",
    rows: [
      ["type", 0, 8, "icmpv6_type"],
      ["code", 8, 8, "icmpv6_code"],
      ["checksum", 16, 16],
      ["parameter-problem", 32, 32, "integer", 4],
      ["mtu", 32, 32, "integer", 2],
      ["id", 32, 16, "integer", ICMPV6_ECHO],
      ["sequence", 48, 16, "integer", ICMPV6_ECHO],
      ["max-delay", 32, 16, "integer", 130],
    ],
  },
};

/** Every header field, by `protocol` then `field`. */
export const HEADER_FIELDS: { readonly [protocol: string]: { readonly [field: string]: HeaderField } } = Object
  .fromEntries(
    Object.entries(HEADERS).map(([protocol, h]) => [
      protocol,
      Object.fromEntries(
        h.rows.map((
          [field, offset, len, type = "integer", icmpType],
        ) => [field, { protocol, field, base: h.base, offset, len, type, ...(icmpType ? { icmpType } : {}) }]),
      ),
    ]),
  );

const FIELD_LISTS: { readonly [protocol: string]: readonly HeaderField[] } = Object.fromEntries(
  Object.entries(HEADER_FIELDS).map(([p, f]) => [p, Object.values(f)]),
);

/** The fields of a header by its protocol name (`ip`), or undefined for an unknown one. */
export function fieldsOf(protocol: string): readonly HeaderField[] | undefined {
  return FIELD_LISTS[protocol];
}

const MOVED = new Map<string, readonly HeaderField[]>();

/** The fields of `protocol` moved by `delta` bits (a vlan header stacked after another). */
export function fieldsAt(protocol: string, delta: number): readonly HeaderField[] | undefined {
  if (!delta) return FIELD_LISTS[protocol];
  const k = `${protocol} ${delta}`;
  let out = MOVED.get(k);
  if (!out && FIELD_LISTS[protocol]) {
    MOVED.set(k, out = FIELD_LISTS[protocol].map((f) => ({ ...f, offset: f.offset + delta })));
  }
  return out;
}

/** nft's JSON naming a field. */
export function fieldJson(f: HeaderField): Json {
  return f.key ?? { payload: { protocol: f.protocol, field: f.field } };
}

/**
 * The field of `protocol` at `offset` bits that is `len` bits long; else one
 * starting there that is longer (a prefix load) or shorter (a sub-byte field
 * loaded as whole bytes, narrowed later by a mask).
 */
export function findField(protocol: string, offset: number, len: number): HeaderField | undefined {
  return findFieldIn(FIELD_LISTS[protocol], offset, len);
}

/** {@link findField} among `fields`. */
export function findFieldIn(
  fields: readonly HeaderField[] | undefined,
  offset: number,
  len: number,
): HeaderField | undefined {
  if (!fields) return undefined;
  let other: HeaderField | undefined;
  for (const f of fields) {
    if (f.offset !== offset) continue;
    if (f.len === len) return f;
    other ??= f;
  }
  return other;
}

/** The ICMP(v6) message type a type match sets in nft's context: an echo reply counts as an echo request. */
export function icmpContext(protocol: string, type: number): number {
  if (protocol === "icmp" && type === 0) return 8;
  return protocol === "icmpv6" && type === 129 ? 128 : type;
}

/** The echo reply type of an echo field's request type (nft matches both: `icmp type { echo-reply, echo-request }`). */
export const ICMP_ECHO_REPLY: { readonly [request: number]: number } = { 8: 0, 128: 129 };

/** The fields of an ICMP(v6) header that a message of `type` has (0: not known, all of them). */
export function icmpFields(protocol: string, type: number): readonly HeaderField[] {
  const all = FIELD_LISTS[protocol] ?? [];
  return type ? all.filter((f) => f.icmpType === undefined || f.icmpType === type) : all;
}

/**
 * The fields a load of `len` bits at `offset` splits into, taking the first
 * that fits at each offset in template order (nft's payload_expr_expand);
 * undefined unless whole fields cover it.
 */
export function expandFields(fields: readonly HeaderField[], offset: number, len: number): HeaderField[] | undefined {
  const out: HeaderField[] = [];
  for (const f of fields) {
    if (f.offset !== offset) continue;
    if (f.len > len) return undefined;
    out.push(f);
    [offset, len] = [offset + f.len, len - f.len];
    if (len === 0) return out;
  }
  return undefined;
}

/** Consecutive whole fields of `protocol` that exactly cover `len` bits from `offset` (nft merges adjacent matches into one load). */
export function coveringFields(protocol: string, offset: number, len: number): HeaderField[] | undefined {
  const out: HeaderField[] = [];
  for (let at = offset; at < offset + len;) {
    const f = FIELD_LISTS[protocol]?.find((x) => x.offset === at && x.len % 8 === 0 && at + x.len <= offset + len);
    if (!f) return undefined;
    out.push(f);
    at += f.len;
  }
  return out.length > 1 ? out : undefined;
}

/** Data types of `meta` keys. */
export const META_TYPES: { readonly [key: string]: [NftTypeName, number] } = {
  length: ["integer", 4],
  protocol: ["ether_type", 2],
  mark: ["mark", 4],
  iif: ["iface_index", 4],
  oif: ["iface_index", 4],
  iifname: ["ifname", 16],
  oifname: ["ifname", 16],
  iiftype: ["iface_type", 2],
  oiftype: ["iface_type", 2],
  skuid: ["uid", 4],
  skgid: ["gid", 4],
  nfproto: ["nf_proto", 1],
  l4proto: ["inet_proto", 1],
  pkttype: ["pkt_type", 1],
  cpu: ["integer", 4],
  iifgroup: ["devgroup", 4],
  oifgroup: ["devgroup", 4],
  cgroup: ["integer", 4],
  priority: ["classid", 4],
  nftrace: ["integer", 1],
  random: ["be_integer", 4],
  time: ["time", 8],
  day: ["day", 1],
  hour: ["hour", 4],
  ipsec: ["boolean", 1],
  rtclassid: ["realm", 4],
  secmark: ["integer", 4],
  ibrname: ["ifname", 16],
  obrname: ["ifname", 16],
  iifkind: ["ifname", 16],
  oifkind: ["ifname", 16],
  ibrpvid: ["integer", 2],
  ibrvproto: ["ether_type", 2],
  sdif: ["iface_index", 4],
  sdifname: ["ifname", 16],
};

/** `meta` keys nft's JSON names differently from the kernel (`NFT_META_SECPATH` is `ipsec`). */
export const META_JSON_KEYS: { readonly [kernel: string]: string } = { secpath: "ipsec", len: "length" };

/** `NF_LOG_*` flags of a log statement by nft's JSON name (`NF_LOG_MASK`, all of them, is `all`). */
export const LOG_FLAGS: { readonly [name: string]: number } = {
  "tcp sequence": 0x01,
  "tcp options": 0x02,
  "ip options": 0x04,
  skuid: 0x08,
  ether: 0x20,
};

/** `NF_LOG_MASK`: every flag, printed `all`. */
export const LOG_FLAGS_ALL = 0x2f;

/** `rt` keys by the kernel's name: nft's key, data type, length, and the family of a next hop. */
export const RT_KEYS: { readonly [key: string]: [string, NftTypeName, number, string?] } = {
  classid: ["classid", "realm", 4],
  nexthop4: ["nexthop", "ipv4_addr", 4, "ip"],
  nexthop6: ["nexthop", "ipv6_addr", 16, "ip6"],
  tcpmss: ["mtu", "integer", 2],
  xfrm: ["ipsec", "boolean", 1],
};

/** `socket` keys: data type, length, and a width in bits where nft's evaluator narrows it (0 or 1). */
export const SOCKET_TYPES: { readonly [key: string]: [NftTypeName, number, number?] } = {
  transparent: ["integer", 1, 1],
  mark: ["mark", 4],
  wildcard: ["integer", 1, 1],
};

/** `xfrm` keys by the kernel's name: nft's key, data type, length, and the family of an address. */
export const XFRM_KEYS: { readonly [key: string]: [string, NftTypeName, number, string?] } = {
  daddr_ip4: ["daddr", "ipv4_addr", 4, "ip"],
  daddr_ip6: ["daddr", "ipv6_addr", 16, "ip6"],
  saddr_ip4: ["saddr", "ipv4_addr", 4, "ip"],
  saddr_ip6: ["saddr", "ipv6_addr", 16, "ip6"],
  reqid: ["reqid", "integer", 4],
  spi: ["spi", "be_integer", 4],
};

/** The type of `ct saddr`/`daddr` (no family in the key): the rule's network protocol's address. */
export function ctAddrType(key: string, nh: string | undefined): [NftTypeName, number] | undefined {
  if (key !== "saddr" && key !== "daddr") return undefined;
  return nh === "ip" ? ["ipv4_addr", 4] : nh === "ip6" ? ["ipv6_addr", 16] : undefined;
}

/** Data types of `ct` keys. */
export const CT_TYPES: { readonly [key: string]: [NftTypeName, number] } = {
  state: ["ct_state", 4],
  direction: ["ct_dir", 1],
  status: ["ct_status", 4],
  mark: ["mark", 4],
  l3proto: ["nf_proto", 1],
  protocol: ["inet_proto", 1],
  "proto-src": ["inet_service", 2],
  "proto-dst": ["inet_service", 2],
  zone: ["integer", 2],
  packets: ["integer", 8],
  bytes: ["integer", 8],
  avgpkt: ["integer", 8],
  expiration: ["reltime", 4],
  id: ["be_integer", 4],
  helper: ["string", 16],
  event: ["ct_event", 4],
  label: ["ct_label", 16],
  "ip saddr": ["ipv4_addr", 4],
  "ip daddr": ["ipv4_addr", 4],
  "ip6 saddr": ["ipv6_addr", 16],
  "ip6 daddr": ["ipv6_addr", 16],
};
