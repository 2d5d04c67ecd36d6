/**
 * What the rule decoder's layers share: the listing's context, a decoded
 * register value, nft's names of protocols, operators and units, and the
 * byte helpers that turn masks into prefixes.
 *
 * @module
 */

import { NFT_FAMILIES } from "../consts.ts";
import { flagsJson } from "./elements.ts";
import type { HeaderField } from "./fields.ts";
import { type Json, type NftType, typeByName } from "./types.ts";
import { bytesToNumber, numberToBytes, renderValue } from "./value_codec.ts";
import type { NftSetWithElements } from "../list.ts";

/** What a rule's JSON needs besides its expressions. */
export interface RuleContext {
  /** The table family. */
  family: string;
  /** Sets of the rule's table by name (anonymous sets are printed inline). */
  sets: ReadonlyMap<string, NftSetWithElements>;
  /** Interface names by index (for `meta iif`/`oif`); numbers are printed when missing. */
  ifnames?: ReadonlyMap<number, string>;
  /** Keep a timeout's milliseconds, which nft's text shows and its JSON drops (the input of the text output). */
  full?: boolean;
}

export interface Val {
  json: Json;
  type?: NftType;
  /** Bytes the value occupies in registers. */
  len: number;
  /** A header field loaded whole or partly. */
  field?: HeaderField;
  /** Bits of a field loaded (shorter than the field: a prefix). */
  loadBits?: number;
  /** The header's fields and the bit offset the load started at, for a mask to narrow it to a field. */
  at?: { fields: readonly HeaderField[]; offset: number };
  mask?: Uint8Array;
  /** Adjacent fields loaded at once: an equality splits into one match per field. */
  merged?: HeaderField[];
  /** The mask only selected a sub-byte field (`vlan id`), it is no `&` of the rule's. */
  narrowed?: boolean;
  /** Puts back the written dependency this load removed (a map key in a statement keeps it). */
  revive?: () => void;
  /** A map lookup's result: its data types, and whether each value is a range. */
  mapData?: { types: readonly NftType[]; interval: boolean };
  /** The xor of a bitwise (a field's new value, when a write follows). */
  xor?: Uint8Array;
  /** An immediate value, typed by whoever uses it. */
  imm?: Uint8Array;
  /** A narrowed field's load and mask as nft shows them where it cannot name the field (`@nh,8,8 & 0xfc`). */
  raw?: Json;
  /** Puts back the dependency the load of a field removed (nft keeps it where the field stays unnamed). */
  unkill?: () => void;
  /** A sub-byte field shifted down to its value (`ip dscp` by 2), shown where nft shows the shift. */
  down?: number;
}

export type Layer = "ll" | "nh" | "th";

export const NH_OF_ETHER_TYPE: Record<number, string> = { 0x0800: "ip", 0x86dd: "ip6", 0x0806: "arp" };
export const L4_NAMES: Record<number, string> = {
  1: "icmp",
  2: "igmp",
  6: "tcp",
  17: "udp",
  33: "dccp",
  50: "esp",
  51: "ah",
  58: "icmpv6",
  108: "comp",
  132: "sctp",
  136: "udplite",
};
/** Lengths in bits of the link-layer headers nft stacks. */
export const LL_BITS: Record<string, number> = { ether: 112, vlan: 32 };
export const OPS: Record<string, string> = { eq: "==", neq: "!=", lt: "<", lte: "<=", gt: ">", gte: ">=" };
export const UNITS: Record<number, string> = { 1: "second", 60: "minute", 3600: "hour", 86400: "day", 604800: "week" };
export const LOG_LEVELS = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"];

/**
 * An unsigned 32-bit field as nft's JSON prints it: nft packs numgen's and
 * hash's `mod`, numgen's `offset`, `ct count`'s value and set and meter
 * sizes as a C `int`, so past 2^31 they are negative (`"mod": -1`). Text
 * prints them unsigned.
 */
export function cInt(n: number): number {
  return n | 0;
}

/** A {@link cInt} field read back unsigned, as nft's text prints it (other values as they are). */
export function u32(v: Json): Json {
  return typeof v === "number" ? v >>> 0 : v;
}

