/**
 * Values of nft's data types between their bytes and nft's JSON: numbers
 * in either byte order, names, flag lists, addresses, dates, and the
 * reverse for values a document gives.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { formatIp, parseIp } from "../../../wire/addr.ts";
import { connlabels, LABEL_BITS } from "./connlabel.ts";
import { groupId, groupName, inRange, nftOutput, serviceName, servicePort, userId, userName } from "./output.ts";
import { realms } from "./realms.ts";
import { bigJson, rawInteger } from "./big_int.ts";
import { formatDate, formatHour, parseDate, parseHour, relativeMs } from "./time_values.ts";
import type { Json, NftType } from "./types.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Bytes to an unsigned integer (exact below 2^53) in the type's byte order. */
export function bytesToNumber(b: Uint8Array, host: boolean): number {
  let n = 0;
  if (host) { for (let i = b.length - 1; i >= 0; i--) n = n * 256 + b[i]; }
  else for (let i = 0; i < b.length; i++) n = n * 256 + b[i];
  return n;
}

/** An unsigned integer to `size` bytes in the type's byte order. */
export function numberToBytes(n: number, size: number, host: boolean): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    b[host ? i : size - 1 - i] = n % 256;
    n = Math.floor(n / 256);
  }
  return b;
}

/** The set bits of `n` by name; unnamed bits (and all under `nft -n`) as numbers. */
function bitList(bits: { readonly [v: number]: string }, n: number): Json {
  const out: Json[] = [];
  for (let bit = 1; bit <= n && bit !== 0; bit *= 2) {
    if (Math.floor(n / bit) % 2) out.push(bits[bit] ?? bit);
  }
  return out.length === 1 ? out[0] : out;
}

/** Prints a range's end as nft's JSON does for type `t` (protocol and port numbers, not names). */
export function renderRangeEnd(t: NftType, b: Uint8Array): Json {
  return inRange(() => renderValue(t, b));
}

