/**
 * nft's text for the statements and expressions of its JSON: the rule
 * lines `nft list` prints.
 *
 * @module
 */

import { CT_TYPES, HEADER_FIELDS, META_TYPES } from "../json/fields.ts";
import { nftOutput } from "../json/output.ts";
import { type Json, type NftType, typeByName } from "../json/types.ts";
import { isFlagType } from "../json/value_codec.ts";
import { rawInteger } from "../json/big_int.ts";
import { u32 } from "../json/rule_json_base.ts";

type Obj = { [k: string]: Json };

const UNQUALIFIED_META = ["iif", "oif", "iifname", "oifname", "iifgroup", "oifgroup"];
const QUOTED_KEYS = [
  "iifname",
  "oifname",
  "ibrname",
  "obrname",
  "iifkind",
  "oifkind",
  "sdifname",
  "day",
  "time",
  "hour",
  "iifgroup",
  "oifgroup",
];
const HEX_KEYS = ["mark"];

function isObj(x: Json): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** The key of a one-key object (`{"meta": {...}}` is `meta`). */
function only(o: Obj): [string, Json] {
  const [k] = Object.keys(o ?? {});
  return [k, o[k]];
}

/** How an expression's values print: quoted strings, hex marks. */
interface Style {
  quote?: boolean;
  hex?: boolean;
  ip6?: boolean;
  /** Seconds printed as nft prints a time (`ct expiration 5m`). */
  secs?: boolean;
  /** Times as plain seconds: nft prints a range's ends numerically (`ct expiration 60s-3600s`). */
  numericTime?: boolean;
  /** The styles of a concatenation's fields. */
  fields?: Style[];
  /** Hex without padding (a raw payload's value). */
  raw?: boolean;
  /** Hex digits a hex number pads to (a mark's 8 unless set). */
  width?: number;
}

/** Types nft prints in padded hex when it has no name for a value (their `basefmt`). */
const HEX_WIDTHS: Record<string, number> = { dscp: 2, ecn: 1, ether_type: 4 };
/** Types whose names nft quotes: services (`nft -S`), users and groups (`nft -u`). */
const QUOTED_TYPES = ["inet_service", "uid", "gid"];

/** How values of the type named `name` print: bitmasks in hex (`0x2,0x4`), a few in padded hex, names quoted. */
export function typeNameStyle(name: string | undefined): Style {
  if (name === undefined) return {};
  const t: NftType = typeByName(name);
  if (t.bits) return { hex: true, width: 0 };
  if (HEX_WIDTHS[t.name] !== undefined) return { hex: true, width: HEX_WIDTHS[t.name] };
  return QUOTED_TYPES.includes(t.name) ? { quote: true } : {};
}

/** The type name of what `k` (`meta`, `ct`, `payload`) with key or field `key` yields. */
function exprType(k: string, v: Obj, key: string): string | undefined {
  if (k === "meta") return META_TYPES[key]?.[0];
  if (k === "ct") return CT_TYPES[key]?.[0];
  if (k === "payload") return HEADER_FIELDS[String(v.protocol)]?.[key]?.type;
  return undefined;
}

/** How times print: `nft -T` prints them in plain seconds. */
export interface TimeStyle {
  /** Times as plain seconds (`300s`, not `5m`). */
  numericTime?: boolean;
  /** The family of the rule's table (how `reject` prints). */
  family?: string;
}

/** The style of the values `left` is compared with, times as `t` says. */
function styleOf(left: Json, t: TimeStyle = {}): Style {
  const s = baseStyle(left);
  return t.numericTime ? { ...s, numericTime: true } : s;
}

