/**
 * What the layers of the JSON linearizer share: the rule's context, a
 * loaded value, nft's tables of units, checksums and dependencies, and the
 * small checks every statement uses.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { NFT_REG32_00, NFT_REG_1 } from "../consts.ts";
import type { NftKnownExpr } from "../expr/registry.ts";
import type { NftTransaction } from "../transaction.ts";
import { type ElementShape, isObj, soleKey } from "./values.ts";
import { META_JSON_KEYS } from "./fields.ts";
import { EXTHDR_KEYS, type ExthdrOp } from "./exthdr_fields.ts";
import type { Json, NftType } from "./types.ts";
import { numberToBytes } from "./value_codec.ts";

type Obj = { [k: string]: Json };

/** Where a rule goes, and the transaction its anonymous sets join. */
export interface LinearizeContext {
  /** The table family. */
  family: string;
  /** The table. */
  table: string;
  /** The transaction the rule is added in (anonymous sets are added to it first). */
  tx: NftTransaction;
  /** Interface indexes by name, for `meta iif`/`oif` given by name. */
  ifindexes?: ReadonlyMap<string, number>;
  /** Shapes of the table's named sets and maps, for `map @name` values. */
  sets?: ReadonlyMap<string, ElementShape>;
  /**
   * Names an anonymous set from its template (`__set%d`) when the caller
   * knows the table's set names (see `AnonNames`); by default the kernel
   * numbers it.
   */
  anonName?: (template: string) => string;
}

/** A loaded value: which register, how long, of which type and byte order. */
export interface Loaded {
  type: NftType;
  len: number;
  /** Bits to shift a value left and the mask, for a sub-byte field. */
  shift?: number;
  mask?: Uint8Array;
  /** A sub-byte field's width: a value past it is refused, as nft refuses it (never cut to fit). */
  bits?: number;
  /** A payload field (a prefix may shorten its load). */
  payload?: Extract<NftKnownExpr, { name: "payload" }>;
  /** Turns the load into a presence test (`fib ... oif missing`), for a boolean right side. */
  present?: () => void;
}

/** Kernel meta keys by their JSON names. */
export const META_KERNEL_KEYS = Object.fromEntries(Object.entries(META_JSON_KEYS).map(([k, j]) => [j, k]));
/** Extension header kinds by their JSON keys. */
export const EXTHDR_OPS = Object.fromEntries(Object.entries(EXTHDR_KEYS).map(([op, key]) => [key, op as ExthdrOp]));

/** The fields nft flags as a header's protocol key (proto_key_is_protocol). */
export const PROTOCOL_FIELDS: readonly string[] = [
  "ether type",
  "vlan type",
  "ip protocol",
  "ip6 nexthdr",
  "icmp type",
  "icmpv6 type",
  "ah nexthdr",
  "comp nexthdr",
];
/** nft's checksum of each header it writes: `NFT_PAYLOAD_CSUM_*` and the offset in bytes. */
export const CSUM: Record<string, [number, number]> = {
  ip: [1, 10],
  icmp: [1, 2],
  igmp: [1, 2],
  udp: [1, 6],
  tcp: [1, 16],
  sctp: [2, 8],
  icmpv6: [1, 2],
};
/** Fields of the transport checksum's pseudo-header (nft's `pseudohdr` of ip and ip6). */
export const PSEUDOHDR: readonly string[] = [
  "ip saddr",
  "ip daddr",
  "ip protocol",
  "ip length",
  "ip6 saddr",
  "ip6 daddr",
  "ip6 nexthdr",
  "ip6 length",
];
/** `NFT_PAYLOAD_L4CSUM_PSEUDOHDR`. */
export const NFT_PAYLOAD_L4CSUM_PSEUDOHDR = 1;
/** The network protocols `fib`, `ct` and `rt` addresses may be of. */
export const IP_KINDS: readonly (string | undefined)[] = ["ip4", "ip6"];
/** The ethertype of each network protocol nft depends on. */
export const ETHER_TYPES = { ip: 0x0800, ip6: 0x86dd, arp: 0x0806 } as const;
/** `ether type` values that mean a vlan tag follows. */
export const VLAN_TYPES: readonly (string | number)[] = ["8021q", "vlan", "8021ad", 0x8100, 0x88a8];
export const L4 = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmpv6: 58,
  igmp: 2,
  dccp: 33,
  esp: 50,
  ah: 51,
  comp: 108,
  sctp: 132,
  udplite: 136,
} as const;
export const CMP_OPS: Record<string, string> = {
  "==": "eq",
  "!=": "neq",
  "<": "lt",
  "<=": "lte",
  ">": "gt",
  ">=": "gte",
  in: "eq",
  "!": "eq",
};
/** Seconds per `limit` time unit. */
export const UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };
/** Bytes per `limit` and `quota` byte unit. */
export const BYTE_UNITS: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 * 1024 };
/** nft's log levels, by their number. */
export const LOG_LEVELS = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"];
/** The code type of a `reject` of each ICMP kind. */
export const ICMP_CODE_TYPES: Record<string, string> = {
  icmpx: "icmpx_code",
  icmp: "icmp_code",
  icmpv6: "icmpv6_code",
};

