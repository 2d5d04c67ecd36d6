/**
 * A rule merged by `nft -o` as nft prints it in its report: before
 * evaluation, so values read as written (`eth1`, not `"eth1"`), a set the
 * rule was written with one element per line, the optimizer's sets on one
 * line, and no counter values (nft prints the report stateless).
 *
 * @module
 */

import type { Json } from "../json/types.ts";
import { isObj, type Obj, only } from "../json/optimize_stmt.ts";
import { MADE_SETS } from "../json/optimize_merge.ts";
import { exprText, stmtText } from "./stmt_text.ts";

/** nft's delimiter between the elements of a set it did not make (`calculate_delim`, no type yet). */
const WRITTEN_DELIM = ",\n\t\t\t     ";
const NATS = ["snat", "dnat", "masquerade", "redirect"];

/** A value as written: a symbol, a number, a range, a prefix, a set, a list, a concatenation, a mapping. */
function valueText(v: Json): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "exists" : "missing";
  if (Array.isArray(v)) return v.map(valueText).join(","); // a list: `established,related`
  if (!isObj(v)) return String(v);
  const [k, x] = only(v);
  if (k === "range" && Array.isArray(x)) return `${valueText(x[0])}-${valueText(x[1])}`;
  if (k === "prefix" && isObj(x)) return `${valueText(x.addr)}/${x.len}`;
  if (k === "concat" && Array.isArray(x)) return x.map(valueText).join(" . ");
  if (k === "elem" && isObj(x)) return valueText(x.val);
  if (k === "set") return setText(v, false);
  if (k === "map" && isObj(x)) return `${leftText(x.key)} map ${setText(x.data, true)}`;
  return stmtText(v);
}

/** A set (a map's when `mapping`: its elements are `[key, data]` pairs, data a value or a verdict). */
function setText(s: Json, mapping: boolean): string {
  const elems = isObj(s) && Array.isArray(s.set) ? s.set : [];
  const delim = MADE_SETS.has(s as Obj) ? ", " : WRITTEN_DELIM;
  const text = (e: Json) => mapping && Array.isArray(e) ? `${valueText(e[0])} : ${valueText(e[1])}` : valueText(e);
  return `{ ${elems.map(text).join(delim)} }`;
}

/** A selector or a concatenation of them (`iifname . ip saddr`). */
function leftText(l: Json): string {
  if (isObj(l) && Array.isArray(l.concat)) return l.concat.map(leftText).join(" . ");
  return exprText(l);
}

function natText(type: string, n: Obj): string {
  const fam = typeof n.family === "string" ? ` ${n.family}` : "";
  let to = n.addr === undefined ? "" : valueText(n.addr);
  if (n.port !== undefined) to += `:${valueText(n.port)}`;
  const flags = Array.isArray(n.flags) ? n.flags.join(",") : n.flags;
  return `${type}${fam}${to ? ` to ${to}` : ""}${flags ? ` ${flags}` : ""}`;
}

function stmtReport(st: Json): string {
  if (!isObj(st)) return String(st);
  const [k, v] = only(st);
  if (k === "match" && isObj(v)) return `${leftText(v.left)} ${valueText(v.right)}`;
  if (k === "counter") return "counter";
  if (k === "vmap" && isObj(v)) return `${leftText(v.key)} vmap ${setText(v.data, true)}`;
  if (NATS.includes(k) && isObj(v)) return natText(k, v);
  return stmtText(st);
}

/** The merged rule's statements as nft's report prints them (without its newline). */
export function mergedRuleText(expr: readonly Json[]): string {
  return expr.map(stmtReport).join(" ");
}
