/**
 * Handles and parents in tc's notation: `1:`, `1:10`, `:10`, `root`,
 * `none`, and the clsact hooks `ingress`/`egress`.
 *
 * @example
 * ```ts
 * import { formatHandle, parseHandle } from "./handle.ts";
 * console.log(parseHandle("1:10").toString(16)); // 10010
 * console.log(formatHandle(0x10010)); // 1:10
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { TC_H } from "./constants.ts";

const HEX = /^[0-9a-f]+$/i;

function hex16(text: string, whole: string): number {
  if (text === "") return 0;
  const n = HEX.test(text) ? parseInt(text, 16) : NaN;
  if (!(n < 0x10000)) {
    throw new InvalidArgumentError(`Invalid tc handle: "${whole}" (expected MAJ:MIN in hex, each below 10000)`);
  }
  return n;
}

/**
 * Parses a class id or parent (`1:10`, `1:`, `:10`, `root`, `none`, or a
 * bare hex number meaning the whole 32-bit value), as `tc` does.
 */
export function parseHandle(text: string): number {
  if (text === "root") return TC_H.TC_H_ROOT;
  if (text === "none") return TC_H.TC_H_UNSPEC;
  const colon = text.indexOf(":");
  if (colon < 0) {
    if (!HEX.test(text) || text.length > 8) {
      throw new InvalidArgumentError(`Invalid tc handle: "${text}" (expected MAJ:MIN in hex)`);
    }
    return parseInt(text, 16);
  }
  if (colon === 0 && text.length === 1) {
    throw new InvalidArgumentError(`Invalid tc handle: "${text}" (expected MAJ:MIN in hex)`);
  }
  return ((hex16(text.slice(0, colon), text) << 16) | hex16(text.slice(colon + 1), text)) >>> 0;
}

/** Parses a qdisc handle (`1:` or `1`): only the major number, the minor is 0. */
export function parseQdiscHandle(text: string): number {
  const major = text.endsWith(":") ? text.slice(0, -1) : text;
  if (major === "" || !HEX.test(major) || parseInt(major, 16) >= 0x10000) {
    throw new InvalidArgumentError(`Invalid qdisc handle: "${text}" (expected MAJ: in hex, below 10000)`);
  }
  return (parseInt(major, 16) << 16) >>> 0;
}

/** Formats a class id or parent like `tc` (`1:10`, `1:`, `:10`, `root`, `none`). */
export function formatHandle(h: number): string {
  h >>>= 0;
  if (h === TC_H.TC_H_ROOT) return "root";
  if (h === 0) return "none";
  const maj = h >>> 16, min = h & 0xffff;
  if (maj === 0) return `:${min.toString(16)}`;
  if (min === 0) return `${maj.toString(16)}:`;
  return `${maj.toString(16)}:${min.toString(16)}`;
}

/** Builds a handle from major and minor numbers. */
export function makeHandle(major: number, minor: number): number {
  return (((major & 0xffff) << 16) | (minor & 0xffff)) >>> 0;
}
