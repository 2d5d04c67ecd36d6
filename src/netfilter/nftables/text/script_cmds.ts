/**
 * An nft script's statements as nft's JSON commands: single commands go
 * through the command parser, and the block forms (`table ip t { chain c
 * { ... } set s { ... } }`) are expanded as nft expands them: the table,
 * then its chains, stateful objects, sets and maps (with their elements),
 * then the chains' rules.
 *
 * @module
 */

import type { Json } from "../json/types.ts";
import { parseCommand } from "./parse.ts";
import { DUPLICATED, parseStatements } from "./statement.ts";
import { addressRunOn, keyDataSplit, wordValue } from "./tokens.ts";
import { NftScriptError, type ScriptToken } from "./script_lex.ts";
import { InvalidArgumentError } from "../../../errors.ts";
import type { ScriptStmt } from "./script_read.ts";
import { typeofDecl } from "./script_typeof.ts";
import { type DeclExtra, withDeclExtra } from "../json/decl_extra.ts";
import { objectCommand } from "./script_objects.ts";
import { flowtableCommand } from "./script_flowtable.ts";

type Obj = { [k: string]: Json };

const FAMILIES = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];
const CHANGE = ["add", "create", "insert", "replace", "delete", "destroy", "flush"];
const NOT_IN_SCRIPTS = ["list", "reset", "get", "describe", "monitor", "export", "import"];
const OBJECT_KINDS = ["counter", "quota", "limit", "synproxy", "secmark", "flowtable", "ct"];
const SET_STMTS = ["counter", "limit", "quota"];
const CHAIN_DECLS = ["type", "policy", "comment", "devices", "device", "flags"];
/** What `add` may name; any other word starts a rule (`add TABLE CHAIN STMT...`, nft's grammar). */
const ADD_KINDS = ["table", "chain", "rule", "set", "map", "element", "ruleset", ...OBJECT_KINDS];

/** One JSON command and the statement it came from (its first and last words, for error locations). */
export interface ScriptCommand {
  /** The nft JSON command (`{"add": {"rule": {...}}}`). */
  readonly cmd: Json;
  /** The statement's first word. */
  readonly from: ScriptToken;
  /** The statement's last word. */
  readonly to: ScriptToken;
}

/** Runs `fn`, turning a bad-input error into a located one over `words`. */
function at<T>(words: readonly ScriptToken[], fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NftScriptError || !(e instanceof TypeError || e instanceof SyntaxError)) throw e;
    throw new NftScriptError((e as Error).message, words[0], words[words.length - 1]);
  }
}

/** The words of tokens, a plain element list (see script_lex.ts) written out again. */
function vals(w: readonly ScriptToken[]): string[] {
  const out: string[] = [];
  for (const t of w) {
    if (!t.items) {
      out.push(t.v);
      continue;
    }
    out.push("{");
    for (const [i, x] of t.items.entries()) i ? out.push(",", x) : out.push(x);
    out.push("}");
  }
  return out;
}

/** The values of a plain element list token: one word each, as nft's JSON has them. */
function plainValues(t: ScriptToken | undefined): Json[] | undefined {
  // `{10080:drop}`, `{22:0x1}`: a key and its data in one word (the command parser splits them, or refuses
  // `2001:db8::1:accept` as nft does).
  if (t?.items?.some((x) => keyDataSplit(x) !== undefined || addressRunOn(x) !== undefined)) return undefined;
  return t?.items?.map(wordValue);
}

/** The JSON commands of a script's statements, in nft's order. */
export function scriptCommands(stmts: readonly ScriptStmt[]): ScriptCommand[] {
  const out: ScriptCommand[] = [];
  for (const s of stmts) for (const c of topLevel(s)) out.push(c);
  return out;
}

