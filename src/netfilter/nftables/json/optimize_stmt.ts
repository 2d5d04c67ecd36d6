/**
 * The statement kinds nft's ruleset optimizer (`nft -o`, optimize.c) knows,
 * and how it compares them: two statements share a column of a chain's
 * statement matrix when they test the same selector (or are the same kind
 * of action), and two rules merge only when every column compares equal.
 *
 * @module
 */

import type { Json } from "./types.ts";

/** A JSON object. */
export type Obj = { [k: string]: Json };

/** What the optimizer makes of a statement; `unsupported` keeps its rule as it is. */
export type StmtKind = "match" | "counter" | "notrack" | "verdict" | "log" | "reject" | "nat" | "unsupported";

const VERDICTS = ["accept", "drop", "continue", "return", "jump", "goto", "vmap"];
const NATS = ["snat", "dnat", "masquerade", "redirect"];
/** Selectors nft's `__expr_cmp` compares; any other left side is unsupported. */
const SELECTORS = [
  "payload",
  "exthdr",
  "tcp option",
  "ip option",
  "sctp chunk",
  "dccp option",
  "meta",
  "ct",
  "rt",
  "socket",
  "osf",
  "ipsec",
  "fib",
  "numgen",
  "jhash",
  "symhash",
];
const BINOPS = ["&", "|", "^", "<<", ">>"];

/** True for a JSON object (not null, not an array). */
export function isObj(x: Json | undefined): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** The key and value of a one-key object (`{"meta": {...}}`). */
export function only(o: Obj): [string, Json] {
  const [k] = Object.keys(o);
  return [k, o[k]];
}

/** Structural equality of JSON values. */
export function jsonEq(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEq((a as Obj)[k], (b as Obj)[k]));
}

/** The selector a binary operation reads (`ct mark & 0xff` reads `ct mark`), or the expression itself. */
function selector(e: Json): Json {
  if (!isObj(e)) return e;
  const [k, v] = only(e);
  return BINOPS.includes(k) && Array.isArray(v) ? selector(v[0]) : e;
}

function isSelector(e: Json): boolean {
  const s = selector(e);
  return isObj(s) && SELECTORS.includes(only(s)[0]);
}

/** Same selector: nft compares a binary operation by its left side only. */
export function leftEq(a: Json, b: Json): boolean {
  return jsonEq(selector(a), selector(b));
}

/** A nat statement's address and port are plain values or ranges (not a map, a prefix, a variable). */
function plainNatValue(v: Json | undefined): boolean {
  return v === undefined || typeof v === "string" || typeof v === "number" ||
    (isObj(v) && Object.keys(v)[0] === "range");
}

/** The kind of statement `st` is for the optimizer. */
export function stmtKind(st: Json): StmtKind {
  if (!isObj(st)) return "unsupported";
  const [k, v] = only(st);
  if (k === "match") {
    const m = v as Obj;
    // Only equality (written or implied) on a selector: `!=`, ranges of operators and concatenations stay.
    if (m.op !== "==" && m.op !== "in") return "unsupported";
    return isSelector(m.left) ? "match" : "unsupported";
  }
  if (k === "counter") return v === null || isObj(v) ? "counter" : "unsupported"; // a named counter is a reference
  if (k === "notrack") return "notrack";
  // A verdict map merges by its mappings: one on a named map (`vmap @m`) has none to give.
  if (k === "vmap") return isObj(v) && isObj(v.data) && Array.isArray(v.data.set) ? "verdict" : "unsupported";
  if (VERDICTS.includes(k)) return "verdict";
  if (k === "log") return "log";
  if (k === "reject") return "reject";
  if (NATS.includes(k)) {
    const n = isObj(v) ? v : {};
    return plainNatValue(n.addr) && plainNatValue(n.port) ? "nat" : "unsupported";
  }
  return "unsupported";
}

/** A right side nft merges: a value, a range, a prefix, a set or a list (not a named set `@s`). */
function plainRight(r: Json): boolean {
  if (typeof r === "string") return !r.startsWith("@");
  if (typeof r === "number" || typeof r === "boolean" || Array.isArray(r)) return true;
  return isObj(r) && ["range", "prefix", "set"].includes(Object.keys(r)[0]);
}

/** True for a verdict map statement. */
export function isVmap(st: Json | undefined): boolean {
  return isObj(st) && "vmap" in st;
}

/**
 * Whether two statements of the same kind share a column (`full` false) or
 * let their rules merge (`full` true: the values must also be mergeable).
 */
export function sameStmt(a: Json, b: Json, full: boolean): boolean {
  const kind = stmtKind(a);
  if (kind !== stmtKind(b) || kind === "unsupported") return false;
  const [ka, va] = only(a as Obj);
  const [kb, vb] = only(b as Obj);
  switch (kind) {
    case "match": {
      const ma = va as Obj, mb = vb as Obj;
      if (full && (!plainRight(ma.right) || !plainRight(mb.right))) return false;
      return leftEq(ma.left, mb.left);
    }
    case "verdict":
      if (!full) return true;
      if (isVmap(a) !== isVmap(b)) return false;
      return !isVmap(a) || leftEq((va as Obj).key, (vb as Obj).key);
    case "log":
    case "reject":
      return jsonEq(va, vb);
    case "nat": {
      if (ka !== kb) return false;
      const rest = (o: Json) => Object.entries(isObj(o) ? o : {}).filter(([k]) => k !== "addr" && k !== "port");
      return jsonEq(Object.fromEntries(rest(va)), Object.fromEntries(rest(vb)));
    }
    default:
      return true;
  }
}

/** Two verdicts are the same: the same verdict and chain, or verdict maps on the same key. */
export function sameVerdict(a: Json, b: Json): boolean {
  if (isVmap(a) || isVmap(b)) return isVmap(a) && isVmap(b) && sameStmt(a, b, true);
  return jsonEq(a, b);
}

/** True for the statements a merge is built on: a match, a nat statement or a verdict map. */
export function mergeable(st: Json | undefined): boolean {
  if (st === undefined) return false;
  const k = stmtKind(st);
  return k === "match" || k === "nat" || (k === "verdict" && isVmap(st));
}
