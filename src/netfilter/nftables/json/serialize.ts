/**
 * nft's JSON text: compact, with `", "` and `": "` separators, as
 * `nft -j` prints it.
 *
 * @module
 */

import type { Json } from "./types.ts";

// Strings that need no escaping are quoted directly (names, addresses); keys are quoted once each.
// deno-lint-ignore no-control-regex -- control characters are what must be escaped
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const keyTexts = new Map<string, string>();

function quote(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

function keyText(k: string): string {
  let t = keyTexts.get(k);
  if (t === undefined) {
    t = quote(k) + ": ";
    if (keyTexts.size < 1024) keyTexts.set(k, t);
  }
  return t;
}

/** Serialises a value the way `nft -j` does. */
export function nftJsonText(v: Json): string {
  // One string grown in place: a 10,000-rule ruleset is millions of small pieces.
  let out = "";
  const write = (x: Json): void => {
    if (typeof x === "string") {
      out += quote(x);
    } else if (x === null || typeof x !== "object") {
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
        out += keyText(k);
        write(x[k]);
      }
      out += "}";
    }
  };
  write(v);
  return out;
}
