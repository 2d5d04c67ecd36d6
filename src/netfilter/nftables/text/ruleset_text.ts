/**
 * nft's text (`nft list ruleset`) from the objects of nft's JSON: a block
 * per table holding its objects, sets, flowtables and chains with their
 * rules.
 *
 * @module
 */

import { objTypeId } from "../expr/names.ts";
import { byteUnit, u32 } from "../json/rule_json_base.ts";
import type { Json } from "../json/types.ts";
import type { SetDecl } from "./set_decl.ts";
import { NFT_TYPES } from "../json/types.ts";
import { elemText, limitBodyText, stmtText, timeText, typeNameStyle } from "./stmt_text.ts";

/** Options of the text output. */
export interface TextOptions {
  /** Show handles as `# handle N` (`nft -a`). */
  handles?: boolean;
  /** Chain and flowtable priorities as numbers, not names (`nft -y`). */
  numericPriority?: boolean;
  /** Times in plain seconds (`nft -T`). */
  numericTime?: boolean;
  /** No blank line between the blocks of a table (`nft list sets`). */
  compact?: boolean;
  /** Tables as blocks even when only tables are listed (`nft list counters`). */
  blocks?: boolean;
  /** What nft's user data declares of a set (`typeof`, `auto-merge`), which its JSON does not carry. */
  decl?: (family: string, table: string, name: string) => SetDecl | undefined;
}

type Obj = { [k: string]: Json };

const STD_PRIOS: [string, number, string[] | undefined][] = [
  ["raw", -300, undefined],
  ["mangle", -150, undefined],
  ["dstnat", -100, ["prerouting", "output"]],
  ["filter", 0, undefined],
  ["security", 50, undefined],
  ["srcnat", 100, ["postrouting", "input"]],
];

/** The bridge family's own names (`NF_BR_PRI_*`), each but filter for one hook only. */
const BRIDGE_PRIOS: [string, number, string[] | undefined][] = [
  ["dstnat", -300, ["prerouting"]],
  ["filter", -200, undefined],
  ["out", 100, ["output"]],
  ["srcnat", 300, ["postrouting"]],
];

/** nft's name for a chain priority (`filter`, `dstnat`, `filter - 10`), or the number. */
export function priorityText(family: string, hook: string, prio: number): string {
  const table = family === "bridge"
    ? BRIDGE_PRIOS
    : family === "netdev"
    ? STD_PRIOS.filter(([n]) => n === "filter")
    : STD_PRIOS;
  for (const [name, value, hooks] of table) {
    if (hooks && !hooks.includes(hook)) continue;
    const d = prio - value;
    if (Math.abs(d) <= 10) return d === 0 ? name : `${name} ${d > 0 ? "+" : "-"} ${Math.abs(d)}`;
  }
  return String(prio);
}

const FIVE_PER_LINE = [
  "nf_proto",
  "integer",
  "inet_proto",
  "inet_service",
  "tcp_flag",
  "mark",
  "iface_index",
  "classid",
  "uid",
  "gid",
  "ct_dir",
];
const TWO_PER_LINE = ["ipv4_addr", "ct_state", "ct_status", "pkt_type"];

/** How values of a set's type print: quoted names, hex marks, field by field in a concatenation. */
/** How a type's values print (`raw`: hex without padding, a raw payload's). */
interface TypeStyle {
  quote: boolean;
  hex: boolean;
  width?: number;
  raw?: boolean;
  fields?: TypeStyle[];
}

function typeStyle(type: Json): TypeStyle {
  // A map's data type is one string (`ipv4_addr . inet_service`), a key's a list.
  const fields = Array.isArray(type) ? type : typeof type === "string" && type.includes(" . ") ? type.split(" . ") : [];
  if (fields.length) return { quote: false, hex: false, fields: fields.map((t) => typeStyle(t)) };
  // A map of objects names them as strings (`1.2.3.4 : "cnt1"`).
  const quote = type === "ifname" || type === "string" || type === "iface_index" ||
    (typeof type === "string" && objTypeId(type) !== undefined);
  const named = typeof type === "string" && type in NFT_TYPES ? typeNameStyle(type) : {};
  return { quote: quote || named.quote === true, hex: type === "mark" || named.hex === true, width: named.width };
}

