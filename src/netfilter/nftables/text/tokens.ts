/**
 * The words of nft's command language: splitting a line into tokens, a
 * cursor over them, and a word as nft's JSON value.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { Json } from "../json/types.ts";
import { relativeMs } from "../json/time_values.ts";
import { writeIp } from "../../../wire/addr.ts";

/** The punctuation that is a token of its own (`syn|ack`: three), as a regular expression's character class. */
const PUNCT = "{},;()|";
/** A token: a quoted string, a punctuation mark, or a word up to a space, quote or punctuation mark. */
const TOKEN = new RegExp(`\\s*("(?:[^"\\\\]|\\\\.)*"|[${PUNCT}]|[^\\s${PUNCT}"]+)`, "gy");
/** A word `tokenize` keeps as it is: no key-data colon at its end, and a quoted string without escapes. */
const WHOLE = new RegExp(`^(?:[^\\s${PUNCT}"]*[^\\s${PUNCT}":]|[${PUNCT}]|"[^"\\\\]*")$`);

/** Whether `tokenize` gives `w` back as one token, unchanged (a script's words mostly are). */
export function wholeToken(w: string): boolean {
  return WHOLE.test(w);
}

/** Splits a command line into words, quoted strings, and the punctuation `{ } , ; ( ) |` (`syn|ack`: three). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = TOKEN;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const w = m[1];
    // `{1.1.1.1: 2.2.2.2}`, `inet_service: verdict`: a word's own colon is the key-data one (an IPv6 address
    // ends with one only as `::`).
    if (w.length > 1 && w.endsWith(":") && !w.endsWith("::") && !w.startsWith('"')) out.push(w.slice(0, -1), ":");
    else out.push(w);
  }
  if (re.lastIndex !== 0 && re.lastIndex < text.trimEnd().length) {
    throw new InvalidArgumentError(`Cannot parse "${text.slice(re.lastIndex)}"`);
  }
  return out;
}

/** Parses nft's duration text (`1h30m`, `30s`, `100ms`) into seconds: milliseconds are their fraction. */
export function parseDuration(s: string): number {
  const ms = relativeMs(s);
  if (ms === undefined) {
    throw new InvalidArgumentError(`Cannot use "${s}" as a duration: expected e.g. 1h30m or 30s`);
  }
  return ms / 1000;
}

/** A cursor over tokens. */
export class Tokens {
  i = 0;
  constructor(readonly t: string[]) {}
  peek(k = 0): string | undefined {
    return this.t[this.i + k];
  }
  next(what: string): string {
    const w = this.t[this.i++];
    if (w === undefined) throw new InvalidArgumentError(`Missing ${what}`);
    return w;
  }
  eat(w: string): boolean {
    if (this.t[this.i] !== w) return false;
    this.i++;
    return true;
  }
  expect(w: string): void {
    const got = this.next(`"${w}"`);
    if (got !== w) throw new InvalidArgumentError(`Cannot use "${got}" here: expected "${w}"`);
  }
  /** The next word where nft's grammar has a number ({@link nftNumber}); a string there is refused as nft refuses it. */
  nextNumber(what: string): number {
    const n = nftNumber(this.next(what));
    if (Number.isNaN(n)) throw new InvalidArgumentError("syntax error, unexpected string, expecting number");
    return n;
  }
  get done(): boolean {
    return this.i >= this.t.length;
  }
}

/**
 * A number where nft's grammar has one (a handle, a position, a priority,
 * a size, a burst), read as its scanner reads it (strtoull, base 0): hex
 * after `0x`, octal after a leading zero (`handle 010` is handle 8), else
 * decimal. NaN for anything else, `09` included (nft's scanner makes that
 * a string, and then refuses it where a number belongs), and past 2^53,
 * where a number would lose bits.
 */
export function nftNumber(w: string): number {
  const n = /^0x[0-9a-f]+$/i.test(w)
    ? parseInt(w, 16)
    : !/^\d+$/.test(w)
    ? NaN
    : w.length > 1 && w[0] === "0"
    ? (/^[0-7]+$/.test(w) ? parseInt(w, 8) : NaN)
    : Number(w);
  return Number.isSafeInteger(n) ? n : NaN;
}

/** A quoted word's text: nft's strings have no escapes (`"eth\*"` is `eth\*`). */
export function unquote(w: string): string {
  return w.startsWith('"') ? w.slice(1, -1) : w;
}

/** Numbers joined by one, two, or four and more dots: no IPv4 address (one test a word, elements included). */
const NOT_QUAD = /^\d+(?:\.\d+){1,2}$|^\d+(?:\.\d+){4,}$/;

