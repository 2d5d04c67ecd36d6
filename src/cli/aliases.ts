/**
 * Word matching as iproute2 does it: a word selects the first entry of a
 * table it is a prefix of (`matches()` in iproute2's lib/utils.c), so the
 * ORDER of a table decides `ip a` (address, not addrlabel) and `ip link s`
 * (set, not show). Tables are plain data; user words are never used as
 * object keys.
 *
 * @module
 */

import { unknownWord } from "./args.ts";

/** iproute2's `matches(prefix, word)`: true when `prefix` is a non-empty prefix of `word`. */
export function matches(prefix: string, word: string): boolean {
  return prefix.length > 0 && word.startsWith(prefix);
}

/** One entry of a word table: `word` (or, unless `exact`, any prefix of it) selects `name`. */
export interface TableWord {
  /** The full word. */
  readonly word: string;
  /** The canonical name it selects. */
  readonly name: string;
  /** Only the whole word matches (iproute2 compares it with strcmp). */
  readonly exact: boolean;
}

/**
 * Parses a table written as one string in iproute2's order: `word` selects
 * itself, `word=name` selects `name`, a trailing `!` allows only the whole
 * word; entries are separated by spaces. `"add change chg=change! delete=del"`.
 * No regular expression: compiling the first one costs a compiled binary
 * about 1.5 MB of peak RSS and a few ms at start-up (bench/startup.ts).
 */
export function wordTable(spec: string): readonly TableWord[] {
  return spec.split(" ").filter(Boolean).map((item) => {
    const exact = item.endsWith("!");
    const [word, name = word] = (exact ? item.slice(0, -1) : item).split("=");
    return { word, name, exact };
  });
}

/** The first entry `word` selects (the whole word, or a prefix of a non-exact entry), or undefined. */
export function pickWord(table: readonly TableWord[], word: string): TableWord | undefined {
  return table.find((e) => e.exact ? e.word === word : matches(word, e.word));
}

/** `table[word]` only when `word` is the table's own key (never `toString`, `__proto__`...). */
export function lookup<T>(table: { readonly [key: string]: T }, word: string): T | undefined {
  return Object.hasOwn(table, word) ? table[word] : undefined;
}

/**
 * Canonical command names and their spellings, for handlers that switch on
 * the command. The dispatcher already turned the user's word (or its
 * iproute2 abbreviation) into the canonical name.
 */
export const COMMANDS = {
  show: ["show", "list", "lst", "ls"],
  add: ["add"],
  del: ["del", "delete"],
  set: ["set"],
  replace: ["replace"],
  change: ["change", "chg"],
  append: ["append"],
  get: ["get"],
  flush: ["flush"],
  exec: ["exec"],
  help: ["help"],
} as const;

/** Resolves `word` through an alias table to one of the `allowed` names. */
export function resolveAlias<T extends Record<string, readonly string[]>, K extends keyof T & string>(
  table: T,
  word: string,
  what: string,
  allowed: readonly K[],
): K {
  for (const name of allowed) {
    if (table[name].includes(word)) return name;
  }
  throw unknownWord(what, word, allowed.flatMap((n) => table[n]));
}
