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
import type { TextSink } from "./text_sink.ts";

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

/** Writes dotted-quad `text` at `out[off]`; false when it is not one (no regex, no allocation: bulk inserts parse millions). */
function writeIpv4(text: string, out: Uint8Array, off: number): boolean {
  let part = 0, digits = 0, v = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // the end closes the last part like a dot
    if (c === 46) {
      if (digits === 0 || part > 3) return false;
      out[off + part++] = v;
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      v = v * 10 + c - 48;
      if (v > 255) return false;
      digits++;
    } else return false;
  }
  return part === 4;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  return writeIpv4(text, out, 0) ? out : undefined;
}

/**
 * Writes the bytes of an IPv4 or IPv6 address at `out[off]` (room for 16
 * needed) and returns how many (4 or 16), or 0 when `text` is not an address.
 */
export function writeIp(text: string, out: Uint8Array, off: number): number {
  if (!text.includes(":")) return writeIpv4(text, out, off) ? 4 : 0;
  return writeIpv6(text, out, off) ? 16 : 0;
}

const scratch = new Uint8Array(16);

/** The byte length (4 or 16) of an address's text form; throws `InvalidArgumentError` when it is not one. */
export function ipLength(text: string): number {
  const n = writeIp(text, scratch, 0);
  if (!n) throw new InvalidArgumentError(`Invalid IP address: "${text}"`);
  return n;
}

const groups = new Uint16Array(8);

/** Writes IPv6 `text` (with `::` and a dotted IPv4 tail allowed) at `out[off]`; false when it is not one. */
function writeIpv6(text: string, out: Uint8Array, off: number): boolean {
  const len = text.length;
  let n = 0, gap = -1, i = 0;
  if (text.startsWith("::")) {
    gap = 0;
    i = 2;
  }
  while (i < len) {
    if (n === 8) return false;
    const at = i;
    let v = 0;
    for (; i < len && i - at < 5; i++) {
      const c = text.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      v = v * 16 + d;
    }
    if (i < len && text.charCodeAt(i) === 46) { // a dotted IPv4 tail: the last two groups
      if (n > 6 || !writeIpv4(text.slice(at), out, off)) return false;
      groups[n++] = (out[off] << 8) | out[off + 1];
      groups[n++] = (out[off + 2] << 8) | out[off + 3];
      i = len;
      break;
    }
    if (i === at || i - at > 4) return false;
    groups[n++] = v;
    if (i === len) break;
    if (text.charCodeAt(i) !== 58) return false;
    if (text.charCodeAt(i + 1) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i += 2;
    } else if (++i === len) return false; // a trailing single ':'
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const fill = 8 - n;
  for (let g = 0, k = 0; g < 8; g++) {
    const v = gap >= 0 && g >= gap && g < gap + fill ? 0 : groups[k++];
    out[off + g * 2] = v >> 8;
    out[off + g * 2 + 1] = v & 0xff;
  }
  return true;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  return writeIpv6(text, out, 0) ? out : undefined;
}

/** Parses an IPv4 or IPv6 address into 4 or 16 bytes. */
export function parseIp(text: string): Uint8Array {
  const out = text.includes(":") ? parseIpv6(text) : parseIpv4(text);
  if (!out) throw new InvalidArgumentError(`Invalid IP address: "${text}"`);
  return out;
}

/** Returns the family (`AF_INET` or `AF_INET6`) of an address's text form. */
export function ipFamily(text: string): number {
  return ipLength(text) === 4 ? AF_INET : AF_INET6;
}

/**
 * Decimal text of each byte value followed by a dot: a dump formats four
 * addresses per conntrack entry, and four pieces join faster than seven.
 */
const DEC_DOT: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}.`);
/** Decimal text of each byte value. */
const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * The longest run of at least two zero groups of the IPv6 address at
 * `b[off]` (the first of equals), which RFC 5952 writes as "::": its first
 * group times 16 plus its length, or -1 when there is none.
 */
function zeroRun(b: Uint8Array, off: number): number {
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
  return bestAt < 0 ? -1 : bestAt * 16 + bestLen;
}

/** IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`) addresses keep their dotted tail, as inet_ntop prints them. */
function dottedPrefix(b: Uint8Array, off: number, run: number): string | undefined {
  if (run === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) return "::ffff:";
  return run === 6 ? "::" : undefined;
}

