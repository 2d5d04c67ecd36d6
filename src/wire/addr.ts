/**
 * Text forms of addresses: IPv4, IPv6 (RFC 5952 output), MAC and CIDR.
 * Parsers throw an `InvalidArgumentError` that quotes the bad value.
 *
 * @example
 * ```ts
 * import { formatIp, parseCidr } from "./addr.ts";
 * const { addr, prefixLen } = parseCidr("10.0.0.1/24");
 * console.log(formatIp(addr), prefixLen); // 10.0.0.1 24
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";

/** Address family numbers from `<sys/socket.h>`. */
export const AF_UNSPEC = 0;
/** IPv4. */
export const AF_INET = 2;
/** Bridge (FDB entries, bridge ports). */
export const AF_BRIDGE = 7;
/** IPv6. */
export const AF_INET6 = 10;
/** Netlink sockets. */
export const AF_NETLINK = 16;
/** Link-layer (packet) family. */
export const AF_PACKET = 17;
/** MPLS labels. */
export const AF_MPLS = 28;

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const m = IPV4_RE.exec(text);
  if (!m) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const v = Number(m[i + 1]);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = all[i] >> 8;
    out[i * 2 + 1] = all[i] & 0xff;
  }
  return out;
}

/** Parses an IPv4 or IPv6 address into 4 or 16 bytes. */
export function parseIp(text: string): Uint8Array {
  const out = text.includes(":") ? parseIpv6(text) : parseIpv4(text);
  if (!out) throw new InvalidArgumentError(`Invalid IP address: "${text}"`);
  return out;
}

/** Returns the family (`AF_INET` or `AF_INET6`) of an address's text form. */
export function ipFamily(text: string): number {
  return parseIp(text).length === 4 ? AF_INET : AF_INET6;
}

/** Formats 4 or 16 bytes as an address, IPv6 compressed per RFC 5952. */
export function formatIp(b: Uint8Array, off = 0, len: number = b.length - off): string {
  if (len === 4) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  if (len !== 16) return formatHex(b, off, len);
  // Longest run of at least two zero groups (the first of equals) becomes "::".
  // No arrays: conntrack dumps format four addresses per entry.
  let bestAt = -1, bestLen = 1, runAt = 0, runLen = 0;
  for (let i = 0; i < 8; i++) {
    if (b[off + i * 2] !== 0 || b[off + i * 2 + 1] !== 0) {
      runLen = 0;
      continue;
    }
    if (runLen++ === 0) runAt = i;
    if (runLen > bestLen) {
      bestAt = runAt;
      bestLen = runLen;
    }
  }
  // IPv4-mapped addresses keep their dotted tail, as inet_ntop prints them.
  if (bestAt === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return `::ffff:${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  }
  let s = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      s += "::";
      i += bestLen - 1;
      continue;
    }
    if (s.length !== 0 && s.charCodeAt(s.length - 1) !== 58) s += ":"; // no ':' right after "::"
    s += ((b[off + i * 2] << 8) | b[off + i * 2 + 1]).toString(16);
  }
  return s;
}

/** Formats bytes as colon-separated lowercase hex, the way `ip` prints link addresses. */
export function formatHex(b: Uint8Array, off = 0, len: number = b.length - off): string {
  let s = "";
  for (let i = 0; i < len; i++) {
    if (i) s += ":";
    const v = b[off + i];
    s += v < 16 ? "0" + v.toString(16) : v.toString(16);
  }
  return s;
}

/** Parses a link-layer address such as `aa:bb:cc:dd:ee:ff` (any length). */
export function parseMac(text: string): Uint8Array {
  if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2})*$/.test(text)) {
    throw new InvalidArgumentError(`Invalid link-layer address: "${text}"`);
  }
  return Uint8Array.from(text.split(":"), (p) => parseInt(p, 16));
}

/** A parsed `ADDRESS[/PREFIX]`. */
export interface Cidr {
  /** `AF_INET` or `AF_INET6`. */
  family: number;
  /** The address bytes (4 or 16). */
  addr: Uint8Array;
  /** Prefix length; the full length when the text has none. */
  prefixLen: number;
}

/** Parses `10.0.0.1/24`, `fe80::1/64` or a bare address (full-length prefix). */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  let addr: Uint8Array;
  try {
    addr = parseIp(addrText);
  } catch {
    throw new InvalidArgumentError(`Invalid address or prefix: "${text}"`);
  }
  const max = addr.length * 8;
  let prefixLen = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    prefixLen = /^\d{1,3}$/.test(p) ? Number(p) : NaN;
    if (!(prefixLen <= max)) throw new InvalidArgumentError(`Invalid prefix length in "${text}": must be 0 to ${max}`);
  }
  return { family: addr.length === 4 ? AF_INET : AF_INET6, addr, prefixLen };
}

/** Tells whether `addr` lies inside `net/prefixLen` (both the same length). */
export function inPrefix(addr: Uint8Array, net: Uint8Array, prefixLen: number): boolean {
  if (addr.length !== net.length) return false;
  let bits = prefixLen;
  for (let i = 0; i < addr.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i] & mask) !== (net[i] & mask)) return false;
  }
  return true;
}
