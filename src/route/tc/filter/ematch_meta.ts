/**
 * The `meta` ematch (`meta(nf_mark gt 24)`, `meta(dev eq "eth0")`): a
 * packet or socket property compared with a value or another property,
 * as em_meta.c reads, writes and prints it. Each meta id is one table
 * entry: tc's name, the kernel's number, and the types it can be read as.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { forEachAttr } from "../../../wire/table.ts";

const TCA_EM_META_HDR = 1, TCA_EM_META_LVALUE = 2, TCA_EM_META_RVALUE = 3;
const TYPE_VAR = 0, TYPE_INT = 1;

/** tc's meta ids (em_meta.c's table, in its order): name, `TCF_META_ID_*`, types (`i` int, `v` variable). */
const META_IDS: readonly [string, number, string][] = [
  ["random", 1, "i"],
  ["loadavg_1", 2, "i"],
  ["loadavg_5", 3, "i"],
  ["loadavg_15", 4, "i"],
  ["dev", 5, "iv"],
  ["priority", 6, "i"],
  ["protocol", 7, "i"],
  ["pkt_type", 8, "i"],
  ["pkt_len", 9, "i"],
  ["data_len", 10, "i"],
  ["mac_len", 11, "i"],
  ["nf_mark", 12, "i"],
  ["fwmark", 12, "i"],
  ["tc_index", 13, "i"],
  ["rt_classid", 14, "i"],
  ["rt_iif", 15, "i"],
  ["vlan", 46, "i"],
  ["sk_family", 16, "i"],
  ["sk_state", 17, "i"],
  ["sk_reuse", 18, "i"],
  ["sk_bind_if", 19, "iv"],
  ["sk_refcnt", 20, "i"],
  ["sk_shutdown", 21, "i"],
  ["sk_proto", 22, "i"],
  ["sk_type", 23, "i"],
  ["sk_rcvbuf", 24, "i"],
  ["sk_rmem", 25, "i"],
  ["sk_wmem", 26, "i"],
  ["sk_omem", 27, "i"],
  ["sk_wmem_queue", 28, "i"],
  ["sk_snd_queue", 30, "i"],
  ["sk_rcv_queue", 29, "i"],
  ["sk_err_queue", 31, "i"],
  ["sk_fwd_alloc", 32, "i"],
  ["sk_sndbuf", 33, "i"],
];

/** One side of a meta comparison: a meta id (with shift and, for numbers, a mask), a number or a string. */
export type MetaOperand =
  | { id: string | number; shift?: number; mask?: number; variable?: boolean }
  | { value: number }
  | { text: string };

/** `meta(LEFT eq|gt|lt RIGHT)`. */
export interface EmatchMeta {
  /** `meta`. */
  kind: "meta";
  /** The left side. */
  left: MetaOperand;
  /** The comparison. */
  op: "eq" | "gt" | "lt";
  /** The right side. */
  right: MetaOperand;
}

const OPS = ["eq", "gt", "lt"] as const;

/** A word of the match's arguments, and whether it was quoted (a string value). */
export interface MetaWord {
  /** The text. */
  v: string;
  /** Written in double quotes. */
  quoted?: boolean;
}

function metaError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`Invalid ematch meta(...): ${message}`);
}

/** strtoul base 0 (decimal, 0x hex, 0 octal), whole word; NaN otherwise. */
function ulong(text: string): number {
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  return /^(0x[0-9a-f]+|[1-9]\d*)$/i.test(text) ? Number(text) : NaN;
}

type Parsed = { op: MetaOperand; type: number; next: number };

function object(args: MetaWord[], at: number): Parsed {
  const a = args[at];
  if (a.quoted) return { op: { text: a.v }, type: TYPE_VAR, next: at + 1 };
  const n = ulong(a.v);
  if (n <= 0xffffffff) return { op: { value: n }, type: TYPE_INT, next: at + 1 };
  const entry = META_IDS.find(([name]) => name === a.v);
  if (!entry) throw metaError(`unknown meta id "${a.v}"`);
  const op: { id: string; shift?: number; mask?: number } = { id: a.v };
  let i = at + 1;
  for (; i < args.length; i += 2) {
    if (args[i].v !== "shift" && args[i].v !== "mask") break;
    const v = ulong(args[i + 1]?.v ?? "");
    if (!(v <= (args[i].v === "shift" ? 0xff : 0xffffffff))) throw metaError(`invalid ${args[i].v}`);
    op[args[i].v as "shift"] = v;
  }
  return { op, type: entry[2][0] === "v" ? TYPE_VAR : TYPE_INT, next: i };
}

/** The types a side can be read as: its id's, or its own for a value. */
function typesOf(p: Parsed): number[] {
  if (!("id" in p.op)) return [p.type];
  return [...META_IDS.find(([n]) => n === (p.op as { id: string }).id)![2]].map((
    c,
  ) => (c === "v" ? TYPE_VAR : TYPE_INT));
}