/** A word as nft's JSON value: numbers, prefixes, ranges, or text. */
export function wordValue(w: string): Json {
  if (w.startsWith('"')) return unquote(w);
  // A word that starts with a letter is a name or an IPv6 address, unless a prefix or range: no pattern below is for it.
  const c = w.charCodeAt(0) | 0x20;
  if (c >= 0x61 && c <= 0x7a && !w.includes("/") && !w.includes("-")) return w;
  // Past 2^53 a number loses bits: such a value stays its text (decimal or hex), read exactly as a value.
  // Numbers and dots other than an IPv4 address: nft's scanner has no such word (getaddrinfo's `127.1` is JSON's).
  if (NOT_QUAD.test(w)) {
    throw new InvalidArgumentError(`syntax error, unexpected newline: "${w}" is no number or IPv4 address`);
  }
  // nft's scanner reads a number as strtoull does, base 0 (`010` is octal 8). `09`, no octal number, stays a word
  // that the value's type reads (a port as 9, a mark not at all), and so does one past 2^53, read exactly there.
  const n = nftNumber(w);
  if (!Number.isNaN(n)) return n;
  if (/^(\d+|0x[0-9a-f]+)$/i.test(w)) return w;
  // Most words (an address) have neither "/" nor "-": skip the two patterns that would scan them whole.
  const prefix = w.includes("/") ? /^(0x[0-9a-f]+|[0-9a-f.:]+)\/(\d+|0x[0-9a-f]+)$/i.exec(w) : null;
  // `0xffffff00/24`: a mark's prefix has a number for its base; `0x1/0x2` a hex length (nft's NUM, decimal or hex).
  if (prefix) {
    const addr = /^0x/i.test(prefix[1]) ? wordValue(prefix[1]) : prefix[1];
    return { prefix: { addr, len: /^0x/i.test(prefix[2]) ? parseInt(prefix[2], 16) : Number(prefix[2]) } };
  }
  const range = w.includes("-") ? /^([0-9a-fx.:]+|[0-9dhms]+)-([0-9a-fx.:]+|[0-9dhms]+)$/i.exec(w) : null;
  if (range && rangeEnd(range[1]) && rangeEnd(range[2])) return { range: [wordValue(range[1]), wordValue(range[2])] };
  return w;
}

/** A number, a hex number or an IPv4 address (a prefix of one: its length a number of either). */
const NUM = String.raw`0x[0-9a-f]+|\d+(?:\.\d+){3}(?:\/(?:0x[0-9a-f]+|\d+))?|\d+`;
/** A key of numbers, hex numbers or IPv4 addresses (a range or prefix of them) at a word's start. */
const NUM_START = new RegExp(`^(?:${NUM})(?:-(?:${NUM}))?(?=:)`, "i");
/** A MAC address at a word's start: nft's scanner takes one or two hex digits a group (`0:1:2:3:4:5`). */
const MAC_START = /^[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}/i;
/** A classid at a word's start: nft's scanner takes one only before an end, a colon or a dash. */
const CLASSID_START = /^[0-9a-f]{1,4}:[0-9a-f]{1,4}(?=$|[:-])/i;
const scratch = new Uint8Array(16);

/**
 * Where nft's scanner splits a word at a key-data colon: after a name's
 * colon (`1111:accept`; not hex, so no IPv6 address), and after the
 * longest token of nft's at the word's start when a colon follows it: a
 * number, a hex number or an IPv4 address, or a range or prefix of them
 * (`22:0x1`, `10.0.0.1:0x1`), a MAC address, an IPv6 address, or a
 * classid (`22:1:2` is `22:1` and `2`; `22:1` is one classid). None
 * where an IPv6 or MAC address runs on past the name's colon
 * (`2001:db8::1:accept`, which nft reads as `2001:db8::1:acce` and `pt`).
 */
export function keyDataSplit(w: string): [string, string] | undefined {
  if (w.startsWith('"') || !w.includes(":")) return undefined;
  // An IPv6 key ends at its last colon: `1234::aaaa:::accept`; not where an address runs on into the name.
  const name = NAME_DATA.exec(w);
  if (name) return addressRunOn(w) ? undefined : [name[1], name[2]];
  if (writeIp(w, scratch, 0) === 16) return undefined;
  const n = Math.max(
    NUM_START.exec(w)?.[0].length ?? 0,
    MAC_START.exec(w)?.[0].length ?? 0,
    CLASSID_START.exec(w)?.[0].length ?? 0,
    ipv6Start(w),
  );
  if (!n || w[n] !== ":" || n + 1 === w.length) return undefined;
  // `22-25:1`: a range's end and the data make a classid (nft then refuses the word).
  const dash = w.lastIndexOf("-", n);
  if (dash >= 0 && CLASSID_START.test(w.slice(dash + 1))) return undefined;
  return [w.slice(0, n), w.slice(n + 1)];
}

/** A word of a key, a colon and a name (`1111:accept`): the name has a letter past `f`, so no hex. */
const NAME_DATA = /^([^"]+):([a-z]*[g-z][a-z]*)$/;

/**
 * Where an IPv6 or MAC address at the start of a key-colon-name word runs
 * on past the colon into the name, the address nft's scanner reads and the
 * rest: `2001:db8::1:accept` is `2001:db8::1:acce` and `pt`,
 * `0:1:2:3:4:accept` is `0:1:2:3:4:ac` and `cept` (nft's syntax error).
 */
export function addressRunOn(w: string): [string, string] | undefined {
  const name = w.includes(":") ? NAME_DATA.exec(w) : null;
  if (!name) return undefined;
  const n = Math.max(ipv6Start(w), MAC_START.exec(w)?.[0].length ?? 0);
  return n > name[1].length ? [w.slice(0, n), w.slice(n)] : undefined;
}

/** The length of the longest IPv6 address `w` starts with (0 if none). */
function ipv6Start(w: string): number {
  for (let end = w.length - 1; end > 1; end--) if (writeIp(w.slice(0, end), scratch, 0) === 16) return end;
  return 0;
}

/** A range's end: a number or address (with a digit), a classid (`bcad:dada`) or a duration (`1m`, `4d23h`). */
export function rangeEnd(w: string): boolean {
  return /\d/.test(w) || /^[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(w);
}

/** A count: a non-negative integer. */
export function count(w: string, what: string): number {
  if (!/^\d+$/.test(w)) throw new InvalidArgumentError(`Cannot use "${w}" as ${what}: expected a non-negative integer`);
  return Number(w);
}
