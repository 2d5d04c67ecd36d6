/**
 * flower's address masks: prefix lengths to masks and back (tc's
 * `__mask_bits`), MAC masks given as bits or as an address, and IP
 * prefixes that may be written with a mask that has holes.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { formatIp, parseIp, parseMac } from "../../../wire/addr.ts";
import type { Masked } from "./flower_keys.ts";

/** The mask of a `bits`-long prefix over `bytes` bytes. */
export function prefixMask(bits: number, bytes: number): Uint8Array {
  const m = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    m[i] = bits >= 8 * (i + 1) ? 0xff : bits > 8 * i ? (0xff << (8 - (bits - 8 * i))) & 0xff : 0;
  }
  return m;
}

/** tc's `__mask_bits`: the prefix length of a mask, or -1 when it has holes or starts with a zero bit. */
export function maskBits(m: Uint8Array): number {
  let bits = 0, hole = false;
  for (const b of m) {
    for (let j = 7; j >= 0; j--) {
      if ((b >> j) & 1) {
        if (hole) return -1;
        bits++;
      } else if (bits) hole = true;
      else return -1;
    }
  }
  return bits;
}

/** A prefix option (`ADDR/BITS`, or `ADDR/MASK` with holes) from an address and its mask. */
export function prefixOf(addr: string, mask: Uint8Array | undefined, bytes: number): string {
  const bits = mask ? maskBits(mask) : bytes * 8;
  return `${addr}/${bits < 0 ? formatIp(mask!, 0, mask!.length) : bits}`;
}

/** A MAC mask as bytes: all ones when absent; a bit count or a MAC address otherwise. */
export function macMask(m: Masked<string>): Uint8Array {
  if (m.mask === undefined) return new Uint8Array(6).fill(0xff);
  return /^\d+$/.test(m.mask) ? prefixMask(Number(m.mask), 6) : parseMac(m.mask);
}

/** An IP prefix as address and mask; `family` 4 or 6 when the ethernet type decides it. */
export function ipAttrs(prefix: string, family?: 4 | 6): { v6: boolean; addr: string; mask: Uint8Array } {
  const [addr, len] = prefix.split("/");
  const bytes = parseIp(addr);
  const v6 = bytes.length === 16;
  if (family && family !== (v6 ? 6 : 4)) {
    throw new InvalidArgumentError(`Cannot match IP address "${prefix}": the protocol is IPv${family}`);
  }
  if (len !== undefined && /[.:]/.test(len)) {
    const mask = parseIp(len);
    if (mask.length !== bytes.length) throw new InvalidArgumentError(`Invalid prefix: "${prefix}"`);
    return { v6, addr, mask };
  }
  const bits = len === undefined ? bytes.length * 8 : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8) {
    throw new InvalidArgumentError(`Invalid prefix: "${prefix}"`);
  }
  return { v6, addr, mask: prefixMask(bits, bytes.length) };
}
