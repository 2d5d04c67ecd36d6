/**
 * nft's `auto-merge` of an interval set (intervals.c `set_automerge`):
 * overlapping and adjacent ranges are merged on the user side before they
 * are sent, and ranges the set already holds (in the kernel, or added
 * earlier in the same document) that a new one merges with are deleted
 * first (nft's purge command), then the merged range is added.
 *
 * @module
 */

import type { NftElement } from "../element.ts";

/** One range of a single-field interval set: its start element and the `interval-end` element after it. */
interface Range {
  start: bigint;
  /** Exclusive end; undefined when the range runs to the top of the key space (no end element). */
  end?: bigint;
  first: NftElement;
  last?: NftElement;
}

function big(b: Uint8Array | undefined): bigint {
  let n = 0n;
  for (const x of b ?? []) n = (n << 8n) | BigInt(x);
  return n;
}

/** The ranges of `elements` (start, then its end element) and what is not a range (the catch-all). */
function rangesOf(elements: readonly NftElement[]): { ranges: Range[]; others: NftElement[] } {
  const ranges: Range[] = [];
  const others: NftElement[] = [];
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i];
    if (!e.key || e.flags?.includes("catchall") || e.flags?.includes("interval-end")) {
      others.push(e);
      continue;
    }
    const next = elements[i + 1];
    const ends = next?.flags?.includes("interval-end") === true;
    ranges.push({
      start: big(e.key.value),
      end: ends ? big(next.key?.value) : undefined,
      first: e,
      last: ends ? next : undefined,
    });
    if (ends) i++;
  }
  return { ranges, others };
}

/** Sorted ranges with overlapping and adjacent ones merged (the earlier range's element attributes kept). */
function merge(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    const prev = out[out.length - 1];
    // The end is exclusive: a start at or before it overlaps or touches the range before.
    if (prev && (prev.end === undefined || r.start <= prev.end)) {
      if (prev.end !== undefined && (r.end === undefined || r.end > prev.end)) {
        out[out.length - 1] = { ...prev, end: r.end, last: r.last };
      }
    } else out.push(r);
  }
  return out;
}

const flat = (ranges: readonly Range[]) => ranges.flatMap((r) => (r.last ? [r.first, r.last] : [r.first]));

/** The auto-merge state of a plan: the ranges each auto-merge set was given so far in the document. */
export class AutoMerge {
  #sets = new Map<string, Range[]>();

  /**
   * Declares the kernel's auto-merge set `set` with its elements as dumped
   * (any order): each start with the `interval-end` element after it, or
   * the next start when adjacent ranges share no end element.
   */
  seed(set: string, kernel: readonly NftElement[]): void {
    const keyed = kernel.filter((e) => e.key && !e.flags?.includes("catchall"));
    const sorted = keyed.map((e) => ({ e, k: big(e.key?.value) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    const ranges: Range[] = [];
    // Only the key and flags: what a delete names the element by.
    const bare = (e: NftElement): NftElement => (e.flags?.length ? { key: e.key, flags: e.flags } : { key: e.key });
    for (const [i, { e, k }] of sorted.entries()) {
      if (e.flags?.includes("interval-end")) continue; // an end, read with its start (nft's leading 0 has none)
      const next = sorted[i + 1];
      const ends = next?.e.flags?.includes("interval-end") === true;
      ranges.push({ start: k, end: next?.k, first: bare(e), last: ends ? bare(next.e) : undefined });
    }
    this.#sets.set(set, ranges);
  }

  /** Whether `set` was declared auto-merge in this document. */
  has(set: string): boolean {
    return this.#sets.has(set);
  }

  /** Stops merging with what `set` was given so far (its elements were deleted from). */
  forget(set: string): void {
    if (this.#sets.has(set)) this.#sets.set(set, []);
  }

  /**
   * What to send for `elements` added to the auto-merge set `set`:
   * `purge`, the earlier ranges the new ones merged with (to delete
   * first), and `add`, the merged ranges that are new.
   */
  add(set: string, elements: readonly NftElement[]): { purge: NftElement[]; add: NftElement[] } {
    const known = this.#sets.get(set) ?? [];
    const { ranges, others } = rangesOf(elements);
    const merged = merge([...known, ...ranges]);
    const kept = new Set(merged);
    const old = new Set(known);
    this.#sets.set(set, merged);
    return {
      purge: flat(known.filter((r) => !kept.has(r))),
      add: [...others, ...flat(merged.filter((r) => !old.has(r)))],
    };
  }
}
