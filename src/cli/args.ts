/**
 * A cursor over command-line words, and the usage error (exit code 2) that
 * names the bad word.
 *
 * @module
 */

import { suggest } from "./suggest.ts";

/** Bad command-line input: printed as is and mapped to exit code 2. */
export class UsageError extends Error {
  /** Always "UsageError". */
  override name = "UsageError";
  /** The offending word, when there is one. */
  readonly word?: string;
  /** Creates the error; `word` is the word it is about. */
  constructor(message: string, word?: string) {
    super(message);
    this.word = word;
  }
}

/** Control characters (C0, DEL, C1) as `\xHH`, so echoed input cannot drive the terminal. */
export function escapeControls(text: string, keepNewlines = false): string {
  const re = keepNewlines ? /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g : /[\x00-\x1f\x7f-\x9f]/g;
  return text.replace(re, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A user's word in double quotes, control characters escaped. */
export function quote(word: string): string {
  return `"${escapeControls(word)}"`;
}

/** Builds the error for a word that is none of `choices`, with a "did you mean" hint. */
export function unknownWord(what: string, word: string, choices: readonly string[]): UsageError {
  const best = suggest(word, choices);
  const hint = best ? ` (did you mean "${best}"?)` : "";
  return new UsageError(`Unknown ${what}: ${quote(word)}${hint}`, word);
}

/** Reads words one at a time. */
export class Args {
  #words: readonly string[];
  #pos = 0;

  /** Wraps the words (not copied). */
  constructor(words: readonly string[]) {
    this.#words = words;
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
    if (v === undefined) throw new UsageError(`Missing ${what} after ${quote(keyword)}`, keyword);
    return v;
  }

  /** Consumes and returns every remaining word. */
  rest(): string[] {
    const r = this.#words.slice(this.#pos);
    this.#pos = this.#words.length;
    return r;
  }
}

/** Parses a decimal (or 0x hex) integer in [min, max], naming `what` on failure. */
export function toInt(text: string, what: string, min = 0, max = 0xffffffff): number {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`Invalid ${what}: ${quote(text)} (must be ${min} to ${max})`, text);
  }
  return n;
}