function topLevel(s: ScriptStmt): ScriptCommand[] {
  const w = s.words;
  const cmd = CHANGE.includes(w[0].v) ? w[0].v : "add";
  if (NOT_IN_SCRIPTS.includes(w[0].v)) {
    throw new NftScriptError(`Cannot run "${w[0].v}" from a script: nlkit applies changes only`, w[0]);
  }
  if (w[0].v === "rename") return [{ cmd: renameCommand(w), from: w[0], to: w[w.length - 1] }];
  const rest = cmd === w[0].v ? w.slice(1) : w;
  if (!rest.length) throw new NftScriptError(`syntax error: ${cmd} what?`, w[0]);
  const kind = rest[0].v;
  const one = (c: Json): ScriptCommand[] => [{ cmd: c, from: w[0], to: w[w.length - 1] }];
  if (cmd === "add" && !s.block && !ADD_KINDS.includes(rest[0].v)) {
    return at(w, () => parseCommand("add", ["rule", ...vals(rest)]).map((c) => one(c)[0]));
  }
  if (kind === "table") {
    if (!s.block) return at(w, () => parseCommand(cmd, vals(rest)).map((c) => one(c)[0]));
    return tableBlock(cmd, rest, s.block);
  }
  if (s.block) {
    // `add chain ip t c { ... }`, `add set ip t s { ... }`: the object's family and table are in the header.
    const k = kind === "ct" ? 2 : 1; // `ct helper` is two words
    const [fam, table, names] = FAMILIES.includes(rest[k]?.v)
      ? [rest[k].v, rest[k + 1], rest.slice(k + 2)]
      : ["ip", rest[k], rest.slice(k + 1)];
    if (!table) throw new NftScriptError(`syntax error: ${kind} needs a table`, rest[0]);
    const t = new TableCommands(cmd, fam, table.v);
    t.member([...rest.slice(0, k), ...names], s.block, w, s.close);
    return t.ordered();
  }
  if (kind === "element") {
    // `add element ip t s { ... }` of plain values (one token, see script_lex.ts) skips the command parser.
    const [fam, at0] = FAMILIES.includes(rest[1]?.v) ? [rest[1].v, 2] : ["ip", 1];
    const [table, set] = [rest[at0]?.v, rest[at0 + 1]?.v];
    const elem = rest.length === at0 + 3 ? plainValues(rest[at0 + 2]) : undefined;
    if (elem) return one({ [cmd]: { element: { family: fam, table, name: set, elem } } });
  }
  if (kind === "flowtable") {
    const [fam, at0] = FAMILIES.includes(rest[1]?.v) ? [rest[1].v, 2] : ["ip", 1];
    const [table, name, ...more] = vals(rest.slice(at0));
    if (name === undefined) throw new NftScriptError("syntax error: expected flowtable [FAMILY] TABLE NAME", rest[0]);
    return at(w, () => one(flowtableCommand(cmd, fam, table, name, more.length ? [more] : [])));
  }
  if (OBJECT_KINDS.includes(kind) && kind !== "counter" && kind !== "quota") {
    return at(w, () => one(objectCommand(cmd, vals(rest), [])));
  }
  return at(w, () => parseCommand(cmd, vals(rest)).map((c) => one(c)[0]));
}

/** `rename chain [FAMILY] TABLE CHAIN NEWNAME`, nft's only rename, as its JSON command. */
function renameCommand(w: readonly ScriptToken[]): Json {
  const what = w[1];
  if (what?.v !== "chain") {
    throw new NftScriptError(`syntax error, unexpected ${what?.v ?? "end of file"}, expecting chain`, what ?? w[0]);
  }
  const k = FAMILIES.includes(w[2]?.v) && w.length > 5 ? 3 : 2;
  const [table, name, newname, extra] = w.slice(k);
  if (!newname || extra) {
    throw new NftScriptError("syntax error: expected rename chain [FAMILY] TABLE CHAIN NEWNAME", extra ?? w[0]);
  }
  const family = k === 3 ? w[2].v : "ip";
  return { rename: { chain: { family, table: unquote(table.v), name: unquote(name.v), newname: unquote(newname.v) } } };
}

function tableBlock(cmd: string, rest: readonly ScriptToken[], block: readonly ScriptStmt[]): ScriptCommand[] {
  const fam = FAMILIES.includes(rest[1]?.v) && rest.length > 2 ? rest[1].v : "ip";
  const name = rest[rest.length - 1];
  if (rest.length > 3 || rest.length < 2) {
    throw new NftScriptError("syntax error: expected table [FAMILY] NAME", rest[0]);
  }
  const t = new TableCommands(cmd, fam, name.v);
  const table: Obj = { family: fam, name: name.v };
  for (const s of block) {
    const w = s.words;
    const k = w[0].v;
    if (!s.block && k === "flags") table.flags = vals(w.slice(1)).filter((f) => f !== ",").join(",");
    else if (!s.block && k === "comment" && w.length === 2) {
      if (table.comment !== undefined) throw new NftScriptError(DUPLICATED, w[0], w[1]);
      table.comment = at(w, () => unquote(w[1].v));
    } else if (s.block) t.member(w, s.block, w, s.close);
    else throw new NftScriptError(`syntax error: unexpected "${k}" in table ${name.v}`, w[0], w[w.length - 1]);
  }
  if (typeof table.flags === "string") table.flags = table.flags.split(",");
  if (cmd === "delete" || cmd === "flush" || cmd === "destroy") {
    if (block.length) throw new NftScriptError(`Cannot ${cmd} a table with a body`, rest[0]);
  }
  t.head = { cmd: { [cmd === "create" ? "create" : cmd === "add" ? "add" : cmd]: { table } }, from: rest[0], to: name };
  return t.ordered();
}

