/**
 * pedit's `munge` words as tc reads them (m_pedit.c and its p_*.c header
 * modules): each header field is one table entry (offset, width, value
 * type, the bits kept by default), packed into 32-bit keys as tc packs
 * them (`pack_key8/16/32`, `pack_mac`, `pack_ipv6`).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseIp, parseMac } from "../../../wire/addr.ts";
import type { TcWords } from "../words.ts";
import { parseU32 } from "../word_table.ts";

/** Which header a key's offset counts from (`TCA_PEDIT_KEY_EX_HDR_TYPE_*`); `network` is the legacy form. */
export type PeditHeader = "network" | "eth" | "ip4" | "ip6" | "tcp" | "udp";

/** `TCA_PEDIT_KEY_EX_HDR_TYPE_*` by header, in the kernel's numbering. */
export const PEDIT_HEADERS: readonly PeditHeader[] = ["network", "eth", "ip4", "ip6", "tcp", "udp"];

/** One rewrite: `word = (word & mask) ^ val` (or `+ val` with cmd add) at `off` (values as big-endian words). */
export interface PeditKey {
  /** Bits kept. */
  mask: number;
  /** Bits then flipped (set), or added (add). */
  val: number;
  /** Byte offset, a multiple of 4, from the start of `header`. */
  off: number;
  /** Variable offset: where to read it. */
  at: number;
  /** Variable offset mask. */
  offmask: number;
  /** Variable offset shift. */
  shift: number;
  /** Header the offset counts from (extended keys; `network` when absent). */
  header?: PeditHeader;
  /** `set` (absent) or `add` (extended keys only). */
  cmd?: "set" | "add";
}

/** How tc reads a field's value: a number, an IPv4 or IPv6 address, or a MAC address. */
type ValueType = "u32" | "ipv4" | "ipv6" | "mac";

/** A field: offset, width in bytes, value type, bits kept unless `retain` says otherwise, and flags. */
type Field = readonly [off: number, len: 1 | 2 | 4 | 6 | 16, type: ValueType, retain: number, flags?: string];

const RU8 = 0xff, RU16 = 0xffff, RU32 = 0xffffffff;

/**
 * `munge HEADER FIELD` per header, with its extended header type: `ip`
 * fields (the legacy ones too: `legacy` fields exist only without `ex`),
 * `ip6`, `tcp`, `udp` and `eth` (extended only). `dec` fields take
 * `decrement`; `tclass` shifts the key 4 bits as tc does.
 */
const HEADERS: Record<string, { header: PeditHeader; exOnly: boolean; fields: Record<string, Field> }> = {
  ip: {
    header: "ip4",
    exOnly: false,
    fields: {
      src: [12, 4, "ipv4", RU32],
      dst: [16, 4, "ipv4", RU32],
      tos: [1, 1, "u32", RU8],
      dsfield: [1, 1, "u32", RU8],
      ihl: [0, 1, "u32", 0x0f],
      ttl: [8, 1, "u32", RU8, "dec"],
      protocol: [9, 1, "u32", RU8],
      precedence: [1, 1, "u32", RU8],
      nofrag: [6, 1, "u32", 0x3f],
      firstfrag: [6, 1, "u32", 0x1f],
      ce: [6, 1, "u32", 0x80],
      df: [6, 1, "u32", 0x40],
      mf: [6, 1, "u32", 0x20],
      dport: [22, 2, "u32", RU16, "legacy"],
      sport: [20, 2, "u32", RU16, "legacy"],
      // tc puts both at offset 20 (p_ip.c).
      icmp_type: [20, 1, "u32", RU8, "legacy"],
      icmp_code: [20, 1, "u32", RU8, "legacy"],
    },
  },
  ip6: {
    header: "ip6",
    exOnly: true,
    fields: {
      src: [8, 16, "ipv6", RU32],
      dst: [24, 16, "ipv6", RU32],
      flow_lbl: [0, 4, "u32", 0x0007ffff],
      payload_len: [4, 2, "u32", RU16],
      nexthdr: [6, 1, "u32", RU8],
      hoplimit: [7, 1, "u32", RU8, "dec"],
      traffic_class: [1, 1, "u32", RU8, "tclass"],
    },
  },
  tcp: {
    header: "tcp",
    exOnly: true,
    fields: { sport: [0, 2, "u32", RU16], dport: [2, 2, "u32", RU16], flags: [13, 1, "u32", RU8] },
  },
  udp: { header: "udp", exOnly: true, fields: { sport: [0, 2, "u32", RU16], dport: [2, 2, "u32", RU16] } },
  eth: {
    header: "eth",
    exOnly: true,
    fields: { type: [12, 2, "u32", RU16], dst: [0, 6, "mac", RU32], src: [6, 6, "mac", RU32] },
  },
};

