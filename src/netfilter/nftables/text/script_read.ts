/**
 * The statements of an nft script: tokens grouped into statements and
 * blocks (`table ip t { chain c { ... } }`), with `define`, `redefine`,
 * `undefine` and `$NAME` resolved (scoped to their block, as nft scopes
 * them) and `include "FILE"` read in place.
 *
 * @module
 */

import { lexScript, NftScriptError, type ScriptToken } from "./script_lex.ts";

/** One statement: its words, and the statements of its block when it has one. */
export interface ScriptStmt {
  /** The words before the block (or all of them), `$NAME`s resolved. */
  readonly words: readonly ScriptToken[];
  /** The block's statements (`chain c { ... }`). */
  readonly block?: readonly ScriptStmt[];
  /** The block's opening brace (for error locations). */
  readonly open?: ScriptToken;
  /** The block's closing brace (the end of the statement, for error locations). */
  readonly close?: ScriptToken;
}

/** How a script reads the files it includes. */
export interface IncludeOptions {
  /** Reads a file's text (throws when missing). */
  readFile(path: string): string;
  /** The files of a directory (to expand a `*` in an include's last part). */
  readDir(path: string): string[];
  /** Directories searched for an include name that does not start with `/`, `./` or `../` (nft's `-I`; /etc). */
  includePaths: readonly string[];
  /** True when a path exists. */
  exists(path: string): boolean;
  /** True when a path is a directory (a glob's match that nft skips). */
  isDir(path: string): boolean;
}

/** Statement kinds whose `{` opens a block of statements (else it is a set expression). */
const BLOCK_KINDS = ["table", "chain", "set", "map", "flowtable", "counter", "quota", "limit", "synproxy", "secmark"];
const CT_BLOCKS = ["helper", "timeout", "expectation"];
const COMMANDS = ["add", "create", "insert", "replace", "delete", "destroy", "flush", "reset", "list"];
const MAX_INCLUDE_DEPTH = 16;

/** Reads a script's statements; `prelude` (`define`s from nft's command line) is read first. */
export function readScript(text: string, name: string, inc: IncludeOptions, prelude?: ScriptToken[]): ScriptStmt[] {
  const toks = lexScript(text, name);
  return new Reader(prelude ? [...prelude, ...toks] : toks, inc).script();
}

class Reader {
  #i = 0;
  #scopes: Map<string, ScriptToken[]>[] = [new Map()];
  #depth = 0;
  constructor(private toks: ScriptToken[], private inc: IncludeOptions) {}

