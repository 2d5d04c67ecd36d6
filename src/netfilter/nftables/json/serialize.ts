/**
 * nft's JSON text: compact, with `", "` and `": "` separators, as
 * `nft -j` prints it.
 *
 * @module
 */

import type { Json } from "./types.ts";

/** Serialises a value the way `nft -j` does. */
export function nftJsonText(v: Json): string {
  // One string grown in place: a 10,000-rule ruleset is millions of small pieces.
  let out = "";
  const write = (x: Json): void => {
    if (x === null || typeof x !== "object") {
      out += JSON.stringify(x);
    } else if (Array.isArray(x)) {
      out += "[";
      for (let i = 0; i < x.length; i++) {
        if (i) out += ", ";
        write(x[i]);
      }
      out += "]";
    } else {
      out += "{";
      let first = true;
      for (const k in x) {
        if (!first) out += ", ";
        first = false;
        out += JSON.stringify(k) + ": ";
        write(x[k]);
      }
      out += "}";
    }
  };
  write(v);
  return out;
}
