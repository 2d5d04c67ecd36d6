/**
 * nft scripts (`nft -f FILE`): nft's own language, read into nft's JSON
 * commands and applied as one atomic batch, or only checked by the kernel
 * (`nft -c`). A refusal changes nothing; errors in the text name the
 * file, line and columns as nft does.
 *
 * @module
 */

import { readDirNames, readTextOrUndefined } from "../../../sys/files.ts";
import { InvalidArgumentError } from "../../../errors.ts";
import type { Json } from "../json/types.ts";
import { DocumentPlanner } from "../json/apply.ts";
import type { NftOptions } from "../socket.ts";
import { type ScriptCommand, scriptCommands } from "./script_cmds.ts";
import { NftScriptError } from "./script_lex.ts";
import { type IncludeOptions, readScript } from "./script_read.ts";

export { NftScriptError } from "./script_lex.ts";

/** nft's default include path. */
const DEFAULT_INCLUDE_PATHS = ["/etc"];

/** Options of {@link parseScript}. */
export interface ScriptOptions {
  /** Directories searched for relative include names (nft's `-I`); default `/etc`. */
  includePaths?: readonly string[];
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
  return scriptCommands(readScript(text, name, localIncludes(opts.includePaths ?? DEFAULT_INCLUDE_PATHS)));
}

/** A script as nft's JSON document (`{"nftables": [...]}`). */
export function scriptDocument(text: string, name: string, opts: ScriptOptions = {}): { nftables: Json[] } {
  return { nftables: parseScript(text, name, opts).map((c) => c.cmd) };
}

/** Options of {@link applyScript}. */
export interface ApplyScriptOptions extends NftOptions, ScriptOptions {
  /** Only let the kernel validate the batch, committing nothing (`nft -c`). */
  check?: boolean;
}

/**
 * Applies a script atomically (`nft -f`): parsed whole first, then planned
 * and sent as one batch. Bad text or a refused value throws an
 * {@link NftScriptError} naming its place; a kernel refusal throws the
 * transaction's error naming the object, and changes nothing.
 */
export async function applyScript(text: string, name: string, opts: ApplyScriptOptions = {}): Promise<void> {
  const { check, includePaths, ...sock } = opts;
  const cmds = parseScript(text, name, { includePaths });
  let index = 0;
  const planner = new DocumentPlanner(sock);
  try {
    await planner.plan({ nftables: cmds.map((c) => c.cmd) }, (i) => (index = i));
  } catch (e) {
    const c = cmds[index];
    if (!(e instanceof TypeError) || !c) throw e;
    throw new NftScriptError(e.message, c.from, c.to);
  }
  await planner.tx.commit({ ...sock, check });
}
