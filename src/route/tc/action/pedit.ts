/**
 * `pedit`: rewrite packet bytes with 32-bit keys (`munge offset N u8|u16|u32
 * set|clear|invert|preserve`, `munge ip src|dst set ADDR`), in tc's legacy
 * (non-`ex`) form. Extended keys are refused.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseIp } from "../../../wire/addr.ts";
import { forEachAttr, parseStruct } from "../../../wire/table.ts";
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
    const field = w.value("ip", "src or dst");
    if (field !== "src" && field !== "dst") {
      throw new InvalidArgumentError(`Cannot munge ip "${field}": nlkit rewrites src and dst`);
    }
    key.off = field === "src" ? 12 : 16;
    const [v, m, retain] = command(w, 4, 0xffffffff, true);
    pack(keys, key, 4, retain, v, m);
  } else throw new InvalidArgumentError(`Cannot munge "${what}": nlkit supports offset and ip src|dst`);
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
const KEY = { mask: "u32be", val: "u32be", off: "u32", at: "u32", offmask: "u32", shift: "u32" } as const;

/** The pedit module. */
export const pedit: ActionKind = {
  kind: "pedit",
  options: {
    keys: ["action", "index", "refcnt", "bindcnt", "tm", "keys", "flags"],
    parse(_buf, view, start, end): PeditOptions {
      const o: PeditOptions = { keys: [] };
      forEachAttr(view, start, end, (t, s, e) => {
        const type = t & 0x3fff;
        if (type === TCA_PEDIT_PARMS || type === TCA_PEDIT_PARMS_EX) {
          const sel = parseStruct(SEL, view, s, e);
          Object.assign(o, genFields(sel), { flags: sel.flags });
          for (let i = 0, at = s + 24; i < sel.nkeys && at + 24 <= e; i++, at += 24) {
            const k = parseStruct(KEY, view, at, e);
            o.keys.push({ ...k, off: view.getInt32(at + 8, true), at: view.getInt32(at + 12, true) });
          }
        } else if (type === TCA_PEDIT_TM) o.tm = parseStruct(TCF_T, view, s, e);
      });
      return o;
    },
    build(b, options): void {
      const o = options as PeditOptions;
      if (!o.keys.length) throw new InvalidArgumentError("Missing pedit keys");
      b.attr(TCA_PEDIT_PARMS, (x) => {
        x.struct(SEL, {
          index: o.index ?? 0,
          action: o.action ?? TC_ACT.TC_ACT_OK,
          nkeys: o.keys.length,
          flags: o.flags ?? 0,
        });
        for (const k of o.keys) {
          x.scalar("u32be", k.mask).scalar("u32be", k.val).scalar("s32", k.off).scalar("s32", k.at)
            .scalar("u32", k.offmask).scalar("u32", k.shift);
        }
      });
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