function unquote(w: string): string {
  return w.startsWith('"') ? w.slice(1, -1) : w;
}

/** The commands of one table's block, kept in nft's expansion order. */
class TableCommands {
  head?: ScriptCommand;
  #chains: ScriptCommand[] = [];
  #objs: ScriptCommand[] = [];
  #sets: ScriptCommand[] = [];
  #flowtables: ScriptCommand[] = [];
  #rules: ScriptCommand[] = [];
  constructor(readonly cmd: string, readonly fam: string, readonly table: string) {}

  ordered(): ScriptCommand[] {
    return [
      ...(this.head ? [this.head] : []),
      ...this.#chains,
      ...this.#objs,
      ...this.#sets,
      ...this.#flowtables,
      ...this.#rules,
    ];
  }

  /** A `chain`, `set`, `map`, `counter`, `quota`, `limit`, `ct helper`... block of the table. */
  member(
    header: readonly ScriptToken[],
    block: readonly ScriptStmt[],
    all: readonly ScriptToken[],
    close?: ScriptToken,
  ): void {
    const kind = header[0].v === "ct" ? `ct ${header[1]?.v}` : header[0].v;
    const names = header.slice(kind.startsWith("ct ") ? 2 : 1);
    if (names.length !== 1) throw new NftScriptError(`syntax error: expected ${kind} NAME {`, header[0]);
    const name = names[0].v;
    const span = (c: Json): ScriptCommand => ({ cmd: c, from: all[0], to: close ?? all[all.length - 1] });
    const cmd = this.cmd === "create" ? "create" : "add";
    if (kind === "chain") return this.#chain(cmd, name, block, span);
    if (kind === "set" || kind === "map") {
      const body = setBody(block);
      const cmds = at(all, () => parseCommand(cmd, [kind, this.fam, this.table, name, "{", ...body.words, "}"]));
      for (const c of cmds) {
        const o = Object.values(Object.values(c as Obj)[0] as Obj)[0] as Obj;
        if (body.stmt.length) o.stmt = body.stmt;
        if (body.elem.length) o.elem = o.elem ? appended(o.elem as Json[], body.elem) : body.elem;
        withDeclExtra(o, body.extra);
        this.#sets.push(span(c));
      }
      return;
    }
    if (kind === "counter" || kind === "quota") {
      const words = block.flatMap((s) => [...vals(s.words), ";"]);
      const cmds = at(all, () => parseCommand(cmd, [kind, this.fam, this.table, name, "{", ...words, "}"]));
      for (const c of cmds) this.#objs.push(span(c));
      return;
    }
    if (kind === "flowtable") {
      const decls = block.map((s) => vals(s.words));
      this.#flowtables.push(span(at(all, () => flowtableCommand(cmd, this.fam, this.table, name, decls))));
      return;
    }
    if (OBJECT_KINDS.includes(header[0].v)) {
      const c = at(all, () => objectCommand(cmd, [kind, this.fam, this.table, name], block.map((s) => vals(s.words))));
      this.#objs.push(span(c));
      return;
    }
    throw new NftScriptError(`syntax error: unexpected "${kind}" block in table ${this.table}`, header[0]);
  }