/** Bytes as the largest unit that divides them: `[100, "mbytes"]`. */
export function byteUnit(n: number): [number, string] {
  const units = ["bytes", "kbytes", "mbytes"];
  let i = 0;
  while (i < units.length - 1 && n >= 1024 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return [n, units[i]];
}

export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** A statement as nft prints it in a set statement: counters and quotas without what they counted. */
export function stateless(st: Json): Json {
  const o = st as Record<string, Record<string, Json>>;
  if (o && typeof o === "object" && "counter" in o && typeof o.counter === "object") return { counter: null };
  if (o && typeof o === "object" && o.quota && typeof o.quota === "object") {
    const { used: _u, used_unit: _uu, ...rest } = o.quota;
    return { quota: rest };
  }
  return st;
}

export function jsonSafe(o: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = v instanceof Uint8Array
      ? Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")
      : (JSON.parse(JSON.stringify(v, (_k, x) => x instanceof Uint8Array ? Array.from(x) : x)) as Json);
  }
  return out;
}

/** nft's JSON of a synproxy statement or object body: MSS and window scale when their flags say so. */
export function synproxyJson(e: { mss?: number; wscale?: number; flags?: string[] }): Record<string, Json> {
  const body: Record<string, Json> = {};
  if (e.flags?.includes("mss")) body.mss = e.mss ?? 0;
  if (e.flags?.includes("wscale")) body.wscale = e.wscale ?? 0;
  const flags = ["timestamp", "sack-perm"].filter((f) => e.flags?.includes(f));
  if (flags.length) body.flags = flags;
  return body;
}

/** nft's JSON of a limit statement or object body. */
export function limitJson(
  e: { rate?: number; unit?: number; burst?: number; type?: string; flags?: string[] },
  object: boolean,
): Record<string, Json> {
  const bytes = e.type === "bytes";
  const [rate, rateUnit] = bytes ? byteUnit(e.rate ?? 0) : [e.rate ?? 0, ""];
  const [burst, burstUnit] = bytes ? byteUnit(e.burst ?? 0) : [e.burst ?? 0, ""];
  const per = UNITS[e.unit ?? 1] ?? String(e.unit);
  const inv = e.flags?.includes("inv") === true;
  // nft orders an object's keys differently from a statement's.
  if (object) {
    return {
      rate,
      per,
      ...(inv ? { inv } : {}),
      ...(bytes ? { rate_unit: rateUnit } : {}),
      burst,
      ...(bytes ? { burst_unit: burstUnit } : {}),
    };
  }
  const body: Record<string, Json> = inv ? { rate, burst, per, inv } : { rate, burst, per };
  if (bytes) Object.assign(body, { rate_unit: rateUnit, burst_unit: burstUnit });
  return { limit: body };
}

/**
 * A written value computed by a bitwise (`meta mark set ct mark | 0x10`): the
 * mask and xor split into `&`, `^` and `|` as nft's netlink_parse_bitwise_bool.
 */
export function binopJson(
  json: Json,
  t: NftType,
  mask: Uint8Array,
  xor: Uint8Array = new Uint8Array(mask.length),
): Json {
  const or = mask.map((m, i) => (m & xor[i]) ^ xor[i]);
  const x = xor.map((b, i) => b & mask[i]);
  const m = mask.map((b, i) => b | or[i]);
  if (m.some((b) => b !== 0xff)) json = { "&": [json, renderValue(t, m)] };
  if (!isZero(x)) json = { "^": [json, renderValue(t, x)] };
  if (!isZero(or)) json = { "|": [json, renderValue(t, or)] };
  return json;
}

/** A lookup's key: a masked value shows its mask (`tcp flags & (fin | syn) == { ... }`, `ip6 saddr & ::ffff`). */
export function maskedJson(v: Val, t: NftType): Json {
  if (!v.mask || v.narrowed) return v.json;
  return t.bits ? { "&": [v.json, flagsJson(renderValue(t, v.mask))] } : binopJson(v.json, t, v.mask, v.xor);
}

export function isZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

