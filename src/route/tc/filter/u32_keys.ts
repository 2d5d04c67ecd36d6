/**
 * u32 selectors: the keys tc packs from `match ip src ...`, `match tcp dst
 * ...`, `match u16 0x50 0xffff at 22`, and the selector struct they form.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseIp } from "../../../wire/addr.ts";
import type { TcWords } from "../words.ts";

/** One 32-bit key: `(packet[off] & mask) == val`, values as big-endian words. */
export interface U32Key {
  /** Bits compared. */
  mask: number;
  /** Value after masking. */
  val: number;
  /** Byte offset (a multiple of 4) from the header start (or the next header). */
  off: number;
  /** -1: relative to the next header (`nexthdr+`); 0: to this header. */
  offmask: number;
}

/** `struct tc_u32_sel` with its keys. */
export interface U32Selector {
  /** `TC_U32_TERMINAL` 1, `OFFSET` 2, `VAROFFSET` 4, `EAT` 8. */
  flags: number;
  /** Shift of the variable offset. */
  offshift: number;
  /** Mask of the variable offset (host order). */
  offmask: number;
  /** Constant offset to the next header. */
  off: number;
  /** Where the variable offset is read. */
  offoff: number;
  /** Where the hash key is read. */
  hoff: number;
  /** Hash mask (big-endian word). */
  hmask: number;
  /** The keys. */
  keys: U32Key[];
}

/** A selector with nothing set. */
export function emptySelector(): U32Selector {
  return { flags: 0, offshift: 0, offmask: 0, off: 0, offoff: 0, hoff: 0, hmask: 0, keys: [] };
}

/** Adds a key, merging it into one at the same offset as tc's `pack_key`. */
export function packKey(sel: U32Selector, val: number, mask: number, off: number, offmask: number): void {
  val = (val & mask) >>> 0;
  for (const k of sel.keys) {
    if (k.off === off && k.offmask === offmask) {
      const both = (mask & k.mask) >>> 0;
      if (((val ^ k.val) & both) !== 0) {
        throw new InvalidArgumentError(`Cannot combine conflicting u32 matches at offset ${off}`);
      }
      k.val = (k.val | val) >>> 0;
      k.mask = (k.mask | mask) >>> 0;
      return;
    }
  }
  if (sel.keys.length >= 128) throw new InvalidArgumentError("Cannot add more than 128 u32 keys");
  if (off % 4) throw new InvalidArgumentError(`Invalid u32 offset: ${off} (must be a multiple of 4)`);
  sel.keys.push({ val, mask: mask >>> 0, off, offmask });
}

/**
 * Packs an 8- or 16-bit match into its 32-bit word as tc's `pack_key8`
 * and `pack_key16` do (a u16 at an odd offset is not shifted, as in tc).
 */
function packSmall(sel: U32Selector, bits: 8 | 16, key: number, mask: number, off: number, offmask: number): void {
  const max = bits === 8 ? 0xff : 0xffff;
  if (key > max || mask > max) {
    throw new InvalidArgumentError(`Invalid u${bits} match: ${key}/${mask} (must fit in ${bits} bits)`);
  }
  const shift = bits === 8 ? 24 - 8 * (off & 3) : (off & 3) === 0 ? 16 : 0;
  packKey(sel, (key << shift) >>> 0, (mask << shift) >>> 0, off & ~3, offmask);
}

function packSized(sel: U32Selector, bits: 8 | 16 | 32, key: number, mask: number, off: number, offmask: number): void {
  if (bits === 32) packKey(sel, key, mask, off, offmask);
  else packSmall(sel, bits, key, mask, off, offmask);
}

function num(w: TcWords, what: string, base: 0 | 16): number {
  const v = w.value(what, "number");
  const ok = base === 16 ? /^(0x)?[0-9a-f]+$/i.test(v) : /^(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.test(v);
  const n = !ok
    ? NaN
    : base === 16 || /^0x/i.test(v)
    ? parseInt(v.replace(/^0x/i, ""), 16)
    : /^0\d/.test(v)
    ? parseInt(v, 8)
    : Number(v);
  if (!(n >= 0 && n <= 0xffffffff)) {
    throw new InvalidArgumentError(`Invalid ${what}: "${v}" (expected a 32-bit number)`);
  }
  return n;
}

function at(w: TcWords, off: number, offmask: number): [number, number] {
  if (w.peek() !== "at") return [off, offmask];
  w.next();
  let v = w.value("at", "offset");
  if (v === "nexthdr+") {
    offmask = -1;
    v = w.value("nexthdr+", "offset");
  } else if (v.startsWith("nexthdr+") && v.length > 8) {
    offmask = -1;
    v = v.slice(8);
  }
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`Invalid u32 offset: "${v}"`);
  return [Number(v), offmask];
}

