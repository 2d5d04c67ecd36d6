/**
 * nft's statements and expressions (a rule's words) turned into nft's JSON
 * statements: the recursive core of the command parser.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { exthdrByName } from "../json/exthdr_fields.ts";
import { HEADER_FIELDS } from "../json/fields.ts";
import type { Json } from "../json/types.ts";
import { flagTyped } from "./stmt_text.ts";
import { moreExpr, tcpOptionByNumber } from "./expr_more.ts";
import { addressRunOn, count, keyDataSplit, nftNumber, parseDuration, Tokens, unquote, wordValue } from "./tokens.ts";

type Obj = { [k: string]: Json };

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

/** An element's word: its key split from its data (see {@link keyDataSplit}), a range or prefix joined. */
function rangeWord(t: Tokens, what: string): string {
  const kv = keyDataSplit(t.peek() ?? "");
  if (kv) t.t.splice(t.i, 1, kv[0], ":", kv[1]);
  const run = addressRunOn(t.peek() ?? "");
  if (run) {
    throw new InvalidArgumentError(
      `syntax error, unexpected string: nft reads "${t.peek()}" as the address ${JSON.stringify(run[0])} and ${
        JSON.stringify(run[1])
      }`,
    );
  }
  return joinedWord(t, what);
}

/** A word, with a range or prefix written with spaces joined (`8- 15`, `8 -15`, `8 - 15`, `10.0.0.0/ 8`). */
function joinedWord(t: Tokens, what: string): string {
  let w = t.next(what);
  if (w.startsWith('"')) return w;
  if (t.peek() === "-") w += t.next("-");
  else if (/^-[0-9a-f]/i.test(t.peek() ?? "") && !w.endsWith("-")) w += t.next(what);
  if (w.endsWith("-")) w += t.next("the end of a range");
  if (t.peek() === "/" && /[0-9a-f:]$/i.test(w)) w += t.next("/");
  else if (/^\/\d/.test(t.peek() ?? "") && /[0-9a-f:]$/i.test(w) && !w.includes("/")) w += t.next(what);
  if (w.endsWith("/") && /^\d/.test(t.peek() ?? "")) w += t.next("a prefix length");
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
export function setBody(t: Tokens, isMap = false): Json[] {
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

/**
 * A 64-bit count (`counter packets N`, `quota N bytes`) as nft's scanner
 * reads a number; a decimal one past 2^53 (a long-lived byte counter in a
 * listing) is taken as the nearest double, as before: exact needs bigint.
 */
function count64(t: Tokens, what: string): number {
  const w = t.peek();
  if (w !== undefined && /^[1-9]\d{15,}$/.test(w) && Number.isNaN(nftNumber(w))) return Number(t.next(what));
  return t.nextNumber(what);
}

/**
 * After `queue`: `[flags F,F] to EXPR`, `flags F,F num N`, or the older
 * `[num N|N-M] [bypass] [fanout]` in any order; null for `queue` alone.
 */
function queueStmt(t: Tokens): Obj | null {
  const o: Obj = {};
  const flags: string[] = [];
  const simple = (): Json => {
    const w = t.next("a queue number");
    const m = /^(\d+|0x[0-9a-f]+)(?:-(\d+|0x[0-9a-f]+))?$/i.exec(w);
    if (!m) throw new InvalidArgumentError(`Cannot use "${w}" as a queue number: expected a number or a range N-M`);
    const [from, to] = [nftNumber(m[1]), m[2] === undefined ? undefined : nftNumber(m[2])];
    if (Number.isNaN(from) || Number.isNaN(to)) {
      throw new InvalidArgumentError(`Cannot use "${w}" as a queue number: expected a number or a range N-M`);
    }
    return to === undefined ? from : { range: [from, to] };
  };
  const flag = (w: string) => {
    if (w !== "bypass" && w !== "fanout") {
      throw new InvalidArgumentError(`Cannot use queue flag "${w}": expected bypass or fanout`);
    }
    flags.push(w);
  };
  if (t.eat("flags")) {
    do for (const w of t.next("a queue flag").split(",")) if (w) flag(w); while (t.eat(","));
    if (t.eat("num")) o.num = simple();
    else {
      t.expect("to");
      o.num = mappedExpr(t) ?? simple();
    }
  } else if (t.eat("to")) o.num = mappedExpr(t) ?? simple();
  else {
    for (;;) {
      if (t.eat("num")) o.num = simple();
      else if (t.peek() === "bypass" || t.peek() === "fanout") flag(t.next("a queue flag"));
      else break;
    }
  }
  if (flags.length) o.flags = flags.length === 1 ? flags[0] : flags;
  return Object.keys(o).length ? o : null;
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

/**
 * A value's word as it is, refused where nft's scanner reads a colon of it
 * as a token of its own, which only a map's element may have:
 * `0x1:0x2` (`0x1`, `:`, `0x2`; a classid is `{1,4 hex}:{1,4 hex}`),
 * `17:00:01` (the classid `17:00`, `:`, `01`).
 */
function oneToken(w: string): string {
  const kv = keyDataSplit(w);
  if (kv) {
    throw new InvalidArgumentError(
      `syntax error, unexpected colon: nft reads "${w}" as ${JSON.stringify(kv[0])}, ":", ${JSON.stringify(kv[1])}`,
    );
  }
  return w;
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
  const w = oneToken(joinedWord(t, "a value"));
  if (w === "exists" || w === "missing") return w === "exists"; // an extension header's presence
  if (t.peek() === "," && !w.startsWith('"')) {
    const list: Json[] = [wordValue(w)];
    while (t.eat(",")) list.push(wordValue(oneToken(t.next("a value"))));
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
  const n = nftNumber(m[1]);
  if (Number.isNaN(n)) {
    throw new InvalidArgumentError(`Cannot use "${s}" as a rate: expected N/second or N mbytes/second`);
  }
  return [n, m[2], m[3]];
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
        c[k] = (t.i++, count64(t, `a ${k} count`));
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
    case "queue":
      t.i++;
      return { queue: queueStmt(t) };
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
        else if (t.eat("group")) l.group = t.nextNumber("a log group");
        else if (t.eat("snaplen")) l.snaplen = t.nextNumber("a snaplen");
        else if (t.eat("queue-threshold")) l["queue-threshold"] = t.nextNumber("a queue threshold");
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
        l.burst = t.nextNumber("a burst");
        const bu = t.next("a burst unit");
        // nft's grammar: a rate in packets takes a burst in packets, a rate in bytes one in bytes.
        if (bu !== (unit ? bu.match(/^[kmg]?bytes$/)?.[0] : "packets")) {
          throw new InvalidArgumentError(
            `Cannot use a burst in "${bu}" with a rate in ${unit ?? "packets"}: expected ${unit ? "bytes" : "packets"}`,
          );
        }
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
      q.val = count64(t, "a quota");
      q.val_unit = t.next("a quota unit");
      if (t.eat("used")) {
        q.used = count64(t, "a used amount");
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
export function once(o: Obj, key: string, v: Json): void {
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
