/**
 * nft's ruleset optimizer (`nft -o`, optimize.c) over one chain's rules as
 * nft's JSON: adjacent rules that test the same selectors with only the
 * values differing become one rule, matching an anonymous set, a
 * concatenation, a verdict map or a nat map. Pure: the caller prints the
 * merges and applies the rules.
 *
 * @module
 */

import type { Json } from "./types.ts";
import { isVmap, mergeable, type Obj, sameStmt, sameVerdict, stmtKind } from "./optimize_stmt.ts";
import { type Matrix, mergeConcat, mergeNat, mergeSet, mergeVmap } from "./optimize_merge.ts";

/** nft gives up on a chain whose rules hold this many kinds of statement (MAX_STMTS). */
const MAX_STMTS = 32;

/** One merge: rules `from` to `to` (indices in the chain as given) became `rule`. */
export interface ChainMerge {
  from: number;
  to: number;
  /** The merged rule, in place of rule `from`. */
  rule: Obj;
}

/** A chain's rules after {@link optimizeChain}. */
export interface OptimizedChain {
  /** The rules, merged ones replaced. */
  rules: Obj[];
  merges: ChainMerge[];
}

/**
 * Merges a chain's adjacent rules as `nft -o` does. `opaque[i]` marks a rule
 * that must stay as it is (nft merges no value read from a variable).
 */
export function optimizeChain(rules: readonly Obj[], opaque: readonly boolean[] = []): OptimizedChain {
  const m = buildMatrix(rules, opaque);
  if (!m) return { rules: [...rules], merges: [] };
  const merges: ChainMerge[] = [];
  for (const [from, to] of groups(m)) {
    const rule = mergeRules(m, rules, from, to);
    if (rule) merges.push({ from, to, rule });
  }
  const out: Obj[] = [];
  for (let i = 0; i < rules.length; i++) {
    const g = merges.find((x) => x.from === i);
    out.push(g ? g.rule : rules[i]);
    if (g) i = g.to;
  }
  return { rules: out, merges };
}

/** The statement matrix: a column per kind of statement, a row per rule; undefined when nft gives up. */
function buildMatrix(rules: readonly Obj[], opaque: readonly boolean[]): Matrix | undefined {
  const cols: Json[] = [];
  const rows: (Json | undefined)[][] = [];
  const bad: boolean[] = [];
  // nft also counts what it cannot merge: each odd match, one column for the other statements.
  let extra = 0, other = 0;
  for (const [i, r] of rules.entries()) {
    const row: (Json | undefined)[] = [];
    bad[i] = opaque[i] === true;
    for (const st of (r.expr ?? []) as Json[]) {
      if (stmtKind(st) === "unsupported") {
        bad[i] = true;
        if (typeof st === "object" && st !== null && "match" in st) extra++;
        else other = 1;
        continue;
      }
      let k = cols.findIndex((c) => sameStmt(st, c, false));
      if (k < 0) k = cols.push(st) - 1;
      // Two statements of one column (`tcp dport 1 tcp dport 2`): nft would merge on the last and keep the
      // first unmerged, losing the other rules' first ones; such a rule is kept as it is.
      if (row[k] !== undefined) bad[i] = true;
      row[k] = st;
    }
    rows.push(row);
  }
  if (cols.length + extra + other >= MAX_STMTS) return undefined;
  return { cols, rows, bad };
}

/** Whether rule `j` merges with rule `i`: the same columns, each comparing equal, one to merge on. */
function rulesEq(m: Matrix, i: number, j: number): boolean {
  if (m.bad[i] || m.bad[j]) return false;
  let n = 0;
  for (let k = 0; k < m.cols.length; k++) {
    const a = m.rows[i][k], b = m.rows[j][k];
    if (mergeable(a)) n++;
    if (a === undefined && b === undefined) continue;
    if (a === undefined || b === undefined || !sameStmt(a, b, true)) return false;
  }
  return n > 0;
}

/** The runs of rules that merge, as nft finds them (each compared with the run's first rule). */
function groups(m: Matrix): [number, number][] {
  const out: [number, number][] = [];
  const n = m.rows.length;
  for (let i = 0; i < n; i++) {
    let j = i + 1;
    while (j < n && rulesEq(m, i, j)) j++;
    if (j > i + 1) out.push([i, j - 1]);
    i = j - 1;
  }
  return out;
}

/** Rules `from`..`to` as one rule, or undefined when their shape has no merged form. */
function mergeRules(m: Matrix, rules: readonly Obj[], from: number, to: number): Obj | undefined {
  const row = m.rows[from];
  // The columns merged on: matches and verdict maps, in column order.
  const keys = row.flatMap((st, k) => st !== undefined && (stmtKind(st) === "match" || isVmap(st)) ? [k] : []);
  // A verdict map merges only with verdict maps on its key (nft has no form for it with other selectors).
  if (!keys.length || (keys.length > 1 && keys.some((k) => isVmap(row[k])))) return undefined;
  const act = row.findIndex((st) => st !== undefined && ["verdict", "nat"].includes(stmtKind(st)));
  const rule = { ...rules[from] };
  delete rule.comment;
  if (act >= 0 && stmtKind(row[act]!) === "nat") {
    const expr = mergeNat(m, rules, from, to, keys, act);
    return expr && { ...rule, expr };
  }
  let same = true;
  for (let i = from; act >= 0 && i < to; i++) same &&= sameVerdict(m.rows[i][act]!, m.rows[i + 1][act]!);
  if (!same) rule.expr = mergeVmap(m, rules, from, to, keys, act);
  else if (keys.length > 1) rule.expr = mergeConcat(m, rules, from, to, keys);
  else rule.expr = mergeSet(m, rules, from, to, keys[0]);
  return rule;
}
