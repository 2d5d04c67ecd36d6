/**
 * A kind's `tc` words declared as a table (word → the option it sets and
 * how its value is read), and the one parser that reads any such table:
 * a kind declares its grammar instead of writing its own loop.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { intWord } from "../../words.ts";
import { parseRate, parseSize, parseTime } from "./units.ts";
import type { WordsContext } from "./kind.ts";
import type { TcWords } from "./words.ts";

/** Reads the value of `word` (the cursor stands just after the word). */
export type WordReader = (w: TcWords, word: string, ctx: WordsContext) => unknown;

/** One word of a kind's grammar. */
export interface WordRule<O> {
  /** The option the word sets (and the one `once` checks). */
  readonly key: keyof O;
  /** Reads the option's value; absent (and no `apply`): the bare word sets `value`. */
  readonly read?: WordReader;
  /** The value the bare word sets; default true. */
  readonly value?: unknown;
  /** Sets the options itself, for a word that sets more than one (a size and its cell). */
  readonly apply?: (w: TcWords, word: string, o: O, ctx: WordsContext) => void;
  /** A word whose option is already set is refused (`Duplicate "rate" in tbf`). */
  readonly once?: boolean;
}

/** A kind's words: each word's rule, or the message a word nlkit knows but refuses is refused with. */
export type WordTable<O> = { readonly [word: string]: WordRule<O> | string };

/**
 * Reads the words of `table` into `o` until the words end (`ctx` is what
 * readers may need: link names, the filter's protocol). An unknown word is
 * refused as an argument of `kind`, or, with `endAtUnknown`, ends the
 * kind's words (left for the caller, as tc's action words end).
 */
export function readWords<O extends object>(
  w: TcWords,
  kind: string,
  table: WordTable<O>,
  o: O,
  ctx: WordsContext,
  endAtUnknown = false,
): O {
  for (let word = w.peek(); word !== undefined; word = w.peek()) {
    const rule = Object.hasOwn(table, word) ? table[word] : undefined;
    if (!rule) {
      if (endAtUnknown) break;
      throw new InvalidArgumentError(`Unknown ${kind} argument: "${word}"`);
    }
    if (typeof rule === "string") throw new InvalidArgumentError(rule);
    w.next();
    if (rule.once && o[rule.key] !== undefined) throw new InvalidArgumentError(`Duplicate "${word}" in ${kind}`);
    if (rule.apply) rule.apply(w, word, o, ctx);
    else (o as Record<keyof O, unknown>)[rule.key] = rule.read ? rule.read(w, word, ctx) : rule.value ?? true;
  }
  return o;
}

/** Reads an integer in [min, max] (decimal or 0x hex; `base` 16: bare hex too). */
export function readInt(min?: number, max?: number, base?: 10 | 16): WordReader {
  return (w, word) => w.int(word, min, max, base);
}

/** Reads a size in bytes (`1kb`, `1500`). */
export function readSize(w: TcWords, word: string): number {
  return parseSize(w.value(word, "size"));
}

/** Reads a time in microseconds (`10ms`). */
export function readTime(w: TcWords, word: string): number {
  return parseTime(w.value(word, "time"));
}

/** Reads a rate in bytes per second (`1mbit`). */
export function readRate(w: TcWords, word: string): number {
  return parseRate(w.value(word, "rate"));
}

/** A u32 written in decimal or 0x hex (a pedit value, an skbedit mark); `Invalid <what>: "<text>"` otherwise. */
export function parseU32(text: string, what: string): number {
  const n = intWord(text);
  if (!(n >= 0 && n <= 0xffffffff)) throw new InvalidArgumentError(`Invalid ${what}: "${text}"`);
  return n;
}
