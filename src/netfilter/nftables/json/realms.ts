/**
 * Routing realm names from `/etc/iproute2/rt_realms` (`NUMBER NAME` lines),
 * as nft 1.0.6 prints and parses `rt classid` values; without the file,
 * realms are numbers.
 *
 * @module
 */

import { readTextOrUndefined } from "../../../sys/files.ts";

/** Where nft reads realm names. */
export const RT_REALMS = "/etc/iproute2/rt_realms";

let cached: Map<number, string> | undefined;

/** Parses `rt_realms` text: a decimal or `0x` number and a name per line, `#` comments; the first name of a number wins. */
export function parseRealms(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const raw of text.split("\n")) {
    const m = /^\s*(0x[0-9a-f]+|\d+)\s+(\S+)/i.exec(raw.replace(/#.*/, ""));
    if (!m) continue;
    const n = Number(m[1]);
    if (n <= 0xffffffff && !out.has(n)) out.set(n, m[2]);
  }
  return out;
}

/** Realm names by number, read once (empty when the file is missing). */
export function realms(): Map<number, string> {
  cached ??= parseRealms(readTextOrUndefined(RT_REALMS) ?? "");
  return cached;
}