function baseStyle(left: Json): Style {
  if (!isObj(left)) return {};
  const [k, v] = only(left);
  if (k === "concat" && Array.isArray(v)) return { fields: v.map((f) => baseStyle(f)) };
  // A masked value compares as its value's type (`tcp flags & (syn | ack) == syn | ack`).
  if ((k === "&" || k === "|" || k === "^") && Array.isArray(v)) return baseStyle(v[0]);
  if (!isObj(v)) return {};
  const key = String(v.key ?? v.field ?? "");
  const typed = typeNameStyle(exprType(k, v, key));
  if (k === "meta" || k === "ct") {
    return {
      ...typed,
      quote: typed.quote || QUOTED_KEYS.includes(key) || key === "helper" || key === "iif" || key === "oif",
      hex: typed.hex || HEX_KEYS.includes(key),
      secs: k === "ct" && key === "expiration",
    };
  }
  if (k === "fib" && v.result === "oifname") return { quote: true };
  if (k === "osf") return { quote: true };
  if (k === "socket" && v.key === "mark") return { hex: true };
  // A raw payload's values are nft's hex integers (`@ih,32,32 0x14`).
  if (k === "payload" && typeof v.base === "string") return { hex: true, raw: true };
  return typed;
}

/** True when `left` has a flag type (`ct state`, `tcp flags`): matched by `in` when no operator is written. */
export function flagTyped(left: Json): boolean {
  if (typeof left !== "object" || left === null || Array.isArray(left)) return false;
  const ct = left.ct as Obj | undefined;
  const pl = left.payload as Obj | undefined;
  const tn = ct
    ? CT_TYPES[String(ct.key)]?.[0]
    : pl
    ? HEADER_FIELDS[String(pl.protocol)]?.[String(pl.field)]?.type
    : undefined;
  return tn !== undefined && isFlagType(typeByName(tn));
}

