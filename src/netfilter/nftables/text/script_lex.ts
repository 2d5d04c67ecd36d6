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
  /** A plain element list read whole (`v` is then `{`...`}`): its values, as written. */
  readonly items?: readonly string[];
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
    super(at ? locatedText(reason, at, to && to.line === at.line ? to.end : at.end) : `Error: ${reason}`);
    this.name = "NftScriptError";
    this.reason = reason;
    this.at = at;
  }
}

/** The name of a script given as nft's arguments: nft prints no location for it, only the line. */
export const COMMAND_LINE = "command line";

/**
 * `file:3:23-23: Error: reason`, the source line, and carets under the
 * span, as nft's erec_print writes them (a tab of the line stays a tab
 * under it, so the carets line up).
 */
export function locatedText(reason: string, at: ScriptToken, end: number): string {
  const line = at.src.lines[at.line - 1] ?? "";
  const pad = [...line.slice(0, at.col - 1)].map((c) => (c === "\t" ? "\t" : " ")).join("").padEnd(at.col - 1);
  const carets = pad + "^".repeat(Math.max(1, end - at.col + 1));
  const where = at.src.name === COMMAND_LINE ? "" : `${at.src.name}:${at.line}:${at.col}-${end}: `;
  return `${where}Error: ${reason}\n${line}\n${carets}`;
}

/**
 * Character classes by char code: 1 a space, 2 punctuation (`{ } ; , ( ) |`, words of their own as nft's
 * scanner has them: `(fin|ack)`), 3 a newline, `"` or `#` (all end a word).
 */
const CLASS = new Uint8Array(128);
for (const c of " \t\r") CLASS[c.charCodeAt(0)] = 1;
for (const c of "{};,()|") CLASS[c.charCodeAt(0)] = 2;
for (const c of '\n"#') CLASS[c.charCodeAt(0)] = 3;
const NL = 10;
const FAMILIES = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];
const QUOTE = 34;
const HASH = 35;
const BACKSLASH = 92;
const EQUALS = 61;

/** Splits a script into tokens; refuses an unterminated string. */
export function lexScript(text: string, name: string): ScriptToken[] {
  const src: ScriptSource = { name, lines: text.split("\n") };
  const out: ScriptToken[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const n = text.length;
  const tok = (start: number, endExcl: number) =>
    out.push({ v: text.slice(start, endExcl), src, line, col: start - lineStart + 1, end: endExcl - lineStart });
  // Char codes, not regular expressions, per character: a set of 100,000 elements is 1.4 MB of text.
  while (i < n) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? CLASS[c] : 0;
    if (c === NL) {
      tok(i, i + 1);
      i++, line++, lineStart = i;
    } else if (k === 1) i++;
    else if (c === BACKSLASH && /^\\[ \t\r]*\n/.test(text.slice(i, i + 64))) {
      // A continuation: the newline is not a separator.
      i = text.indexOf("\n", i) + 1;
      line++, lineStart = i;
    } else if (c === HASH) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl;
    } else if (c === QUOTE) {
      // nft's strings have no escapes: they end at the next quote, on the same line.
      const close = text.indexOf('"', i + 1);
      const nl = text.indexOf("\n", i);
      if (close < 0 || (nl >= 0 && nl < close)) {
        tok(i, nl < 0 ? n : nl);
        throw new NftScriptError("unterminated string", out.pop());
      }
      tok(i, close + 1);
      i = close + 1;
    } else if (k === 2) {
      const list = c === 123 ? plainList(text, i, out) : undefined; // `{`
      if (list) {
        const col = i - lineStart + 1;
        const first = line;
        for (let j = text.indexOf("\n", i); j >= 0 && j < list.close; j = text.indexOf("\n", j + 1)) {
          line++, lineStart = j + 1;
        }
        // Its span ends at the `}` when that is on the same line (errors underline the whole list).
        const end = line === first ? list.close - lineStart + 1 : col;
        out.push({ v: "{...}", src, line: first, col, end, items: list.items });
        i = list.close + 1;
        continue;
      }
      tok(i, i + 1);
      i++;
    } else {
      const start = i;
      for (let d = text.charCodeAt(i); i < n && (d >= 128 || CLASS[d] === 0); d = text.charCodeAt(++i));
      // `elements={...}`, `devices={...}`: nft's lexer ends a keyword at its `=`.
      if (text.charCodeAt(i - 1) === EQUALS && i - start > 1 && /[a-z]/.test(text[i - 2])) {
        tok(start, i - 1);
        tok(i - 1, i);
      } else tok(start, i);
    }
  }
  return out;
}

/**
 * Characters that make an element list more than plain values (strings,
 * comments, defines, blocks). Map data (` : `) and concatenations (` . `)
 * are more than one word per element, which plainList refuses too.
 */
const NOT_PLAIN = /[{"#$\\;()|]/;

/**
 * The plain element list whose `{` is at `open`, after `elements =` or
 * `element [FAMILY] TABLE SET`: values separated by commas, each one word.
 * It is read as one token, not two per element (a block list of 100,000
 * addresses is 200,000 tokens otherwise); undefined for any other list.
 */
function plainList(
  text: string,
  open: number,
  before: readonly ScriptToken[],
): { items: string[]; close: number } | undefined {
  const b = (k: number) => before[before.length - k]?.v;
  const afterElement = b(3) === "element" || (b(4) === "element" && FAMILIES.includes(b(3) ?? ""));
  if (!(b(1) === "=" && b(2) === "elements") && !afterElement) return undefined;
  const close = text.indexOf("}", open);
  if (close < 0 || NOT_PLAIN.test(text.slice(open + 1, close))) return undefined;
  const items: string[] = [];
  let start = -1;
  let comma = true; // a value may come
  for (let i = open + 1; i <= close; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 9 || c === 10 || c === 13;
    if (start >= 0 && (space || c === 44 || i === close)) {
      items.push(text.slice(start, i));
      start = -1;
      comma = false;
    }
    if (c === 44) {
      if (comma) return undefined; // `{ , a }`, `{ a,, b }`
      comma = true;
    } else if (!space && i < close) {
      if (start < 0 && !comma) return undefined; // two words in one element (`a timeout 1s`)
      if (start < 0) start = i;
    }
  }
  return items.length ? { items, close } : undefined;
}
