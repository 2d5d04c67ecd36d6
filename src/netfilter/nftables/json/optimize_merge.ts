/**
 * The merged forms of nft's ruleset optimizer (optimize.c): a run of rules
 * as one rule matching an anonymous set, a concatenation, a verdict map or
 * a nat map. Each builder returns the first rule's new statement list.
 *
 * @module
 */

import type { Json } from "./types.ts";
import { isObj, type Obj, only, stmtKind } from "./optimize_stmt.ts";

/** A chain's statement matrix: a column per kind of statement, a row per rule. */
export interface Matrix {
  /** Each column's first statement. */
  cols: Json[];
  /** Each rule's statements by column (the very objects of its `expr`). */
  rows: (Json | undefined)[][];
  /** Rules that merge with nothing. */
  bad: boolean[];
}

/** The sets the optimizer made (nft prints them on one line; the ones a rule was written with, one per line). */
export const MADE_SETS = new WeakSet<object>();

function made(elems: Json[]): Obj {
  const set = { set: elems };
  MADE_SETS.add(set);
  return set;
}

function match(st: Json | undefined): Obj {
  return (st as Obj).match as Obj;
}

/** A set element's value (an element may carry a timeout or comment: `{"elem": {"val": ...}}`). */
function elemValue(e: Json): Json {
  return isObj(e) && isObj(e.elem) ? (e.elem as Obj).val : e;
}

/** The values a right side stands for: a set's elements, a list's items, or itself. */
function values(r: Json): Json[] {
  if (Array.isArray(r)) return r;
  if (isObj(r) && Array.isArray(r.set)) return (r.set as Json[]).map(elemValue);
  return [r];
}

/** Each combination of the columns' values (`{a, b} . c` gives `a . c`, `b . c`), first column slowest. */
function product(m: Matrix, i: number, keys: readonly number[]): Json[] {
  let out: Json[][] = [[]];
  for (const k of keys) out = out.flatMap((c) => values(match(m.rows[i][k]).right).map((v) => [...c, v]));
  return out.map((c) => ({ concat: c }));
}

/** Rule `from`'s statements with `put` in place of the one at column `at`, and the columns `drop` gone. */
function rewrite(m: Matrix, from: number, rule: Json[], at: number, put: Json, drop: number[]): Json[] {
  const row = m.rows[from];
  const gone = new Set(drop.map((k) => row[k]));
  return rule.flatMap((st) => st === row[at] ? [put] : gone.has(st) ? [] : [st]);
}

function exprOf(rules: readonly Obj[], from: number): Json[] {
  return rules[from].expr as Json[];
}

/** The counter column: nft drops the counter of a rule that becomes a map. */
function counters(m: Matrix, from: number): number[] {
  return m.rows[from].flatMap((st, k) => st !== undefined && stmtKind(st) === "counter" ? [k] : []);
}

/** One selector, the same verdict: `ip daddr { a, b }`; verdict maps on one key: their mappings joined. */
export function mergeSet(m: Matrix, rules: readonly Obj[], from: number, to: number, k: number): Json[] {
  const first = m.rows[from][k] as Obj;
  const rows = m.rows.slice(from, to + 1);
  let put: Json;
  if ("vmap" in first) {
    const v = first.vmap as Obj;
    const mappings = rows.flatMap((r) => ((((r[k] as Obj).vmap as Obj).data as Obj).set ?? []) as Json[]);
    put = { vmap: { ...v, data: { set: mappings } } };
  } else put = { match: { ...match(first), right: made(rows.map((r) => match(r[k]).right)) } };
  return rewrite(m, from, exprOf(rules, from), k, put, []);
}

/** Several selectors, the same verdict: `a . b { x . y, ... }`. */
export function mergeConcat(m: Matrix, rules: readonly Obj[], from: number, to: number, keys: number[]): Json[] {
  const first = match(m.rows[from][keys[0]]);
  const left = { concat: keys.map((k) => match(m.rows[from][k]).left) };
  const elems: Json[] = [];
  for (let i = from; i <= to; i++) elems.push(...product(m, i, keys));
  const put = { match: { ...first, left, right: made(elems) } };
  return rewrite(m, from, exprOf(rules, from), keys[0], put, keys.slice(1));
}

/** Different verdicts: `a vmap { x : accept, y : drop }` (`a . b vmap { ... }` for several selectors). */
export function mergeVmap(
  m: Matrix,
  rules: readonly Obj[],
  from: number,
  to: number,
  keys: number[],
  act: number,
): Json[] {
  const mappings: Json[] = [];
  for (let i = from; i <= to; i++) {
    const verdict = m.rows[i][act]!;
    const ks = keys.length > 1 ? product(m, i, keys) : values(match(m.rows[i][keys[0]]).right);
    for (const key of ks) mappings.push([key, verdict]);
  }
  const left = keys.length > 1
    ? { concat: keys.map((k) => match(m.rows[from][k]).left) }
    : match(m.rows[from][keys[0]]).left;
  const put = { vmap: { key: left, data: made(mappings) } };
  return rewrite(m, from, exprOf(rules, from), keys[0], put, [...keys.slice(1), act, ...counters(m, from)]);
}

/** A nat statement's address, with its port as `addr . port`; undefined when it has no address. */
function natData(st: Json): Json | undefined {
  const body = only(st as Obj)[1];
  const n = isObj(body) ? body : {};
  if (n.addr === undefined) return undefined;
  return n.port === undefined ? n.addr : { concat: [n.addr, n.port] };
}

/** Nat rules on the same selectors: `dnat to a map { x : addr, ... }` (`a . b map` for several). */
export function mergeNat(
  m: Matrix,
  rules: readonly Obj[],
  from: number,
  to: number,
  keys: number[],
  act: number,
): Json[] | undefined {
  const mappings: Json[] = [];
  for (let i = from; i <= to; i++) {
    const data = natData(m.rows[i][act]!);
    if (data === undefined) return undefined; // masquerade, redirect to :port: nothing to map to
    const ks = keys.length > 1 ? product(m, i, keys) : values(match(m.rows[i][keys[0]]).right);
    for (const key of ks) mappings.push([key, data]);
  }
  const left = keys.length > 1
    ? { concat: keys.map((k) => match(m.rows[from][k]).left) }
    : match(m.rows[from][keys[0]]).left;
  const [type, body] = only(m.rows[from][act] as Obj);
  const nat: Obj = { ...(body as Obj), addr: { map: { key: left, data: made(mappings) } } };
  delete nat.port;
  return rewrite(m, from, exprOf(rules, from), act, { [type]: nat }, [...keys, ...counters(m, from)]);
}
