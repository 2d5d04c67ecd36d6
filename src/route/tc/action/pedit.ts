/**
 * `pedit`: rewrite packet bytes with 32-bit keys (`munge offset N u8|u16|u32
 * set|clear|invert|preserve`, `munge ip FIELD set VALUE` for the IPv4
 * header fields tc names), in tc's legacy (non-`ex`) form. Extended keys
 * are refused.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseIp } from "../../../wire/addr.ts";
import { type Codec, parseAttrs, parseStruct, type StructValue } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind } from "../kind.ts";
import type { TcWords } from "../words.ts";
import { type ActionParms, genFields, printRefs, printVerdict, readTail, TC_GEN, TCF_T } from "./control.ts";

const TCA_PEDIT_TM = 1, TCA_PEDIT_PARMS = 2, TCA_PEDIT_PARMS_EX = 4;

/** One rewrite: `word = (word & mask) ^ val` at `off` (values as big-endian words). */
export interface PeditKey {
  /** Bits kept. */
  mask: number;
  /** Bits then flipped (set). */
  val: number;
  /** Byte offset, a multiple of 4. */
  off: number;
  /** Variable offset: where to read it. */
  at: number;
  /** Variable offset mask. */
  offmask: number;
  /** Variable offset shift. */
  shift: number;
}

/** pedit options. */
export interface PeditOptions extends ActionParms {
  /** The rewrites. */
  keys: PeditKey[];
  /** `TCA_PEDIT_*` selector flags. */
  flags?: number;
}

const MASKS: Record<number, number[]> = {
  1: [0x00ffffff, 0xff00ffff, 0xffff00ff, 0xffffff00],
  2: [0x0000ffff, 0xff0000ff, 0xffff0000],
};

function pack(keys: PeditKey[], key: PeditKey, len: number, retain: number, v: number, m: number): void {
  if (key.off % 4 && len === 4) {
    throw new InvalidArgumentError(`Invalid pedit offset: ${key.off} (u32 keys start on 4-byte boundaries)`);
  }
  if (len === 4) {
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
  keys.push(key);
}

function num(text: string, what: string): number {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 0xffffffff)) throw new InvalidArgumentError(`Invalid ${what}: "${text}"`);
  return n;
}

function command(w: TcWords, len: number, retain: number, ip: boolean): [number, number, number] {
  const all = len === 4 ? 0xffffffff : len === 2 ? 0xffff : 0xff;
  const cmd = w.value("munge", "set, clear, invert or preserve");
  let v = 0, m = 0;
  if (cmd === "invert") v = m = all;
  else if (cmd === "set") {
    const t = w.value("set", "value");
    v = ip ? new DataView(parseIpv4(t).buffer).getUint32(0, false) : num(t, "pedit value");
  } else if (cmd === "preserve") retain = 0;
  else if (cmd === "add" || cmd === "decrement") {
    throw new InvalidArgumentError(`Cannot use pedit "${cmd}": it needs extended mode, which nlkit does not build`);
  } else if (cmd !== "clear") {
    throw new InvalidArgumentError(`Invalid pedit command: "${cmd}" (expected set, clear, invert or preserve)`);
  }
  if (w.peek() === "retain") {
    w.next();
    retain = num(w.value("retain", "mask"), "retain");
  }
  return [v, m, retain];
}

function parseIpv4(t: string): Uint8Array {
  const b = parseIp(t);
  if (b.length !== 4) throw new InvalidArgumentError(`Invalid IPv4 address: "${t}"`);
  return b;
}

/** `munge ip FIELD`: byte offset, size and the bits kept by default (p_ip.c's legacy fields). */
const IP_FIELDS: Record<string, readonly [off: number, len: number, retain: number]> = {
  src: [12, 4, 0xffffffff],
  dst: [16, 4, 0xffffffff],
  tos: [1, 1, 0xff],
  dsfield: [1, 1, 0xff],
  precedence: [1, 1, 0xff],
  ihl: [0, 1, 0x0f],
  ttl: [8, 1, 0xff],
  protocol: [9, 1, 0xff],
  nofrag: [6, 1, 0x3f],
  firstfrag: [6, 1, 0x1f],
  ce: [6, 1, 0x80],
  df: [6, 1, 0x40],
  mf: [6, 1, 0x20],
  sport: [20, 2, 0xffff],
  dport: [22, 2, 0xffff],
};

