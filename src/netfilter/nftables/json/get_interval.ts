/**
 * `nft get element` on a set of intervals, as nft 1.0.6 and the kernel
 * answer it: each asked value or range is found in the one stored range
 * that holds it (its start, and its end for a range), and nft prints that
 * range (`{ 22-24 }` gives `20-30`); a range reaching past it, or a value
 * in none, is ENOENT. A map's element is printed as the start of its range
 * (nft's decomposition knows no mapping), and a range asked of a map is
 * not found. A concatenation's element holds the asked start in each field.
 *
 * @module
 */

import type { NftElement } from "../element.ts";
import { compareBytes, minusOne, plusOne } from "./key_bytes.ts";

/** One asked element: its first and last key (equal for a value), and whether it was written as a range. */
export interface IntervalAsk {
  lo: Uint8Array;
  hi: Uint8Array;
  range: boolean;
}

/** A stored single-field range: its start element, its end element (absent up to the top), and its last key. */
interface Stored {
  first: NftElement;
  last?: NftElement;
  lo: Uint8Array;
  hi?: Uint8Array;
}

/** The ranges of a single-field interval set's elements (any order, as dumped). */
function rangesOf(elements: readonly NftElement[]): Stored[] {
  const keyed = elements.filter((e) => e.key?.value && !e.flags?.includes("catchall"));
  keyed.sort((a, b) => compareBytes(a.key!.value!, b.key!.value!) || (a.flags?.includes("interval-end") ? -1 : 1));
  const out: Stored[] = [];
  for (const [i, e] of keyed.entries()) {
    if (e.flags?.includes("interval-end")) continue;
    const next = keyed[i + 1];
    const ends = next?.flags?.includes("interval-end") === true;
    out.push({
      first: e,
      last: ends ? next : undefined,
      lo: e.key!.value!,
      hi: ends ? minusOne(next.key!.value!) : undefined,
    });
  }
  return out;
}

const holds = (r: Stored, k: Uint8Array) =>
  compareBytes(r.lo, k) <= 0 && (r.hi === undefined || compareBytes(k, r.hi) <= 0);

/** The padded fields (4-byte words) of a concatenation's key. */
function fields(b: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  let at = 0;
  return sizes.map((n) => {
    const f = b.subarray(at, at + n);
    at += (n + 3) & ~3;
    return f;
  });
}

/**
 * The stored elements nft prints for each of `asks` (a group per ask, in
 * the asked order), or undefined when one is not found (nft's ENOENT).
 * `sizes` are a concatenation's field sizes (undefined for one field).
 */
export function intervalMatches(
  stored: readonly NftElement[],
  asks: readonly IntervalAsk[],
  map: boolean,
  sizes?: readonly number[],
): NftElement[][] | undefined {
  const out: NftElement[][] = [];
  if (sizes) {
    for (const ask of asks) {
      const want = fields(ask.lo, sizes);
      const e = stored.find((s) => {
        if (!s.key?.value || !s.keyEnd?.value) return false;
        const [lo, hi] = [fields(s.key.value, sizes), fields(s.keyEnd.value, sizes)];
        return want.every((w, i) => compareBytes(lo[i], w) <= 0 && compareBytes(w, hi[i]) <= 0);
      });
      if (!e) return undefined;
      out.push([e]);
    }
    return out;
  }
  const ranges = rangesOf(stored);
  for (const ask of asks) {
    const r = ranges.find((x) => holds(x, ask.lo));
    if (!r || (ask.range && (map || !holds(r, ask.hi)))) return undefined;
    if (!map) {
      out.push(r.last ? [r.first, r.last] : [r.first]);
      continue;
    }
    // The start alone: its end is the next key.
    const end = plusOne(r.lo);
    out.push(end ? [r.first, { key: { value: end }, flags: ["interval-end"] }] : [r.first]);
  }
  return out;
}