  script(): ScriptStmt[] {
    const out = this.#stmts();
    const extra = this.toks[this.#i];
    if (extra) throw new NftScriptError("syntax error, unexpected '}'", extra);
    return out;
  }

  /** Statements up to a closing `}` (left unread) or the end; `kind` is their block's (`chain`), none at the top. */
  #stmts(kind?: string): ScriptStmt[] {
    const out: ScriptStmt[] = [];
    for (;;) {
      const t = this.toks[this.#i];
      if (!t || t.v === "}") return out;
      if (t.v === "\n" || t.v === ";") {
        this.#i++;
        continue;
      }
      const s = this.#stmt();
      if (s) out.push(s);
      this.#separated(kind, s);
    }
  }

  /**
   * Refuses what nft's grammar refuses after a statement: anything but a
   * newline or `;` (or the end of the script, at its top). In a table,
   * chain, set, map or flowtable block that includes the block's `}`, but
   * after a set's `elements = {...}` or `auto-merge` and a flowtable's
   * `counter`; the blocks of stateful objects need none.
   */
  #separated(kind: string | undefined, s: ScriptStmt | undefined): void {
    const next = this.toks[this.#i];
    if (!next || next.v === "\n" || next.v === ";") return;
    if (kind === undefined) {
      if (next.v === "}") return; // a stray brace: script() refuses it
      throw new NftScriptError(
        `syntax error, unexpected ${tokenName(next.v)}, expecting end of file or newline or semicolon`,
        next,
      );
    }
    const first = s?.words[0]?.v;
    if (!SEPARATED_BLOCKS.includes(kind)) return;
    if ((kind === "set" || kind === "map") && (first === "elements" || first === "auto-merge")) return;
    if (kind === "flowtable" && first === "counter") return;
    // What else could have gone on: a type's concatenation, a set's next flag.
    const set = kind === "set" || kind === "map";
    const more = set && (first === "type" || first === "typeof")
      ? " or ."
      : set && first === "flags"
      ? " or comma"
      : "";
    throw new NftScriptError(
      `syntax error, unexpected ${tokenName(next.v)}, expecting newline or semicolon${more}`,
      next,
    );
  }

  /** One statement; undefined for `define`, `include` and friends, which act at once. */
  #stmt(): ScriptStmt | undefined {
    const words: ScriptToken[] = [];
    let braces = 0;
    /** Per open brace: whether it holds the rules of a chain bound to the rule (`jump {`). */
    const bound: boolean[] = [];
    for (;;) {
      const t = this.toks[this.#i];
      if (!t) break;
      if (braces === 0 && (t.v === "\n" || t.v === ";" || t.v === "}")) break;
      this.#i++;
      if (t.v === "\n") {
        // Between the rules of a bound chain, a newline ends a rule; inside a set expression it is only a space.
        if (bound[bound.length - 1] && words[words.length - 1]?.v !== ";") words.push({ ...t, v: ";" });
        continue;
      }
      if (t.v.startsWith("$") && t.v.length > 1) {
        const v = this.#lookup(t);
        // A set variable inside a set gives its elements (nft merges nested sets).
        // As a map key (`{ $ifs : drop }`) it stays a set: the parser gives each of its elements the data.
        const inner = braces > 0 && v.length > 2 && v[0].v === "{" && v[v.length - 1].v === "}" &&
          this.toks[this.#i]?.v !== ":";
        // Its trailing comma goes (`{ a, b, }`): the set it joins has its own.
        const items = inner ? v.slice(1, v[v.length - 2].v === "," ? -2 : -1) : v;
        for (const x of items) words.push(x);
        continue;
      }
      if (t.v === "{" && braces === 0 && isBlockHeader(words)) {
        this.#scopes.push(new Map());
        const block = this.#stmts(blockKind(words));
        this.#scopes.pop();
        const close = this.toks[this.#i++];
        if (!close) throw new NftScriptError('syntax error, unexpected end of file: expected "}"', t);
        return { words, block, open: t, close };
      }
      if (t.v === "{") braces++, bound.push(["jump", "goto"].includes(words[words.length - 1]?.v));
      if (t.v === "}") braces--, bound.pop();
      const prefix = words[words.length - 1]?.v === "prefix" && t.v.startsWith('"') && t.v.includes("$");
      words.push(prefix ? this.#expandPrefix(t) : t);
    }
    if (braces > 0) throw new NftScriptError('syntax error, unexpected end of file: expected "}"', words[0]);
    return this.#directive(words) ? undefined : { words };
  }

  /**
   * A log prefix with `$NAME`s in its text, each replaced by its define's
   * value (a string's text): nft's parser does so for `log prefix` only.
   */
  #expandPrefix(t: ScriptToken): ScriptToken {
    const text = t.v.slice(1, -1).replace(
      /\$([A-Za-z0-9_]*)/g,
      (_, name: string) =>
        this.#lookup({ ...t, v: `$${name}` }).map((x) => x.v.startsWith('"') ? x.v.slice(1, -1) : x.v).join(" "),
    );
    return { ...t, v: `"${text}"` };
  }

  #lookup(t: ScriptToken): ScriptToken[] {
    const name = t.v.slice(1);
    for (let s = this.#scopes.length - 1; s >= 0; s--) {
      const v = this.#scopes[s].get(name);
      if (v) return v;
    }
    throw new NftScriptError(`unknown identifier '${name}'`, t);
  }

  /** Acts on `define`, `redefine`, `undefine` and `include`; false for other statements. */
  #directive(w: ScriptToken[]): boolean {
    const kw = w[0]?.v;
    const scope = this.#scopes[this.#scopes.length - 1];
    if (kw === "define" || kw === "redefine") {
      if (w.length < 4 || w[2].v !== "=") {
        throw new NftScriptError(`syntax error: expected "${kw} NAME = VALUE"`, w[0], w[w.length - 1]);
      }
      const name = w[1].v;
      if (kw === "define" && scope.has(name)) throw new NftScriptError(`redefinition of symbol '${name}'`, w[1]);
      scope.set(name, w.slice(3));
      return true;
    }
    if (kw === "undefine") {
      if (w.length !== 2) throw new NftScriptError('syntax error: expected "undefine NAME"', w[0], w[w.length - 1]);
      if (!scope.delete(w[1].v)) throw new NftScriptError(`undefined symbol '${w[1].v}'`, w[1]);
      return true;
    }
    if (kw === "include") {
      if (w.length !== 2 || !w[1].v.startsWith('"')) {
        throw new NftScriptError('syntax error: expected include "FILE"', w[0], w[w.length - 1]);
      }
      this.#include(w[1]);
      return true;
    }
    return false;
  }

  /** Reads an included file's tokens in place of the include statement (nft's search rules). */
  #include(at: ScriptToken): void {
    if (++this.#depth > MAX_INCLUDE_DEPTH) throw new NftScriptError("include nested too deeply", at);
    const name = at.v.slice(1, -1);
    const direct = name.startsWith("/") || name.startsWith("./") || name.startsWith("../");
    const candidates = direct ? [name] : this.inc.includePaths.map((d) => `${d}/${name}`);
    for (const path of candidates) {
      const files = this.#glob(path, at);
      if (files === undefined) continue;
      // A newline before each file too: its first statement starts a line of its own, as after the include.
      const newline = { ...at, v: "\n" };
      const toks = files.flatMap((f) => [newline, ...lexScript(this.inc.readFile(f), f), newline]);
      this.toks.splice(this.#i, 0, ...toks);
      return;
    }
    if (/[*?[]/.test(name)) return; // a wildcard matching nothing is no error (nft)
    throw new NftScriptError(`File not found: ${name}`, at);
  }

  /** The files `path` names: itself, or the matches of a `*`/`?` in its last part; undefined when none. */
  #glob(path: string, at: ScriptToken): string[] | undefined {
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
    const base = path.slice(slash + 1);
    if (/[*?[]/.test(dir) || base.includes("[")) {
      throw new NftScriptError(`Cannot include "${path}": only * and ? in the file name are supported`, at);
    }
    if (!/[*?]/.test(base)) return this.inc.exists(path) ? [path] : undefined;
    if (!this.inc.exists(dir)) return undefined;
    const re = new RegExp(`^${base.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    const hits = this.inc.readDir(dir).filter((f) => re.test(f) && !f.startsWith(".")).sort();
    return hits.length ? hits.map((f) => `${dir}/${f}`).filter((p) => !this.inc.isDir(p)) : undefined;
  }
}

/** Blocks whose statements nft's grammar ends with a newline or `;` (see `#separated`). */
const SEPARATED_BLOCKS = ["table", "chain", "set", "map", "flowtable"];

/** The kind of the block `words` open: `chain` of `add chain ip t c`. */
function blockKind(words: readonly ScriptToken[]): string {
  return COMMANDS.includes(words[0].v) ? words[1].v : words[0].v;
}

/** A token as nft's parser names it in a syntax error: `'}'`, `string`, `quoted string`, `number`, or a keyword. */
function tokenName(v: string): string {
  if (v.length === 1 && !/[a-z0-9]/i.test(v)) return `'${v}'`;
  if (v.startsWith('"')) return "quoted string";
  if (/^\d+$/.test(v)) return "number";
  return KEYWORDS.includes(v) ? v : "string";
}

/** Words nft's scanner takes as keywords, which its errors name as such (the ones that start statements). */
const KEYWORDS = [
  ...BLOCK_KINDS,
  ...COMMANDS,
  "ct",
  "type",
  "hook",
  "policy",
  "flags",
  "comment",
  "elements",
  "typeof",
  "timeout",
  "devices",
  "define",
  "include",
];

/** True when a `{` after `words` opens a block of statements: `table ip t`, `add chain ip t c`, `ct helper h`. */
function isBlockHeader(words: readonly ScriptToken[]): boolean {
  let w = words.map((t) => t.v);
  if (COMMANDS.includes(w[0])) w = w.slice(1);
  let names = w.length - 1;
  if (w[0] === "ct" && CT_BLOCKS.includes(w[1])) names--;
  else if (!BLOCK_KINDS.includes(w[0])) return false;
  return names >= 1 && names <= 3;
}