  #chain(cmd: string, name: string, block: readonly ScriptStmt[], span: (c: Json) => ScriptCommand): void {
    const decls: string[] = [];
    const declWords: ScriptToken[] = [];
    let devices: Json[] | undefined;
    for (const s of block) {
      const w = s.words;
      if (s.block) throw new NftScriptError(`syntax error: unexpected block in chain ${name}`, s.open!);
      if (!CHAIN_DECLS.includes(w[0].v) || (w[0].v === "comment" && w.length !== 2)) {
        const head = ["rule", this.fam, this.table, name];
        this.#rules.push(
          ...at(w, () => parseCommand("add", [...head, ...vals(w)])).map((c) => ({
            cmd: c,
            from: w[0],
            to: w[w.length - 1],
          })),
        );
      } else if (w[0].v === "devices") {
        devices = at(w, () => deviceList(vals(w)));
      } else {
        declWords.push(...w);
        const v = vals(w);
        // A define's string stands for its words: `policy $p` with p = "accept", `priority "filter - 100"`.
        for (const [i, x] of v.entries()) {
          if (x.startsWith('"') && (v[i - 1] === "policy" || v[i - 1] === "priority")) {
            for (const y of unquote(x).split(/\s+/)) if (y) decls.push(y);
          } else decls.push(x);
        }
        decls.push(";");
      }
    }
    // A bad declaration (`priority foo`) is the text's error, located as nft locates it.
    const parse = () => parseCommand(cmd, ["chain", this.fam, this.table, name, "{", ...decls, "}"]);
    const cmds = declWords.length ? at(declWords, parse) : parse();
    if (devices) {
      // One device as nft's JSON writes it, several (NFTA_HOOK_DEVS) as a list.
      const dev = devices.length === 1 ? devices[0] : devices;
      ((cmds[0] as Obj)[cmd] as Obj).chain = { ...((cmds[0] as Obj)[cmd] as Obj).chain as Obj, dev };
    }
    for (const c of cmds) this.#chains.push(span(c));
  }
}

/** `devices = { "a", "b" }` or `devices = $list` as device names. */
function deviceList(w: string[]): Json[] {
  if (w[1] !== "=") throw new InvalidArgumentError(`Cannot use "${w.join(" ")}": expected devices = { NAME, ... }`);
  return w.slice(2).filter((x) => !["{", "}", ","].includes(x)).map(unquote);
}

/** A set block's declarations as the command parser takes them; `typeof` typed, `counter` as a statement. */
function setBody(block: readonly ScriptStmt[]): { words: string[]; stmt: Json[]; elem: Json[]; extra: DeclExtra } {
  const words: string[] = [];
  const stmt: Json[] = [];
  let elem: Json[] = [];
  const extra: DeclExtra = {};
  for (const s of block) {
    if (s.block) throw new NftScriptError("syntax error: unexpected block in a set", s.open!);
    const plain = s.words[0].v === "elements" && s.words.length === 3 ? plainValues(s.words[2]) : undefined;
    if (plain) {
      elem = elem.length ? appended(elem, plain) : plain;
      continue;
    }
    let w = vals(s.words);
    // `typeof @ih,32,32: verdict`: the colon after a number is the key-data one.
    if (w[0] === "typeof") w = w.flatMap((x) => (/^\d+:$/.test(x) ? [x.slice(0, -1), ":"] : [x]));
    const colon = w[0] === "type" || w[0] === "typeof" ? w.indexOf(":") : -1;
    if ((w[0] === "type" || w[0] === "typeof") && colon > 0 && w[colon + 1] === "interval") {
      // `: interval ipv4_addr`: the data are ranges, which nft records in the set's user data only.
      extra.dataInterval = true;
      w = [...w.slice(0, colon + 1), ...w.slice(colon + 2)];
    }
    if (w[0] === "typeof") {
      const key = at(s.words, () => typeofDecl(colon < 0 ? w.slice(1) : w.slice(1, colon)));
      words.push("type", ...key.types.flatMap((t, i) => i ? [".", t] : [t]));
      extra.keyTypeof = key.udata;
      if (colon >= 0) {
        const data = at(s.words, () => typeofDecl(w.slice(colon + 1)));
        words.push(":", ...data.types.flatMap((t, i) => i ? [".", t] : [t]));
        extra.dataTypeof = data.udata;
      }
    } else if (w[0] === "auto-merge" && w.length === 1) {
      extra.autoMerge = true;
      continue;
    } else if (SET_STMTS.includes(w[0]) || (w[0] === "ct" && w[1] === "count")) {
      // `counter`, `limit rate 10/second`, `quota 10 mbytes`, `ct count over 20`: statements each element gets.
      const parsed = at(s.words, () => parseStatements(w.length === 1 && w[0] === "counter" ? [] : w).expr);
      stmt.push(...(parsed.length ? parsed : [{ counter: null }]));
      continue;
    } else for (const x of w) words.push(x);
    words.push(";");
  }
  return { words, stmt, elem, extra };
}

/** `to` with `more` appended in a loop (a spread of 100,000 arguments would overflow the stack). */
function appended(to: Json[], more: readonly Json[]): Json[] {
  for (const x of more) to.push(x);
  return to;
}
