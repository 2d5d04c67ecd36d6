/**
 * nft's JSON text: compact, with `", "` and `": "` separators, as
 * `nft -j` prints it.
 *
 * @module
 */

import type { Json } from "./types.ts";

/** Serialises a value the way `nft -j` does. */
export function nftJsonText(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(nftJsonText).join(", ")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${nftJsonText(x)}`).join(", ")}}`;
}
