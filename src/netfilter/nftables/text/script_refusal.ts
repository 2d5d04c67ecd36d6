/**
 * A script's batch refused by the kernel, told as nft tells it: for each
 * refused message, `Error: Could not process rule: <strerror>` at the
 * statement it came from, with carets under the word the kernel's extended
 * ack points at (the table, chain, set or object name, or a rule's handle),
 * else under the whole statement (nft's `nft_cmd_error`). A table or set
 * found missing while planning is told as nft's own lookup tells it.
 *
 * @module
 */

import { errnoText } from "../../../sys/errno.ts";
import type { Json } from "../json/types.ts";
import { NotFoundError } from "../../../errors.ts";
import { type NftFailure, NftTransactionError } from "../transaction_error.ts";
import type { ScriptCommand } from "./script_cmds.ts";
import { locatedText, type ScriptToken } from "./script_lex.ts";
import { type NameCache, objectHint, tableHint } from "./script_suggest.ts";
import { NFTA_CHAIN_TABLE } from "../chain.ts";
import { NFTA_SET_ELEM_LIST_TABLE } from "../element.ts";
import { NFTA_FLOWTABLE_TABLE } from "../flowtable.ts";
import { NFTA_OBJ_TABLE } from "../obj.ts";
import { NFTA_RULE_TABLE } from "../rule.ts";
import { NFTA_SET_TABLE } from "../set.ts";
import { NFTA_TABLE_TABLE } from "../table.ts";

type Obj = { [k: string]: Json };

/**
 * An {@link NftTransactionError} of a script, with nft's text of it:
 * `located` holds one located error per refused message.
 */
export class NftScriptRefusal extends NftTransactionError {
  /** nft's text of the refusal: each error, its source line and carets. */
  readonly located: string;
  /** Wraps `e`, whose messages came from `cmds` (`starts[i]`: the first message of command `i`). */
  constructor(e: NftTransactionError, cmds: readonly ScriptCommand[], starts: readonly number[], names?: NameCache) {
    super(e.failures);
    this.name = "NftScriptRefusal";
    this.located = e.failures.map((f) => locate(f, cmds, starts, names)).join("\n");
  }
}

/**
 * A table or set a script names that nlkit found missing while planning
 * (an element's set), with nft's text of it (`located`).
 */
export class NftScriptNotFound extends NotFoundError {
  /** nft's text: `Error: No such file or directory`, the line, carets under the name. */
  readonly located: string;
  /**
   * Wraps `e`, met while planning command `c` of `cmds` (`names`: the
   * ruleset's, for nft's suggestion).
   */
  constructor(e: NotFoundError, c: ScriptCommand, cmds: readonly ScriptCommand[], names?: NameCache) {
    const lookup = e.kind !== undefined && e.key !== undefined ? { kind: e.kind, key: e.key } : undefined;
    super(e.errno, { message: e.kernelMessage }, e.requestType, e.operation, e.request, e.message, lookup);
    this.name = "NftScriptNotFound";
    const { kind, family, table, name } = partsOf(c);
    // nft looks up the table first: a missing one is the error, else the set.
    const added = cmds.some((x) => {
      const p = partsOf(x);
      return p.kind === "table" && (p.verb === "add" || p.verb === "create") && p.table === table &&
        p.family === family;
    });
    const noTable = e.kind === "nft table" ||
      (names !== undefined && !added && !names.tables.some((t) => t.name === table && t.family === family));
    const attrs = attrsOf(c, kind);
    const word = namedWord(c, noTable ? attrs.table : attrs.name ?? attrs.table);
    const hint = !names
      ? undefined
      : noTable
      ? tableHint(names, String(table))
      : objectHint(names, kind, String(name))?.hint;
    const reason = errnoText(e.errno) + (hint ? `; did you mean ${hint}?` : "");
    this.located = locatedText(reason, word ?? c.from, word?.end ?? spanEnd(c));
  }
}

/** The attribute numbers of the table and the object name, per message kind, from the message tables. */
const NAME_ATTRS: Record<string, { table: number; name?: number; handle?: number }> = {
  table: { table: NFTA_TABLE_TABLE.name.type },
  chain: {
    table: NFTA_CHAIN_TABLE.table.type,
    name: NFTA_CHAIN_TABLE.name.type,
    handle: NFTA_CHAIN_TABLE.handle.type,
  },
  rule: { table: NFTA_RULE_TABLE.table.type, name: NFTA_RULE_TABLE.chain.type, handle: NFTA_RULE_TABLE.handle.type },
  set: { table: NFTA_SET_TABLE.table.type, name: NFTA_SET_TABLE.name.type },
  map: { table: NFTA_SET_TABLE.table.type, name: NFTA_SET_TABLE.name.type },
  element: { table: NFTA_SET_ELEM_LIST_TABLE.table.type, name: NFTA_SET_ELEM_LIST_TABLE.set.type },
  flowtable: { table: NFTA_FLOWTABLE_TABLE.table.type, name: NFTA_FLOWTABLE_TABLE.name.type },
};
const OBJECT = { table: NFTA_OBJ_TABLE.table.type, name: NFTA_OBJ_TABLE.name.type };
const RULE_POSITION = NFTA_RULE_TABLE.position.type;
const CHAIN_POLICY = NFTA_CHAIN_TABLE.policy.type;
/** The words a command starts with (a table block's members start with their kind). */
const VERBS = ["add", "create", "insert", "replace", "delete", "destroy", "flush", "reset", "rename"];

