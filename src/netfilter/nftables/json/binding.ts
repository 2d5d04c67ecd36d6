/**
 * Chains bound to a rule (`jump { ... }`, `NFT_CHAIN_BINDING`). nft 1.0.6
 * never lists them as chains: their rules appear inside the rule that jumps
 * to them, and since its JSON has no form for that, the verdict becomes the
 * statement's text (`"jump {\n\t\t\t... accept\n\t\t}"`), in JSON and text.
 *
 * @module
 */

import type { NftChain } from "../chain.ts";
import { stmtText } from "../text/stmt_text.ts";
import type { Json } from "./types.ts";

type Obj = { [k: string]: Json };

/** Whether `c` is bound to a rule. */
export function isBound(c: NftChain): boolean {
  return c.flags?.includes("binding") ?? false;
}

/** The key {@link inlineBound} knows a bound chain by. */
export function boundKey(family: string, table: string | undefined, chain: string | undefined): string {
  return `${family}\0${table}\0${chain}`;
}

function ruleOf(x: Json): Obj | undefined {
  const r = typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Obj).rule : undefined;
  return typeof r === "object" && r !== null && !Array.isArray(r) ? r as Obj : undefined;
}

/**
 * `rules` (rule objects in dump order) without the rules of the chains in
 * `bound`, each jump or goto to one of those written as nft writes it.
 */
export function inlineBound(rules: readonly Json[], bound: ReadonlySet<string>): Json[] {
  const inside = new Map<string, Obj[]>();
  const out: Json[] = [];
  for (const x of rules) {
    const r = ruleOf(x);
    const k = r && boundKey(String(r.family), String(r.table), String(r.chain));
    if (k !== undefined && bound.has(k)) {
      if (!inside.has(k)) inside.set(k, []);
      inside.get(k)!.push(r!);
    } else out.push(x);
  }
  const statements = (r: Obj, depth: number): Json[] =>
    (r.expr as Json[]).map((st) => {
      const [verb] = typeof st === "object" && st !== null && !Array.isArray(st) ? Object.keys(st) : [];
      if (verb !== "jump" && verb !== "goto") return st;
      const k = boundKey(String(r.family), String(r.table), String(((st as Obj)[verb] as Obj).target));
      if (!bound.has(k)) return st;
      const tabs = "\t".repeat(depth + 3);
      const lines = (inside.get(k) ?? []).map((b) => tabs + statements(b, depth + 1).map(stmtText).join(" "));
      return `${verb} {\n${lines.join("\n")}\n${"\t".repeat(depth + 2)}}`;
    });
  return out.map((x) => {
    const r = ruleOf(x);
    return r ? { rule: { ...r, expr: statements(r, 0) } } : x;
  });
}
