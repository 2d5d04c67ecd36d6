/**
 * Extended matches (ematches) as the `basic` classifier carries them
 * (`TCA_BASIC_EMATCHES`): tc's expression grammar (`cmp(...) and not
 * (u32(...) or cmp(...))`, m_ematch.c and emp_ematch.y), the tree tc
 * flattens it into (containers pointing at their first child), and tc's
 * text. The `cmp`, `u32` and `meta` matches are built; others read from
 * the kernel are kept raw and printed as tc prints a kind it does not know.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import type { Codec } from "../../../wire/table.ts";
import { forEachAttr } from "../../../wire/table.ts";
import { TruncatedError } from "../../../wire/errors.ts";
import type { TcPrinter } from "../printer.ts";
import type { TcWords } from "../words.ts";
import { buildMeta, type EmatchMeta, metaArgs, metaText, type MetaWord, parseMeta } from "./ematch_meta.ts";

export type { EmatchMeta, MetaOperand } from "./ematch_meta.ts";

const TCA_EMATCH_TREE_HDR = 1, TCA_EMATCH_TREE_LIST = 2, TCF_EM_PROG_TC = 0;
const TCF_EM_REL_AND = 1, TCF_EM_REL_OR = 2, TCF_EM_INVERT = 4, TCF_EM_CONTAINER = 0;
const TCF_EM_CMP = 1, TCF_EM_U32 = 3, TCF_EM_META = 4;

/** `cmp(ALIGN at OFFSET [layer L] [mask M] [trans] eq|gt|lt VALUE)`: compares a packet field. */
export interface EmatchCmp {
  /** `cmp`. */
  kind: "cmp";
  /** Field width in bits. */
  align: 8 | 16 | 32;
  /** Offset in the layer. */
  offset: number;
  /** 0 link, 1 network (the default), 2 transport. */
  layer?: number;
  /** Bits compared (0: all). */
  mask?: number;
  /** Convert the field from network byte order first. */
  trans?: boolean;
  /** The comparison. */
  op: "eq" | "gt" | "lt";
  /** The value compared with. */
  value: number;
}

/** `u32(ALIGN KEY MASK at [nexthdr+]OFFSET)`: a u32 classifier key. */
export interface EmatchU32 {
  /** `u32`. */
  kind: "u32";
  /** The 32-bit key: value and mask as big-endian words, offset, -1 from the next header. */
  key: { val: number; mask: number; off: number; offmask: number };
}

/** A match of a kind nlkit does not decode (its number and data), as the kernel reported it. */
export interface EmatchRaw {
  /** `TCF_EM_*` number. */
  kind: number;
  /** The match's data after its header. */
  data: Uint8Array;
}

/** A match: one nlkit builds, or one it keeps raw. */
export type Ematch = EmatchCmp | EmatchU32 | EmatchMeta | EmatchRaw;

/** One term of an expression: a match or a parenthesised group, maybe negated, joined to the next by a relation. */
export interface EmatchTerm {
  /** `not`. */
  not?: boolean;
  /** How the term joins the next one; absent on the last term. */
  relation?: "and" | "or";
  /** The match (absent for a group). */
  match?: Ematch;
  /** A parenthesised expression. */
  group?: EmatchTerm[];
}

const OPS = ["eq", "gt", "lt"] as const;
const LAYERS: Record<string, number> = { l: 0, n: 1, t: 2 };

// --- words -----------------------------------------------------------------

type Token = { t: "and" | "or" | "not" | "(" | ")" | "attr"; v: string; word: number; quoted?: boolean };

/** Splits words into tc's ematch tokens (emp_ematch.l), each with the word it came from. */
function tokens(words: readonly string[]): Token[] {
  const out: Token[] = [];
  words.forEach((word, i) => {
    for (const m of word.matchAll(/"((?:\\.|[^"\\])*)"|[()]|[^\s()"][^\s()]*/g)) {
      const s = m[0];
      if (s === "(" || s === ")") out.push({ t: s, v: s, word: i });
      else if (m[1] !== undefined) out.push({ t: "attr", v: m[1].replace(/\\(.)/g, "$1"), word: i, quoted: true });
      else if (/^(and|or|not)$/i.test(s)) out.push({ t: s.toLowerCase() as "and", v: s, word: i });
      else out.push({ t: "attr", v: s, word: i });
    }
  });
  return out;
}

/** strtoul base 0 (decimal, 0x hex, 0 octal), whole word; NaN otherwise. */
function ulong(text: string): number {
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  return /^(0x[0-9a-f]+|[1-9]\d*)$/i.test(text) ? Number(text) : NaN;
}

function bad(kind: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`Invalid ematch ${kind}(...): ${message}`);
}