function locate(
  f: NftFailure,
  cmds: readonly ScriptCommand[],
  starts: readonly number[],
  names: NameCache | undefined,
): string {
  let i = -1;
  for (let k = 0; k < starts.length; k++) if (starts[k] !== undefined && starts[k] <= f.index - 1) i = k;
  const c = cmds[i];
  const missing = foundMissing(f, c);
  let reason = `${missing ? "" : "Could not process rule: "}${errnoText(f.error.errno)}`;
  if (!c) return `Error: ${reason}`;
  const span = f.element !== undefined ? elementSpan(c, f.element) : namedSpan(c, f.attribute);
  if (span) {
    const hint = names && f.error.code === "ENOENT" && f.element === undefined
      ? enoentHint(c, f.attribute, missing, names)
      : undefined;
    if (hint) reason = `${errnoText(f.error.errno)}; did you mean ${hint}?`;
    return locatedText(reason, span[0], span[1]);
  }
  if (f.error.code === "ENOENT" && kindOf(c) === "rule") {
    // A rule's one `@set` the kernel did not find: nft finds it missing itself, and says so under its name.
    const words = wordsOf(c);
    const sets = words.filter((w) => w.v.startsWith("@"));
    const k = words.indexOf(sets[0]);
    if (sets.length === 1 && words[k - 2]?.v === "flow") {
      return locatedText(reason, words[k - 2], sets[0].end); // `flow add @ft`: the statement
    }
    if (sets.length === 1) {
      const hint = names && objectHint(names, "set", sets[0].v.slice(1))?.hint;
      return locatedText(`${errnoText(f.error.errno)}${hint ? `; did you mean ${hint}?` : ""}`, sets[0], sets[0].end);
    }
    // The chain of its one jump or goto.
    const jumps = words.filter((_, k) => k > 0 && ["jump", "goto"].includes(words[k - 1].v));
    if (jumps.length === 1) return locatedText(reason, jumps[0], jumps[0].end);
  }
  if (c.to.line !== c.from.line || !VERBS.includes(c.from.v)) {
    // A block of a table (`chain bar {` ... `}`): nft points at its name.
    const kind = kindOf(c);
    const name = kind && kind !== "table" && kind !== "rule"
      ? namedWord(c, (NAME_ATTRS[kind] ?? OBJECT).name!)
      : undefined;
    if (name) return locatedText(reason, name, name.end);
  }
  return locatedText(reason, c.from, spanEnd(c));
}

/**
 * The end column of a statement on one line. nft's location of a command
 * is its grammar's `line`, the separator after it included: one past a
 * block's `}`, and a `;` or the newline when one follows (not the end of
 * the text).
 */
function spanEnd(c: ScriptCommand): number {
  if (c.to.line !== c.from.line) return c.from.end;
  if (c.to.v === "}") return c.to.end + 1;
  const lines = c.to.src.lines;
  const line = lines[c.to.line - 1] ?? "";
  let i = c.to.end;
  while (line[i] === " " || line[i] === "\t") i++;
  if (line[i] === ";") return i + 1;
  return i >= line.length && c.to.line < lines.length ? line.length + 1 : c.to.end;
}

/** The words naming what attribute `attr` holds: a name, a rule's handle, or `position N`. */
function namedSpan(c: ScriptCommand, attr: number | undefined): [ScriptToken, number] | undefined {
  if (attr === undefined) return undefined;
  const keyword = (attr === RULE_POSITION && kindOf(c) === "rule" && "position") ||
    (attr === CHAIN_POLICY && kindOf(c) === "chain" && "policy");
  if (keyword) {
    // `position 3`, `policy drop`: the keyword and its value.
    const words = wordsOf(c);
    const k = words.findIndex((w) => w.v === keyword);
    return k >= 0 && words[k + 1] ? [words[k], words[k + 1].end] : undefined;
  }
  const word = namedWord(c, attr);
  return word && [word, word.end];
}

/** The `k`th element of the statement's `{ ... }`, from its first word to its last. */
function elementSpan(c: ScriptCommand, k: number): [ScriptToken, number] | undefined {
  const { from, to } = c;
  if (to.line !== from.line) return undefined;
  const line = from.src.lines[from.line - 1] ?? "";
  const open = line.indexOf("{", from.col - 1);
  if (open < 0) return undefined;
  let start = open + 1, n = 0;
  for (let i = start; i < Math.min(line.length, to.end); i++) {
    if (line[i] !== "," && line[i] !== "}") continue;
    if (n++ === k) {
      const text = line.slice(start, i);
      const lead = text.length - text.trimStart().length;
      const col = start + lead + 1, end = start + text.trimEnd().length;
      return end >= col ? [{ v: text.trim(), src: from.src, line: from.line, col, end }, end] : undefined;
    }
    start = i + 1;
  }
  return undefined;
}

