/**
 * nft's command language for the commands scripts use, turned into nft's
 * JSON commands (then applied like a JSON document): tables, chains, sets
 * and maps, elements, and rules made of the statements the JSON layer
 * covers.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { exthdrByName } from "../json/exthdr_fields.ts";
import { HEADER_FIELDS } from "../json/fields.ts";
import { type Json, relativeMs } from "../json/types.ts";
import { flagTyped } from "./stmt_text.ts";
import { moreExpr, tcpOptionByNumber } from "./expr_more.ts";

type Obj = { [k: string]: Json };

const FAMILIES = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];
const VERDICTS = ["accept", "drop", "continue", "return"];
/** nft's `meta` keys that may be written without `meta` (its `meta_key_unqualified`). */
export const UNQUALIFIED_META: readonly string[] = [
  "iif",
  "oif",
  "iifname",
  "oifname",
  "iifgroup",
  "oifgroup",
  "mark",
  "iiftype",
  "oiftype",
  "skuid",
  "skgid",
  "nftrace",
  "rtclassid",
  "pkttype",
  "cpu",
  "cgroup",
  "time",
  "day",
  "hour",
  "ibriport",
  "obriport",
  "ibridgename",
  "obridgename",
];
/** nft's other names of meta keys (`ibriport` is `ibrname`). */
const META_ALIASES: Record<string, string> = {
  ibriport: "ibrname",
  obriport: "obrname",
  ibridgename: "ibrname",
  obridgename: "obrname",
};
const OPS = ["==", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge", "!"];
const OP_NAMES: Record<string, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };
const STD_PRIOS: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};
/** `snat ip prefix to ...`: a nat statement's prefix flag, not a log prefix. */
const NAT_PREFIX = /^ip6?$/;

/** Splits a command line into words, quoted strings, and the punctuation `{ } , ; ( ) |` (`syn|ack`: three). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[{},;()|]|[^\s{},;()|"]+)/gy;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const w = m[1];
    // `{1.1.1.1: 2.2.2.2}`, `inet_service: verdict`: a word's own colon is the key-data one (an IPv6 address
    // ends with one only as `::`).
    if (w.length > 1 && w.endsWith(":") && !w.endsWith("::") && !w.startsWith('"')) out.push(w.slice(0, -1), ":");
    else out.push(w);
  }
  if (re.lastIndex !== 0 && re.lastIndex < text.trimEnd().length) {
    throw new InvalidArgumentError(`Cannot parse "${text.slice(re.lastIndex)}"`);
  }
  return out;
}

/** Parses nft's duration text (`1h30m`, `30s`, `100ms`) into seconds: milliseconds are their fraction. */
export function parseDuration(s: string): number {
  const ms = relativeMs(s);
  if (ms === undefined) {
    throw new InvalidArgumentError(`Cannot use "${s}" as a duration: expected e.g. 1h30m or 30s`);
  }
  return ms / 1000;
}

/** A cursor over tokens. */
class Tokens {
  i = 0;
  constructor(readonly t: string[]) {}
  peek(k = 0): string | undefined {
    return this.t[this.i + k];
  }
  next(what: string): string {
    const w = this.t[this.i++];
    if (w === undefined) throw new InvalidArgumentError(`Missing ${what}`);
    return w;
  }
  eat(w: string): boolean {
    if (this.t[this.i] !== w) return false;
    this.i++;
    return true;
  }
  expect(w: string): void {
    const got = this.next(`"${w}"`);
    if (got !== w) throw new InvalidArgumentError(`Cannot use "${got}" here: expected "${w}"`);
  }
  get done(): boolean {
    return this.i >= this.t.length;
  }
}

/** A quoted word's text: nft's strings have no escapes (`"eth\*"` is `eth\*`). */
function unquote(w: string): string {
  return w.startsWith('"') ? w.slice(1, -1) : w;
}

/** A word as nft's JSON value: numbers, prefixes, ranges, or text. */
export function wordValue(w: string): Json {
  if (w.startsWith('"')) return unquote(w);
  if (/^\d+$/.test(w)) return Number(w);
  // Past 2^53 a number loses bits: nft's JSON keeps such a value as its hex text.
  if (/^0x[0-9a-f]+$/i.test(w)) return w.replace(/^0x0*/i, "").length > 13 ? w : parseInt(w, 16);
  // Most words (an address) have neither "/" nor "-": skip the two patterns that would scan them whole.
  const prefix = w.includes("/") ? /^(0x[0-9a-f]+|[0-9a-f.:]+)\/(\d+)$/i.exec(w) : null;
  // `0xffffff00/24`: a mark's prefix has a number for its base.
  if (prefix) {
    return { prefix: { addr: /^0x/i.test(prefix[1]) ? wordValue(prefix[1]) : prefix[1], len: Number(prefix[2]) } };
  }
  const range = w.includes("-") ? /^([0-9a-fx.:]+|[0-9dhms]+)-([0-9a-fx.:]+|[0-9dhms]+)$/i.exec(w) : null;
  if (range && rangeEnd(range[1]) && rangeEnd(range[2])) return { range: [wordValue(range[1]), wordValue(range[2])] };
  return w;
}