function cmpArgs(args: string[]): EmatchCmp {
  const align = ({ u8: 8, u16: 16, u32: 32 } as const)[args[0] as "u8"];
  if (!align) throw bad("cmp", `invalid alignment "${args[0] ?? ""}" (expected u8, u16 or u32)`);
  const m: Partial<EmatchCmp> = { kind: "cmp", align };
  const num = (i: number, what: string, max = 0xffffffff) => {
    const n = ulong(args[i] ?? "");
    if (!(n <= max)) throw bad("cmp", `invalid ${what} "${args[i] ?? ""}"`);
    return n;
  };
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === "at") m.offset = num(++i, "offset", 0xffff);
    else if (a === "layer") {
      const l = LAYERS[(args[++i] ?? "")[0]] ?? num(i, "layer", 2);
      m.layer = l;
    } else if (a === "mask") m.mask = num(++i, "mask");
    else if (a === "trans") m.trans = true;
    else if (a === "eq" || a === "gt" || a === "lt") [m.op, m.value] = [a, num(++i, "value")];
    else throw bad("cmp", `unknown parameter "${a}"`);
  }
  if (m.offset === undefined || m.value === undefined) throw bad("cmp", "offset and value required");
  return m as EmatchCmp;
}

function u32Args(args: string[]): EmatchU32 {
  const len = ({ u8: 1, u16: 2, u32: 4 } as const)[args[0] as "u8"];
  if (!len) throw bad("u32", `invalid alignment "${args[0] ?? ""}" (expected u8, u16 or u32)`);
  let key = ulong(args[1] ?? ""), mask = ulong(args[2] ?? "");
  if (!(key <= 0xffffffff) || !(mask <= 0xffffffff)) throw bad("u32", "key and mask must be numeric");
  if (args[3] !== "at") throw bad("u32", `missing "at"`);
  let rest = args.slice(4), offmask = 0;
  if (rest[0] === "nexthdr+") [offmask, rest] = [-1, rest.slice(1)];
  else if (rest[0]?.startsWith("nexthdr+")) [offmask, rest] = [-1, [rest[0].slice(8), ...rest.slice(1)]];
  let off = ulong(rest[0] ?? "");
  if (!(off <= 0xffffffff)) throw bad("u32", `invalid offset "${rest[0] ?? ""}"`);
  if (rest.length > 1) throw bad("u32", `unexpected "${rest[1]}"`);
  const max = len === 1 ? 0xff : 0xffff;
  if (len < 4 && (key > max || mask > max)) throw bad("u32", `key and mask must fit in ${8 * len} bits`);
  // em_u32.c's packing (a u16 at an odd offset is not shifted, as in tc).
  const shift = len === 1 ? 24 - (off & 3) * 8 : len === 2 && (off & 3) === 0 ? 16 : 0;
  if (len < 4) [key, mask, off] = [(key << shift) >>> 0, (mask << shift) >>> 0, off & ~3];
  if (off % 4) throw bad("u32", `offset ${off} is not a multiple of 4`);
  return { kind: "u32", key: { val: (key & mask) >>> 0, mask, off, offmask } };
}

/** The match kinds nlkit builds, by tc's name. */
const KINDS: Record<string, (args: MetaWord[]) => EmatchCmp | EmatchU32 | EmatchMeta> = {
  cmp: (a) => cmpArgs(a.map((x) => x.v)),
  u32: (a) => u32Args(a.map((x) => x.v)),
  meta: metaArgs,
};

/**
 * Reads `match EXPR` (the word after `match` onwards) as tc does: terms
 * joined by `and`/`or`, each `[not] KIND(ARGS)` or `[not] (EXPR)`. The
 * expression ends before the first word that cannot continue it.
 */
