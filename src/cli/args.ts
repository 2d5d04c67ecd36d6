/**
 * A cursor over command-line words, and the usage error (exit code 2) that
 * names the bad word.
 *
 * @module
 */

import { suggest } from "./suggest.ts";
import { escapeControls, intWord, quote, WordCursor } from "../words.ts";

export { escapeControls, quote };

/** Bad command-line input: printed as is and mapped to exit code 2. */
export class UsageError extends Error {
  /** Always "UsageError". */
  override name = "UsageError";
  /** The offending word, when there is one. */
  readonly word?: string;
  /** Printed without the "Error: " prefix (ip's own wording, e.g. `Object "x" is unknown, ...`). */
  readonly bare: boolean;
  /** Followed by a blank line, as ip prints the `invarg()` reasons that carry their own newline. */
  readonly blankLine: boolean;
  /** Creates the error; `word` is the word it is about. */
  constructor(message: string, word?: string, bare = false, blankLine = false) {
    super(message);
    this.word = word;
    this.bare = bare;
    this.blankLine = blankLine;
  }
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

/** Reads words one at a time; bad words are usage errors. */
export class Args extends WordCursor {
  /** Wraps the words (not copied). */
  constructor(words: readonly string[]) {
    super(words, (m, w) => new UsageError(m, w));
  }
}

/** Parses a decimal (or 0x hex) integer in [min, max], naming `what` on failure. */
export function toInt(text: string, what: string, min = 0, max = 0xffffffff): number {
  const n = intWord(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`Invalid ${what}: ${quote(text)} (must be ${min} to ${max})`, text);
  }
  return n;
}
