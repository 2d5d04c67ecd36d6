/**
 * `u32`: the universal 32-bit key classifier. Matches on ip/ip6/tcp/udp
 * fields and raw offsets, hash tables (`divisor`, `ht`, `link`, `hashkey`,
 * `sample`), marks, input devices and actions.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { TruncatedError } from "../../../wire/errors.ts";
import { type Codec, parseAttrs, readScalar } from "../../../wire/table.ts";
import { actionWords, printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { FilterKind, PrintContext, WordsContext } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { checkClsFlags, clsFlagWord, printClsFlags } from "./flags.ts";
import type { TcWords } from "../words.ts";
import { readInt, readWords, type WordReader, type WordRule, type WordTable } from "../word_table.ts";
import { known } from "../payload.ts";
import { emptySelector, matchWords, type U32Key, type U32Selector } from "./u32_keys.ts";
import { printPrettyKey } from "./u32_pretty.ts";

const TCA_U32_CLASSID = 1, TCA_U32_HASH = 2, TCA_U32_LINK = 3, TCA_U32_DIVISOR = 4, TCA_U32_SEL = 5;
const TCA_U32_POLICE = 6, TCA_U32_ACT = 7, TCA_U32_INDEV = 8, TCA_U32_PCNT = 9, TCA_U32_MARK = 10;
const TCA_U32_FLAGS = 11;
const TC_U32_TERMINAL = 1, TC_U32_OFFSET = 2, TC_U32_VAROFFSET = 4, TC_U32_EAT = 8;

/** u32 options. */
export interface U32Options {
  /** Class to classify into (`classid`/`flowid`). */
  classid?: number;
  /** Creates a hash table of this many buckets (a power of two up to 256). */
  divisor?: number;
  /** Hash table to jump to (a u32 handle `HT:`). */
  link?: number;
  /** Hash table and bucket the filter lives in (`ht`, `sample`). */
  hash?: number;
  /** Only packets that came in on this device. */
  indev?: string;
  /** The selector: keys, offsets, hash key. */
  sel?: U32Selector;
  /** Firewall mark match. */
  mark?: { val: number; mask: number; success?: number };
  /** Actions run on a match. */
  actions?: TcAction[];
  /** `TCA_CLS_FLAGS_*` (skip_hw 1, skip_sw 2; in_hw 4 and not_in_hw 8 reported). */
  flags?: number;
  /** Node number to use (`order`), folded into the handle. */
  order?: number;
  /** Hit counters (reported with statistics): rule lookups, hits, and each key's hits. */
  pcnt?: { rcnt: number; rhit: number; kcnts: number[] };
  /** A police attribute nlkit does not decode, kept raw. */
  police?: Uint8Array;
}

/** Formats a u32 handle as tc does (`800:`, `800::800`, `1:2:3`). */
export function formatU32Handle(h: number): string {
  if (h === 0) return "none";
  const htid = h >>> 20, hash = (h >>> 12) & 0xff, node = h & 0xfff;
  let s = htid ? `${htid.toString(16)}:` : "";
  if (node || hash) {
    if (hash) s += hash.toString(16);
    if (node) s += `:${node.toString(16)}`;
  }
  return s;
}