function kindOf(c: ScriptCommand): string | undefined {
  const body = Object.values(c.cmd as Obj)[0];
  return typeof body === "object" && body !== null ? Object.keys(body)[0] : undefined;
}

/**
 * nft looks up the table of a chain, set or object it adds (and the set of
 * an element) in its cache first: a missing one is its own error, without
 * "Could not process rule".
 */
function foundMissing(f: NftFailure, c: ScriptCommand | undefined): boolean {
  if (!c || f.error.code !== "ENOENT" || f.attribute === undefined) return false;
  const [verb, body] = Object.entries(c.cmd as Obj)[0] ?? [];
  if ((verb !== "add" && verb !== "create") || typeof body !== "object" || body === null) return false;
  const kind = Object.keys(body)[0];
  return kind !== "table" && kind !== "rule" && (f.attribute === 1 || (kind === "element" && f.attribute === 2));
}

/** The table, name and handle attributes of command `c`'s message (a flushed chain's is a rule message). */
function attrsOf(c: ScriptCommand, kind: string): { table: number; name?: number; handle?: number } {
  if (kind === "chain" && Object.keys(c.cmd as Obj)[0] === "flush") return NAME_ATTRS.rule;
  return NAME_ATTRS[kind] ?? OBJECT;
}

/** The command's verb, kind and the table and name it gives. */
function partsOf(c: ScriptCommand): { verb: string; kind: string; family?: Json; table?: Json; name?: Json } {
  const [verb, body] = Object.entries(c.cmd as Obj)[0] ?? ["", {}];
  const [kind, o] = Object.entries((body ?? {}) as Obj)[0] ?? ["", {}];
  const obj = (typeof o === "object" && o !== null ? o : {}) as Obj;
  return {
    verb,
    kind,
    family: obj.family,
    table: kind === "table" ? obj.name : obj.table,
    name: kind === "rule" ? obj.chain : kind === "table" ? undefined : obj.name,
  };
}

/**
 * nft's suggestion for a missing table or object (nft_cmd_enoent, or its
 * evaluation's table_not_found for what it adds to a table): a missing
 * table is suggested by the table of the object closest to the one named
 * (by its own name for a table), a missing object by the closest one. A
 * flush finds nothing: nft has no cache for it.
 */
function enoentHint(
  c: ScriptCommand,
  attr: number | undefined,
  missing: boolean,
  names: NameCache,
): string | undefined {
  const { verb, kind, family, table, name } = partsOf(c);
  if (verb === "flush" || attr === undefined) return undefined;
  const attrs = attrsOf(c, kind);
  if (kind === "table" || (missing && attr === attrs.table)) return tableHint(names, String(table));
  if (attr === attrs.table) {
    const near = objectHint(names, kind, String(name))?.found;
    const other = near && (near.table !== table || near.family !== family);
    return other ? `table ‘${near.table}’ in family ${near.family}` : undefined;
  }
  if (attr !== attrs.name) return undefined;
  const near = objectHint(names, kind, String(name));
  return near && !(kind === "rule" && near.found.name === name) ? near.hint : undefined;
}

/** The word of the statement that gave the attribute `attr` its value. */
function namedWord(c: ScriptCommand, attr: number): ScriptToken | undefined {
  const body = Object.values(c.cmd as Obj)[0];
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const [kind, o] = Object.entries(body as Obj)[0] ?? [];
  if (typeof o !== "object" || o === null || Array.isArray(o)) return undefined;
  const obj = o as Obj;
  const attrs = attrsOf(c, kind);
  const table = kind === "table" ? obj.name : obj.table;
  const name = kind === "rule" ? obj.chain : obj.name;
  const words = wordsOf(c);
  const at = (v: Json, from = 0) => words.findIndex((w, k) => k >= from && unquoted(w.v) === String(v));
  const t = at(table);
  if (attr === attrs.table) return words[t];
  if (attr === attrs.name && kind !== "table") return words[at(name, t + 1)];
  if (attr === attrs.handle && obj.handle !== undefined) return words[at(obj.handle, at("handle", t + 1) + 1)];
  return undefined;
}

/** The words of a statement on its first line, from its source (a block's header). */
function wordsOf(c: ScriptCommand): ScriptToken[] {
  const { from, to } = c;
  const line = from.src.lines[from.line - 1] ?? "";
  const out: ScriptToken[] = [];
  for (const m of line.slice(0, to.line === from.line ? to.end : line.length).matchAll(/"[^"]*"|[^\s{};,]+/g)) {
    const col = m.index + 1;
    if (col >= from.col) out.push({ v: m[0], src: from.src, line: from.line, col, end: col + m[0].length - 1 });
  }
  return out;
}

function unquoted(w: string): string {
  return w.startsWith('"') && w.endsWith('"') ? w.slice(1, -1) : w;
}