/** A range's end: a number or address (with a digit), a classid (`bcad:dada`) or a duration (`1m`, `4d23h`). */
function rangeEnd(w: string): boolean {
  return /\d/.test(w) || /^[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(w);
}

function verdictJson(t: Tokens): Json | undefined {
  const w = t.peek();
  if (w === undefined) return undefined;
  if (VERDICTS.includes(w)) {
    t.i++;
    return { [w]: null };
  }
  if (w === "jump" || w === "goto") {
    t.i++;
    if (t.peek() === "{") return { [w]: { rules: boundRules(t) } };
    return { [w]: { target: unquote(t.next("a chain name")) } };
  }
  return undefined;
}

/** The rules of `jump { ... }` (a chain bound to the rule), separated by `;`, as nlkit's JSON holds them. */
function boundRules(t: Tokens): Json[] {
  t.expect("{");
  const rules: Json[] = [];
  let words: string[] = [];
  for (let depth = 0;;) {
    const w = t.next('"}" closing the chain');
    if (depth === 0 && (w === ";" || w === "}")) {
      if (words.length) {
        const { expr, comment } = parseStatements(words);
        rules.push(comment === undefined ? { expr } : { expr, comment });
      }
      words = [];
      if (w === "}") return rules;
      continue;
    }
    if (w === "{") depth++;
    if (w === "}") depth--;
    words.push(w);
  }
}

/** A word, with a range written with spaces joined (`8- 15`, `8 -15`, `8 - 15`). */
function rangeWord(t: Tokens, what: string): string {
  // `1111:accept`: a colon before a verdict or other name (not hex, so no IPv6 address) is the key-data one.
  // An IPv6 key ends at its last colon: `1234::aaaa:::accept`.
  const kv = /^([^"]+):([a-z]*[g-z][a-z]*)$/.exec(t.peek() ?? "");
  if (kv) t.t.splice(t.i, 1, kv[1], ":", kv[2]);
  let w = t.next(what);
  if (w.startsWith('"')) return w;
  if (t.peek() === "-") w += t.next("-");
  else if (/^-[0-9a-f]/i.test(t.peek() ?? "") && !w.endsWith("-")) w += t.next(what);
  if (w.endsWith("-")) w += t.next("the end of a range");
  return w;
}

/** Parses one element: a key, a concatenation, options (`timeout`, `comment`) and map data after `:`. */
function element(t: Tokens, isMap: boolean): Json {
  // `( 0 | syn | ack )`: flags in parentheses (nft's shell tests), or-ed as without them.
  const paren = t.eat("(");
  const parts: Json[] = [wordValue(rangeWord(t, "an element"))];
  // `syn | ack`: flags or-ed into one element, nested as nft's JSON prints them.
  while (t.eat("|")) parts[0] = { "|": [parts[0], wordValue(t.next("a flag"))] };
  if (paren) t.expect(")");
  while (t.eat(".")) parts.push(wordValue(rangeWord(t, "an element field")));
  let key: Json = parts.length > 1 ? { concat: parts } : parts[0];
  const extra: Obj = {};
  for (;;) {
    if (t.eat("timeout")) extra.timeout = parseDuration(t.next("a timeout"));
    else if (t.eat("expires")) extra.expires = parseDuration(t.next("an expiry"));
    else if (t.eat("comment")) extra.comment = unquote(t.next("a comment"));
    else if (
      ["counter", "limit", "quota"].includes(t.peek() ?? "") || (t.peek() === "ct" && t.t[t.i + 1] === "count")
    ) {
      // An element's own statements (`counter packets 0 bytes 0`, `limit rate 1/second`, `ct count over 20`).
      Object.assign(extra, statement(t) as Obj);
    } else break;
  }
  if (Object.keys(extra).length) key = { elem: { val: key, ...extra } };
  if (!isMap && t.peek() !== ":") return key;
  t.expect(":");
  return [key, mapData(t)];
}

/** A map element's data after its `:`: a verdict, a value, or a concatenation of values. */
function mapData(t: Tokens): Json {
  const v = verdictJson(t);
  if (v !== undefined) return v;
  const data: Json[] = [wordValue(rangeWord(t, "map data"))];
  while (t.eat(".")) data.push(wordValue(rangeWord(t, "map data field")));
  return data.length > 1 ? { concat: data } : data[0];
}

/** Parses `{ a, b, ... }` into its elements. */
function setBody(t: Tokens, isMap = false): Json[] {
  t.expect("{");
  const out: Json[] = [];
  while (!t.eat("}")) {
    if (t.peek() === "{") {
      // `{ 3.3.3.0/24, $set2 }`, `{ $ifaces : drop }`: a nested set's elements join this one (with its data).
      const inner = setBody(t);
      if (t.eat(":")) {
        const data = mapData(t);
        for (const k of inner) out.push([k, data]);
      } else out.push(...inner);
    } else out.push(element(t, isMap));
    if (!t.eat(",") && t.peek() !== "}") {
      throw new InvalidArgumentError(`Cannot use "${t.peek()}" in a set: expected "," or "}"`);
    }
  }
  return out;
}

/** Parses a left-hand expression (`tcp dport`, `meta mark`, `iifname`, `ct state`, `a . b`). */
function expr(t: Tokens, constants = false): Json | undefined {
  const one = (): Json | undefined => {
    const w = t.peek();
    if (w === undefined) return undefined;
    if (w === "meta") {
      t.i++;
      const key = t.next("a meta key");
      return { meta: { key: META_ALIASES[key] ?? key } };
    }
    if (UNQUALIFIED_META.includes(w)) {
      t.i++;
      return { meta: { key: META_ALIASES[w] ?? w } };
    }
    if (w === "ct") {
      if (CT_OBJECTS.includes(t.peek(1) ?? "") && t.peek(2) === "set") return undefined;
      if (t.peek(1) === "count") return undefined; // the connlimit statement
      t.i++;
      const k = t.next("a ct key");
      if (k !== "original" && k !== "reply") return { ct: { key: k } };
      // `ct original ip saddr`: an address of one family, one key in nft's JSON.
      const fam = t.peek();
      const f = t.peek(1);
      if ((fam === "ip" || fam === "ip6") && (f === "saddr" || f === "daddr")) {
        t.i += 2;
        return { ct: { key: `${fam} ${f}`, dir: k } };
      }
      return { ct: { key: t.next("a ct key"), dir: k } };
    }
    if (w === "jhash" || w === "symhash") return hashExpr(t);
    const more = moreExpr(t.t, t.i);
    if (more) {
      t.i += more[1];
      return more[0];
    }
    const fields = HEADER_FIELDS[w];
    const f = w === "vlan" && t.peek(1) === "cfi" ? "dei" : t.peek(1); // nft's older name of the dei bit
    const f2 = `${f} ${t.peek(2)}`; // `arp saddr ip`
    if (fields?.[f2]) {
      t.i += 3;
      return { payload: { protocol: w, field: f2 } };
    }
    if (fields && f !== undefined && fields[f]) {
      t.i += 2;
      return { payload: { protocol: w, field: f } };
    }
    return undefined;
  };
  // `ip dscp >> 2 . tcp dport` (as nft lists a shifted field): an operation binds to its field before `.` does.
  const operated = (x: Json): Json => {
    for (let b = LEFT_BINOPS[t.peek() ?? ""]; b; b = LEFT_BINOPS[t.peek() ?? ""]) {
      t.i++;
      x = { [b]: [x, wordValue(t.next("an operand"))] };
    }
    return x;
  };
  let first = one();
  if (first === undefined) return undefined;
  let n = 0;
  while (LEFT_BINOPS[t.peek(n) ?? ""] && t.peek(n + 1) !== "(") n += 2;
  // In a match without `.` the operation applies to the whole left side (matchLeft's); a set statement's key has it.
  if (n && (constants || t.peek(n) === ".")) first = operated(first);
  const parts = [first];
  while (t.peek() === "." && t.i++) {
    const x = one() ?? (constants ? wordValue(t.next("a key field")) : undefined);
    if (x === undefined) throw new InvalidArgumentError(`Cannot concatenate "${t.peek()}"`);
    parts.push(operated(x));
  }
  return parts.length > 1 ? { concat: parts } : first;
}

/** `fwd to DEVICE`, `fwd ip|ip6 to ADDRESS device DEVICE`; a device may come from a map. */
function fwd(t: Tokens): Json {
  t.i++;
  const o: Obj = {};
  if ((t.peek() === "ip" || t.peek() === "ip6") && t.peek(1) === "to") {
    o.family = t.next("a family");
    t.expect("to");
    o.addr = mappedExpr(t) ?? wordValue(t.next("an address"));
    t.expect("device");
  } else t.expect("to");
  o.dev = mappedExpr(t) ?? unquote(t.next("a device"));
  return { fwd: o };
}

/** `jhash EXPR mod N [seed N] [offset N]`, `symhash mod N [offset N]`. */
function hashExpr(t: Tokens): Json {
  const kind = t.next("a hash");
  const o: Obj = {};
  if (kind === "jhash") {
    const e = expr(t);
    if (e === undefined) throw new InvalidArgumentError(`Cannot hash "${t.peek()}": expected an expression`);
    o.expr = e;
  }
  t.expect("mod");
  o.mod = count(t.next("a modulus"), "a modulus");
  for (;;) {
    if (kind === "jhash" && t.eat("seed")) o.seed = hashNumber(t.next("a seed"), "a seed");
    else if (t.eat("offset")) o.offset = hashNumber(t.next("an offset"), "an offset");
    else break;
  }
  return { [kind]: o };
}

function hashNumber(w: string, what: string): number {
  const v = wordValue(w);
  if (typeof v !== "number" || v > 0xffffffff) {
    throw new InvalidArgumentError(`Cannot use "${w}" as ${what}: expected an unsigned 32-bit number`);
  }
  return v;
}

/** `EXPR map { k : v, ... }` or `EXPR map @name` after `key`; `key` alone otherwise. */
function mapped(t: Tokens, key: Json): Json {
  if (!t.eat("map")) return key;
  if (t.peek() === "{") return { map: { key, data: { set: setBody(t, true) } } };
  return { map: { key, data: t.next("a map") } };
}

/** An expression (`ip saddr`, `ip saddr map @m`) or, failing that, undefined. */
function mappedExpr(t: Tokens): Json | undefined {
  const e = expr(t);
  return e === undefined ? undefined : mapped(t, e);
}

/** Flags or-ed: `(syn | ack)` or `syn | ack` (also `fin,rst` in parentheses), as nft's JSON list of them. */
function flagList(t: Tokens, first?: string): Json {
  const paren = first === undefined && t.eat("(");
  const list: Json[] = [wordValue(first ?? t.next("a flag"))];
  while (t.eat("|") || (paren && t.eat(","))) list.push(wordValue(t.next("a flag")));
  if (paren) t.expect(")");
  // `(0x1 | 0x2)`: numbers fold into one, as nft's evaluator folds them.
  if (list.every((v) => typeof v === "number")) return (list as number[]).reduce((a, b) => (a | b) >>> 0, 0);
  return list.length === 1 ? list[0] : list;
}

/** Parses a right-hand value: a word, a flag list, `{ set }`, `@name` (`ors`: `a | b` is a flag list). */
function value(t: Tokens, ors = true): Json {
  if (t.peek() === "(") return flagList(t);
  if (t.peek() === "{") {
    const elems = setBody(t);
    // `{ $EMPTY }` of `define EMPTY = {}`: nft refuses an anonymous set that ends up empty.
    if (!elems.length) throw new InvalidArgumentError("Cannot match an empty anonymous set");
    // nft's evaluator makes a one-element anonymous set of a plain value, prefix or range that value.
    const [e] = elems;
    const plain = typeof e !== "object" || e === null || "prefix" in e || "range" in e;
    return elems.length === 1 && plain && !Array.isArray(e) ? e : { set: elems };
  }
  const w = t.next("a value");
  if (w === "exists" || w === "missing") return w === "exists"; // an extension header's presence
  if (t.peek() === "," && !w.startsWith('"')) {
    const list: Json[] = [wordValue(w)];
    while (t.eat(",")) list.push(wordValue(t.next("a value")));
    return list;
  }
  if (ors && t.peek() === "|") return flagList(t, w);
  return wordValue(w);
}

function natTarget(s: string): Obj {
  // [addr]:port, addr:port, :port, addr (IPv6 without port has no brackets)
  let addr: string | undefined;
  let port: string | undefined;
  // `[a::1]:80`, `[a::1]/64`, `[a::1]-[a::2]:80-100`.
  const br = /^\[([^\]]+)\](?:-\[([^\]]+)\])?(\/\d+)?(?::(.+))?$/.exec(s);
  if (br) [addr, port] = [br[2] === undefined ? br[1] + (br[3] ?? "") : `${br[1]}-${br[2]}`, br[4]];
  else if (s.startsWith(":")) port = s.slice(1);
  else if ((s.match(/:/g) ?? []).length === 1) [addr, port] = s.split(":");
  else addr = s;
  const out: Obj = {};
  if (addr !== undefined) out.addr = wordValue(addr);
  if (port !== undefined) out.port = wordValue(port);
  return out;
}

function rateUnit(s: string): [number, string | undefined, string] {
  const m = /^(\d+)(?:\s*([kmg]?bytes))?\/(second|minute|hour|day|week)$/.exec(s);
  if (!m) throw new InvalidArgumentError(`Cannot use "${s}" as a rate: expected N/second or N mbytes/second`);
  return [Number(m[1]), m[2], m[3]];
}

/** Parses one statement at the cursor. */
function statement(t: Tokens): Json {
  const v = verdictJson(t);
  if (v !== undefined) return v;
  const w = t.peek()!;
  if (w === "ct" && t.t[t.i + 1] === "count") {
    // `ct count [over] N`: connlimit, a statement (in rules, sets and elements).
    t.i += 2;
    const inv = t.eat("over");
    const val = count(t.next("a connection count"), "a connection count");
    return { "ct count": inv ? { val, inv: true } : { val } };
  }
  switch (w) {
    case "flow": {
      // `flow add @f` (`flow offload @f` is the same statement).
      t.i++;
      const op = t.next("add");
      const ft = t.next("@flowtable");
      if ((op !== "add" && op !== "offload") || !ft.startsWith("@")) {
        throw new InvalidArgumentError(`Cannot use "flow ${op} ${ft}": expected flow add @FLOWTABLE`);
      }
      return { flow: { op: "add", flowtable: ft } };
    }
    case "counter": {
      t.i++;
      if (t.eat("name")) return { counter: mappedExpr(t) ?? unquote(t.next("a counter name")) };
      const c: Obj = { packets: 0, bytes: 0 };
      for (let k = t.peek(); k === "packets" || k === "bytes"; k = t.peek()) {
        c[k] = Number((t.i++, t.next(`a ${k} count`)));
      }
      return { counter: c };
    }
    case "synproxy": {
      t.i++;
      if (t.eat("name")) return { synproxy: mappedExpr(t) ?? unquote(t.next("a synproxy name")) };
      const o: Obj = {};
      for (;;) {
        if (t.eat("mss")) o.mss = count(t.next("an mss"), "an mss");
        else if (t.eat("wscale")) o.wscale = count(t.next("a wscale"), "a wscale");
        else if (t.peek() === "timestamp" || t.peek() === "sack-perm") {
          o.flags = [...(o.flags as string[] ?? []), t.next("a flag")];
        } else break;
      }
      return { synproxy: Object.keys(o).length ? o : null };
    }
    case "tproxy": {
      t.i++;
      const o: Obj = {};
      if (t.peek() === "ip" || t.peek() === "ip6") o.family = t.next("a family");
      t.expect("to");
      return { tproxy: { ...o, ...natTarget(t.next("a tproxy target")) } };
    }
    case "dup": {
      t.i++;
      t.expect("to");
      const o: Obj = { addr: mappedExpr(t) ?? wordValue(t.next("a dup target")) };
      if (t.eat("device")) o.dev = unquote(t.next("a device"));
      return { dup: o };
    }
    case "notrack":
      t.i++;
      return { notrack: null };
    case "log": {
      t.i++;
      const l: Obj = {};
      for (;;) {
        if (t.eat("prefix")) l.prefix = unquote(t.next("a log prefix"));
        else if (t.eat("level")) l.level = t.next("a log level");
        else if (t.eat("group")) l.group = Number(t.next("a log group"));
        else if (t.eat("snaplen")) l.snaplen = Number(t.next("a snaplen"));
        else if (t.eat("queue-threshold")) l["queue-threshold"] = Number(t.next("a queue threshold"));
        else if (t.eat("flags")) logFlags(t, l);
        else break;
      }
      if (Array.isArray(l.flags) && l.flags.length === 1) l.flags = l.flags[0];
      return { log: Object.keys(l).length ? l : null };
    }
    case "reject": {
      t.i++;
      if (!t.eat("with")) return { reject: null };
      const type = t.next("a reject type");
      if (type === "tcp") {
        t.expect("reset");
        return { reject: { type: "tcp reset" } };
      }
      t.eat("type");
      return { reject: { type, expr: t.next("a reject code") } };
    }
    case "limit": {
      t.i++;
      if (t.eat("name")) return { limit: mappedExpr(t) ?? unquote(t.next("a limit name")) };
      t.expect("rate");
      const inv = t.eat("over");
      // `10/second`, `1 mbytes/second`, `1 kbytes / second`: nft's scanner takes the spaces either way.
      let spec = t.next("a rate");
      if (/^\d+$/.test(spec) && /^[kmg]?bytes/.test(t.peek() ?? "")) spec += t.next("a rate unit");
      if (!spec.includes("/") && t.peek()?.startsWith("/")) spec += t.next("a rate unit");
      if (spec.endsWith("/")) spec += t.next("a time unit");
      const [rate, unit, per] = rateUnit(spec);
      const l: Obj = { rate, per };
      if (unit) l.rate_unit = unit;
      if (t.eat("burst")) {
        l.burst = Number(t.next("a burst"));
        const bu = t.next("a burst unit");
        if (bu !== "packets") l.burst_unit = bu;
      }
      if (inv) l.inv = true;
      return { limit: l };
    }
    case "quota": {
      t.i++;
      if (t.eat("name")) return { quota: mappedExpr(t) ?? unquote(t.next("a quota name")) };
      const q: Obj = {};
      if (t.eat("over")) q.inv = true;
      q.val = Number(t.next("a quota"));
      q.val_unit = t.next("a quota unit");
      if (t.eat("used")) {
        q.used = Number(t.next("a used amount"));
        q.used_unit = t.next("a used unit");
      }
      return { quota: q };
    }
    case "masquerade":
    case "redirect":
    case "snat":
    case "dnat": {
      t.i++;
      const n: Obj = {};
      // `snat ip to ...`, `dnat ip addr . port to ...`; `snat ip saddr map @m` maps without `to`.
      const famWord = t.peek() === "ip" || t.peek() === "ip6";
      if (famWord && ["to", "addr", "prefix"].includes(t.peek(1) ?? "")) n.family = t.next("a family");
      if (t.eat("prefix")) n.type_flags = "prefix"; // netmap: whole prefixes mapped
      else if (t.peek() === "addr") {
        // nft's STMT_NAT_F_CONCAT: the map's `address . port` data says it, as nft's JSON leaves it out.
        t.i++;
        t.expect(".");
        t.expect("port");
        if (t.peek() !== "to") throw new InvalidArgumentError(`Cannot use "${t.peek()}" here: expected "to"`);
      }
      const bare = (w === "snat" || w === "dnat") && t.peek() !== "to" ? mappedExpr(t) : undefined;
      if (bare !== undefined) n.addr = bare;
      else if (t.eat("to")) {
        // `redirect to :tcp dport map { 22 : 8000 }`: the port from an expression.
        const colon = /^:([a-z].*)$/.exec(t.peek() ?? "");
        if (colon) t.t[t.i] = colon[1];
        const m = mappedExpr(t); // `snat to ip saddr map { ... }`
        if (colon) {
          if (m === undefined) throw new InvalidArgumentError(`Cannot use ":${t.peek()}" as a port`);
          n.port = m;
        } else Object.assign(n, m === undefined ? natTarget(t.next("a nat target")) : { addr: m });
      }
      const flags: string[] = [];
      while (["random", "fully-random", "persistent"].includes(t.peek() ?? "")) {
        flags.push(t.next("a flag"));
        if (t.peek() === "," && ["random", "fully-random", "persistent"].includes(t.peek(1) ?? "")) t.i++;
      }
      if (flags.length) n.flags = flags.length === 1 ? flags[0] : flags;
      const kind = w === "masquerade" ? "masquerade" : w;
      return { [kind]: Object.keys(n).length ? n : null };
    }
  }
  if (["add", "update", "delete"].includes(w) && t.peek(1)?.startsWith("@")) return setStatement(t);
  if (w === "set" && ["add", "update", "delete"].includes(t.peek(1) ?? "")) return oldSetStatement(t);
  if (w === "ct" && t.peek(1) === "count") {
    // connlimit: `ct count [over] N`.
    t.i += 2;
    const inv = t.eat("over");
    const val = count(t.next("a connection count"), "a connection count");
    return { "ct count": inv ? { val, inv } : { val } };
  }
  if (w === "fwd") return fwd(t);
  if (w === "reset" && t.peek(1) === "tcp" && t.peek(2) === "option") {
    // `reset tcp option sack-perm` (or its kind's number): the option turned into NOPs.
    t.i += 3;
    const opt = tcpOptionByNumber(t.t, t.i, 0);
    if (opt) return (t.i += opt[1]), { reset: opt[0] };
    const name = t.next("a TCP option");
    if (!exthdrByName("tcp option", name)) throw new InvalidArgumentError(`Cannot reset TCP option "${name}"`);
    return { reset: { "tcp option": { name } } };
  }
  if (w === "meter") return meter(t);
  if (w === "ct" && CT_OBJECTS.includes(t.peek(1) ?? "") && t.peek(2) === "set") {
    // `ct helper set "ftp"`, `ct timeout set "t"`, `ct expectation set "e"`: a named object assigned.
    const kind = `ct ${t.peek(1)}`;
    t.i += 3;
    // `ct helper set ip protocol . th dport map { udp . 10000-20000 : "sip-5060u" }`: the object by a map.
    return { [kind]: mappedExpr(t) ?? unquote(t.next(`a ${kind} name`)) };
  }
  const left = expr(t);
  if (left === undefined) throw new InvalidArgumentError(`Cannot parse statement "${w}"`);
  if (t.eat("set")) return { mangle: { key: left, value: setValue(t) } };
  if (t.eat("vmap")) {
    if (t.peek() === "{") return { vmap: { key: left, data: { set: setBody(t, true) } } };
    return { vmap: { key: left, data: t.next("a map") } };
  }
  // `meta mark and 0x03 == 0x01`: the expression masked (or shifted) before the comparison.
  let lhs = left;
  for (let b = LEFT_BINOPS[t.peek() ?? ""]; b; b = LEFT_BINOPS[t.peek() ?? ""]) {
    t.i++;
    lhs = { [b]: [lhs, t.peek() === "(" ? flagList(t) : wordValue(t.next("an operand"))] };
  }
  if (lhs !== left) {
    let op = "==";
    if (OPS.includes(t.peek() ?? "")) op = OP_NAMES[t.peek()!] ?? t.peek()!, t.i++;
    const right = value(t);
    // nft folds an xor into the value (`ct mark xor 0x23 == 0x11` is `ct mark == 0x32`).
    const x = isXor(lhs);
    if (x && typeof right === "number" && (op === "==" || op === "!=")) {
      return { match: { op, left: x[0], right: (right ^ x[1]) >>> 0 } };
    }
    return { match: { op, left: lhs, right } };
  }
  // Without an operator nft tests flags (`ct state established`: `in`) and compares anything else.
  let op = flagTyped(left) ? "in" : "==";
  if (OPS.includes(t.peek() ?? "")) op = OP_NAMES[t.peek()!] ?? t.peek()!, t.i++;
  const right = value(t);
  if (t.eat("/")) {
    const mask = value(t);
    return { match: { op, left: { "&": [left, mask] }, right } };
  }
  return { match: { op, left, right } };
}

/** nft's refusal of a declaration given twice (a second comment). */
export const DUPLICATED = "You can only specify this once. This statement is duplicated.";

/** Sets `o[key]`, refusing a second one as nft does. */
function once(o: Obj, key: string, v: Json): void {
  if (o[key] !== undefined) throw new InvalidArgumentError(DUPLICATED);
  o[key] = v;
}

/** Parses a rule's statements; returns them and the rule's comment. */
export function parseStatements(tokens: readonly string[]): { expr: Json[]; comment?: string } {
  const t = new Tokens([...tokens]);
  const out: Json[] = [];
  let comment: string | undefined;
  while (!t.done) {
    if (t.eat("comment")) {
      if (comment !== undefined) throw new InvalidArgumentError(DUPLICATED);
      comment = unquote(t.next("a comment"));
      continue;
    }
    out.push(statement(t));
  }
  return { expr: out, comment };
}

/** A type name; `inet_service:verdict` splits at its colon, the key-data one (no type name has one). */
function typeWord(t: Tokens): string {
  const c = /^([a-z_0-9]+):([a-z_0-9]+)$/.exec(t.peek() ?? "");
  if (c) t.t.splice(t.i, 1, c[1], ":", c[2]);
  return t.next("a type");
}

function family(t: Tokens): string {
  return FAMILIES.includes(t.peek() ?? "") ? t.next("a family") : "ip";
}

/** nft's standard priority names of the bridge family (its own values). */
const BRIDGE_PRIOS: Record<string, number> = { dstnat: -300, filter: -200, out: 100, srcnat: 300 };
/** The families (and hook, when one) where a standard name is valid (nft's std_prio_family_hook_compat). */
const IP_FAMILIES = ["ip", "ip6", "inet"];
const PRIO_PLACES: Record<string, [string[], string?]> = {
  raw: [IP_FAMILIES],
  mangle: [IP_FAMILIES],
  security: [IP_FAMILIES],
  filter: [[...IP_FAMILIES, "arp", "netdev"]],
  dstnat: [IP_FAMILIES, "prerouting"],
  srcnat: [IP_FAMILIES, "postrouting"],
};
const BRIDGE_PRIO_HOOKS: Record<string, string | undefined> = {
  dstnat: "prerouting",
  out: "output",
  srcnat: "postrouting",
};

/**
 * A chain or flowtable priority: a number, or a standard name with an offset (`filter + 5`, `raw -10`).
 * With `hook`, a name must suit the family and hook, as nft refuses `srcnat` in an input chain.
 */
export function priority(s: string, family: string, hook?: string): number {
  if (/^-?\d+$/.test(s)) return Number(s);
  const names = family === "bridge" ? BRIDGE_PRIOS : STD_PRIOS;
  const m = /^([a-z]+)(?:\s*([+-])\s*(\d+))?$/.exec(s);
  if (!m || !(m[1] in names)) {
    throw new InvalidArgumentError(
      `Cannot use priority "${s}": expected a number or ${Object.keys(names).join(", ")}`,
    );
  }
  if (hook !== undefined && !prioFits(m[1], family, hook)) {
    throw new InvalidArgumentError(`'${s}' is invalid priority in this context.`);
  }
  return names[m[1]] + (m[2] === "-" ? -1 : 1) * Number(m[3] ?? 0);
}

function prioFits(name: string, family: string, hook: string): boolean {
  if (family === "bridge") {
    const h = BRIDGE_PRIO_HOOKS[name];
    return h === undefined || h === hook;
  }
  const [families, h] = PRIO_PLACES[name];
  return families.includes(family) && (h === undefined || h === hook);
}

/** `= { a, b }` after `devices`: one device as a name, several (`NFTA_HOOK_DEVS`) as a list, as nft's JSON has them. */
function deviceSet(t: Tokens): Json {
  t.expect("=");
  t.expect("{");
  const devs = [unquote(t.next("a device"))];
  while (t.eat(",")) devs.push(unquote(t.next("a device")));
  t.expect("}");
  return devs.length === 1 ? devs[0] : devs;
}

/** Parses `{ key value; ... }` declarations of a table, chain or set body. */
function body(t: Tokens, on: (t: Tokens, key: string) => void): void {
  if (!t.eat("{")) return;
  while (!t.eat("}")) {
    if (t.eat(";")) continue;
    on(t, t.next("a declaration"));
  }
}

/** Turns one nft command (`add rule inet t c tcp dport 22 accept`) into nft JSON commands. */
export function parseCommand(cmd: string, words: readonly string[]): Json[] {
  // The shell removed the quotes around a log prefix or a comment; put them back.
  const quoted = words.map((w, i) =>
    ["prefix", "comment"].includes(words[i - 1]) && !w.startsWith('"') && !(w === "to" && NAT_PREFIX.test(words[i - 2]))
      ? JSON.stringify(w)
      : w
  );
  const t = new Tokens(tokenize(quoted.join(" ")));
  const what = t.next("what to change (table, chain, rule, set, map, element, counter, quota, ruleset)");
  if (what === "ruleset") {
    if (cmd !== "flush") throw new InvalidArgumentError(`Cannot ${cmd} the ruleset: only flush`);
    const f = FAMILIES.includes(t.peek() ?? "") ? t.next("a family") : undefined;
    return [{ flush: { ruleset: f === undefined ? null : { family: f } } }];
  }
  const fam = family(t);
  const o: Obj = { family: fam };
  switch (what) {
    case "table":
      o.name = t.next("a table name");
      if (o.name === "handle") o.handle = Number(t.next("a handle")), delete o.name;
      body(t, (t, key) => {
        if (key === "flags") o.flags = t.next("table flags");
        else if (key === "comment") once(o, "comment", unquote(t.next("a comment")));
        else throw new InvalidArgumentError(`Cannot use "${key}" in a table`);
      });
      break;
    case "chain":
      o.table = t.next("a table name");
      if (t.peek() === "handle") o.handle = (t.i++, Number(t.next("a handle")));
      else o.name = unquote(t.next("a chain name"));
      body(t, (t, key) => {
        if (key === "type") {
          o.type = t.next("a chain type");
          t.expect("hook");
          o.hook = t.next("a hook");
          if (t.eat("device")) o.dev = unquote(t.next("a device"));
          else if (t.eat("devices")) o.dev = deviceSet(t);
          t.expect("priority");
          let p = t.next("a priority");
          if (t.peek() === "+" || t.peek() === "-") p += ` ${t.next("+")} ${t.next("an offset")}`;
          else if (/^[+-]\d+$/.test(t.peek() ?? "") && !/^-?\d+$/.test(p)) p += ` ${t.next("an offset")}`; // `raw -10`
          o.prio = priority(p, fam, String(o.hook));
        } else if (key === "policy") o.policy = t.next("a policy");
        else if (key === "comment") once(o, "comment", unquote(t.next("a comment")));
        else throw new InvalidArgumentError(`Cannot use "${key}" in a chain`);
      });
      break;
    case "set":
    case "map": {
      o.table = t.next("a table name");
      o.name = t.next(`a ${what} name`);
      if (o.name === "handle" && cmd === "delete") o.handle = Number(t.next("a handle")), delete o.name;
      const elems: Json[] = [];
      body(t, (t, key) => {
        if (key === "type") {
          const types = [typeWord(t)];
          while (t.eat(".")) types.push(typeWord(t));
          o.type = types.length > 1 ? types : types[0];
          if (what === "map") {
            t.expect(":");
            const data = [t.next("a data type")];
            while (t.eat(".")) data.push(t.next("a data type"));
            o.map = data.join(" . ");
          }
        } else if (key === "flags") {
          const f = [t.next("a flag")];
          while (t.eat(",")) f.push(t.next("a flag"));
          o.flags = f;
        } else if (key === "timeout") o.timeout = parseDuration(t.next("a timeout"));
        else if (key === "gc-interval") o["gc-interval"] = parseDuration(t.next("an interval"));
        else if (key === "size") o.size = Number(t.next("a size"));
        else if (key === "policy") o.policy = t.next("a policy");
        else if (key === "comment") once(o, "comment", unquote(t.next("a comment")));
        else if (key === "elements") {
          t.expect("=");
          for (const e of setBody(t, what === "map")) elems.push(e);
        } else throw new InvalidArgumentError(`Cannot use "${key}" in a ${what}`);
      });
      if (elems.length) o.elem = elems;
      break;
    }
    case "element":
      o.table = t.next("a table name");
      o.name = t.next("a set name");
      o.elem = setBody(t, t.t.slice(t.i).includes(":"));
      break;
    case "rule": {
      o.table = t.next("a table name");
      o.chain = unquote(t.next("a chain name"));
      if (t.peek() === "handle" || t.peek() === "position") {
        const k = t.next("handle");
        o[cmd === "add" || cmd === "insert" ? "position" : "handle"] = Number(t.next(`a ${k}`));
      } else if (t.peek() === "index" && (cmd === "add" || cmd === "insert")) {
        o.index = (t.i++, Number(t.next("an index")));
      }
      if (cmd !== "delete") {
        const { expr: e, comment } = parseStatements(t.t.slice(t.i));
        o.expr = e;
        if (comment !== undefined) o.comment = comment;
        t.i = t.t.length;
      }
      break;
    }
    case "counter":
    case "quota":
      o.table = t.next("a table name");
      if (t.peek() === "handle" && cmd === "delete") o.handle = (t.i++, count(t.next("a handle"), "a handle"));
      else o.name = unquote(t.next(`a ${what} name`));
      if (cmd === "delete") break;
      // `add counter ip t c packets 1 bytes 2` or `add counter ip t c { packets 1 bytes 2; comment "x" }`.
      if (t.peek() !== "{") statefulConfig(t, what, o);
      body(t, (t, key) => {
        if (key === "comment") return void (once(o, "comment", unquote(t.next("a comment"))));
        const at = --t.i;
        statefulConfig(t, what, o);
        if (t.i === at) throw new InvalidArgumentError(`Cannot use "${key}" in a ${what}`);
      });
      break;
    default:
      throw new InvalidArgumentError(
        `Cannot ${cmd} "${what}": expected table, chain, rule, set, map, element, counter, quota or ruleset`,
      );
  }
  if (!t.done) throw new InvalidArgumentError(`Unexpected "${t.peek()}"`);
  return [{ [cmd]: { [what]: o } }];
}

/** A count: a non-negative integer. */
function count(w: string, what: string): number {
  if (!/^\d+$/.test(w)) throw new InvalidArgumentError(`Cannot use "${w}" as ${what}: expected a non-negative integer`);
  return Number(w);
}

const BYTE_UNITS: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 ** 2, gbytes: 1024 ** 3 };