/** A key's style where its typeof names raw payloads (`ip saddr . @ih,32,32`): nft prints those fields in hex. */
function typeofStyle(style: TypeStyle, typeofText: string | undefined): TypeStyle {
  const parts = typeofText?.split(" . ") ?? [];
  const raw = (p: string | undefined) => p?.startsWith("@") === true;
  if (style.fields && parts.length === style.fields.length) {
    return { ...style, fields: style.fields.map((f, i) => raw(parts[i]) ? { ...f, hex: true, raw: true } : f) };
  }
  return parts.length === 1 && raw(parts[0]) ? { ...style, hex: true, raw: true } : style;
}

function elementsText(elems: Json[], type: Json, keyStyle: TypeStyle, data: Json, numericTime?: boolean): string {
  const per = typeof type !== "string" ? 1 : FIVE_PER_LINE.includes(type) ? 5 : TWO_PER_LINE.includes(type) ? 2 : 1;
  let s = "";
  elems.forEach((e, i) => {
    if (i) s += i % per ? ", " : ",\n\t\t\t     ";
    s += elemText(e, { ...keyStyle, numericTime }, typeStyle(data));
  });
  return `{ ${s} }`;
}

function handle(o: Obj, opts: TextOptions): string {
  return opts.handles ? ` # handle ${o.handle}` : "";
}

/** The lines of a set or map in `nft list` (first the header, last the closing brace). */
export function setLines(kind: string, s: Obj, opts: TextOptions): string[] {
  const type = Array.isArray(s.type) ? s.type.join(" . ") : String(s.type);
  const out = [`\t${kind} ${s.name} {${handle(s, opts)}`];
  const d = opts.decl?.(String(s.family), String(s.table), String(s.name));
  const data = (v: Json) => kind === "map" ? ` : ${d?.dataInterval ? "interval " : ""}${v}` : "";
  if (d?.keyTypeof && (kind !== "map" || d.dataTypeof)) out.push(`\t\ttypeof ${d.keyTypeof}${data(d.dataTypeof!)}`);
  else out.push(`\t\ttype ${type}${data(s.map)}`);
  if (s.policy !== undefined) out.push(`\t\tpolicy ${s.policy}`);
  if (s.size !== undefined) out.push(`\t\tsize ${u32(s.size)}`);
  const order = ["constant", "dynamic", "interval", "timeout"];
  let flags = Array.isArray(s.flags) ? order.filter((f) => (s.flags as Json[]).includes(f)) : [];
  // nft leaves out a lone timeout flag that the timeout line implies.
  if (flags.length === 1 && flags[0] === "timeout" && s.timeout !== undefined) flags = [];
  if (flags.length) out.push(`\t\tflags ${flags.join(",")}`);
  if (Array.isArray(s.stmt)) out.push(`\t\t${s.stmt.map((x) => stmtText(x, opts)).join(" ")}`);
  if (d?.autoMerge) out.push("\t\tauto-merge");
  if (s.timeout !== undefined) out.push(`\t\ttimeout ${timeText(s.timeout as number, opts)}`);
  if (s["gc-interval"] !== undefined) out.push(`\t\tgc-interval ${timeText(s["gc-interval"] as number, opts)}`);
  if (s.comment !== undefined) out.push(`\t\tcomment ${JSON.stringify(s.comment)}`);
  if (Array.isArray(s.elem)) {
    const keyStyle = typeofStyle(typeStyle(s.type), d?.keyTypeof);
    out.push(`\t\telements = ${elementsText(s.elem, s.type, keyStyle, s.map, opts.numericTime)}`);
  }
  out.push("\t}");
  return out;
}