const MASKS: Record<number, number[]> = {
  1: [0x00ffffff, 0xff00ffff, 0xffff00ff, 0xffffff00],
  2: [0x0000ffff, 0xff0000ff, 0xffff0000],
};

/** Packs a 1-, 2- or 4-byte field into its word (tc's `pack_key8/16/32`). */
function pack(keys: PeditKey[], key: PeditKey, len: 1 | 2 | 4, retain: number, v: number, m: number): void {
  if (len === 4) {
    if (key.off % 4) {
      throw new InvalidArgumentError(`Invalid pedit offset: ${key.off} (u32 keys start on 4-byte boundaries)`);
    }
    key.val = (v & retain) >>> 0;
    key.mask = (m | ~retain) >>> 0;
  } else {
    const ind = key.off & 3;
    if (len === 2 && ind === 3) {
      throw new InvalidArgumentError(`Invalid pedit offset: ${key.off} (a u16 cannot start at byte 3 of a word)`);
    }
    const max = len === 1 ? 0xff : 0xffff;
    if (v > max || m > max) {
      throw new InvalidArgumentError(`Invalid pedit value: 0x${v.toString(16)} does not fit in ${8 * len} bits`);
    }
    const stride = 8 * ((len === 1 ? 3 : 2) - ind);
    key.val = ((v & retain) << stride) >>> 0;
    key.mask = (((m | ~retain) << stride) | MASKS[len][ind]) >>> 0;
    key.off &= ~3;
  }
  if (keys.length >= 128) throw new InvalidArgumentError("Cannot use more than 128 pedit keys");
  keys.push({ ...key });
}

/** A value as tc's `parse_val` reads it, as the words tc keeps in `val[4]` (host order, as it packs them). */
function valueWords(text: string, type: ValueType): number[] {
  if (type === "u32") return [parseU32(text, "pedit value")];
  const bytes = type === "mac" ? parseMac(text) : parseIp(text.split("/")[0]);
  if (bytes.length !== (type === "ipv4" ? 4 : type === "ipv6" ? 16 : 6)) {
    throw new InvalidArgumentError(
      `Invalid ${type === "mac" ? "MAC" : type === "ipv4" ? "IPv4" : "IPv6"} address: "${text}"`,
    );
  }
  const padded = new Uint8Array(16);
  padded.set(bytes);
  const dv = new DataView(padded.buffer);
  return [0, 4, 8, 12].map((at) => dv.getUint32(at, false));
}

