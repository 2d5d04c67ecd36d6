/**
 * The one keyword parser every `ip`-style command uses: a table of words,
 * which take a value and which are flags, plus an optional positional slot.
 *
 * @module
 */

import { type Args, quote, unknownWord, UsageError } from "./args.ts";
import { lookup } from "./aliases.ts";
import { inetWord } from "./inet_words.ts";
import type { KindWords as Words, KindWordTable as WordTable } from "../route/link/kinds/kind.ts";

// ip's objects declare their keywords in the shape the link kinds declare theirs (declared once, with the kinds).
export type {
  KindWords as Words,
  KindWordSpec as WordSpec,
  KindWordTable as WordTable,
} from "../route/link/kinds/kind.ts";

/**
 * Reads keywords until the arguments end or `stop` returns true for the next
 * word. A bare word fills `positional` once (e.g. the device of `link show
 * eth0`); anything else unknown is a usage error with a suggestion.
 */
export function parseWords(
  args: Args,
  table: WordTable,
  what: string,
  positional?: string,
  stop?: (word: string) => boolean,
): Words {
  const out: Words = {};
  for (let w = args.peek(); w !== undefined && !stop?.(w); w = args.peek()) {
    args.next();
    const spec = lookup(table, w);
    if (spec) {
      const key = spec.key ?? w;
      if (Object.hasOwn(out, key)) throw new UsageError(`Duplicate ${quote(w)} in ${what}`, w);
      const v = spec.arg ? args.value(w, spec.arg) : w;
      out[key] = spec.inet ? inetWord(v) : v;
    } else if (positional && out[positional] === undefined) {
      out[positional] = w;
    } else {
      throw unknownWord(`argument of ${what}`, w, Object.keys(table));
    }
  }
  return out;
}

/** Throws when `key` is missing, naming the keyword the user must add. */
export function required(words: Words, key: string, what: string): string {
  const v = words[key];
  if (v === undefined) throw new UsageError(`Missing "${key}" in ${what}`, key);
  return v;
}
