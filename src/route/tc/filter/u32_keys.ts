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

function pack16(sel: U32Selector, key: number, mask: number, off: number, offmask: number): void {
  if (key > 0xffff || mask > 0xffff) {
    throw new InvalidArgumentError(`Invalid u16 match: ${key}/${mask} (must fit in 16 bits)`);
  }
  if ((off & 3) === 0) {
    key <<= 16;
    mask <<= 16;
  }
  packKey(sel, key >>> 0, mask >>> 0, off & ~3, offmask);
}

function pack8(sel: U32Selector, key: number, mask: number, off: number, offmask: number): void {
  if (key > 0xff || mask > 0xff) {
    throw new InvalidArgumentError(`Invalid u8 match: ${key}/${mask} (must fit in 8 bits)`);
  }
  const shift = 24 - 8 * (off & 3);
  packKey(sel, (key << shift) >>> 0, (mask << shift) >>> 0, off & ~3, offmask);
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

type Packer = (sel: U32Selector, key: number, mask: number, off: number, offmask: number) => void;

function valueMask(w: TcWords, sel: U32Selector, pack: Packer, off: number, offmask: number, what: string): void {
  const key = num(w, what, 0), mask = num(w, `${what} mask`, 16);
  const [o, m] = at(w, off, offmask);
  pack(sel, key, mask, o, m);
}

const pack32: Packer = packKey;

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
  switch (`${proto} ${field}`) {
    case "u32 ":
      return void valueMask(w, sel, pack32, 0, 0, "u32");
    case "u16 ":
      return void valueMask(w, sel, pack16, 0, 0, "u16");
    case "u8 ":
      return void valueMask(w, sel, pack8, 0, 0, "u8");
    case "mark ": {
      const val = num(w, "mark", 0), mask = num(w, "mark mask", 0);
      if ((val & mask) >>> 0 !== val) {
        throw new InvalidArgumentError(`Invalid mark: 0x${val.toString(16)} has bits outside its mask`);
      }
      return { val, mask };
    }
    case "ip src":
      return void prefix(w, sel, 12, false);
    case "ip dst":
      return void prefix(w, sel, 16, false);
    case "ip tos":
    case "ip dsfield":
    case "ip precedence":
      return void valueMask(w, sel, pack8, 1, 0, field);
    case "ip ihl":
      return void valueMask(w, sel, pack8, 0, 0, field);
    case "ip protocol":
      return void valueMask(w, sel, pack8, 9, 0, field);
    case "ip nofrag":
      return void pack16(sel, 0, 0x3fff, 6, 0);
    case "ip firstfrag":
      return void pack16(sel, 0x2000, 0x3fff, 6, 0);
    case "ip df":
      return void pack16(sel, 0x4000, 0x4000, 6, 0);
    case "ip mf":
      return void pack16(sel, 0x2000, 0x2000, 6, 0);
    case "ip dport":
      return void valueMask(w, sel, pack16, 22, 0, field);
    case "ip sport":
      return void valueMask(w, sel, pack16, 20, 0, field);
    case "ip icmp_type":
      return void valueMask(w, sel, pack8, 20, 0, field);
    case "ip icmp_code":
      return void valueMask(w, sel, pack8, 21, 0, field);
    case "ip6 src":
      return void prefix(w, sel, 8, true);
    case "ip6 dst":
      return void prefix(w, sel, 24, true);
    case "ip6 priority": {
      const key = num(w, field, 0), mask = num(w, "priority mask", 16);
      if (key > 0xff || mask > 0xff) {
        throw new InvalidArgumentError(`Invalid ip6 priority: ${key}/${mask} (must fit in 8 bits)`);
      }
      return void packKey(sel, (key << 20) >>> 0, (mask << 20) >>> 0, 0, 0);
    }
    case "ip6 protocol":
      return void valueMask(w, sel, pack8, 6, 0, field);
    case "ip6 flowlabel":
      return void valueMask(w, sel, pack32, 0, 0, field);
    case "ip6 dport":
      return void valueMask(w, sel, pack16, 42, 0, field);
    case "ip6 sport":
      return void valueMask(w, sel, pack16, 40, 0, field);
    case "ip6 icmp_type":
      return void valueMask(w, sel, pack8, 40, 0, field);
    case "ip6 icmp_code":
      return void valueMask(w, sel, pack8, 41, 1, field);
    case "tcp src":
    case "udp src":
      return void valueMask(w, sel, pack16, 0, -1, field);
    case "tcp dst":
    case "udp dst":
      return void valueMask(w, sel, pack16, 2, -1, field);
    case "icmp type":
      return void valueMask(w, sel, pack8, 0, -1, field);
    case "icmp code":
      return void valueMask(w, sel, pack8, 1, -1, field);
  }
  throw new InvalidArgumentError(`Unknown u32 match: "${proto}${field ? " " + field : ""}"`);
}
