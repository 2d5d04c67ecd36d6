/**
 * Conntrack label names from `/etc/connlabel.conf` (`BIT NAME` lines), as
 * nft prints and parses `ct label` values; without the file, labels are
 * bit numbers.
 *
 * @module
 */

// Not node:fs: under Deno it starts the Node layer (~75 ms) for every nft command.
import { readTextOrUndefined } from "../../../sys/files.ts";

/** Where nft reads label names. */
export const CONNLABEL_CONF = "/etc/connlabel.conf";

/** The largest label bit (the kernel keeps 128). */
export const LABEL_BITS = 128;

let cached: Map<number, string> | undefined;

/** Parses `connlabel.conf` text: `BIT NAME` per line, `#` comments; out-of-range or malformed lines are skipped. */
export function parseConnlabels(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const raw of text.split("\n")) {
    const m = /^\s*(\d+)\s+(\S+)/.exec(raw.replace(/#.*/, ""));
    if (!m) continue;
    const bit = Number(m[1]);
    if (bit < LABEL_BITS && !out.has(bit)) out.set(bit, m[2]);
  }
  return out;
}

/** Label names by bit, read once (empty when the file is missing). */
export function connlabels(): Map<number, string> {
  cached ??= parseConnlabels(readTextOrUndefined(CONNLABEL_CONF) ?? "");
  return cached;
}
