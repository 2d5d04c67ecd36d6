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
  /** Printed without the "Error: " prefix (ip's own wording, e.g. `Object "x" is unknown, ...`). */
  readonly bare: boolean;
  /** Creates the error; `word` is the word it is about. */
  constructor(message: string, word?: string, bare = false) {
    super(message);
    this.word = word;
    this.bare = bare;
  }
}

/** Control characters (C0, DEL, C1) as `\xHH`, so echoed input cannot drive the terminal. */
export function escapeControls(text: string): string {
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A user's word in double quotes, control characters escaped. */
export function quote(word: string): string {
  return `"${escapeControls(word)}"`;
}

/** ` (did you mean "x"?)` when one of `choices` is close to `word`, else "". */
export function didYouMean(word: string, choices: readonly string[]): string {
  const best = suggest(word, choices);
  return best ? ` (did you mean "${best}"?)` : "";
}

/** Builds the error for a word that is none of `choices`, with a "did you mean" hint. */
export function unknownWord(what: string, word: string, choices: readonly string[]): UsageError {
  return new UsageError(`Unknown ${what}: ${quote(word)}${didYouMean(word, choices)}`, word);
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