/** Reads `set VALUE|add VALUE|decrement|invert|clear|preserve [retain MASK]` and packs the field's keys. */
function command(w: TcWords, keys: PeditKey[], key: PeditKey, field: Field, extended: boolean): void {
  const [, len, type, dflt, flags] = field;
  const all = len === 4 ? 0xffffffff : len === 2 ? 0xffff : 0xff;
  const cmd = w.value("munge", "set, add, decrement, invert, clear or preserve");
  let vals = [0, 0, 0, 0], m = 0, retain = dflt;
  // tc keeps the value in `__u32 val[4]`: inverting a MAC or IPv6 address sets only its first byte (0xff).
  if (cmd === "invert") [vals[0], m] = len > 4 ? [0xff000000, 0] : [all, all];
  else if (cmd === "set" || cmd === "add") {
    if (cmd === "add") key.cmd = "add";
    if (!extended && cmd === "add") {
      throw new InvalidArgumentError(`Cannot use pedit "add" without "ex" (only "set" is supported then)`);
    }
    vals = valueWords(w.value(cmd, "value"), type);
  } else if (cmd === "decrement") {
    if (flags !== "dec") {
      throw new InvalidArgumentError(`Cannot decrement this pedit field (only ip ttl, ip6 hoplimit)`);
    }
    if (!extended) throw new InvalidArgumentError(`Cannot use pedit "decrement" without "ex"`);
    key.cmd = "add";
    vals[0] = retain; // decrement by overflow
  } else if (cmd === "preserve") retain = 0;
  else if (cmd !== "clear") {
    throw new InvalidArgumentError(
      `Invalid pedit command: "${cmd}" (expected set, add, decrement, invert, clear or preserve)`,
    );
  }
  if (w.peek() === "retain") {
    w.next();
    retain = parseU32(w.value("retain", "mask"), "retain");
  }
  if (len > 4 && retain !== RU32) {
    throw new InvalidArgumentError(`Cannot use pedit "retain" on fields longer than 32 bits`);
  }
  if (type === "ipv6") {
    if (key.off & 3) {
      throw new InvalidArgumentError(`Invalid pedit offset: ${key.off} (IPv6 addresses start on 4-byte boundaries)`);
    }
    for (const v of vals) {
      pack(keys, key, 4, RU32, v, 0);
      key.off += 4;
    }
  } else if (type === "mac") {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, vals[0], false);
    new DataView(b.buffer).setUint32(4, vals[1], false);
    const dv = new DataView(b.buffer);
    if (!(key.off & 3)) {
      pack(keys, key, 4, RU32, dv.getUint32(0, false), 0);
      key.off += 4;
      pack(keys, key, 2, RU32, dv.getUint16(4, false), 0);
    } else if (!(key.off & 1)) {
      pack(keys, key, 2, RU32, dv.getUint16(0, false), 0);
      key.off += 4;
      pack(keys, key, 4, RU32, dv.getUint32(2, false), 0);
    } else {throw new InvalidArgumentError(
        `Invalid pedit offset: ${key.off} (MAC addresses start on 2-byte boundaries)`,
      );}
  } else {
    pack(keys, key, len as 1 | 2 | 4, retain, vals[0], m);
    if (flags === "tclass") {
      const k = keys[keys.length - 1];
      k.mask = ((k.mask << 4) | 0xf) >>> 0;
      k.val = (k.val << 4) >>> 0;
    }
  }
}

/** Reads one `munge offset N u8|u16|u32 [at A OFFMASK SHIFT] CMD` or `munge HEADER FIELD CMD` into `keys`. */
export function mungeWords(w: TcWords, keys: PeditKey[], extended: boolean): void {
  const what = w.value("munge", "offset or a header");
  const key: PeditKey = { mask: 0, val: 0, off: 0, at: 0, offmask: 0, shift: 0 };
  if (what === "offset") {
    key.off = w.int("offset", -0x80000000, 0x7fffffff);
    const size = w.value("offset", "u8, u16 or u32");
    const len = size === "u32" ? 4 : size === "u16" ? 2 : size === "u8" ? 1 : 0;
    if (!len) throw new InvalidArgumentError(`Invalid pedit size: "${size}" (expected u8, u16 or u32)`);
    if (w.peek() === "at") {
      w.next();
      key.at = w.int("at");
      key.offmask = w.int("offmask", 0, 0xffffffff, 16);
      key.shift = w.int("shift");
    }
    return command(w, keys, key, [key.off, len, "u32", len === 4 ? RU32 : len === 2 ? RU16 : RU8], extended);
  }
  const h = Object.hasOwn(HEADERS, what) ? HEADERS[what] : undefined;
  if (!h) {
    throw new InvalidArgumentError(`Cannot munge "${what}" (expected offset, ${Object.keys(HEADERS).join(", ")})`);
  }
  if (h.exOnly && !extended) throw new InvalidArgumentError(`Cannot munge "${what}" without "pedit ex"`);
  const name = w.value(what, "field");
  const f = Object.hasOwn(h.fields, name) ? h.fields[name] : undefined;
  if (!f || (f[4] === "legacy" && extended)) {
    const names = Object.keys(h.fields).filter((k) => !(extended && h.fields[k][4] === "legacy"));
    throw new InvalidArgumentError(`Cannot munge ${what} "${name}" (expected ${names.join(", ")})`);
  }
  key.off = f[0];
  if (extended) key.header = h.header;
  command(w, keys, key, f, extended);
}
