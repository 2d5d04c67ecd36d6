/**
 * Strings as iproute2's `json_writer` quotes them in `ip -j`, `tc -j` and
 * the other tools' JSON: only tab, newline, carriage return, form feed,
 * backspace, backslash and the double quote are escaped; every other byte
 * is written as is (unlike `JSON.stringify`, which writes `\u0001`).
 *
 * @example
 * ```ts
 * import { quoteJson } from "./json_quote.ts";
 * console.log(quoteJson('a"b')); // "a\"b"
 * ```
 *
 * @module
 */

const ESCAPES: Record<string, string> = {
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\f": "\\f",
  "\b": "\\b",
  "\\": "\\\\",
  '"': '\\"',
};

const NEEDS_ESCAPE = /[\t\n\r\f\b\\"]/;

/** `s` as a JSON string, escaped as iproute2's `jsonw_puts` does. */
export function quoteJson(s: string): string {
  return NEEDS_ESCAPE.test(s) ? `"${s.replace(/[\t\n\r\f\b\\"]/g, (c) => ESCAPES[c])}"` : `"${s}"`;
}
