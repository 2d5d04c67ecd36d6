/**
 * A cursor over command words and the integer syntax command words use,
 * declared once for the CLI (`Args`, whose errors are usage errors) and
 * the library's own word grammars (`tc`'s kinds, whose errors are
 * `InvalidArgumentError`s).
 *
 * @module
 */

import { InvalidArgumentError } from "./errors.ts";

/** Control characters (C0, DEL, C1) as `\xHH`, so echoed input cannot drive the terminal. */
export function escapeControls(text: string): string {
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A user's word in double quotes, control characters escaped. */
export function quote(word: string): string {
  return `"${escapeControls(word)}"`;
}

const DEC = /^(0x[0-9a-f]+|\d+)$/i, SIGNED = /^-?(0x[0-9a-f]+|\d+)$/i, HEX = /^(0x)?[0-9a-f]+$/i;

/**
 * An integer word: decimal or `0x` hex (`signed`: with an optional `-`),
 * or with `base` 16 hex with or without `0x`; `NaN` when it is none.
 */
export function intWord(text: string, base: 10 | 16 = 10, signed = false): number {
  if (base === 16) return HEX.test(text) ? parseInt(text.replace(/^0x/i, ""), 16) : NaN;
  return (signed ? SIGNED : DEC).test(text) ? Number(text) : NaN;
}

/** Makes the error for bad words: the message, and the word it is about. */
export type WordError = (message: string, word: string) => Error;

/** Reads words one at a time; bad input is the error `fail` makes (an `InvalidArgumentError` unless given). */
export class WordCursor {
  #words: readonly string[];
  #pos = 0;
  #fail: WordError;

  /** Wraps the words (not copied). */
  constructor(words: readonly string[], fail: WordError = (m) => new InvalidArgumentError(m)) {
    this.#words = words;
    this.#fail = fail;
  }

  /** True when every word was read. */
  get done(): boolean {
    return this.#pos >= this.#words.length;
  }

  /** The next word, without consuming it. */
  peek(): string | undefined {
    return this.#words[this.#pos];
  }

  /** Consumes and returns the next word. */
  next(): string | undefined {
    return this.#words[this.#pos++];
  }

  /** Consumes the value that must follow `keyword`. */
  value(keyword: string, what = "value"): string {
    const v = this.next();
    if (v === undefined) throw this.#fail(`Missing ${what} after ${quote(keyword)}`, keyword);
    return v;
  }

  /** Consumes a number in [min, max] after `keyword` (decimal, or hex with 0x; `base` 16 reads bare hex). */
  int(keyword: string, min = 0, max = 0xffffffff, base: 10 | 16 = 10): number {
    const v = this.value(keyword, "number");
    const n = intWord(v, base, true);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw this.#fail(`Invalid ${keyword}: ${quote(v)} (expected an integer from ${min} to ${max})`, v);
    }
    return n;
  }

  /** Throws for a word the grammar does not know. */
  unknown(what: string): never {
    const w = this.peek() ?? "";
    throw this.#fail(`Unknown ${what} argument: ${quote(w)}`, w);
  }

  /** Un-reads the last `count` words read (a grammar that read ahead gives them back). */
  back(count: number): void {
    this.#pos = Math.max(0, this.#pos - count);
  }

  /** Consumes and returns every remaining word. */
  rest(): string[] {
    const r = this.#words.slice(this.#pos);
    this.#pos = this.#words.length;
    return r;
  }
}
