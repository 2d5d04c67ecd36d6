/**
 * The statements of a set (`NFTA_SET_EXPR`/`NFTA_SET_EXPRESSIONS`: the
 * template each new element gets) and of its elements
 * (`NFTA_SET_ELEM_EXPR`/`NFTA_SET_ELEM_EXPRESSIONS`) read into nft's JSON
 * (`set_stmt_exprs.ts` writes them). The kernel takes only stateful
 * expressions there; nft 1.0.6 writes counter, limit and quota.
 *
 * @module
 */

import type { NftExpr } from "../expr/registry.ts";
import { ruleStatements } from "./rule_json.ts";
import { stateless } from "./rule_json_base.ts";
import type { Json } from "./types.ts";

/** What carries set or element expressions: one (`expr`) or a list (`expressions`). */
export interface WithExprs {
  /** The only expression. */
  expr?: NftExpr;
  /** Two or more expressions. */
  expressions?: NftExpr[];
}

/** The expressions of a set or element, in order. */
export function exprsOf(o: WithExprs): NftExpr[] {
  return o.expressions ?? (o.expr ? [o.expr] : []);
}

/** `expr` for one expression, `expressions` for more, nothing for none: as nft sends them. */
export function withExprs(exprs: readonly NftExpr[]): WithExprs {
  if (!exprs.length) return {};
  return exprs.length === 1 ? { expr: exprs[0] } : { expressions: [...exprs] };
}

/** A set's `stmt` array as nft prints it (counters without counts), or undefined when it has none. */
export function setStmtJson(family: string, s: WithExprs): Json[] | undefined {
  const exprs = exprsOf(s);
  return exprs.length ? ruleStatements(exprs, { family, sets: new Map() }).map(stateless) : undefined;
}

/**
 * An element's statements as nft 1.0.6 merges them into the `elem` object:
 * the first only (its json.c: "only one statement per element"), or all of
 * them when `full` (what its text shows).
 */
export function elemStmtJson(family: string, full = false): (e: WithExprs) => Json | undefined {
  const ctx = { family, sets: new Map() };
  return (e) => {
    const exprs = exprsOf(e);
    if (!exprs.length) return undefined;
    return Object.assign({}, ...ruleStatements(full ? exprs : exprs.slice(0, 1), ctx) as object[]);
  };
}
