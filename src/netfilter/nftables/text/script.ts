/**
 * nft scripts (`nft -f FILE`): nft's own language, read into nft's JSON
 * commands and applied as one atomic batch, or only checked by the kernel
 * (`nft -c`). A refusal changes nothing; errors in the text name the
 * file, line and columns as nft does.
 *
 * @module
 */

import { readDirNames, readTextOrUndefined } from "../../../sys/files.ts";
import { InvalidArgumentError, NotFoundError } from "../../../errors.ts";
import type { Json } from "../json/types.ts";
import { DocumentPlanner } from "../json/apply.ts";
import type { NftOptions } from "../socket.ts";
import { type ScriptCommand, scriptCommands } from "./script_cmds.ts";
import { NftScriptError } from "./script_lex.ts";
import { type IncludeOptions, readScript, type ScriptStmt } from "./script_read.ts";
import { lexScript } from "./script_lex.ts";
import { NftScriptNotFound, NftScriptRefusal } from "./script_refusal.ts";
import { loadNames, type NameCache } from "./script_suggest.ts";
import { NftTransactionError } from "../transaction_error.ts";
import { type MergeReport, optimizeScript } from "./script_optimize.ts";

export { COMMAND_LINE, NftScriptError } from "./script_lex.ts";
export { NftScriptNotFound, NftScriptRefusal } from "./script_refusal.ts";

/** nft's default include path. */
const DEFAULT_INCLUDE_PATHS = ["/etc"];

/** Options of {@link parseScript}. */
export interface ScriptOptions {
  /** Directories searched for relative include names (nft's `-I`); default `/etc`. */
  includePaths?: readonly string[];
  /** Script text read before the script, its defines seen by it (nft's `-D NAME=VALUE`, earlier `nft -i` lines). */
  prelude?: string;
}

/** The file system an include reads (the local one). */
function localIncludes(paths: readonly string[]): IncludeOptions {
  return {
    readFile: (p) => {
      const text = readTextOrUndefined(p);
      if (text === undefined) throw new InvalidArgumentError(`Cannot read include file "${p}"`);
      return text;
    },
    readDir: readDirNames,
    exists: (p) => readTextOrUndefined(p) !== undefined || isDir(p),
    isDir,
    includePaths: paths,
  };
}

function isDir(p: string): boolean {
  try {
    readDirNames(p);
    return true;
  } catch {
    return false;
  }
}

/** A script's JSON commands, each with the statement it came from. */
export function parseScript(text: string, name: string, opts: ScriptOptions = {}): ScriptCommand[] {
  return scriptCommands(readStmts(text, name, opts));
}

function readStmts(text: string, name: string, opts: ScriptOptions): ScriptStmt[] {
  const prelude = opts.prelude ? [...lexScript(opts.prelude, "<cmdline>"), ...lexScript("\n", "<cmdline>")] : undefined;
  return readScript(text, name, localIncludes(opts.includePaths ?? DEFAULT_INCLUDE_PATHS), prelude);
}

/** A script as nft's JSON document (`{"nftables": [...]}`). */
export function scriptDocument(text: string, name: string, opts: ScriptOptions = {}): { nftables: Json[] } {
  return { nftables: parseScript(text, name, opts).map((c) => c.cmd) };
}

/** Options of {@link applyScript}. */
export interface ApplyScriptOptions extends NftOptions, ScriptOptions {
  /** Only let the kernel validate the batch, committing nothing (`nft -c`). */
  check?: boolean;
  /**
   * Runs a command that prints (`list ruleset`, `get element ...`: its
   * words); without it a script holding one is refused.
   */
  query?: (words: string[]) => Promise<void>;
  /** `nft -o`: merges the rules of each table block as nft's optimizer does, telling of each merge. */
  optimize?: (merge: MergeReport) => void;
}

/** Script commands that print rather than change. */
const QUERIES = ["list", "get", "reset", "describe"];

/**
 * Applies a script atomically (`nft -f`): parsed whole first, then planned
 * and sent as one batch. Bad text or a refused value throws an
 * {@link NftScriptError} naming its place; a kernel refusal throws the
 * transaction's error naming the object, and changes nothing.
 */
export async function applyScript(text: string, name: string, opts: ApplyScriptOptions = {}): Promise<void> {
  const { check, includePaths, prelude, query, optimize, ...sock } = opts;
  const stmts = readStmts(text, name, { includePaths, prelude });
  const { before, changes, after } = query ? splitQueries(stmts) : { before: [], changes: stmts, after: [] };
  const cmds = optimize ? optimizeScript(changes, optimize) : scriptCommands(changes);
  for (const q of before) await query!(q);
  if (cmds.length || !before.length) await commitCommands(cmds, check, sock);
  for (const q of after) await query!(q);
}

/**
 * The queries before the first change and after the last one. nft prints a
 * listing from its cache, as the commands before it left it; nlkit lists
 * the kernel's ruleset, which is the same only before or after the batch.
 */
function splitQueries(stmts: ScriptStmt[]): { before: string[][]; changes: ScriptStmt[]; after: string[][] } {
  const isQuery = (s: ScriptStmt) => !s.block && QUERIES.includes(s.words[0].v);
  const first = stmts.findIndex((s) => !isQuery(s));
  if (first < 0) return { before: stmts.map(words), changes: [], after: [] };
  const last = stmts.findLastIndex((s) => !isQuery(s));
  const middle = stmts.slice(first, last + 1).find(isQuery);
  if (middle) {
    throw new NftScriptError(
      `Cannot run "${middle.words[0].v}" between changes: nlkit lists the kernel's ruleset, before or after the batch`,
      middle.words[0],
    );
  }
  return {
    before: stmts.slice(0, first).map(words),
    changes: stmts.slice(first, last + 1),
    after: stmts.slice(last + 1).map(words),
  };
}

function words(s: ScriptStmt): string[] {
  return s.words.map((t) => t.v);
}

async function commitCommands(cmds: ScriptCommand[], check: boolean | undefined, sock: NftOptions): Promise<void> {
  let index = 0;
  const planner = new DocumentPlanner(sock, true);
  const starts: number[] = []; // the first message of each command, to name a refused one
  try {
    await planner.plan({ nftables: cmds.map((c) => c.cmd) }, (i) => {
      index = i;
      starts[i] = planner.tx.length;
    });
  } catch (e) {
    const c = cmds[index];
    if (c && e instanceof NotFoundError) throw new NftScriptNotFound(e, c, cmds, await namesOrNone(sock));
    if (!(e instanceof TypeError) || !c) throw e;
    throw new NftScriptError(e.message, c.from, c.to);
  }
  try {
    await planner.tx.commit({ ...sock, check });
  } catch (e) {
    throw e instanceof NftTransactionError ? new NftScriptRefusal(e, cmds, starts, await namesOrNone(sock)) : e;
  }
}

/** The ruleset's names for nft's suggestions, or none when they cannot be listed. */
async function namesOrNone(sock: NftOptions): Promise<NameCache | undefined> {
  try {
    return await loadNames(sock);
  } catch {
    return undefined;
  }
}