/** `N UNIT` (`25 mbytes`) as bytes. */
function byteAmount(t: Tokens, what: string): number {
  const n = count(t.next(what), what);
  const unit = t.next("a byte unit (bytes, kbytes, mbytes, gbytes)");
  const k = BYTE_UNITS[unit];
  if (k === undefined) {
    throw new InvalidArgumentError(`Cannot use byte unit "${unit}": expected ${Object.keys(BYTE_UNITS).join(", ")}`);
  }
  return n * k;
}

/** A counter's `packets N bytes M` or a quota's `[over|until] N UNIT [used N UNIT]`, into nft JSON keys. */
function statefulConfig(t: Tokens, what: string, o: Obj): void {
  if (what === "counter") {
    if (t.eat("packets")) o.packets = count(t.next("a packet count"), "a packet count");
    if (t.eat("bytes")) o.bytes = count(t.next("a byte count"), "a byte count");
    return;
  }
  if (t.eat("over")) o.inv = true;
  else t.eat("until");
  o.bytes = byteAmount(t, "a quota");
  if (t.eat("used")) o.used = byteAmount(t, "a used amount");
}

/** `add|update|delete @set { EXPR [timeout T] [STATEMENT...] }`: nft's JSON `set` statement. */
function setStatement(t: Tokens): Json {
  const op = t.next("a set operation");
  const set = t.next("a set");
  t.expect("{");
  const elem = setElement(t);
  if (t.eat(":")) {
    // `update @m { ip saddr : 0x2 }`: a map's key and data (nft 1.0.7's JSON map statement).
    const data = expr(t) ?? wordValue(t.next("map data"));
    t.expect("}");
    return { map: { op, elem, data, map: set } };
  }
  const stmt: Json[] = [];
  while (!t.eat("}")) {
    if (t.done) throw new InvalidArgumentError(`Missing "}" after the element of ${set}`);
    stmt.push(statement(t));
  }
  return { set: { op, elem, set, ...(stmt.length ? { stmt } : {}) } };
}

