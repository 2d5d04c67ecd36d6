/**
 * nft's JSON text: compact, with `", "` and `": "` separators, as
 * `nft -j` prints it.
 *
 * @module
 */

import type { Json } from "./types.ts";

/** Serialises a value the way `nft -j` does. */
export function nftJsonText(v: Json): string {
  // The engine's own serialiser, one space of indent, then the line breaks taken out: `": "` is already
  // there and `",\n   "` becomes `", "`. Strings hold no raw line break (JSON escapes it), and native code
  // does in one call what a walk in script did piece by piece (a 10,000-rule listing's largest cost).
  return JSON.stringify(v, null, 1).replace(/,\n */g, ", ").replace(/\n */g, "");
}