/**
 * `match PROTO FIELD VALUE MASK [at OFF]` fields: width in bits, offset,
 * and the offset mask (-1: from the next header), from tc's f_u32.c.
 */
const FIELDS: Record<string, readonly [8 | 16 | 32, number, number]> = {
  "u32 ": [32, 0, 0],
  "u16 ": [16, 0, 0],
  "u8 ": [8, 0, 0],
  "ip tos": [8, 1, 0],
  "ip dsfield": [8, 1, 0],
  "ip precedence": [8, 1, 0],
  "ip ihl": [8, 0, 0],
  "ip protocol": [8, 9, 0],
  "ip dport": [16, 22, 0],
  "ip sport": [16, 20, 0],
  "ip icmp_type": [8, 20, 0],
  "ip icmp_code": [8, 21, 0],
  "ip6 protocol": [8, 6, 0],
  "ip6 flowlabel": [32, 0, 0],
  "ip6 dport": [16, 42, 0],
  "ip6 sport": [16, 40, 0],
  "ip6 icmp_type": [8, 40, 0],
  // tc passes offmask 1 here (f_u32.c), and the request carries it.
  "ip6 icmp_code": [8, 41, 1],
  "tcp src": [16, 0, -1],
  "udp src": [16, 0, -1],
  "tcp dst": [16, 2, -1],
  "udp dst": [16, 2, -1],
  "icmp type": [8, 0, -1],
  "icmp code": [8, 1, -1],
};

/** Matches with no value: a fixed 16-bit key and mask at the IPv4 fragment field (offset 6). */
const FRAGMENT_FLAGS: Record<string, readonly [number, number]> = {
  "ip nofrag": [0, 0x3fff],
  "ip firstfrag": [0x2000, 0x3fff],
  "ip df": [0x4000, 0x4000],
  "ip mf": [0x2000, 0x2000],
};

/** Prefix matches: offset, and whether the address is IPv6. */
const PREFIXES: Record<string, readonly [number, boolean]> = {
  "ip src": [12, false],
  "ip dst": [16, false],
  "ip6 src": [8, true],
  "ip6 dst": [24, true],
};

function prefix(w: TcWords, sel: U32Selector, off: number, v6: boolean): void {
  const text = w.value("match", "prefix");
  const [addr, lenText] = text.split("/");
  const bytes = parseIp(addr);
  if (bytes.length !== (v6 ? 16 : 4)) {
    throw new InvalidArgumentError(`Invalid ${v6 ? "IPv6" : "IPv4"} prefix: "${text}"`);
  }
  const len = lenText === undefined ? bytes.length * 8 : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > bytes.length * 8) {
    throw new InvalidArgumentError(`Invalid prefix length: "${text}"`);
  }
  const [o, m] = at(w, off, 0);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < len || (i === 0 && !v6); i += 32) {
    const bits = Math.min(32, len - i);
    const mask = bits <= 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    packKey(sel, dv.getUint32(i / 8, false), mask, o + i / 8, m);
    if (!v6) break;
  }
}

/** Reads one `match` selector into `sel`; returns a `mark` match separately (it is its own attribute). */
export function matchWords(w: TcWords, sel: U32Selector): { val: number; mask: number } | undefined {
  const proto = w.value("match", "selector");
  const field = proto === "u32" || proto === "u16" || proto === "u8" || proto === "mark" ? "" : w.value(proto, "field");
  const name = `${proto} ${field}`;
  const sized = FIELDS[name];
  if (sized) {
    const [bits, off, offmask] = sized;
    const what = field || proto;
    const key = num(w, what, 0), mask = num(w, `${what} mask`, 16);
    const [o, m] = at(w, off, offmask);
    return void packSized(sel, bits, key, mask, o, m);
  }
  const flag = FRAGMENT_FLAGS[name];
  if (flag) return void packSmall(sel, 16, flag[0], flag[1], 6, 0);
  const pfx = PREFIXES[name];
  if (pfx) return void prefix(w, sel, pfx[0], pfx[1]);
  if (name === "mark ") {
    const val = num(w, "mark", 0), mask = num(w, "mark mask", 0);
    if ((val & mask) >>> 0 !== val) {
      throw new InvalidArgumentError(`Invalid mark: 0x${val.toString(16)} has bits outside its mask`);
    }
    return { val, mask };
  }
  if (name === "ip6 priority") {
    const key = num(w, field, 0), mask = num(w, "priority mask", 16);
    if (key > 0xff || mask > 0xff) {
      throw new InvalidArgumentError(`Invalid ip6 priority: ${key}/${mask} (must fit in 8 bits)`);
    }
    return void packKey(sel, (key << 20) >>> 0, (mask << 20) >>> 0, 0, 0);
  }
  throw new InvalidArgumentError(`Unknown u32 match: "${proto}${field ? " " + field : ""}"`);
}
