/**
 * `nft -o -f FILE`: the rules of each `table ... { chain ... { ... } }`
 * block a script adds, merged chain by chain as nft's optimizer merges
 * them before evaluation (other commands are left alone, as nft leaves
 * them), with the report nft prints for each merge.
 *
 * @module
 */

import type { Json } from "../json/types.ts";
import { optimizeChain } from "../json/optimize.ts";
import { isObj, type Obj } from "../json/optimize_stmt.ts";
import { MADE_SETS } from "../json/optimize_merge.ts";
import { type ScriptCommand, scriptCommands } from "./script_cmds.ts";
import type { ScriptToken } from "./script_lex.ts";
import type { ScriptStmt } from "./script_read.ts";
import { mergedRuleText } from "./optimize_text.ts";

/** One merge as nft reports it. */
export interface MergeReport {
  /** The merged rules, each as `FILE:LINE:COL-COL: ` and its source line. */
  rules: string[];
  /** The rule they became, as nft prints it (no newline). */
  into: string;
}

/** A script's commands with the rules of its table blocks merged; `report` hears of each merge. */
export function optimizeScript(stmts: readonly ScriptStmt[], report: (m: MergeReport) => void): ScriptCommand[] {
  return stmts.flatMap((s) => {
    const cmds = scriptCommands([s]);
    // nft optimizes `[add] table ... { }` only: not `create table`, nor `add chain ... { }`.
    const w = s.words.map((t) => t.v);
    const table = s.block && (w[0] === "table" || (w[0] === "add" && w[1] === "table"));
    return table ? optimizeTable(cmds, ruleEnds(s), report) : cmds;
  });
}

/**
 * The last word of each rule of a table block before its comment, by the
 * rule's first word: nft's location of a rule ends there.
 */
function ruleEnds(table: ScriptStmt): Map<ScriptToken, ScriptToken> {
  const ends = new Map<ScriptToken, ScriptToken>();
  for (const chain of table.block ?? []) {
    for (const r of chain.block ?? []) {
      const c = r.words.findIndex((t, i) => i > 0 && t.v === "comment");
      const w = c > 0 ? r.words.slice(0, c) : r.words;
      ends.set(r.words[0], w[w.length - 1]);
    }
  }
  return ends;
}

function ruleOf(c: ScriptCommand): Obj | undefined {
  const add = isObj(c.cmd) ? c.cmd.add : undefined;
  return isObj(add) && isObj(add.rule) ? add.rule : undefined;
}

type Ends = ReadonlyMap<ScriptToken, ScriptToken>;

function optimizeTable(cmds: ScriptCommand[], ends: Ends, report: (m: MergeReport) => void): ScriptCommand[] {
  const out: ScriptCommand[] = [];
  for (let i = 0; i < cmds.length;) {
    const rule = ruleOf(cmds[i]);
    if (!rule) {
      out.push(cmds[i++]);
      continue;
    }
    // One chain's rules follow one another (the table block's rules come chain by chain).
    let j = i + 1;
    while (j < cmds.length && ruleOf(cmds[j])?.chain === rule.chain) j++;
    out.push(...optimizeRun(cmds.slice(i, j), ends, report));
    i = j;
  }
  return out;
}

function optimizeRun(run: ScriptCommand[], ends: Ends, report: (m: MergeReport) => void): ScriptCommand[] {
  const rules = run.map((c) => ruleOf(c)!);
  const { merges } = optimizeChain(rules, run.map(fromVariable));
  if (!merges.length) return run;
  const out: ScriptCommand[] = [];
  for (let i = 0; i < run.length; i++) {
    const m = merges.find((x) => x.from === i);
    if (!m) {
      out.push(run[i]);
      continue;
    }
    report({
      rules: run.slice(m.from, m.to + 1).map((c) => located(c, ends)),
      into: mergedRuleText(m.rule.expr as Json[]),
    });
    const rule = { ...m.rule, expr: (m.rule.expr as Json[]).map(flatten) };
    out.push({ cmd: { add: { rule } }, from: run[i].from, to: run[m.to].to });
    i = m.to;
  }
  return out;
}

/** A rule's source lines as written. */
function sourceText(from: ScriptToken, to: ScriptToken): string {
  return from.src.lines.slice(from.line - 1, to.line).join("\n");
}

/** Whether a rule read a variable: nft merges no value a `$NAME` gave (its parser keeps the variable). */
function fromVariable(c: ScriptCommand): boolean {
  if (c.from.src !== c.to.src || c.to.line < c.from.line) return true;
  const text = sourceText(c.from, c.to).replace(/"[^"]*"/g, "").replace(/#.*/g, "");
  return /\$[A-Za-z_]/.test(text);
}

/** `FILE:LINE:COL-COL: ` and the rule's first line, as nft prints a location. */
function located(c: ScriptCommand, ends: Ends): string {
  const { from } = c;
  const to = ends.get(from) ?? c.to;
  return `${from.src.name}:${from.line}:${from.col}-${to.end}: ${from.src.lines[from.line - 1]}`;
}

/**
 * A merged set's elements that are themselves sets or lists (`{ { 1, 2 }, 3 }`)
 * spliced in: the kernel's set holds values (nft's evaluation does the same
 * for a set; a list's values become elements of their own).
 */
function flatten(st: Json): Json {
  const m = isObj(st) && isObj(st.match) ? st.match : undefined;
  if (!m || !isObj(m.right) || !MADE_SETS.has(m.right)) return st;
  const elems = (m.right.set as Json[]).flatMap((e) =>
    Array.isArray(e) ? e : isObj(e) && Array.isArray(e.set) ? e.set as Json[] : [e]
  );
  return { match: { ...m, right: { set: elems } } };
}