/** nft's older form `set update KEY [timeout T] @SET`, which it lists as `update @SET { KEY [timeout T] }`. */
function oldSetStatement(t: Tokens): Json {
  t.i++;
  const op = t.next("a set operation");
  const elem = setElement(t);
  const set = t.next("a set");
  if (!set.startsWith("@")) throw new InvalidArgumentError(`Cannot use "${set}" as a set: expected @SET`);
  return { set: { op, elem, set } };
}

/** A set statement's `KEY [timeout T]`. */
function setElement(t: Tokens): Json {
  // `ip saddr . 22`: constant fields after the first expression (the set's key types them).
  const key = expr(t, true);
  if (key === undefined) throw new InvalidArgumentError(`Cannot use "${t.peek()}" as a set statement's element`);
  return t.eat("timeout") ? { elem: { val: key, timeout: parseDuration(t.next("a timeout")) } } : key;
}

/** `meter NAME [size N] { KEY [timeout T] STATEMENT }`: nft's size is 65535 when none is written. */
function meter(t: Tokens): Json {
  t.i++;
  const name = unquote(t.next("a meter name"));
  const size = t.eat("size") ? count(t.next("a meter size"), "a meter size") : 65535;
  t.expect("{");
  const val = expr(t);
  if (val === undefined) throw new InvalidArgumentError(`Cannot use "${t.peek()}" as the key of meter ${name}`);
  const key = t.eat("timeout") ? { elem: { val, timeout: parseDuration(t.next("a timeout")) } } : val;
  const stmt = statement(t);
  t.expect("}");
  return { meter: { key, stmt, size, name } };
}