/** Prints an expression (left side or value). */
export function exprText(e: Json, style: Style = {}): string {
  if (e === null) return "";
  if (typeof e === "boolean") return nftOutput().numericSymbol ? (e ? "1" : "0") : e ? "exists" : "missing";
  if (typeof e === "number") {
    if (style.raw) return `0x${e.toString(16)}`;
    return style.hex
      ? `0x${e.toString(16).padStart(style.width ?? 8, "0")}`
      : style.secs
      ? (style.numericTime ? `${e}s` : durationText(e))
      : String(e);
  }
  if (typeof e === "string") {
    if (e.startsWith("@") || (style.quote && /^\d+$/.test(e))) return e;
    // nft's text keeps a name's backslash as it is (`"dummy\*"`).
    if (style.quote) return `"${e}"`;
    return e;
  }
  if (Array.isArray(e)) return e.map((x) => exprText(x, style)).join(",");
  const big = rawInteger(e);
  if (big !== undefined) {
    // nft's JSON signs a 64-bit value; its text prints it unsigned.
    const n = BigInt.asUintN(64, big);
    if (style.raw) return `0x${n.toString(16)}`;
    return style.hex ? `0x${n.toString(16).padStart(style.width ?? 8, "0")}` : n.toString();
  }
  const [k, v] = only(e);
  switch (k) {
    case "payload": {
      const p = v as Obj;
      if (p.protocol !== undefined) return `${p.protocol} ${p.field}`;
      return `@${p.base},${p.offset},${p.len}`;
    }
    case "meta": {
      const key = String((v as Obj).key);
      return UNQUALIFIED_META.includes(key) ? key : `meta ${key}`;
    }
    case "ct": {
      const c = v as Obj;
      return c.dir !== undefined ? `ct ${c.dir} ${c.key}` : `ct ${c.key}`;
    }
    case "fib": {
      const f = v as Obj;
      return `fib ${(f.flags as string[]).join(" . ")} ${f.result}`;
    }
    case "exthdr":
    case "tcp option":
    case "ip option":
    case "sctp chunk": {
      const x = v as Obj;
      if (x.base !== undefined) return `${k} @${x.base},${x.offset},${x.len}`;
      // An IPv6 header's field is named without `exthdr`: `frag more-fragments`.
      if (k === "exthdr") return x.field === undefined ? `exthdr ${x.name}` : `${x.name} ${x.field}`;
      return x.field === undefined ? `${k} ${x.name}` : `${k} ${x.name} ${x.field}`;
    }
    case "dccp option":
      return `dccp option ${(v as Obj).type}`;
    case "rt": {
      const r = v as Obj;
      return r.family !== undefined ? `rt ${r.family} ${r.key}` : `rt ${r.key}`;
    }
    case "jhash":
    case "symhash": {
      const h = v as Obj;
      let out = k === "jhash" ? `jhash ${exprText(h.expr)} mod ${u32(h.mod)}` : `symhash mod ${u32(h.mod)}`;
      if (h.seed !== undefined) out += ` seed 0x${(h.seed as number).toString(16)}`;
      if (h.offset !== undefined) out += ` offset ${h.offset}`;
      return out;
    }
    case "osf": {
      const o = v as Obj;
      return `osf ${o.ttl !== undefined ? `ttl ${o.ttl} ` : ""}${o.key}`;
    }
    case "socket":
      return `socket ${(v as Obj).key}`;
    case "ipsec": {
      const x = v as Obj;
      const sp = x.spnum ? ` spnum ${x.spnum}` : "";
      return `ipsec ${x.dir}${sp} ${x.family !== undefined ? `${x.family} ` : ""}${x.key}`;
    }
    case "numgen": {
      const n = v as Obj;
      return `numgen ${n.mode} mod ${u32(n.mod)}${n.offset ? ` offset ${u32(n.offset)}` : ""}`;
    }
    case "concat":
      return (v as Json[]).map((x, i) => exprText(x, style.fields?.[i] ?? style)).join(" . ");
    case "prefix": {
      const p = v as Obj;
      return `${exprText(p.addr, style)}/${p.len}`;
    }
    case "range": {
      const [a, b] = v as Json[];
      const ends = { ...style, numericTime: true };
      return `${exprText(a, ends)}-${exprText(b, ends)}`;
    }
    case "set":
      return `{ ${(Array.isArray(v) ? v : [v]).map((x) => elemText(x, style)).join(", ")} }`;
    case "map": {
      // Keys print as the key expression's values, data as the values of what the map's result is used for.
      const m = v as Obj;
      const data = isObj(m.data) && "set" in m.data ? m.data.set : undefined;
      if (data === undefined) return `${exprText(m.key)} map ${exprText(m.data)}`;
      const elems = (Array.isArray(data) ? data : [data]).map((x) => elemText(x, styleOf(m.key, style), style));
      return `${exprText(m.key)} map { ${elems.join(", ")} }`;
    }
    case "elem":
      return elemText(e, style);
    case "&":
    case "|":
    case "^": {
      const [a, b] = v as Json[];
      // Flag values joined (`fin | ack` of a set of tcp_flag) print as the values they are.
      const values = !isObj(a) || "|" in a;
      // `tcp flags & (fin | syn)`: a mask of flags joined by `|` is bracketed.
      const rhs = exprText(b, values ? style : styleOf(a, style));
      return `${exprText(a, values ? style : {})} ${k} ${k === "&" && isObj(b) && "|" in b ? `(${rhs})` : rhs}`;
    }
    case "<<":
    case ">>": {
      const [a, n] = v as Json[];
      const inner = exprText(a);
      return `${isObj(a) && ["&", "|", "^"].some((o) => o in a) ? `(${inner})` : inner} ${k} ${n}`;
    }
    case "accept":
    case "drop":
    case "continue":
    case "return":
      return k;
    case "jump":
    case "goto":
      return `${k} ${(v as Obj).target}`;
  }
  return `${k} ${JSON.stringify(v)}`;
}

/** Prints a duration in seconds as nft does (`1h`, `59m34s`). */
export function durationText(seconds: number): string {
  // nft's time_print: whole units, then what is left in milliseconds (`100ms`, `1s500ms`).
  const ms = Math.round((seconds % 1) * 1000);
  let s = Math.floor(seconds);
  let out = "";
  for (const [unit, n] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (s >= n) {
      out += `${Math.floor(s / n)}${unit}`;
      s %= n;
    }
  }
  if (s || (!out && !ms)) out += `${s}s`;
  if (ms) out += `${ms}ms`;
  return out;
}

