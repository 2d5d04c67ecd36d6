/**
 * The words of an nft script (`nft -f FILE`), each with its place in the
 * file: `#` comments and `\` line continuations removed, quoted strings
 * kept whole, `{ } ; ,` apart, and newlines kept as separators (the
 * statement reader decides where they end a statement).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";

/** One word of a script and where it is. */
export interface ScriptToken {
  /** The word as written (a string keeps its quotes); `"\n"` is a newline. */
  readonly v: string;
  /** The source it came from. */
  readonly src: ScriptSource;
  /** 1-based line. */
  readonly line: number;
  /** 1-based first column. */
  readonly col: number;
  /** 1-based last column. */
  readonly end: number;
}

/** A script's text and the name its errors show (`/dev/stdin`, a path). */
export interface ScriptSource {
  /** The name in error locations. */
  readonly name: string;
  /** The lines of the text. */
  readonly lines: readonly string[];
}

/** A script error at a place in the file, printed as nft prints its errors (location, line, carets). */
export class NftScriptError extends InvalidArgumentError {
  /** The token the error points at, when known. */
  readonly at?: ScriptToken;
  /** The error without its location. */
  readonly reason: string;
  /** Makes the error for `reason` at `at` (`to`: the last token of the span). */
  constructor(reason: string, at?: ScriptToken, to?: ScriptToken) {
    super(at ? located(reason, at, to && to.line === at.line ? to.end : at.end) : `Error: ${reason}`);
    this.name = "NftScriptError";
    this.reason = reason;
    this.at = at;
  }
}

/** `file:3:23-23: Error: reason`, the source line, and carets under the span (nft's format). */
function located(reason: string, at: ScriptToken, end: number): string {
  const line = at.src.lines[at.line - 1] ?? "";
  const carets = " ".repeat(at.col - 1) + "^".repeat(Math.max(1, end - at.col + 1));
  return `${at.src.name}:${at.line}:${at.col}-${end}: Error: ${reason}\n${line}\n${carets}`;
}

const PUNCT = new Set(["{", "}", ";", ","]);
const SPACE = /[ \t\r]/;

/** Splits a script into tokens; refuses an unterminated string. */
export function lexScript(text: string, name: string): ScriptToken[] {
  const src: ScriptSource = { name, lines: text.split("\n") };
  const out: ScriptToken[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const tok = (start: number, endExcl: number) =>
    out.push({ v: text.slice(start, endExcl), src, line, col: start - lineStart + 1, end: endExcl - lineStart });
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      tok(i, i + 1);
      i++, line++, lineStart = i;
    } else if (SPACE.test(c)) i++;
    else if (c === "\\" && /^\\[ \t\r]*\n/.test(text.slice(i, i + 64))) {
      // A continuation: the newline is not a separator.
      i = text.indexOf("\n", i) + 1;
      line++, lineStart = i;
    } else if (c === "#") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '"') {
      // nft's strings have no escapes: they end at the next quote, on the same line.
      const close = text.indexOf('"', i + 1);
      const nl = text.indexOf("\n", i);
      if (close < 0 || (nl >= 0 && nl < close)) {
        tok(i, nl < 0 ? text.length : nl);
        throw new NftScriptError("unterminated string", out.pop());
      }
      tok(i, close + 1);
      i = close + 1;
    } else if (PUNCT.has(c)) {
      tok(i, i + 1);
      i++;
    } else {
      const start = i;
      while (i < text.length && !SPACE.test(text[i]) && !PUNCT.has(text[i]) && !'\n"#'.includes(text[i])) i++;
      tok(start, i);
    }
  }
  return out;
}
