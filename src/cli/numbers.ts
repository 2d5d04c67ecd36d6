/**
 * Numbers as iproute2 reads them: `strtoul` with base 0 (`get_u32(&v, arg,
 * 0)`), so `010` is octal 8, `0x10` is 16, `09` is refused, and values above
 * the field's maximum are refused. One parser for every `ip`-style command.
 *
 * @module
 */

import { UsageError } from "./args.ts";

const BASE0 = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/** Parses `text` as ip's base-0 `strtoul` does; undefined when ip would refuse it or it exceeds `max`. */
export function ipUnsigned(text: string, max = 0xffffffff): number | undefined {
  const m = BASE0.exec(text);
  if (!m) return undefined;
  const digits = m[2];
  const n = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits[0] === "0"
    ? parseInt(digits, 8)
    : Number(digits);
  // strtoul negates after parsing: "-0" is 0, any other negative wraps past the maximum.
  if (m[1] === "-" && n !== 0) return undefined;
  return n <= max ? n : undefined;
}

/** The reasons ip passes to `invarg()` with their own newline (ip/*.c), so its message ends in a blank line. */
const ENDS_IN_NEWLINE: ReadonlySet<string> = new Set([
  '"action" value is invalid',
  '"metric" value is invalid',
  '"mode" value is invalid',
  '"segs" provided before "mode"',
  "Device does not exist",
  'Invalid "group" value',
  'Invalid "ipproto" value',
  "Invalid VRF",
  "TOS value is invalid",
  "from value is invalid",
  "fwmark value is invalid",
  "fwmask value is invalid",
  'invalid "protocol"',
  'invalid "scope"',
  "invalid UID range",
  '"table" value is invalid',
  '"tos" value is invalid',
  '"expires" value is invalid',
  'invalid "scope" value',
  '"pref" value is invalid',
  '"realm" value is invalid',
  '"mtu" value is invalid',
  '"hoplimit" value is invalid',
  '"mss" value is invalid',
  '"reordering" value is invalid',
  '"rtt" value is invalid',
  '"rttvar" value is invalid',
  '"rto_min" value is invalid',
  '"window" value is invalid',
  '"cwnd" value is invalid',
  '"ssthresh" value is invalid',
  '"initcwnd" value is invalid',
  '"initrwnd" value is invalid',
  '"features" value not valid',
  '"quickack" value is invalid',
  '"quickack" value should be 0 or 1',
  '"fastopen_no_cookie" value is invalid',
  '"fastopen_no_cookie" value should be 0 or 1',
  "invalid target",
  "invalid table ID",
  "suppress_prefixlength value is invalid",
  '"protocol" value is invalid',
  "invalid dport",
  "invalid realms",
  "invalid sport",
  "node type value is invalid",
  "preference value is invalid",
  "table id value is invalid",
  "to value is invalid",
  "Invalid address generation mode",
  "dev is invalid",
]);

/** ip's `invarg()`: `argument "TEXT" is wrong: WHY`, a usage error, with ip's blank line where ip prints one. */
export function invalidArgument(text: string, why: string): UsageError {
  return new UsageError(`argument "${text}" is wrong: ${why}`, text, false, ENDS_IN_NEWLINE.has(why));
}

/** A word read by one of ip's shared readers, refused with the reason the calling command gives for it. */
export function ipWord<T>(read: () => T, word: string, why: string): T {
  try {
    return read();
  } catch {
    throw invalidArgument(word, why);
  }
}

/** Parses a number as {@link ipUnsigned}, or throws ip's `invarg` error with `why`. */
export function ipNumber(text: string, why: string, max = 0xffffffff): number {
  const n = ipUnsigned(text, max);
  if (n === undefined) throw invalidArgument(text, why);
  return n;
}