/** The lines of a stateful object in `nft list` (first the header, last the closing brace). */
export function objectLines(kind: string, o: Obj, opts: TextOptions): string[] {
  const out = [`\t${kind} ${o.name} {${handle(o, opts)}`];
  if (o.comment !== undefined) out.push(`\t\tcomment ${JSON.stringify(o.comment)}`);
  switch (kind) {
    case "counter":
      if (o.packets !== undefined) out.push(`\t\tpackets ${o.packets} bytes ${o.bytes}`); // none with -s
      break;
    case "quota": {
      const [v, u] = byteUnit(o.bytes as number);
      let s = `\t\t${o.inv ? "over " : ""}${v} ${u}`;
      if (o.used) s += ` used ${byteUnit(o.used as number).join(" ")}`;
      out.push(s);
      break;
    }
    case "limit":
      out.push(`\t\t${limitBodyText(o)}`);
      break;
    case "ct helper":
      out.push(`\t\ttype ${JSON.stringify(o.type)} protocol ${o.protocol}`, `\t\tl3proto ${o.l3proto}`);
      break;
    case "ct timeout": {
      const policy = Object.entries((o.policy ?? {}) as Record<string, Json>).map(([k, v]) => `${k} : ${v}`);
      out.push(
        `\t\tprotocol ${o.protocol}`,
        `\t\tl3proto ${o.l3proto}`,
        `\t\tpolicy = {${policy.length ? ` ${policy.join(", ")} ` : "  "}}`,
      );
      break;
    }
    case "ct expectation":
      out.push(
        `\t\tprotocol ${o.protocol}`,
        `\t\tdport ${o.dport}`,
        `\t\ttimeout ${timeText((o.timeout as number) / 1000, opts)}`,
        `\t\tsize ${o.size}`,
        `\t\tl3proto ${o.l3proto}`,
      );
      break;
    case "synproxy": {
      const flags = (o.flags ?? []) as string[];
      if (o.mss !== undefined) out.push(`\t\tmss ${o.mss}`);
      if (o.wscale !== undefined) out.push(`\t\twscale ${o.wscale}`);
      if (flags.length) out.push(`\t\t${flags.join(" ")}`);
      break;
    }
  }
  out.push("\t}");
  return out;
}

/** A chain's lines before its rules. */
export function chainHead(c: Obj, opts: TextOptions): string[] {
  const out = [`\tchain ${c.name} {${handle(c, opts)}`];
  if (c.comment !== undefined) out.push(`\t\tcomment ${JSON.stringify(c.comment)}`);
  if (c.hook !== undefined) {
    // Several devices are sorted (nft's qsort_device_cmp) and printed unquoted.
    const dev = Array.isArray(c.dev)
      ? ` devices = { ${[...(c.dev as string[])].sort().join(", ")} }`
      : c.dev !== undefined
      ? ` device ${JSON.stringify(c.dev)}`
      : "";
    const prio = opts.numericPriority
      ? String(c.prio)
      : priorityText(String(c.family), String(c.hook), c.prio as number);
    out.push(`\t\ttype ${c.type} hook ${c.hook}${dev} priority ${prio}; policy ${c.policy};`);
  }
  return out;
}

/** A rule's text as nft prints it (`rule_print`): its statements, comment and, with `-a`, handle. */
export function ruleText(r: Obj, opts: TextOptions): string {
  const t = { numericTime: opts.numericTime, family: String(r.family) };
  const stmts = (r.expr as Json[]).map((x) => stmtText(x, t)).join(" ");
  const comment = r.comment !== undefined ? ` comment ${JSON.stringify(r.comment)}` : "";
  return `${stmts}${comment}${handle(r, opts)}`;
}

function ruleLine(r: Obj, opts: TextOptions): string {
  return `\t\t${ruleText(r, opts)}`;
}

function chainLines(c: Obj, rules: Obj[], opts: TextOptions): string[] {
  return [...chainHead(c, opts), ...rules.map((r) => ruleLine(r, opts)), "\t}"];
}

/**
 * A table's lines before its blocks: its name, then flags, then comment.
 * nft leaves a blank line after flags, not after a lone comment.
 */
function tableHead(t: Obj, opts: TextOptions): { text: string; blank: boolean } {
  let text = `table ${t.family} ${t.name} {${opts.handles ? ` # handle ${t.handle}` : ""}\n`;
  const flags = t.flags;
  if (flags !== undefined) {
    text += `\tflags ${(Array.isArray(flags) ? flags : [flags]).map((f) => f === "dorm" ? "dormant" : f).join(",")}\n`;
  }
  if (t.comment !== undefined) text += `\tcomment ${JSON.stringify(t.comment)}\n`;
  return { text, blank: flags !== undefined };
}

/**
 * nft's text of a whole ruleset (or table) written as its objects arrive
 * in nft's JSON order (per table: the table, its objects, sets,
 * flowtables and chains, then each chain's rules): the text
 * {@link formatRuleset} gives for the same objects, with no rule held.
 */