/** Formats 4 or 16 bytes as an address, IPv6 compressed per RFC 5952. */
export function formatIp(b: Uint8Array, off = 0, len: number = b.length - off): string {
  if (len === 4) return DEC_DOT[b[off]] + DEC_DOT[b[off + 1]] + DEC_DOT[b[off + 2]] + DEC[b[off + 3]];
  if (len !== 16) return formatHex(b, off, len);
  // No arrays: conntrack dumps format four addresses per entry.
  const run = zeroRun(b, off), bestAt = run < 0 ? -1 : run >> 4, bestLen = run & 15;
  const dotted = dottedPrefix(b, off, run);
  if (dotted !== undefined) return `${dotted}${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
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

/** The character codes of the hex digits. */
const HEX_CODES = new TextEncoder().encode("0123456789abcdef");

/**
 * The decimal digits of each byte value, four bytes per value: how many
 * digits (1 to 3), then the digits (unused ones 0).
 */
const OCTET_DIGITS = new Uint8Array(256 * 4);
for (let v = 0; v < 256; v++) {
  const s = String(v);
  OCTET_DIGITS[v * 4] = s.length;
  for (let i = 0; i < s.length; i++) OCTET_DIGITS[v * 4 + 1 + i] = s.charCodeAt(i);
}

/**
 * Writes what {@link formatIp} returns straight into `w`, building no
 * string for 4- and 16-byte addresses: a line printer of a large dump
 * (`ct -L`) writes four per line.
 */
export function printIp(w: TextSink, b: Uint8Array, off: number, len: number): void {
  if (len === 4) printIp4(w, b, off);
  else if (len === 16) printIp6(w, b, off);
  else w.ascii(formatHex(b, off, len));
}

/**
 * A dotted quad from {@link OCTET_DIGITS}: three digit bytes copied per
 * octet (the unused ones are overwritten next), no division. Small, so the
 * JIT compiles the line path that inlines it quickly.
 */
function printIp4(w: TextSink, b: Uint8Array, off: number): void {
  if (w.at + 17 > w.buf.length) w.room(17); // 15, plus 2 scratch digits after the last octet
  const out = w.buf;
  let at = w.at;
  for (let i = 0; i < 4; i++) {
    if (i !== 0) out[at++] = 46;
    const t = b[off + i] * 4;
    out[at] = OCTET_DIGITS[t + 1];
    out[at + 1] = OCTET_DIGITS[t + 2];
    out[at + 2] = OCTET_DIGITS[t + 3];
    at += OCTET_DIGITS[t];
  }
  w.at = at;
}

/** The functions {@link printIp} runs through, for the JIT hints of a long listing (src/sys/jit.ts). */
export const PRINT_IP_PARTS: readonly unknown[] = [printIp4, printIp6, zeroRun, dottedPrefix];

/** RFC 5952 text of the 16 bytes at `off` (see {@link formatIp}). */
function printIp6(w: TextSink, b: Uint8Array, off: number): void {
  const run = zeroRun(b, off), bestAt = run < 0 ? -1 : run >> 4, bestLen = run & 15;
  const dotted = dottedPrefix(b, off, run);
  if (dotted !== undefined) {
    w.ascii(dotted);
    return printIp4(w, b, off + 12);
  }
  // At most 39 characters: room once, then the digits go straight into the buffer.
  if (w.at + 39 > w.buf.length) w.room(39);
  const out = w.buf;
  let at = w.at;
  let colon = false; // a ':' is due before the next group
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      out[at++] = 58;
      out[at++] = 58;
      i += bestLen - 1;
      colon = false;
      continue;
    }
    if (colon) out[at++] = 58;
    colon = true;
    const v = (b[off + i * 2] << 8) | b[off + i * 2 + 1];
    // Leading zeros of the group left out; its last digit always written.
    if (v > 0xfff) out[at++] = HEX_CODES[v >> 12];
    if (v > 0xff) out[at++] = HEX_CODES[(v >> 8) & 15];
    if (v > 0xf) out[at++] = HEX_CODES[(v >> 4) & 15];
    out[at++] = HEX_CODES[v & 15];
  }
  w.at = at;
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
  const out = new Uint8Array(macLength(text));
  writeMac(text, out, 0);
  return out;
}

/** The number of octets of a link-layer address's text; throws `InvalidArgumentError` when it is not one. */
export function macLength(text: string): number {
  if (typeof text !== "string" || !/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2})*$/.test(text)) {
    throw new InvalidArgumentError(`Invalid link-layer address: "${text}"`);
  }
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 58) n++;
  return n;
}

/** Writes the octets of a link-layer address's text, checked by {@link macLength}, at `buf[at]`. */
export function writeMac(text: string, buf: Uint8Array, at: number): void {
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 58) {
      buf[at++] = v;
      v = 0;
    } else v = v * 16 + (c <= 57 ? c - 48 : (c | 0x20) - 87);
  }
  buf[at] = v;
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