/** Whether dup's address is a device (netdev): a name, or a map to names, not to addresses. */
function isDevice(x: Json): boolean {
  const m = isObj(x) && isObj(x.map) ? x.map : undefined;
  const set = m && isObj(m.data) && Array.isArray(m.data.set) ? m.data.set : undefined;
  const values = set ? set.map((e) => (Array.isArray(e) ? e[1] : e)) : [x];
  return values.every((v) => typeof v === "string" && !/[.:]/.test(v));
}

/** A device of dup or fwd: a quoted name, or an expression whose values are quoted names (a map). */
function deviceText(x: Json): string {
  return typeof x === "string" ? JSON.stringify(x) : exprText(x, { quote: true });
}

/** A time in seconds as nft prints it: `1h30m`, or `5400s` with `nft -T`. */
export function timeText(seconds: number, t: TimeStyle = {}): string {
  return t.numericTime ? `${Math.floor(seconds)}s` : durationText(seconds);
}

/** Prints one set element (value, `[key, data]` pair, or `{"elem": ...}` with its options). */
export function elemText(x: Json, style: Style = {}, dataStyle: Style = {}): string {
  if (Array.isArray(x) && x.length === 2) {
    return `${elemText(x[0], style)} : ${exprText(x[1], dataStyle)}`;
  }
  if (isObj(x) && "elem" in x) {
    const el = x.elem as Obj;
    let s = keyText(el.val, style);
    for (const k in el) {
      if (k !== "val" && k !== "timeout" && k !== "expires" && k !== "comment") {
        s += ` ${stmtText({ [k]: el[k] }, style)}`;
      }
    }
    if (el.timeout !== undefined) s += ` timeout ${timeText(el.timeout as number, style)}`;
    if (el.expires !== undefined) s += ` expires ${timeText(el.expires as number, style)}`;
    if (el.comment !== undefined) s += ` comment ${JSON.stringify(el.comment)}`;
    return s;
  }
  return keyText(x, style);
}

/** An element's key: `*` is the catchall element, never a quoted name. */
function keyText(x: Json, style: Style): string {
  return x === "*" ? "*" : exprText(x, style);
}

function byteText(n: Json, unit: Json): string {
  return `${n} ${unit}`;
}

function limitText(l: Obj, over: boolean): string {
  const bytes = l.rate_unit !== undefined;
  let s = `rate ${over && l.inv ? "over " : ""}${l.rate}${bytes ? ` ${l.rate_unit}` : ""}/${l.per}`;
  if (bytes ? l.burst : l.burst !== 5 && l.burst !== 0) s += ` burst ${l.burst} ${bytes ? l.burst_unit : "packets"}`;
  return s;
}

/** nft's text of a synproxy statement's or object's options, each with a leading space. */
export function synproxyText(p: Obj): string {
  let s = "";
  if (p.mss !== undefined) s += ` mss ${p.mss}`;
  if (p.wscale !== undefined) s += ` wscale ${p.wscale}`;
  for (const f of (p.flags ?? []) as string[]) s += ` ${f}`;
  return s;
}

/** nft's text of a `limit` object body or statement. */
export function limitBodyText(l: Obj): string {
  return limitText(l, true);
}

/** Each reject type's port-unreachable code, which nft leaves out (`reject`), by number under `nft -n`. */
const PORT_UNREACHABLE: Record<string, number> = { icmpx: 1, icmp: 3, icmpv6: 4 };
/** Families whose rules name an icmp or icmpv6 code always (nft's `verbose_print`): the packet's could be either. */
const MIXED_FAMILIES = ["inet", "bridge", "netdev"];

function natText(kind: string, n: Obj | null): string {
  if (!n) return kind;
  let s = kind;
  if (n.family !== undefined) s += ` ${n.family}`;
  // type_flags prefix (netmap): `snat ip prefix to ip saddr map { ... }`, the flag not named again.
  const prefix = n.type_flags === "prefix";
  if (prefix) s += " prefix";
  let to = "";
  if (n.addr !== undefined) {
    // An IPv6 address is bracketed before a port (in an ip6 table too, where no family is named).
    const a = exprText(n.addr);
    to += (n.family === "ip6" || a.includes(":")) && n.port !== undefined ? `[${a}]` : a;
  }
  if (n.port !== undefined) to += `:${exprText(n.port)}`;
  if (to) s += ` to ${to}`;
  const flags = [n.flags ?? []].flat().filter((f) => !(prefix && f === "netmap"));
  if (flags.length) s += ` ${flags.join(",")}`;
  return s;
}