/** Register number of 4-byte slot `slot` (slot 0 is `NFT_REG_1`, as nft allocates). */
export function regOf(slot: number): number {
  return slot === 0 ? NFT_REG_1 : NFT_REG32_00 + slot;
}

/** The one key of `o` and its value; anything else is bad input. */
export function only(o: Obj, what: string): [string, Json] {
  const key = soleKey(o);
  if (key === undefined) throw new InvalidArgumentError(`Cannot use ${what} ${JSON.stringify(o)}: expected one key`);
  return [key, o[key]];
}

/** Refuses a key of `o` not in `allowed` (nothing accepted is dropped). */
export function checkObjKeys(o: Obj, allowed: readonly string[], what: string): void {
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(o)} as ${what}: expected an object`);
  }
  for (const k in o) {
    if (!allowed.includes(k)) {
      throw new InvalidArgumentError(`Cannot use "${k}" in ${what}: expected ${allowed.join(", ")}`);
    }
  }
}

/** `n` as `len` big-endian bytes. */
export function bytesOf(n: number, len: number): Uint8Array {
  return numberToBytes(n, len, false);
}

/**
 * Whether a nat map's concatenated key says the transport protocol, as
 * nft's nat_evaluate_addr_has_th_expr reads it: a transport protocol's own
 * field, or the protocol itself (`ip protocol . th dport`); `th dport`
 * alone does not.
 */
export function thKey(addr: Json | undefined): boolean {
  const key = isObj(addr) && isObj(addr.map) ? addr.map.key : undefined;
  if (!isObj(key) || !Array.isArray(key.concat)) return false;
  return key.concat.some((p) => {
    if (isObj(p) && isObj(p.meta)) return p.meta.key === "l4proto";
    const pl = isObj(p) && isObj(p.payload) ? p.payload : undefined;
    if (!pl) return false;
    const name = `${pl.protocol} ${pl.field}`;
    return (typeof pl.protocol === "string" && pl.protocol in L4) || name === "ip protocol" || name === "ip6 nexthdr";
  });
}

/** A whole number of bits from `min` (a raw payload's offset or length: at most 128 bits long). */
export function isBits(n: Json, min: number): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= min && (min === 0 ? n < 65536 : n <= 128);
}

/** Whether a value holds a prefix, a range or a wildcard name, which sets keep as intervals. */
export function hasInterval(x: Json): boolean {
  // A wildcard name (`"eth*"`) is the range of names starting so.
  if (typeof x === "string") return /[^\\]\*$/.test(x);
  if (!isObj(x)) return false;
  if ("prefix" in x || "range" in x) return true;
  if ("elem" in x && isObj(x.elem)) return hasInterval(x.elem.val);
  if ("concat" in x && Array.isArray(x.concat)) return x.concat.some(hasInterval);
  return false;
}

/** An anonymous set of one value, prefix or range is that value, as nft's evaluator makes it (`{"set": ["invalid"]}`). */
export function singleton(right: Json): Json {
  if (!isObj(right) || !Array.isArray(right.set) || right.set.length !== 1) return right;
  const [x] = right.set;
  return !isObj(x) ? (Array.isArray(x) ? right : x) : "prefix" in x || "range" in x ? x : right;
}

/** A transport protocol's name as the context keeps it (`6` and `ipv6-icmp` too). */
export function l4Name(v: Json): string {
  if (v === "ipv6-icmp" || v === 58) return "icmpv6";
  if (typeof v === "number") return Object.entries(L4).find(([, n]) => n === v)?.[0] ?? String(v);
  return String(v);
}
