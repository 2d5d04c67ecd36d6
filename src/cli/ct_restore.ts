/**
 * `nlkit ct -R FILE` (`--load-file`, `-` for stdin): conntrack's restore.
 * Every line is one command line (`#` comments and blank lines skipped,
 * `"quoted words"` with backslash escapes), all parsed before any runs;
 * only -I, -A, -U, -D and -F are allowed, as in conntrack.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import type { CtArgs } from "./ct_arg_types.ts";
import { parseCtArgs } from "./ct_args.ts";

/** Splits one line into words as conntrack's `-R` does: blanks separate, double quotes group, `\` escapes inside quotes. */
export function splitCtLine(line: string): string[] {
  const words: string[] = [];
  let word = "", open = false, quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (open) {
      if (c === "\\" && i + 1 < line.length) word += line[++i];
      else if (c === '"') open = false;
      else word += c;
    } else if (c === '"') {
      [open, quoted] = [true, true];
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (word || quoted) words.push(word);
      [word, quoted] = ["", false];
    } else {
      word += c;
    }
  }
  if (word || quoted) words.push(word);
  return words;
}

const ALLOWED = new Set<CtArgs["command"]>(["create", "add", "update", "delete", "flush"]);

/** conntrack's name of a command, for its refusal. */
function commandText(a: CtArgs): string {
  const names: { [c in CtArgs["command"]]: string } = {
    list: "-L",
    get: "-G",
    event: "-E",
    count: "-C",
    stats: "-S",
    create: "-I",
    add: "-A",
    update: "-U",
    delete: "-D",
    flush: "-F",
    version: "-V",
  };
  return a.table === "expect" ? `${names[a.command]} expect` : names[a.command];
}

/** Parses a restore file into its commands (each marked `batch`); throws {@link UsageError} with conntrack's words. */
export function parseCtRestore(text: string): CtArgs[] {
  const cmds: CtArgs[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^[ \t]+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const a = parseCtArgs(splitCtLine(line));
    a.batch = true;
    cmds.push(a);
  }
  for (const a of cmds) {
    if (!ALLOWED.has(a.command) || a.table === "expect") {
      throw new UsageError(`Cannot use command \`${commandText(a)}' with --load-file`);
    }
  }
  return cmds;
}