export class RulesetTextWriter {
  #write: (text: string) => void;
  #opts: TextOptions;
  #table: Obj | undefined;
  /** Whether the next block needs a blank line before it. */
  #blank = false;
  /** The open table's chains not written yet. */
  #chains: Obj[] = [];
  /** The chain whose rules are being written. */
  #chain: Obj | undefined;

  /** Writes through `write`. */
  constructor(write: (text: string) => void, opts: TextOptions = {}) {
    this.#write = write;
    this.#opts = opts;
  }

  /** Takes the next object of the listing. */
  add(o: Json): void {
    const [k, x] = unwrap(o);
    if (k === "table") {
      this.end();
      this.#table = x;
      const head = tableHead(x, this.#opts);
      this.#write(head.text);
      this.#blank = head.blank;
    } else if (k === "chain") this.#chains.push(x);
    else if (k === "rule") {
      if (this.#chain?.name !== x.chain && this.#chains.some((c) => c.name === x.chain)) {
        this.#closeChain();
        for (let c = this.#chains.shift(); c; c = this.#chains.shift()) {
          if (c.name === x.chain) {
            this.#write(this.#gap() + chainHead(c, this.#opts).join("\n"));
            this.#chain = c;
            break;
          }
          this.#part([...chainHead(c, this.#opts), "\t}"]);
        }
      }
      // A rule of a chain already written (the ruleset changed during the dump) stays in the open block.
      this.#write(`\n${ruleLine(x, this.#opts)}`);
    } else this.#part(k === "set" || k === "map" ? setLines(k, x, this.#opts) : objectLines(k, x, this.#opts));
  }

  /** Closes the open table (call once after the last object). */
  end(): void {
    if (!this.#table) return;
    this.#closeChain();
    for (const c of this.#chains) this.#part([...chainHead(c, this.#opts), "\t}"]);
    this.#chains = [];
    this.#write("}\n");
    this.#table = undefined;
  }

  /** What goes before a block: a blank line, except before the first (unless after flags). */
  #gap(): string {
    const gap = this.#blank ? "\n" : "";
    this.#blank = true;
    return gap;
  }

  #part(lines: string[]): void {
    this.#write(`${this.#gap()}${lines.join("\n")}\n`);
  }

  #closeChain(): void {
    if (this.#chain) this.#write("\n\t}\n");
    this.#chain = undefined;
  }
}

function unwrap(o: Json): [string, Obj] {
  const [k] = Object.keys(o as Obj);
  return [k, (o as Obj)[k] as Obj];
}

/** nft's text of the objects of a JSON listing (without `metainfo`). */
export function formatRuleset(objects: readonly Json[], opts: TextOptions = {}): string {
  const items = objects.map(unwrap);
  if (!opts.compact && !opts.blocks && items.every(([k]) => k === "table")) {
    return items.map(([, t]) => `table ${t.family} ${t.name}\n`).join("");
  }
  const groups = new Map<string, { table?: Obj; family: Json; name: Json; blocks: string[][] }>();
  const chains = new Map<string, string[]>();
  const rules = new Map<string, Obj[]>();
  for (const [k, o] of items) {
    if (k === "rule") {
      const key = `${o.family} ${o.table} ${o.chain}`;
      if (!rules.has(key)) rules.set(key, []);
      rules.get(key)!.push(o);
    }
  }
  for (const [k, o] of items) {
    const tkey = `${o.family} ${k === "table" ? o.name : o.table}`;
    if (!groups.has(tkey)) groups.set(tkey, { family: o.family, name: k === "table" ? o.name : o.table, blocks: [] });
    const g = groups.get(tkey)!;
    if (k === "table") g.table = o;
    else if (k === "set" || k === "map") g.blocks.push(setLines(k, o, opts));
    else if (k === "chain") {
      const lines = chainLines(o, rules.get(`${o.family} ${o.table} ${o.name}`) ?? [], opts);
      chains.set(`${o.family} ${o.table} ${o.name}`, lines);
      g.blocks.push(lines);
    } else if (k !== "rule") g.blocks.push(objectLines(k, o, opts));
  }
  let out = "";
  for (const g of groups.values()) {
    const head = g.table ? tableHead(g.table, opts) : { text: `table ${g.family} ${g.name} {\n`, blank: false };
    out += head.text;
    const gap = opts.compact ? "" : "\n";
    g.blocks.forEach((b, i) => out += `${i || head.blank ? gap : ""}${b.join("\n")}\n`);
    out += "}\n";
  }
  return out;
}
