/**
 * The statements of a set (`NFTA_SET_EXPR`/`NFTA_SET_EXPRESSIONS`: the
 * template each new element gets) and of its elements
 * (`NFTA_SET_ELEM_EXPR`/`NFTA_SET_ELEM_EXPRESSIONS`) in nft's JSON, both
 * ways. The kernel takes only stateful expressions there; nft 1.0.6 writes
 * counter, limit and quota.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { NftExpr } from "../expr/registry.ts";
import { ruleExpressions } from "./linearize.ts";
import type { LinearizeContext } from "./linearize_base.ts";
import { ruleStatements } from "./rule_json.ts";
import { stateless } from "./rule_json_base.ts";
import type { Json } from "./types.ts";
import { isObj, SET_STMT_KEYS } from "./values.ts";

type Obj = Record<string, Json>;

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

/** The expressions of stateful statements (`{"counter": ...}`, `{"limit": ...}`, `{"quota": ...}`). */
export function setStmtExprs(stmts: readonly Json[], ctx: LinearizeContext, what: string): NftExpr[] {
  for (const st of stmts) {
    const k = isObj(st) ? Object.keys(st) : [];
    if (k.length !== 1 || !SET_STMT_KEYS.includes(k[0]) || typeof (st as Record<string, Json>)[k[0]] === "string") {
      throw new InvalidArgumentError(
        `Cannot use ${JSON.stringify(st)} as a statement of ${what}: expected ${SET_STMT_KEYS.join(", ")}`,
      );
    }
  }
  return ruleExpressions(stmts, ctx);
}

/**
 * The statements of an `elem` object (its counter, limit and quota keys),
 * for `ElementShape.stmts`. The kernel wants an element of a set with
 * statements to hold the same ones in the same order, and nft 1.0.6 lists
 * only an element's first: the others come from the set's `template` (as
 * the kernel fills in an element given none); `asWritten` (nft's language)
 * sends them as given, and the kernel refuses any that differ.
 */
export function elemStmtExprs(
  template: readonly NftExpr[],
  ctx: LinearizeContext,
  asWritten = false,
): (elem: Obj) => NftExpr[] {
  return (elem) => {
    const stmts = Object.keys(elem).filter((k) => SET_STMT_KEYS.includes(k)).map((k) => ({ [k]: elem[k] }));
    const given = setStmtExprs(stmts, ctx, "an element");
    if (asWritten || !template.length || !given.length) return given;
    const extra = given.find((g) => !template.some((t) => t.name === g.name));
    if (extra) {
      throw new InvalidArgumentError(
        `Cannot give an element a ${extra.name} statement: its set declares ${template.map((t) => t.name).join(", ")}`,
      );
    }
    return template.map((t) => given.find((g) => g.name === t.name) ?? t);
  };
}