export function ematchWords(w: TcWords): EmatchTerm[] {
  const words: string[] = [];
  for (let x = w.peek(); x !== undefined; x = w.peek()) words.push(w.next()!);
  const toks = tokens(words);
  let pos = 0;
  const peek = () => toks[pos];
  const expect = (t: Token["t"]) => {
    const k = toks[pos];
    if (k?.t !== t) {
      const want = t === "attr" ? "a match (KIND(ARGS))" : `"${t}"`;
      throw new InvalidArgumentError(`Invalid ematch: expected ${want} at ${k ? `"${k.v}"` : "the end"}`);
    }
    pos++;
    return k;
  };
  const expr = (): EmatchTerm[] => {
    const out: EmatchTerm[] = [];
    for (;;) {
      const term: EmatchTerm = {};
      if (peek()?.t === "not") [pos, term.not] = [pos + 1, true];
      if (peek()?.t === "(") {
        pos++;
        term.group = expr();
        expect(")");
      } else {
        const kind = expect("attr").v;
        expect("(");
        const args: MetaWord[] = [];
        while (peek()?.t === "attr") args.push(toks[pos++]);
        expect(")");
        const make = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
        if (!make) throw new InvalidArgumentError(`Unknown ematch "${kind}" (nlkit builds cmp, u32 and meta)`);
        term.match = make(args);
      }
      out.push(term);
      const rel = peek()?.t;
      if (rel !== "and" && rel !== "or") return out;
      term.relation = rel;
      pos++;
    }
  };
  const tree = expr();
  // Give back the words after the expression (tc's parser stops at the first token that cannot follow).
  const stop = pos < toks.length ? toks[pos].word : words.length;
  if (pos < toks.length && toks.slice(0, pos).some((t) => t.word === stop)) {
    throw new InvalidArgumentError(`Invalid ematch: unexpected "${toks[pos].v}"`);
  }
  w.back(words.length - stop);
  return tree;
}

// --- wire ------------------------------------------------------------------

interface Node {
  term: EmatchTerm;
  next?: Node;
  child?: Node;
  index: number;
}

function chain(terms: EmatchTerm[]): Node {
  const nodes = terms.map((term): Node => ({ term, index: 0 }));
  nodes.forEach((n, i) => {
    n.next = nodes[i + 1];
    if (n.term.group) n.child = chain(n.term.group);
  });
  return nodes[0];
}

/** tc's flatten_tree: each group's terms are appended to the list's end; returns the count. */
function flatten(head: Node, tree: Node): number {
  let count = 0;
  for (let t: Node | undefined = tree; t; t = t.term.relation ? t.next : undefined) {
    count++;
    if (t.child) {
      let last = head;
      while (last.next) last = last.next;
      last.next = t.child;
      count += flatten(head, t.child);
    }
  }
  return count;
}

function checkTerms(terms: EmatchTerm[]): void {
  if (!terms.length) throw new InvalidArgumentError("Invalid ematch: an empty expression");
  terms.forEach((t, i) => {
    if (!t.match === !t.group) throw new InvalidArgumentError("Invalid ematch term: it needs a match or a group");
    if ((i < terms.length - 1) !== (t.relation !== undefined)) {
      throw new InvalidArgumentError("Invalid ematch: every term but the last needs a relation (and, or)");
    }
    if (t.group) checkTerms(t.group);
  });
}

function buildMatch(b: MessageBuilder, m: Ematch): void {
  if (typeof m.kind === "number") return void b.raw((m as EmatchRaw).data);
  if (m.kind === "meta") return buildMeta(b, m as EmatchMeta);
  if (m.kind === "cmp") {
    const c = m as EmatchCmp;
    const align = c.align / 8;
    if (align !== 1 && align !== 2 && align !== 4) throw bad("cmp", `invalid align ${c.align}`);
    b.scalar("u32", c.value >>> 0).scalar("u32", (c.mask ?? 0) >>> 0).scalar("u16", c.offset);
    b.scalar("u8", align | (c.trans ? 0x10 : 0)).scalar("u8", (c.layer ?? 1) | (OPS.indexOf(c.op) << 4));
  } else {
    const k = (m as EmatchU32).key;
    b.scalar("u32be", k.mask).scalar("u32be", k.val).scalar("s32", k.off).scalar("s32", k.offmask);
  }
}

const KIND_NUM = { cmp: TCF_EM_CMP, u32: TCF_EM_U32, meta: TCF_EM_META } as const;

