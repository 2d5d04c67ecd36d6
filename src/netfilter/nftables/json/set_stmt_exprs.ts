/**
 * A set's and its elements' statements in nft's JSON (counter, limit,
 * quota) turned into the expressions the kernel stores with them: the
 * writing side of `set_stmts.ts`, apart so that a listing does not load
 * the rule linearizer.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { NftExpr } from "../expr/registry.ts";
import { ruleExpressions } from "./linearize.ts";
import type { LinearizeContext } from "./linearize_base.ts";
import type { Json } from "./types.ts";
import { isObj, SET_STMT_KEYS } from "./values.ts";

type Obj = Record<string, Json>;

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