function munge(w: TcWords, keys: PeditKey[]): void {
  const what = w.value("munge", "offset or ip");
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
    const [v, m, retain] = command(w, len, len === 4 ? 0xffffffff : len === 2 ? 0xffff : 0xff, false);
    pack(keys, key, len, retain, v, m);
  } else if (what === "ip") {
    const field = w.value("ip", "field");
    const f = Object.hasOwn(IP_FIELDS, field) ? IP_FIELDS[field] : undefined;
    if (!f) {
      throw new InvalidArgumentError(`Cannot munge ip "${field}" (expected ${Object.keys(IP_FIELDS).join(", ")})`);
    }
    key.off = f[0];
    const [v, m, retain] = command(w, f[1], f[2], field === "src" || field === "dst");
    pack(keys, key, f[1], retain, v, m);
  } else throw new InvalidArgumentError(`Cannot munge "${what}": nlkit supports offset and ip FIELD`);
}

function words(w: TcWords): PeditOptions {
  const keys: PeditKey[] = [];
  if (w.peek() === "ex") throw new InvalidArgumentError(`Cannot use pedit "ex": nlkit builds legacy keys only`);
  while (w.peek() === "munge") {
    w.next();
    munge(w, keys);
  }
  if (keys.length === 0) throw new InvalidArgumentError(`Missing "munge" in pedit`);
  return { keys, ...readTail(w, TC_ACT.TC_ACT_OK) };
}

const SEL = { ...TC_GEN, nkeys: "u8", flags: "u8", pad: "pad2" } as const;
const KEY = { mask: "u32be", val: "u32be", off: "s32", at: "s32", offmask: "u32", shift: "u32" } as const;
const SEL_LEN = 24, KEY_LEN = 24;

/** `struct tc_pedit_sel` and the `struct tc_pedit_key`s after it. */
const PEDIT_SEL: Codec<{ sel: StructValue<typeof SEL>; keys: PeditKey[] }> = {
  parse(_buf, view, s, e): { sel: StructValue<typeof SEL>; keys: PeditKey[] } {
    const sel = parseStruct(SEL, view, s, e);
    const keys: PeditKey[] = [];
    for (let i = 0, at = s + SEL_LEN; i < sel.nkeys && at + KEY_LEN <= e; i++, at += KEY_LEN) {
      keys.push(parseStruct(KEY, view, at, e));
    }
    return { sel, keys };
  },
  build(b, { sel, keys }): void {
    b.struct(SEL, sel);
    for (const k of keys) b.struct(KEY, k);
  },
};

/** `TCA_PEDIT_*`, in the order tc sends them. */
const PEDIT_ATTRS = {
  parms: { type: TCA_PEDIT_PARMS, kind: "codec", codec: PEDIT_SEL },
  parmsEx: { type: TCA_PEDIT_PARMS_EX, kind: "codec", codec: PEDIT_SEL },
  tm: { type: TCA_PEDIT_TM, kind: "struct", struct: TCF_T },
} as const;

/** The pedit module. */
export const pedit: ActionKind = {
  kind: "pedit",
  options: {
    keys: ["action", "index", "refcnt", "bindcnt", "tm", "keys", "flags"],
    parse(buf, view, start, end): PeditOptions {
      const a = parseAttrs(PEDIT_ATTRS, buf, view, start, end);
      const p = a.parmsEx ?? a.parms;
      const o: PeditOptions = p ? { ...genFields(p.sel), flags: p.sel.flags, keys: p.keys } : { keys: [] };
      if (a.tm) o.tm = a.tm;
      return o;
    },
    build(b, options): void {
      const o = options as PeditOptions;
      if (!o.keys.length) throw new InvalidArgumentError("Missing pedit keys");
      if (o.keys.length > 128) throw new InvalidArgumentError("Cannot use more than 128 pedit keys");
      const sel = { index: o.index ?? 0, capab: 0, action: o.action ?? TC_ACT.TC_ACT_OK, refcnt: 0, bindcnt: 0 };
      b.attrs(PEDIT_ATTRS, { parms: { sel: { ...sel, nkeys: o.keys.length, flags: o.flags ?? 0 }, keys: o.keys } });
    },
    print(p, options, ctx): void {
      const o = options as PeditOptions;
      p.str("kind", " %s ", "pedit");
      printVerdict(p, "action ", o.action ?? 0, " ");
      p.uint("nkeys", "keys %s\n", o.keys.length);
      printRefs(p, o, " \t index %s", ctx.stats);
      p.openArray("keys");
      o.keys.forEach((k, i) => {
        p.open();
        p.text(`\n\t key #${i}  at `);
        p.str("htype", "", "network", "json");
        p.uint("offset", "%s", k.off);
        p.str("cmd", "", "set", "json");
        p.field("any", "val", ": val %s", k.val.toString(16), k.val.toString(16).padStart(8, "0"));
        p.field("any", "mask", " mask %s", k.mask.toString(16), k.mask.toString(16).padStart(8, "0"));
        p.close();
      });
      p.close();
      p.nl();
    },
    words,
  },
};