/** Prints `b` as nft's JSON does for type `t`. */
export function renderValue(t: NftType, b: Uint8Array): Json {
  const o = nftOutput();
  switch (t.kind) {
    case "ip4":
      return (o.hostName && o.hostName(b.subarray(0, 4))) ?? formatIp(b, 0, 4);
    case "ip6":
      return (o.hostName && o.hostName(b.subarray(0, 16))) ?? formatIp(b, 0, 16);
    case "ether":
      return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, "0")).join(":");
    case "classid": {
      const n = bytesToNumber(b.subarray(0, 4), t.host === true);
      if (n === 0xffffffff) return "root";
      if (n === 0) return "none";
      return `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
    }
    case "ms":
      return Math.floor(bytesToNumber(b.subarray(0, t.size), t.host === true) / 1000);
    case "bool":
      return b.some((x) => x !== 0);
    case "realm": {
      // Host order, but network order in an interval's key or after `byteorder hton` (intervalKey).
      const n = bytesToNumber(b.subarray(0, 4), t.host === true);
      return (o.numericSymbol ? undefined : realms().get(n)) ?? String(n);
    }
    case "string": {
      const z = b.indexOf(0);
      return decoder.decode(z < 0 ? b : b.subarray(0, z));
    }
    case "label": {
      const out: Json[] = [];
      for (let i = 0; i < b.length * 8; i++) {
        if (b[i >> 3] & (1 << (i & 7))) out.push(connlabels().get(i) ?? i);
      }
      return out.length === 1 ? out[0] : out;
    }
    case "time":
      return formatDate(bytesToNumber(b.subarray(0, 8), t.host === true));
    case "hour":
      return formatHour(bytesToNumber(b.subarray(0, 4), t.host === true));
  }
  const size = t.size && t.size <= b.length ? t.size : b.length;
  if (size > 6 && !t.bits && !t.names) {
    // nft prints an integer past 64 bits as hex (`@th,160,128`), without leading zeros; one past 2^53
    // as its exact digits.
    const v = b.subarray(0, size);
    const hex = Array.from(t.host ? v.slice().reverse() : v, (x) => x.toString(16).padStart(2, "0")).join("");
    const digits = hex.replace(/^0+/, "");
    if (digits.length > 16) return `0x${digits}`;
    if (digits.length > 13 && BigInt(`0x${digits}`) > BigInt(Number.MAX_SAFE_INTEGER)) {
      return bigJson(BigInt(`0x${digits}`));
    }
  }
  const n = bytesToNumber(b.subarray(0, size), t.host === true);
  if (t.bits) return n === 0 ? 0 : bitList(o.numericSymbol ? {} : t.bits, n);
  if (t.names?.[n] !== undefined && o.numericSymbol && !o.text && !t.host && size > 1) {
    // nft's JSON reads a named big-endian value in host order under -n (symbolic_constant_json): ip is 8, not 0x0800.
    return bytesToNumber(b.subarray(0, size), true);
  }
  // An interface index without a name prints as text (nft's ifindex_type_print): `"0"`.
  if (t.name === "iface_index") return t.names?.[n] ?? String(n);
  if (t.names) return (t.name === "inet_proto" ? o.numericProto : o.numericSymbol) ? n : t.names[n] ?? n;
  return (o.service && t.name === "inet_service" ? serviceName(n) : systemName(o.guid, t.name, n)) ?? n;
}

/** A user's or group's name (`nft -u`). */
function systemName(guid: boolean | undefined, type: string, n: number): string | undefined {
  if (!guid) return undefined;
  return type === "uid" ? userName(n) : type === "gid" ? groupName(n) : undefined;
}

/** True for types matched as flags: any of the given bits set (`ct state established,related`, `ct label 5`). */
export function isFlagType(t: NftType): boolean {
  return t.bits !== undefined || t.kind === "label";
}

/** A flag value compared whole (`tcp flags == 0x12`): the name of one flag, else a number (nft's symbolic_constant_json). */
export function renderWhole(t: NftType, b: Uint8Array): Json {
  const n = bytesToNumber(b.subarray(0, t.size && t.size <= b.length ? t.size : b.length), t.host === true);
  return (nftOutput().numericSymbol ? undefined : t.bits?.[n]) ?? n;
}

/** Renders a flag-bit value always as a list (for `&` masks). */
export function renderBits(t: NftType, b: Uint8Array): Json {
  const v = renderValue(t, b);
  return typeof v === "string" ? [v] : v;
}

/**
 * Each type's names and bit names by name, made on first use: a lookup per
 * value, not a scan. Keyed by the name maps, which copies of a type
 * (`{ ...t, size }` for a bit field: `tcp flags` in every rule) share.
 */
const numbersByName = new WeakMap<object, WeakMap<object, Map<string, number>>>();
const NONE = {};

function nameToNumber(t: NftType, v: string): number | undefined {
  const names = t.names ?? NONE, bits = t.bits ?? NONE;
  let byBits = numbersByName.get(names);
  if (!byBits) numbersByName.set(names, byBits = new WeakMap());
  let byName = byBits.get(bits);
  if (!byName) {
    byName = new Map();
    // A name's first number wins (names before bit names, lowest first), as a scan in that order finds it.
    for (const map of [t.names ?? {}, t.bits ?? {}]) {
      for (const [k, name] of Object.entries(map)) if (!byName.has(name)) byName.set(name, Number(k));
    }
    byBits.set(bits, byName);
  }
  return byName.get(v) ?? t.aliases?.[v];
}

/**
 * A plain `a.b.c.d` without a regular expression (a 100,000-element set
 * parses this many), written into `out`; else undefined.
 */
export function dottedQuad(v: string, out: Uint8Array = new Uint8Array(4)): Uint8Array | undefined {
  let part = 0, n = 0, digits = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57 && digits < 3) {
      if (digits === 1 && n === 0) return undefined; // `010`: inet_aton's octal, which the resolver reads
      n = n * 10 + c - 48;
      digits++;
    } else if (c === 46 && digits && part < 3 && n <= 255) {
      out[part++] = n;
      n = digits = 0;
    } else return undefined;
  }
  if (part !== 3 || !digits || n > 255) return undefined;
  out[3] = n;
  return out;
}

/**
 * Resolves a host name for an address of IPv4 (`4`) or IPv6 (`6`): its
 * addresses, or the resolver's words for why there are none.
 */
export type HostResolver = (name: string, family: 4 | 6) => Uint8Array[] | string;

let resolver: HostResolver | undefined;

/**
 * Sets how a name where an address belongs resolves (`ip saddr localhost`,
 * as nft resolves it with getaddrinfo); without one, a name is refused.
 */
export function setHostResolver(r: HostResolver | undefined): void {
  resolver = r;
}

/** An address's text, else a host name with exactly one address of the type's family (nft refuses more). */
function addressOrHost(t: NftType, v: string): Uint8Array {
  // A part with a leading zero is octal to getaddrinfo (inet_aton): nft reads `010.1.1.1` as 8.1.1.1.
  const resolve = resolver;
  const octal = resolve !== undefined && t.kind === "ip4" && /(^|\.)0\d/.test(v);
  if (!octal) {
    try {
      return parseIp(v);
    } catch (e) {
      if (!resolve || !(e instanceof InvalidArgumentError)) throw e;
    }
  }
  const found = resolve!(v, t.kind === "ip4" ? 4 : 6);
  if (typeof found === "string") {
    throw new InvalidArgumentError(`Cannot use "${v}" as ${t.name}: Could not resolve hostname: ${found}`);
  }
  if (found.length !== 1) {
    throw new InvalidArgumentError(`Cannot use "${v}" as ${t.name}: Hostname resolves to multiple addresses`);
  }
  return found[0];
}

/** Parses a JSON value of type `t` into `size` bytes (default: the type's size). */
export function parseValue(t: NftType, v: Json, size = t.size): Uint8Array {
  if (t.bits) v = orList(v);
  switch (t.kind) {
    case "ip4":
    case "ip6":
      if (typeof v !== "string") break;
      {
        const b = dottedQuad(v) ?? addressOrHost(t, v);
        // An address of the other family would compare the wrong bytes; nft cannot resolve it either.
        if (b.length !== (t.kind === "ip4" ? 4 : 16)) {
          throw new InvalidArgumentError(
            `Cannot use "${v}" as ${t.name}: Could not resolve hostname: Address family for hostname not supported`,
          );
        }
        return b;
      }
    case "ether":
      if (typeof v !== "string" || !/^([0-9a-f]{1,2}:){5}[0-9a-f]{1,2}$/i.test(v)) break;
      return new Uint8Array(v.split(":").map((x) => parseInt(x, 16)));
    case "classid": {
      const host = t.host === true; // network order in intervals and ordered comparisons
      if (v === "root" || v === "none") return numberToBytes(v === "root" ? 0xffffffff : 0, 4, host);
      // Both halves hex, each with or without 0x (nft reads them with strtoull base 16): "1:0xc7cb", "1:".
      const m = typeof v === "string" ? /^(?:0x)?([0-9a-f]{1,4}):(?:(?:0x)?([0-9a-f]{1,4}))?$/i.exec(v) : null;
      if (m) return numberToBytes(parseInt(m[1], 16) * 0x10000 + parseInt(m[2] ?? "0", 16), 4, host);
      break;
    }
    case "label": {
      const out = new Uint8Array(size);
      for (const x of Array.isArray(v) ? v : [v]) {
        const bit = typeof x === "number" ? x : [...connlabels()].find(([, name]) => name === x)?.[0];
        if (bit === undefined || !Number.isInteger(bit) || bit < 0 || bit >= Math.min(LABEL_BITS, size * 8)) {
          throw new InvalidArgumentError(
            `Cannot use ${
              JSON.stringify(x)
            } as a ct label: expected a bit number below ${LABEL_BITS} or a name from /etc/connlabel.conf`,
          );
        }
        out[bit >> 3] |= 1 << (bit & 7);
      }
      return out;
    }
    case "string": {
      if (typeof v !== "string") break;
      const s = encoder.encode(v);
      const n = size || s.length + 1;
      if (s.length >= n) throw new InvalidArgumentError(`Cannot use "${v}" as ${t.name}: longer than ${n - 1} bytes`);
      const out = new Uint8Array(n);
      out.set(s);
      return out;
    }
  }
  if (typeof v === "string" && /^(0x[0-9a-f]+|\d+)$/i.test(v) && !Number.isSafeInteger(Number(v))) {
    return bigToBytes(BigInt(v), t, size, v);
  }
  // nft lists a 64-bit value past 2^63 as a negative number (signed, as jansson holds it): read back unsigned.
  const signed = size === 8 && !t.kind && typeof v === "number" && Number.isSafeInteger(v) && v < 0;
  const raw = rawInteger(v) ?? (signed ? BigInt(v as number) : undefined);
  if (raw !== undefined) {
    return bigToBytes(raw < 0n && size === 8 ? BigInt.asUintN(64, raw) : raw, t, size, String(raw));
  }
  if (typeof v === "number" && t.kind === "time" && Number.isInteger(v) && v >= 0) {
    return bigToBytes(BigInt(v) * 1_000_000_000n, t, size, String(v)); // `meta time 12341234`: seconds of the epoch
  }
  if (typeof v === "string" && t.kind === "realm") {
    const named = [...realms()].find(([, name]) => name === v)?.[0];
    if (named !== undefined) return numberToBytes(named, size, t.host === true);
  }
  let n: number | undefined;
  if (typeof v === "string" && t.kind === "time") n = parseDate(v);
  else if (typeof v === "string" && t.kind === "hour") n = parseHour(v);
  else if (typeof v === "boolean" && t.kind === "bool") n = v ? 1 : 0;
  else if (typeof v === "number" && Number.isInteger(v) && v >= 0 && t.kind === "ms") n = v * 1000;
  else if (typeof v === "string" && t.kind === "ms") n = relativeMs(v);
  else if (typeof v === "string" && (t.kind === "user" || t.kind === "group") && !/^\d/.test(v)) {
    n = t.kind === "user" ? userId(v) : groupId(v); // getpwnam / getgrnam, as nft resolves `skuid "root"`
  } else if (typeof v === "number" && Number.isInteger(v) && v >= 0) n = v;
  else if (typeof v === "string" && t.name === "inet_service" && /^[a-z]/i.test(v)) n = servicePort(v); // `ssh`
  else if (typeof v === "string") n = nameToNumber(t, v) ?? numberText(t, v);
  else if (t.bits && typeof v === "object" && v !== null && !Array.isArray(v) && Array.isArray(v["|"])) {
    // `{"|": ["syn", "ack"]}`: flags or-ed (nft prints a set's multi-flag elements so).
    n = v["|"].reduce<number>((acc, x) => (acc | bytesToNumber(parseValue(t, x, size), t.host === true)) >>> 0, 0);
  } else if (Array.isArray(v) && t.bits) {
    // Names or numbers or-ed: `( 0 | 0 | ack )` of nft's shell tests is ack.
    const bits = v.map((x) =>
      typeof x === "string" ? nameToNumber(t, x) : Number.isInteger(x) ? x as number : undefined
    );
    n = bits.includes(undefined) ? undefined : bits.reduce<number>((a, b) => (a | b!) >>> 0, 0);
  }
  if (n === undefined || n >= 2 ** (8 * size)) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as ${t.name}: expected ${describeType(t)}`);
  }
  // Types narrower than their bytes, as nft's evaluator bounds them.
  const max = t.kind === "bool" ? 1 : t.name === "day" ? 6 : undefined;
  if (max !== undefined && n > max) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as ${t.name}: value exceeds valid range 0-${max}`);
  }
  return numberToBytes(n, size, t.host === true);
}

/**
 * A number's text as nft reads it (GMP, base 0): decimal, `0x` hex, or
 * with a leading zero octal (`010` is 8). A port is read as strtoumax
 * then getaddrinfo read it: `09`, no octal number, is the service 9.
 */
function numberText(t: NftType, v: string): number | undefined {
  if (/^0\d+$/.test(v)) return /^0[0-7]+$/.test(v) ? parseInt(v, 8) : t.name === "inet_service" ? Number(v) : undefined;
  return /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : undefined;
}

/** Flags joined as nft prints them in sets and masks (`{"|": [{"|": ["fin", "psh"]}, "ack"]}`) as a list. */
function orList(v: Json): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v) || !Array.isArray(v["|"]) || v["|"].length !== 2) {
    return v;
  }
  return v["|"].flatMap((x) => {
    const y = orList(x);
    return Array.isArray(y) ? y : [y];
  });
}

/** An integer past 2^53 (`0xe373...` of a 128-bit raw payload), exactly. */
function bigToBytes(n: bigint, t: NftType, size: number, v: string): Uint8Array {
  if (n < 0n || n >= 1n << BigInt(8 * size)) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as ${t.name}: expected ${describeType(t)}`);
  }
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++, n >>= 8n) b[t.host ? i : size - 1 - i] = Number(n & 0xffn);
  return b;
}

function describeType(t: NftType): string {
  const names = t.names ?? t.bits;
  return names ? `a number or one of ${Object.values(names).join(", ")}` : `an unsigned ${t.size * 8}-bit number`;
}