/** Reads `LEFT eq|gt|lt RIGHT`, settling both sides on one type as tc does. */
export function metaArgs(args: MetaWord[]): EmatchMeta {
  if (!args.length) throw metaError("missing arguments");
  const l = object(args, 0);
  const opWord = args[l.next]?.v;
  const op = OPS.find((o) => o === opWord);
  if (!op) throw metaError(opWord === undefined ? "missing operand" : `invalid operand "${opWord}"`);
  if (l.next + 1 >= args.length) throw metaError("missing rvalue");
  const r = object(args, l.next + 1);
  if (r.next < args.length) throw metaError(`unexpected "${args[r.next].v}"`);
  // tc settles the types only when the right side is a meta id (parse_object returns early for values):
  // a meta id adopts the other side's type when it can be read as that type (is_compatible).
  if ("id" in r.op && l.type !== r.type) {
    const adopt = (who: Parsed, other: Parsed) => "id" in who.op && typesOf(who).includes(other.type);
    if (adopt(l, r)) l.type = r.type;
    else if (adopt(r, l)) r.type = l.type;
    else throw metaError("lvalue and rvalue are not compatible");
  }
  const side = (p: Parsed): MetaOperand => ("id" in p.op && p.type === TYPE_VAR ? { ...p.op, variable: true } : p.op);
  return { kind: "meta", left: side(l), op, right: side(r) };
}

function kindOf(o: MetaOperand): [kind: number, shift: number, value?: number | string] {
  if ("text" in o) return [TYPE_VAR << 12, 0, o.text];
  if ("value" in o) return [TYPE_INT << 12, 0, o.value];
  const entry = typeof o.id === "number" ? undefined : META_IDS.find(([n]) => n === o.id);
  const id = typeof o.id === "number" ? o.id : entry?.[1];
  if (id === undefined || id <= 0 || id > 0x7ff) throw metaError(`unknown meta id "${o.id}"`);
  const type = o.variable ? TYPE_VAR : TYPE_INT;
  // dump_value: a number side sends its mask (0: none); a variable meta id sends nothing.
  return [(type << 12) | id, o.shift ?? 0, type === TYPE_INT ? o.mask ?? 0 : undefined];
}

/** Writes the match's data (after its header): the meta header, then the left and right values. */
export function buildMeta(b: MessageBuilder, m: EmatchMeta): void {
  const op = OPS.indexOf(m.op);
  if (op < 0) throw metaError(`invalid operand "${m.op}"`);
  const [lk, ls, lv] = kindOf(m.left), [rk, rs, rv] = kindOf(m.right);
  b.attr(
    TCA_EM_META_HDR,
    (x) =>
      void x.scalar("u16", lk).scalar("u8", ls).scalar("u8", op).scalar("u16", rk).scalar("u8", rs).scalar("u8", 0),
  );
  for (const [type, v] of [[TCA_EM_META_LVALUE, lv], [TCA_EM_META_RVALUE, rv]] as const) {
    if (typeof v === "number") b.attr(type, (x) => void x.scalar("u32", v >>> 0));
    else if (typeof v === "string") b.attr(type, (x) => void x.raw(new TextEncoder().encode(v)));
  }
}

/** Reads a meta match's data; undefined when it is not one nlkit can read. */
export function parseMeta(data: Uint8Array): EmatchMeta | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let hdr: DataView | undefined;
  const values: (Uint8Array | undefined)[] = [];
  forEachAttr(view, 0, data.length, (t, s, e) => {
    if (t === TCA_EM_META_HDR && e - s >= 8) hdr = new DataView(data.buffer, data.byteOffset + s, 8);
    else if (t === TCA_EM_META_LVALUE || t === TCA_EM_META_RVALUE) values[t] = data.subarray(s, e);
  });
  if (!hdr) return undefined;
  const side = (off: number, v?: Uint8Array): MetaOperand => {
    const kind = hdr!.getUint16(off, true), id = kind & 0x7ff, type = (kind >> 12) & 0xf;
    const n = v && v.length >= 4 ? new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true) : undefined;
    if (id === 0) return type === TYPE_VAR ? { text: String.fromCharCode(...(v ?? [])) } : { value: n ?? 0 };
    const o: { id: string | number; shift?: number; mask?: number; variable?: boolean } = {
      id: META_IDS.find(([, i]) => i === id)?.[0] ?? id,
    };
    if (hdr!.getUint8(off + 2)) o.shift = hdr!.getUint8(off + 2);
    if (type === TYPE_VAR) o.variable = true;
    else if (n) o.mask = n;
    return o;
  };
  return {
    kind: "meta",
    left: side(0, values[TCA_EM_META_LVALUE]),
    op: OPS[hdr.getUint8(3)] ?? "eq",
    right: side(4, values[TCA_EM_META_RVALUE]),
  };
}

function operandText(o: MetaOperand): string {
  if ("value" in o) return String(o.value | 0);
  if ("text" in o) {
    const codes = [...o.text].map((c) => c.charCodeAt(0));
    const printable = (c: number) => c >= 0x20 && c < 0x7f;
    if (codes.every(printable)) return o.text;
    // print_binary: hex bytes, then the printable characters in quotes.
    const hex = codes.map((c) => `${c.toString(16).padStart(2, "0")} `).join("");
    return `${hex}"${codes.map((c) => (printable(c) ? String.fromCharCode(c) : ".")).join("")}"`;
  }
  const name = typeof o.id === "number" ? `[unknown meta id ${o.id}]` : o.id;
  return `${name}${o.shift ? ` shift ${o.shift}` : ""}${
    o.mask ? ` mask 0x${o.mask.toString(16).padStart(8, "0")}` : ""
  }`;
}

/** The match's arguments as tc prints them (`nf_mark gt 24`). */
export function metaText(m: EmatchMeta): string {
  return `${operandText(m.left)} ${m.op} ${operandText(m.right)}`;
}
