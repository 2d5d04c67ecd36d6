/**
 * The word cursor kind modules read `tc`'s grammar from, so each kind's
 * command-line words live in its own module without depending on the CLI.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";

/** Reads words one at a time; bad input is an `InvalidArgumentError` naming the word. */
export class TcWords {
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
    if (v === undefined) throw new InvalidArgumentError(`Missing ${what} after "${keyword}"`);
    return v;
  }

  /** Consumes a number in [min, max] after `keyword` (decimal, or hex with 0x; `base` 16 reads bare hex). */
  int(keyword: string, min = 0, max = 0xffffffff, base = 10): number {
    const v = this.value(keyword, "number");
    const n = base === 16
      ? (/^(0x)?[0-9a-f]+$/i.test(v) ? parseInt(v.replace(/^0x/i, ""), 16) : NaN)
      : /^-?(0x[0-9a-f]+|\d+)$/i.test(v)
      ? Number(v)
      : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Invalid ${keyword}: "${v}" (expected an integer from ${min} to ${max})`);
    }
    return n;
  }

  /** Throws for a word the grammar does not know. */
  unknown(what: string): never {
    throw new InvalidArgumentError(`Unknown ${what} argument: "${this.peek()}"`);
  }

  /** Consumes every remaining word. */
  rest(): string[] {
    const r = this.#words.slice(this.#pos);
    this.#pos = this.#words.length;
    return r;
  }
}
