/**
 * Connection label names, read from `/etc/xtables/connlabel.conf` as
 * conntrack-tools does (`BIT NAME` per line, `#` comments).
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { readText } from "./io.ts";

/** Where conntrack-tools and iptables keep label names. */
export const CONNLABEL_CONF = "/etc/xtables/connlabel.conf";

/** Label names by bit, from `text` in connlabel.conf format. */
export function parseConnlabel(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    const m = /^(\d+)\s+(\S+)$/.exec(line);
    if (m && Number(m[1]) < 128) names.set(Number(m[1]), m[2]);
  }
  return names;
}

/** Label names of this system (empty when the file is missing). */
export function loadConnlabel(path: string = CONNLABEL_CONF): Map<number, string> {
  try {
    return parseConnlabel(readText(path));
  } catch {
    return new Map();
  }
}

/** Turns label names or bit numbers into bit numbers; names must be in `names`. */
export function labelBitsOf(labels: readonly string[], names: ReadonlyMap<number, string>): number[] {
  return labels.map((l) => {
    if (/^\d+$/.test(l) && Number(l) < 128) return Number(l);
    for (const [bit, name] of names) if (name === l) return bit;
    throw new InvalidArgumentError(`Unknown label: "${l}" (not a bit number 0 to 127 nor a name in ${CONNLABEL_CONF})`);
  });
}
