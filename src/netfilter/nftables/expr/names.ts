/**
 * Enumerations several expressions share, by nft's names.
 *
 * @module
 */

/** `NFT_PAYLOAD_*` header bases. */
export const NFT_PAYLOAD_BASES = { 0: "ll", 1: "nh", 2: "th", 3: "ih" } as const;

/** `NFT_CMP_*` operators. */
export const NFT_CMP_OPS = { 0: "eq", 1: "neq", 2: "lt", 3: "lte", 4: "gt", 5: "gte" } as const;

/** `NF_NAT_RANGE_*` flag bits (nat, masquerade, redirect). */
export const NFT_NAT_FLAGS = {
  1: "map-ips",
  2: "proto-specified",
  4: "random",
  8: "persistent",
  16: "fully-random",
  32: "proto-offset",
  64: "netmap",
} as const;

/** `NFT_META_*` keys. */
export const NFT_META_KEYS = {
  0: "len",
  1: "protocol",
  2: "priority",
  3: "mark",
  4: "iif",
  5: "oif",
  6: "iifname",
  7: "oifname",
  8: "iiftype",
  9: "oiftype",
  10: "skuid",
  11: "skgid",
  12: "nftrace",
  13: "rtclassid",
  14: "secmark",
  15: "nfproto",
  16: "l4proto",
  17: "ibrname",
  18: "obrname",
  19: "pkttype",
  20: "cpu",
  21: "iifgroup",
  22: "oifgroup",
  23: "cgroup",
  24: "random",
  25: "secpath",
  26: "iifkind",
  27: "oifkind",
  28: "ibrpvid",
  29: "ibrvproto",
  30: "time",
  31: "day",
  32: "hour",
  33: "sdif",
  34: "sdifname",
} as const;

/** `NFT_CT_*` keys. */
export const NFT_CT_KEYS = {
  0: "state",
  1: "direction",
  2: "status",
  3: "mark",
  4: "secmark",
  5: "expiration",
  6: "helper",
  7: "l3proto",
  8: "saddr",
  9: "daddr",
  10: "protocol",
  11: "proto-src",
  12: "proto-dst",
  13: "label",
  14: "packets",
  15: "bytes",
  16: "avgpkt",
  17: "zone",
  18: "event",
  19: "ip saddr",
  20: "ip daddr",
  21: "ip6 saddr",
  22: "ip6 daddr",
  23: "id",
} as const;

/** `NFT_OBJECT_*` types, by nft's names. */
export const NFT_OBJECT_TYPES = {
  1: "counter",
  2: "quota",
  3: "ct helper",
  4: "limit",
  5: "connlimit",
  6: "tunnel",
  7: "ct timeout",
  8: "secmark",
  9: "ct expectation",
  10: "synproxy",
} as const;

/** The name of a stateful object type (`NFTA_SET_OBJ_TYPE`, `NFTA_OBJ_TYPE`): nft's word for it. */
export function objTypeName(id: number | undefined): string {
  return NFT_OBJECT_TYPES[(id ?? 1) as keyof typeof NFT_OBJECT_TYPES] ?? String(id);
}

/** The id of a stateful object type named as nft names it, or undefined. */
export function objTypeId(name: string): number | undefined {
  const hit = Object.entries(NFT_OBJECT_TYPES).find(([, n]) => n === name);
  return hit ? Number(hit[0]) : undefined;
}