/** Operators nft writes between an expression and its operand on the left of a match (no `&` with flags: `/`). */
const LEFT_BINOPS: Record<string, string> = {
  and: "&",
  "&": "&",
  or: "|",
  "|": "|",
  xor: "^",
  "^": "^",
  "<<": "<<",
  ">>": ">>",
};

/** `[expr, n]` of `{"^": [expr, n]}` with a numeric `n`. */
function isXor(e: Json): [Json, number] | undefined {
  const x = (e as Obj)["^"];
  return Array.isArray(x) && typeof x[1] === "number" ? [x[0], x[1]] : undefined;
}

const CT_OBJECTS = ["helper", "timeout", "expectation"];

const BINOPS: Record<string, string> = {
  or: "|",
  "|": "|",
  xor: "^",
  "^": "^",
  and: "&",
  "&": "&",
  "<<": "<<",
  ">>": ">>",
};

/** Binding strength of nft's operators in a statement's value, as its grammar nests them (C's order). */
const BINOP_PRECEDENCE: Record<string, number> = { "|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4 };

/**
 * A `set` statement's value: `meta mark or 0x10`, nft's `|`, `^`, `&`, `<<` and `>>` on the value written,
 * `<<` and `>>` first, then `&`, `^`, `|`, each left to right, with parentheses grouping
 * (`(meta mark | 0x10) << 8`); an operation on two numbers is their result, as nft folds it.
 */
function setValue(t: Tokens, min = 1): Json {
  const operand = (): Json => {
    if (!t.eat("(")) return mappedExpr(t) ?? value(t, false); // `|` is an operator here, by precedence
    const inner = setValue(t);
    t.expect(")");
    return inner;
  };
  let v = operand();
  for (let op = BINOPS[t.peek() ?? ""]; op && BINOP_PRECEDENCE[op] >= min; op = BINOPS[t.peek() ?? ""]) {
    t.i++;
    v = fold(op, v, setValue(t, BINOP_PRECEDENCE[op] + 1));
  }
  // `ip6 saddr and ::ffff map { ... }`: the whole expression is the map's key.
  const whole = min === 1 && t.peek() === "map" && typeof v === "object" && v !== null && !Array.isArray(v);
  return whole ? mapped(t, v) : v;
}

/**
 * `a OP b` as nft's evaluator leaves it: two numbers folded into one
 * (`0x11 xor 0x1331`), flag names or-ed into a list (`new | related`).
 */
function fold(op: string, a: Json, b: Json): Json {
  if (typeof a === "number" && typeof b === "number") return folded(op, a, b) ?? { [op]: [a, b] };
  const names = (x: Json) => typeof x === "string" || (Array.isArray(x) && x.every((y) => typeof y === "string"));
  if (op === "|" && names(a) && names(b)) return [a, b].flat();
  return { [op]: [a, b] };
}

/** `a OP b` of two numbers, unless it leaves 64 bits or JavaScript's exact integers. */
function folded(op: string, a: number, b: number): number | undefined {
  const [x, y] = [BigInt(a), BigInt(b)];
  const r = op === "|" ? x | y : op === "^" ? x ^ y : op === "&" ? x & y : op === "<<" ? x << y : x >> y;
  return r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : undefined;
}

/** `flags all`, `flags tcp sequence,options`, `flags ip options`, `flags skuid`, `flags ether`. */
function logFlags(t: Tokens, l: Obj): void {
  const have = l.flags === "all" ? ["all"] : (l.flags ?? []) as Json[];
  const w = t.next("log flags");
  if (w === "tcp") {
    do have.push(`tcp ${t.next("a tcp log flag")}`); while (t.eat(","));
  } else if (w === "ip") have.push(`ip ${t.next("an ip log flag")}`);
  else have.push(w);
  l.flags = have.includes("all") ? "all" : have;
}
