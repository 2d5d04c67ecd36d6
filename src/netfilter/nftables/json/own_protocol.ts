/**
 * nft's evaluation drops a rule's `meta protocol ip` in the ip family
 * (`meta protocol ip6` in ip6) when a statement follows it: the hook sees
 * only that protocol, so the match is always true. As the rule's last
 * statement it stays (nft then has nothing to replace it with).
 *
 * @module
 */

import type { Json } from "./types.ts";

/** The family's own ether type, by the names and numbers a rule may give it. */
const OWN: Record<string, (string | number)[]> = {
  ip: ["ip", 0x0800, "0x0800", "0x800"],
  ip6: ["ip6", 0x86dd, "0x86dd"],
};

type Obj = { [k: string]: Json };

function isOwnProtocol(st: Json, own: readonly (string | number)[]): boolean {
  const m = typeof st === "object" && st !== null && !Array.isArray(st) ? (st as Obj).match as Obj : undefined;
  const left = m?.left as Obj | undefined;
  if (!m || (m.op !== "==" && m.op !== "in") || (left?.meta as Obj | undefined)?.key !== "protocol") return false;
  const set = typeof m.right === "object" && m.right !== null && !Array.isArray(m.right)
    ? (m.right as Obj).set
    : undefined;
  const r = Array.isArray(set) && set.length === 1 ? set[0] : m.right;
  return (typeof r === "string" || typeof r === "number") && own.includes(typeof r === "string" ? r.toLowerCase() : r);
}

/** A rule's statements without the always-true `meta protocol` matches nft drops in the ip and ip6 families. */
export function withoutOwnProtocol(stmts: readonly Json[], family: string): readonly Json[] {
  const own = OWN[family];
  if (!own) return stmts;
  return stmts.filter((st, i) => i === stmts.length - 1 || !isOwnProtocol(st, own));
}