/** How many bits from the start of `b` are `bit`. */
export function leadingBits(b: Uint8Array, bit: 0 | 1): number {
  const fill = bit ? 0xff : 0;
  let n = 0;
  for (const x of b) {
    if (x !== fill) return n + Math.clz32((x ^ fill) & 0xff) - 24;
    n += 8;
  }
  return n;
}

export function trailingZeroBits(b: Uint8Array): number {
  let n = 0;
  for (let i = b.length - 1; i >= 0; i--) {
    const x = b[i];
    if (x === 0) {
      n += 8;
      continue;
    }
    return n + (31 - Math.clz32(x & -x));
  }
  return n;
}

/** The last bytes of a shifted network-order value, as many as its type has (`ip6 dscp`: 2 loaded, 1 kept). */
export function tail(b: Uint8Array, t: NftType): Uint8Array {
  return t.size && !t.host && b.length > t.size ? b.subarray(b.length - t.size) : b;
}

export function shiftRight(b: Uint8Array, bits: number): Uint8Array {
  if (bits === 0) return b;
  let n = BigInt("0x" + (Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("") || "0"));
  n >>= BigInt(bits);
  const out = new Uint8Array(b.length);
  for (let i = b.length - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

/** A prefix match: a partial load of an address field, or an address masked by a prefix mask. */
export function prefixOf(left: Val, data: Uint8Array, t: NftType): Json | undefined {
  if (t.prefix && t.host && left.mask && isZero(left.xor ?? new Uint8Array(0))) {
    // `meta mark 0xffffff00/24`, `iifgroup 65536/16`: a mask of leading ones on a host-order number; a mask of
    // none is `/0`, as nft prints it.
    const m = bytesToNumber(left.mask, true);
    const len = m === 0 ? 0 : 32 - trailingZeroBits(numberToBytes(m, 4, false));
    if (m === 0xffffffff || (2 ** 32 - 2 ** (32 - len)) !== m) return undefined;
    return { prefix: { addr: renderValue(t, data), len } };
  }
  if (t.kind !== "ip4" && t.kind !== "ip6") return undefined;
  const full = t.size;
  let len: number | undefined;
  if (left.mask) {
    const lead = leadingBits(left.mask, 1);
    if (lead === left.mask.length * 8 || !isPrefixMask(left.mask, lead)) return undefined;
    len = lead;
  } else if (left.loadBits !== undefined && left.loadBits < full * 8) len = left.loadBits;
  else if (data.length < full) len = data.length * 8; // a shorter compare (`ct original ip saddr 192.168.1.0/24`)
  if (len === undefined) return undefined;
  const addr = new Uint8Array(full);
  addr.set(data.subarray(0, full));
  return { prefix: { addr: renderValue(t, addr), len } };
}

export function isPrefixMask(b: Uint8Array, ones: number): boolean {
  for (let i = 0; i < b.length * 8; i++) {
    const bit = (b[i >> 3] >> (7 - (i & 7))) & 1;
    if (bit !== (i < ones ? 1 : 0)) return false;
  }
  return true;
}

/** The family name nft prints for a `NFPROTO_*` number (ct helper `l3proto`). */
export function nfprotoName(n: number): string {
  return NFT_FAMILIES[n as keyof typeof NFT_FAMILIES] ?? String(n);
}

export const FIELD_TYPES = new Map<HeaderField, NftType>();

/** Header fields are in network order whatever their type. */
export function fieldType(f: HeaderField): NftType {
  let t = FIELD_TYPES.get(f);
  // As wide as the field's bytes (`udp length`: 2, in a concatenation too).
  if (!t) FIELD_TYPES.set(f, t = { ...typeByName(f.type), host: false, size: Math.ceil(f.len / 8) });
  return t;
}

/**
 * An interface name compared: without its terminating NUL it is a prefix
 * (`"eth*"`); a name really ending in `*` is escaped (`"dummy\\*"`).
 */
export function ifnameJson(data: Uint8Array): string {
  const z = data.indexOf(0);
  const name = new TextDecoder().decode(z < 0 ? data : data.subarray(0, z));
  if (z < 0) return `${name}*`;
  return name.endsWith("*") ? `${name.slice(0, -1)}\\*` : name;
}