/** `TCA_BASIC_EMATCHES`: the tree header and the flattened list, as tc writes them. */
export const EMATCH_TREE: Codec<EmatchTerm[]> = {
  parse(_buf, view, start, end): EmatchTerm[] {
    const list: { flags: number; kind: number; data: Uint8Array }[] = [];
    forEachAttr(view, start, end, (t, s, e) => {
      if ((t & 0x3fff) !== TCA_EMATCH_TREE_LIST) return;
      forEachAttr(view, s, e, (_i, ms, me) => {
        if (me - ms < 8) throw new TruncatedError("tcf_ematch_hdr", ms, 8, me - ms);
        const data = new Uint8Array(view.buffer, view.byteOffset + ms + 8, me - ms - 8).slice();
        list.push({ kind: view.getUint16(ms + 2, true), flags: view.getUint16(ms + 4, true), data });
      });
    });
    const seen = new Set<number>();
    const read = (i: number): EmatchTerm[] => {
      const out: EmatchTerm[] = [];
      for (;; i++) {
        const e = list[i];
        if (!e || seen.has(i)) throw new InvalidArgumentError(`Invalid ematch tree: bad reference to match ${i}`);
        seen.add(i);
        const term: EmatchTerm = {};
        if (e.flags & TCF_EM_INVERT) term.not = true;
        const dv = new DataView(e.data.buffer);
        if (e.kind === TCF_EM_CONTAINER) {
          if (e.data.length < 4) throw new TruncatedError("ematch container", 0, 4, e.data.length);
          term.group = read(dv.getUint32(0, true));
        } else if (e.kind === TCF_EM_CMP && e.data.length >= 12) {
          const a = e.data[10], l = e.data[11];
          const c: EmatchCmp = {
            kind: "cmp",
            align: ((a & 0xf) * 8) as 8,
            offset: dv.getUint16(8, true),
            layer: l & 0xf,
            op: OPS[l >> 4] ?? "eq",
            value: dv.getUint32(0, true),
          };
          if (dv.getUint32(4, true)) c.mask = dv.getUint32(4, true);
          if (a & 0x10) c.trans = true;
          term.match = c;
        } else if (e.kind === TCF_EM_U32 && e.data.length >= 16) {
          const key = {
            mask: dv.getUint32(0, false),
            val: dv.getUint32(4, false),
            off: dv.getInt32(8, true),
            offmask: dv.getInt32(12, true),
          };
          term.match = { kind: "u32", key };
        } else term.match = (e.kind === TCF_EM_META && parseMeta(e.data)) || { kind: e.kind, data: e.data };
        const rel = e.flags & 3;
        out.push(term);
        if (!rel) return out;
        term.relation = rel === TCF_EM_REL_AND ? "and" : "or";
      }
    };
    return list.length ? read(0) : [];
  },
  build(b, terms): void {
    checkTerms(terms);
    const head = chain(terms);
    const count = flatten(head, head);
    let i = 0;
    for (let t: Node | undefined = head; t; t = t.next) t.index = i++;
    b.attr(TCA_EMATCH_TREE_HDR, (x) => void x.scalar("u16", count).scalar("u16", TCF_EM_PROG_TC));
    b.attr(TCA_EMATCH_TREE_LIST, (x) => {
      let index = 1;
      for (let t: Node | undefined = head; t; t = t.next) {
        const { term } = t;
        const flags = (term.relation === "and" ? TCF_EM_REL_AND : term.relation === "or" ? TCF_EM_REL_OR : 0) |
          (term.not ? TCF_EM_INVERT : 0);
        const kind = term.match
          ? typeof term.match.kind === "number" ? term.match.kind : KIND_NUM[term.match.kind]
          : TCF_EM_CONTAINER;
        x.attr(index++, (y) => {
          y.scalar("u16", 0).scalar("u16", kind).scalar("u16", flags).scalar("u16", 0);
          if (t!.child) y.scalar("u32", t!.child.index);
          else buildMatch(y, term.match!);
        });
      }
    });
  },
};

// --- text ------------------------------------------------------------------

function matchText(m: Ematch): string {
  if (typeof m.kind === "number") return `[unknown ematch ${m.kind}]\n`;
  if (m.kind === "meta") return `meta(${metaText(m as EmatchMeta)})\n`;
  if (m.kind === "cmp") {
    const c = m as EmatchCmp;
    const mask = c.mask ? `mask 0x${c.mask.toString(16)} ` : "";
    return `cmp(u${c.align} at ${c.offset} layer ${c.layer ?? 1} ${mask}${c.trans ? "trans " : ""}${c.op} ${
      c.value | 0
    })\n`;
  }
  const k = (m as EmatchU32).key;
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  return `u32(${hex(k.val)}/${hex(k.mask)} at ${k.offmask ? "nexthdr+" : ""}${k.off})\n`;
}

/** tc's print_ematch_seq: the terms from `terms`, nested groups indented. */
function seqText(terms: EmatchTerm[], prefix: number): string {
  let s = "";
  for (const t of terms) {
    if (t.not) s += "NOT ";
    if (t.group) s += `(\n${"  ".repeat(prefix + 1)}${seqText(t.group, prefix + 1)}${"  ".repeat(prefix)}) `;
    else {
      s += matchText(t.match!);
      if (t.relation) s += "  ".repeat(prefix);
    }
    if (!t.relation) break;
    s += t.relation === "and" ? "AND " : "OR ";
  }
  return s;
}

/** Prints an expression as tc does (text; `tc -j` writes the same text into its JSON, nlkit an `ematch` string). */
export function printEmatch(p: TcPrinter, terms: EmatchTerm[]): void {
  if (!terms.length) return;
  const text = seqText(terms, 1);
  if (p.isJson) p.str("ematch", "", text.trim(), "json");
  else p.text(`\n  ${text}`);
}