/** Prints one statement. */
export function stmtText(st: Json, t: TimeStyle = {}): string {
  if (!isObj(st)) return String(st);
  const [k, v] = only(st);
  if (isObj(v) && isObj(v.map) && !("key" in v)) {
    // A map of objects: `counter name tcp dport map { 443 : "cnt1" }`, `ct helper set ... map { ... }`.
    const m = exprText(v, { quote: true });
    return k.startsWith("ct ") ? `${k} set ${m}` : `${k} name ${m}`;
  }
  switch (k) {
    case "match": {
      const m = v as Obj;
      const style = styleOf(m.left, t);
      const left = m.left;
      const bin = isObj(left) ? ["&", "|", "^"].find((o) => Array.isArray(left[o])) : undefined;
      if (isObj(left) && bin) {
        const [a, mask] = left[bin] as Json[];
        if (bin === "&" && Array.isArray(mask) && m.op === "==") {
          return `${exprText(a)} ${exprText(m.right, styleOf(a, t))} / ${exprText(mask, styleOf(a, t))}`;
        }
        if (!Array.isArray(mask)) return `${exprText(left)} ${m.op} ${exprText(m.right, styleOf(a, t))}`;
      }
      // `==` is written where no operator would mean a flag test (`tcp flags == syn`).
      const set = isObj(m.right) && "set" in m.right;
      const op = m.op === "in" || (m.op === "==" && (!flagTyped(left) || set)) ? "" : `${m.op} `;
      return `${exprText(left)} ${op}${exprText(m.right, style)}`;
    }
    case "mangle": {
      const m = v as Obj;
      return `${exprText(m.key)} set ${exprText(m.value, styleOf(m.key, t))}`;
    }
    case "counter":
      if (typeof v === "string") return `counter name ${JSON.stringify(v)}`;
      if (v === null) return "counter"; // in a set statement
      return `counter packets ${(v as Obj).packets} bytes ${(v as Obj).bytes}`;
    case "quota": {
      if (typeof v === "string") return `quota name ${JSON.stringify(v)}`;
      const q = v as Obj;
      let s = `quota ${q.inv ? "over " : ""}${byteText(q.val, q.val_unit)}`;
      if (q.used !== undefined) s += ` used ${byteText(q.used, q.used_unit)}`;
      return s;
    }
    case "limit":
      if (typeof v === "string") return `limit name ${JSON.stringify(v)}`;
      return `limit ${limitText(v as Obj, true)}`;
    case "ct helper":
    case "ct timeout":
      return `${k} set ${JSON.stringify(v)}`;
    case "log": {
      if (!v) return "log";
      const l = v as Obj;
      let s = "log";
      if (l.prefix !== undefined) s += ` prefix ${JSON.stringify(l.prefix)}`;
      if (l.group !== undefined) s += ` group ${l.group}`;
      if (l.snaplen !== undefined) s += ` snaplen ${l.snaplen}`;
      if (l["queue-threshold"] !== undefined) s += ` queue-threshold ${l["queue-threshold"]}`;
      if (l.level !== undefined) s += ` level ${l.level}`;
      return s + logFlagsText(l.flags);
    }
    case "reject": {
      if (!v) return "reject";
      const r = v as Obj;
      if (r.type === "tcp reset") return "reject with tcp reset";
      const port = r.expr === "port-unreachable" || r.expr === PORT_UNREACHABLE[String(r.type)];
      if (port && (r.type === "icmpx" || !MIXED_FAMILIES.includes(String(t.family)))) return "reject";
      return `reject with ${r.type} ${r.expr}`;
    }
    case "snat":
    case "dnat":
    case "masquerade":
    case "redirect":
      return natText(k, v as Obj | null);
    case "vmap": {
      const m = v as Obj;
      return `${exprText(m.key)} vmap ${exprText(m.data, styleOf(m.key, t))}`;
    }
    case "notrack":
      return "notrack";
    case "ct count": {
      const c = v as Obj;
      return `ct count ${c.inv ? "over " : ""}${u32(c.val)}`;
    }
    case "set": {
      const d = v as Obj;
      if (typeof d.set === "string" && d.op !== undefined) {
        const stmts = Array.isArray(d.stmt) ? d.stmt.map((x) => ` ${stmtText(x, t)}`).join("") : "";
        return `${d.op} ${d.set} { ${elemText(d.elem, t)}${stmts} }`;
      }
      break;
    }
    case "meter": {
      const m = v as Obj;
      return `meter ${m.name} size ${u32(m.size)} { ${elemText(m.key, t)} ${stmtText(m.stmt, t)} }`;
    }
    case "reset":
      return `reset ${exprText(v)}`;
    case "ct expectation":
      return `ct expectation set ${JSON.stringify(v)}`;
    case "synproxy": {
      if (typeof v === "string") return `synproxy name ${JSON.stringify(v)}`;
      return `synproxy${synproxyText(v as Obj)}`;
    }
    case "tproxy": {
      const t = v as Obj;
      const addr = t.addr === undefined
        ? ""
        : t.family === "ip6" && t.port !== undefined
        ? `[${t.addr}]`
        : String(t.addr);
      return `tproxy${t.family !== undefined ? ` ${t.family}` : ""} to ${addr}${
        t.port !== undefined ? `:${t.port}` : ""
      }`;
    }
    case "queue": {
      // nft prints the queue always (`queue to 0` for `queue` alone), the flags first.
      const q = (v ?? {}) as Obj;
      const flags = q.flags === undefined ? "" : ` flags ${[q.flags].flat().join(",")}`;
      const n = q.num;
      const num = n === undefined ? "0" : isObj(n) && Array.isArray(n.range) ? n.range.join("-") : exprText(n);
      return `queue${flags} to ${num}`;
    }
    case "dup": {
      if (!v) return "dup";
      const d = v as Obj;
      const dev = d.dev === undefined ? "" : ` device ${deviceText(d.dev)}`;
      // In netdev the device is the only target and nft prints it quoted.
      const addr = d.dev === undefined && isDevice(d.addr) ? deviceText(d.addr) : exprText(d.addr);
      return `dup to ${addr}${dev}`;
    }
    case "fwd": {
      const f = v as Obj;
      if (f.addr === undefined) return `fwd to ${deviceText(f.dev)}`;
      return `fwd ${f.family} to ${exprText(f.addr)} device ${deviceText(f.dev)}`;
    }
    case "flow": {
      const f = v as Obj;
      return `flow ${f.op} ${f.flowtable}`;
    }
    case "xt": {
      const x = v as Obj;
      // nft 1.0.6 prints the name bare (`xt target CONNMARK`) where libxtables has no translation.
      return typeof x.xlate === "string" ? x.xlate : `xt ${x.type} ${x.name}`;
    }
    case "unknown":
      // An expression the JSON layer does not know: shown by name, so the rule still lists.
      return `unknown expression ${(v as Obj)?.name ?? ""}`.trim();
  }
  return exprText(st);
}

/** nft's text of log flags: `flags all`, `flags tcp sequence,options`, `flags ip options`, ... */
function logFlagsText(flags: Json): string {
  if (flags === undefined || flags === null) return "";
  if (flags === "all") return " flags all";
  const f = Array.isArray(flags) ? flags : [flags];
  const tcp = ["sequence", "options"].filter((x) => f.includes(`tcp ${x}`));
  let s = tcp.length ? ` flags tcp ${tcp.join(",")}` : "";
  for (const x of ["ip options", "skuid", "ether"]) if (f.includes(x)) s += ` flags ${x}`;
  return s;
}