/** Parses a u32 handle (`HT:HASH:NODE` in hex, or `0x...`). */
export function parseU32Handle(text: string): number {
  const bad = () => new InvalidArgumentError(`Invalid u32 handle: "${text}" (expected HT:HASH:NODE in hex)`);
  if (!text.includes(":")) {
    if (!/^0x[0-9a-f]{1,8}$/i.test(text)) throw bad();
    return parseInt(text.slice(2), 16);
  }
  const [ht, hash = "", node = "", ...more] = text.split(":");
  const part = (t: string, max: number) => {
    if (t === "") return 0;
    const n = /^[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : NaN;
    if (!(n < max)) throw bad();
    return n;
  };
  if (more.length) throw bad();
  return ((part(ht, 0x1000) << 20) | (part(hash, 0x100) << 12) | part(node, 0x1000)) >>> 0;
}

/** `TCA_U32_SEL`: `struct tc_u32_sel` and its keys. */
const U32_SEL: Codec<U32Selector> = {
  parse(_buf, view, s, e): U32Selector {
    if (e - s < 16) throw new TruncatedError("tc_u32_sel", s, 16, e - s);
    const sel: U32Selector = {
      flags: view.getUint8(s),
      offshift: view.getUint8(s + 1),
      offmask: view.getUint16(s + 4, false),
      off: view.getUint16(s + 6, true),
      offoff: view.getInt16(s + 8, true),
      hoff: view.getInt16(s + 10, true),
      hmask: view.getUint32(s + 12, false),
      keys: [],
    };
    const n = view.getUint8(s + 2);
    for (let i = 0, at = s + 16; i < n && at + 16 <= e; i++, at += 16) {
      sel.keys.push({
        mask: view.getUint32(at, false),
        val: view.getUint32(at + 4, false),
        off: view.getInt32(at + 8, true),
        offmask: view.getInt32(at + 12, true),
      });
    }
    return sel;
  },
  build(x, sel): void {
    x.scalar("u8", sel.flags).scalar("u8", sel.offshift).scalar("u8", sel.keys.length).scalar("u8", 0);
    x.scalar("u16be", sel.offmask).scalar("u16", sel.off).scalar("s16", sel.offoff).scalar("s16", sel.hoff);
    x.scalar("u32be", sel.hmask);
    for (const k of sel.keys) {
      x.scalar("u32be", k.mask).scalar("u32be", k.val).scalar("s32", k.off).scalar("s32", k.offmask);
    }
  },
};

type U32Counters = { rcnt: number; rhit: number; kcnts: number[] };

/** `TCA_U32_PCNT`: `struct tc_u32_pcnt` (rcnt, rhit, then one counter per key), u64s. */
const U32_PCNT: Codec<U32Counters> = {
  parse(_buf, view, s, e): U32Counters {
    const u64 = (at: number) => readScalar(view, at, "u64");
    const kcnts: number[] = [];
    for (let at = s + 16; at + 8 <= e; at += 8) kcnts.push(u64(at));
    return { rcnt: u64(s), rhit: u64(s + 8), kcnts };
  },
  build(b, p): void {
    for (const n of [p.rcnt, p.rhit, ...p.kcnts]) b.scalar("u64", n);
  },
};

/** `TCA_U32_*`, in the order tc sends them. */
const U32_ATTRS = {
  classid: { type: TCA_U32_CLASSID, kind: "u32" },
  divisor: { type: TCA_U32_DIVISOR, kind: "u32" },
  link: { type: TCA_U32_LINK, kind: "u32" },
  indev: { type: TCA_U32_INDEV, kind: "string" },
  mark: { type: TCA_U32_MARK, kind: "struct", struct: { val: "u32", mask: "u32", success: "u32" } },
  actions: { type: TCA_U32_ACT, kind: "codec", codec: TC_ACTION_LIST },
  hash: { type: TCA_U32_HASH, kind: "u32" },
  sel: { type: TCA_U32_SEL, kind: "codec", codec: U32_SEL },
  flags: { type: TCA_U32_FLAGS, kind: "u32" },
  police: { type: TCA_U32_POLICE, kind: "bytes" },
  pcnt: { type: TCA_U32_PCNT, kind: "codec", codec: U32_PCNT },
} as const;

function parse(buf: Uint8Array, view: DataView, start: number, end: number): U32Options {
  return known(parseAttrs(U32_ATTRS, buf, view, start, end));
}

function build(b: MessageBuilder, o: U32Options): void {
  if (o.police) throw new InvalidArgumentError("Cannot send a u32 police attribute: use a police action");
  const d = o.divisor;
  if (d !== undefined && !(d > 0 && d <= 256 && (d & (d - 1)) === 0)) {
    throw new InvalidArgumentError(`Invalid u32 divisor: ${d} (a power of two up to 256)`);
  }
  checkClsFlags(o.flags);
  const sel = o.sel;
  b.attrs(U32_ATTRS, {
    classid: o.classid,
    divisor: d,
    link: o.link,
    indev: o.indev,
    mark: o.mark && { val: o.mark.val, mask: o.mark.mask, success: 0 },
    actions: o.actions?.length ? o.actions : undefined,
    hash: o.hash || undefined,
    sel: sel && (sel.keys.length || sel.flags || sel.hmask) ? sel : undefined,
    flags: o.flags || undefined,
  });
}

/** An offset in [-32768, 32767] that is a multiple of `unit` (`offset at`, `hashkey at`). */
function alignedOffset(unit: number, what: string, rule: string): WordReader {
  return (w, word) => {
    const off = w.int(word, -32768, 32767);
    if (off % unit) throw new InvalidArgumentError(`Invalid ${what} "${word}": ${off} (${rule})`);
    return off;
  };
}

/** A word that sets one field of the selector and the flag that makes the kernel use it. */
function selectorWord(key: keyof U32Selector, flag: number, read?: WordReader): WordRule<U32Selector> {
  return {
    key,
    apply: (w, word, sel, ctx) => {
      if (read) (sel[key] as number) = read(w, word, ctx) as number;
      sel.flags |= flag;
    },
  };
}

/** The words after `offset`: a constant offset to the next header, or one read from the packet. */
const OFFSET_WORDS: WordTable<U32Selector> = {
  plus: selectorWord("off", TC_U32_OFFSET, (w, word) => w.int(word, -32768, 65535) & 0xffff),
  at: selectorWord("offoff", TC_U32_VAROFFSET, alignedOffset(2, "offset", "must be even")),
  mask: selectorWord("offmask", TC_U32_VAROFFSET, readInt(0, 0xffff, 16)),
  shift: selectorWord("offshift", TC_U32_VAROFFSET, readInt(0, 255)),
  eat: selectorWord("flags", TC_U32_EAT),
};

/** The words after `hashkey`: which word of the packet is hashed, and its mask. */
const HASHKEY_WORDS: WordTable<U32Selector> = {
  mask: { key: "hmask", read: readInt(0, 0xffffffff, 16) },
  at: { key: "hoff", read: alignedOffset(4, "hashkey", "must be a multiple of 4") },
};

function foldHash(sel: U32Selector): number {
  const k = sel.keys[0];
  const shift = k.mask ? 31 - Math.clz32(k.mask & -k.mask) : 0;
  return ((k.val & k.mask) >>> 0) >>> shift;
}

function words(w: TcWords, ctx: WordsContext): U32Options {
  const o: U32Options = {};
  const sel = emptySelector();
  let terminal = false, sampled = false, htid = 0;
  const cls: { flags?: number } = {};
  const divisorOf = (word: string) => {
    const d = w.int(word, 1, 256);
    if (d & (d - 1)) throw new InvalidArgumentError(`Invalid u32 divisor: ${d} (a power of two up to 256)`);
    return d;
  };
  for (let word = w.next(); word !== undefined; word = w.next()) {
    if (clsFlagWord(word, cls)) continue;
    switch (word) {
      case "match": {
        const mark = matchWords(w, sel);
        if (mark) o.mark = mark;
        break;
      }
      case "offset":
        readWords(w, "u32 offset", OFFSET_WORDS, sel, ctx, true);
        break;
      case "hashkey":
        readWords(w, "u32 hashkey", HASHKEY_WORDS, sel, ctx, true);
        break;
      case "classid":
      case "flowid":
        o.classid = parseHandle(w.value(word, "class id"));
        sel.flags |= TC_U32_TERMINAL;
        break;
      case "divisor":
        o.divisor = divisorOf(word);
        break;
      case "order":
        o.order = w.int(word, 0, 0xfff);
        break;
      case "link": {
        const link = parseU32Handle(w.value(word, "handle"));
        if (link & 0xfff) {
          throw new InvalidArgumentError(`Invalid u32 link: "${formatU32Handle(link)}" (a hash table, not a node)`);
        }
        o.link = link;
        break;
      }
      case "ht": {
        const ht = parseU32Handle(w.value(word, "handle"));
        htid = sampled ? ((htid & 0xff000) | (ht & 0xfff00000)) >>> 0 : (ht & 0xfffff000) >>> 0;
        break;
      }
      case "sample": {
        const s2 = emptySelector();
        matchWords(w, s2);
        if (s2.keys.length !== 1) throw new InvalidArgumentError(`Invalid u32 sample: it must give exactly one key`);
        let divisor = 0x100;
        if (w.peek() === "divisor") {
          w.next();
          divisor = divisorOf("divisor");
        }
        htid = (((foldHash(s2) % divisor) << 12) | (htid & 0xfff00000)) >>> 0;
        sampled = true;
        break;
      }
      case "indev":
        o.indev = w.value(word, "device");
        break;
      case "action":
      case "actions":
        o.actions = [...(o.actions ?? []), ...actionWords(w, ctx)];
        terminal = true;
        break;
      default:
        throw new InvalidArgumentError(`Unknown u32 argument: "${word}"`);
    }
  }
  if (terminal) sel.flags |= TC_U32_TERMINAL;
  if (htid) o.hash = htid;
  if (sel.keys.length || sel.flags || sel.hmask) o.sel = sel;
  if (cls.flags) o.flags = cls.flags;
  return o;
}

function print(p: TcPrinter, o: U32Options, ctx: PrintContext): void {
  const h = ctx.handle;
  if (h) p.str("fh", "fh %s ", formatU32Handle(h));
  if (h & 0xfff) p.uint("order", "order %s ", h & 0xfff);
  const sel = o.sel;
  if (o.divisor !== undefined) p.uint("ht_divisor", "ht divisor %s ", o.divisor);
  else if (o.hash !== undefined) {
    p.hex("key_ht", "key ht %s ", o.hash >>> 20);
    p.hex("bkt", "bkt %s ", (o.hash >>> 12) & 0xff);
  }
  if (o.classid !== undefined) {
    if (sel && sel.flags & TC_U32_TERMINAL) p.text("*");
    p.str("flowid", "flowid %s ", formatHandle(o.classid));
  } else if (sel && sel.flags & TC_U32_TERMINAL) p.text("terminal flowid ");
  if (o.link !== undefined) p.str("link", "link %s ", formatU32Handle(o.link));
  if (o.flags !== undefined) printClsFlags(p, o.flags, false);
  if (sel && ctx.stats && o.pcnt) {
    p.uint("rule_hit", "(rule hit %s ", o.pcnt.rcnt);
    p.uint("success", "success %s)", o.pcnt.rhit);
  }
  if (o.mark) {
    p.nl();
    // tc prints the mark's value and mask as %#x in JSON, %#04x in text.
    const hex = (key: string, fmt: string, v: number) =>
      p.field("any", key, fmt, `0x${v.toString(16)}`, `0x${v.toString(16).padStart(4, "0")}`);
    hex("fwmark_value", "  mark %s ", o.mark.val);
    hex("fwmark_mask", "%s ", o.mark.mask);
    p.uint("fwmark_success", "(success %s)", o.mark.success ?? 0);
  }
  if (sel) printSel(p, sel, o, ctx);
  if (o.indev !== undefined) {
    p.nl();
    p.str("input_dev", "  input dev %s", o.indev);
    p.nl();
  }
  if (o.actions) printActionList(p, o.actions, ctx, true);
}

/** A key as `match VALUE/MASK at [nexthdr+]OFF` (`print_raw`). */
function printRawKey(p: TcPrinter, k: U32Key): void {
  p.open("match");
  p.nl();
  // print_hex: bare hex digits in JSON, %08x in text.
  const val = k.val.toString(16), mask = k.mask.toString(16);
  p.field("any", "value", "  match %s", val, p.isJson ? val : val.padStart(8, "0"));
  p.field("any", "mask", "/%s ", mask, p.isJson ? mask : mask.padStart(8, "0"));
  p.str("offmask", "at %s", k.offmask ? "nexthdr+" : "");
  p.uint("off", "%s", k.off);
  p.close();
}

function printSel(p: TcPrinter, sel: U32Selector, o: U32Options, ctx: PrintContext): void {
  // tc -p decodes the keys of ip and ipv6 filters (ETH_P_IP, ETH_P_IPV6).
  const pretty = p.pretty && (ctx.protocol === 0x0800 || ctx.protocol === 0x86dd);
  sel.keys.forEach((k, i) => {
    if (pretty) printPrettyKey(p, k, ctx.protocol === 0x86dd);
    else printRawKey(p, k);
    if (ctx.stats && o.pcnt) p.uint("success", " (success %s ) ", o.pcnt.kcnts[i] ?? 0);
  });
  if (sel.flags & (TC_U32_VAROFFSET | TC_U32_OFFSET)) {
    p.nl();
    p.text("    offset ");
    if (sel.flags & TC_U32_VAROFFSET) {
      p.field("any", "offset_mask", "%s", sel.offmask.toString(16), sel.offmask.toString(16).padStart(4, "0"));
      p.uint("offset_shift", ">>%s ", sel.offshift);
      p.uint("offset_off", "at %s ", sel.offoff);
    }
    if (sel.off) p.uint("plus", "plus %s ", sel.off);
  }
  if (sel.flags & TC_U32_EAT) p.text(" eat ");
  if (sel.hmask) {
    p.nl();
    p.field("any", "hash_mask", "    hash mask %s ", sel.hmask.toString(16), sel.hmask.toString(16).padStart(8, "0"));
    p.uint("hash_off", "at %s ", sel.hoff);
  }
}

/** The u32 module. */
export const u32: FilterKind = {
  kind: "u32",
  options: {
    keys: ["classid", "divisor", "link", "hash", "indev", "sel", "mark", "actions", "flags", "order", "pcnt", "police"],
    parse,
    build,
    print: (p, o, ctx) => print(p, o as U32Options, ctx),
    words,
  },
  parseHandle: parseU32Handle,
  finalHandle(options, handle): number {
    const order = (options as U32Options).order;
    if (!order) return handle;
    if (handle & 0xfff && (handle & 0xfff) !== order) {
      throw new InvalidArgumentError(`Invalid u32 order: ${order} (the handle names node ${handle & 0xfff})`);
    }
    return (handle | order) >>> 0;
  },
};
