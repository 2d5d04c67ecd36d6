/**
 * Set elements in nft's JSON: keys split per concatenated field, intervals
 * merged back from their start and end elements into values, prefixes and
 * ranges, sorted as nft sorts them.
 *
 * @module
 */

import type { NftData } from "../data.ts";
import type { NftElement } from "../element.ts";
import { udataComment } from "../udata.ts";
import { verdictJson } from "./verdict.ts";
import { inRange } from "./output.ts";
import type { Json, NftType } from "./types.ts";
import { bytesToNumber, renderValue } from "./value_codec.ts";
import { seconds } from "./time_values.ts";
import { minusOne, sameBytes } from "./key_bytes.ts";

/** Renders a key of one type, or of a concatenation (fields padded to 4 bytes). */
export function renderKey(types: readonly NftType[], b: Uint8Array): Json {
  if (types.length === 1) return renderValue(types[0], b);
  const out: Json[] = [];
  let off = 0;
  for (const t of types) {
    const size = t.size || 16;
    out.push(renderValue(t, b.subarray(off, off + size)));
    off += (size + 3) & ~3;
  }
  return { concat: out };
}

/**
 * The order of `count` keys (`keyAt(i)`), as indices: most significant
 * byte first, and a host-order key's last byte is its most significant.
 * Each key becomes a number (up to 4 bytes) or a string once, so a
 * 100,000-element sort compares those instead of walking bytes.
 */
export function keyOrder(count: number, keyAt: (i: number) => Uint8Array | undefined, host: boolean): number[] {
  let n = 0;
  for (let i = 0; i < count; i++) n = Math.max(n, keyAt(i)?.length ?? 0);
  if (n <= 4 && count <= INDEX_SPAN) return orderByNumber(count, keyAt, n, host);
  const keyed: { s: string; i: number }[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const k = keyAt(j);
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(k?.[host ? n - 1 - i : i] ?? 0);
    keyed[j] = { s, i: j };
  }
  keyed.sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : 0));
  return keyed.map((x) => x.i);
}

// Keys of up to 4 bytes sort as numbers: key * INDEX_SPAN + index is exact in a double (53 bits).
const INDEX_SPAN = 2 ** 21;

function orderByNumber(
  count: number,
  keyAt: (i: number) => Uint8Array | undefined,
  n: number,
  host: boolean,
): number[] {
  const packed = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const k = keyAt(j);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (k?.[host ? n - 1 - i : i] ?? 0);
    packed[j] = v * INDEX_SPAN + j;
  }
  packed.sort();
  const out: number[] = new Array(count);
  for (let j = 0; j < count; j++) out[j] = packed[j] % INDEX_SPAN;
  return out;
}

/** Elements in key order (see {@link keyOrder}). */
function sortByKey(elements: readonly NftElement[], host: boolean): NftElement[] {
  return keyOrder(elements.length, (i) => elements[i].key?.value, host).map((i) => elements[i]);
}

/**
 * Concatenated keys in nft's order: its sort joins the fields' bytes without
 * their padding and compares that as one host-order (little-endian) number.
 */
function concatOrder(elements: readonly NftElement[], types: readonly NftType[]): NftElement[] {
  const joined = (k: Uint8Array | undefined): Uint8Array | undefined => {
    if (!k) return k;
    const parts: number[] = [];
    let off = 0;
    for (const t of types) {
      const size = t.size || 16;
      parts.push(...k.subarray(off, off + size));
      off += (size + 3) & ~3;
    }
    return new Uint8Array(parts);
  };
  return keyOrder(elements.length, (i) => joined(elements[i].key?.value), true).map((i) => elements[i]);
}

/** The prefix length if `[lo, hi]` is exactly one prefix, else -1. */
function prefixLen(lo: Uint8Array, hi: Uint8Array): number {
  let bit = 0;
  const total = lo.length * 8;
  while (bit < total) {
    const i = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if ((lo[i] & m) !== (hi[i] & m)) break;
    bit++;
  }
  for (let k = bit; k < total; k++) {
    const i = k >> 3;
    const m = 0x80 >> (k & 7);
    if ((lo[i] & m) !== 0 || (hi[i] & m) === 0) return -1;
  }
  return bit;
}

/** The length of the name `[lo, hi]` covers every name starting with (`"abcdef*"`), else -1. */
function wildcardLen(lo: Uint8Array, hi: Uint8Array): number {
  let w = 0;
  while (w < lo.length && lo[w] === hi[w] && lo[w] !== 0) w++;
  for (let i = w; i < lo.length; i++) if (lo[i] !== 0 || hi[i] !== 0xff) return -1;
  return w;
}

/** Renders `[lo, hi]`: one value, a prefix (addresses, marks), a wildcard name or a range. */
export function renderRange(types: readonly NftType[], lo: Uint8Array, hi: Uint8Array): Json {
  if (sameBytes(lo, hi)) return renderKey(types, lo);
  const t = types[0];
  if (types.length === 1 && t.kind === "string") {
    const w = wildcardLen(lo, hi);
    if (w >= 0) return `${renderValue(t, lo.subarray(0, w))}*`;
  }
  if (types.length === 1 && t.prefix) {
    // Interval keys are in network order (a host-order type's too), so a prefix reads from the first bit.
    const len = prefixLen(lo, hi);
    if (len >= 0) return { prefix: { addr: renderValue(t, lo), len } };
  }
  if (types.length > 1) {
    // A concatenation of ranges: render field by field.
    const out: Json[] = [];
    let off = 0;
    for (const f of types) {
      const size = f.size || 16;
      out.push(renderRange([f], lo.subarray(off, off + size), hi.subarray(off, off + size)));
      off += (size + 3) & ~3;
    }
    return { concat: out };
  }
  return inRange(() => ({ range: [renderKey(types, lo), renderKey(types, hi)] }));
}

/** How element data is printed: a verdict, a value type, or nothing for a plain set. */
export type DataRender =
  | { verdict: true }
  /** `interval`: each value is a range, its start then its end (a NAT map to `192.168.2.2-192.168.2.4`). */
  | { types: readonly NftType[]; interval?: boolean }
  | undefined;

/** How elementsJson prints element data: as `DataRender`, or object names (a map of counters: `"cnt1"`). */
export type ElemRender = DataRender | { objref: true };

function dataJson(d: NftData | undefined, render: ElemRender): Json {
  if (!d || !render) return null;
  if ("verdict" in render) return d.verdict ? verdictJson(d.verdict) : null;
  if ("objref" in render) return null;
  if (!d.value) return null;
  if (!render.interval) return renderKey(render.types, d.value);
  const half = d.value.length / 2;
  return renderRange(render.types, d.value.subarray(0, half), d.value.subarray(half));
}

/** True when a map's data of `dataLen` bytes holds ranges of `types` (twice their size). */
export function isIntervalData(types: readonly NftType[], dataLen: number | undefined): boolean {
  const size = types.length === 1 ? types[0].size || 16 : types.reduce((n, t) => n + (((t.size || 16) + 3) & ~3), 0);
  return dataLen === 2 * size;
}

/** An element's statement in nft's JSON (`{"counter": {...}}`), merged into its `elem` object. */
export type ElemStmt = (e: NftElement) => Json | undefined;

function wrap(key: Json, e: NftElement, stmt: ElemStmt | undefined, full: boolean): Json {
  const st = e.expr || e.expressions ? stmt?.(e) : undefined;
  if (!e.timeout && !e.expiration && !e.userdata && st === undefined) return key;
  const extra: Record<string, Json> = {};
  // Whole seconds in nft's JSON, milliseconds too in its text (`timeout 1s500ms expires 1s472ms`).
  if (e.timeout) extra.timeout = seconds(e.timeout, full);
  if (e.expiration) extra.expires = seconds(e.expiration, full);
  const comment = udataComment(e.userdata);
  if (comment !== undefined) extra.comment = comment;
  if (st && typeof st === "object") Object.assign(extra, st);
  return Object.keys(extra).length ? { elem: { val: key, ...extra } } : key;
}

function withData(key: Json, e: NftElement, render: ElemRender, stmt: ElemStmt | undefined, full: boolean): Json {
  const k = wrap(key, e, stmt, full);
  if (render && "objref" in render) return [k, e.objref ?? null];
  return render ? [k, dataJson(e.data, render)] : k;
}

/** nft's JSON of a set's elements; `full` keeps the milliseconds of timeouts and expiry (for nft's text). */
export function elementsJson(
  elements: readonly NftElement[],
  types: readonly NftType[],
  interval: boolean,
  data: ElemRender,
  stmt?: ElemStmt,
  full = false,
): Json[] {
  // An interval set orders names as the kernel's tree does, byte by byte from the first.
  const host = types.length === 1 && types[0].host === true && !(interval && types[0].kind === "string");
  // The catch-all element (`*`) has no key: nft prints it last.
  const all = elements.filter((e) => !e.flags?.includes("catchall"));
  const rest = all.length === elements.length ? [] : elements.filter((e) => e.flags?.includes("catchall"));
  const tail = rest.map((e) => withData("*", e, data, stmt, full));
  return [...keyedJson(all, types, interval, data, stmt, host, full), ...tail];
}

function keyedJson(
  elements: readonly NftElement[],
  types: readonly NftType[],
  interval: boolean,
  data: ElemRender,
  stmt: ElemStmt | undefined,
  host: boolean,
  full: boolean,
): Json[] {
  const flags = types.length === 1 && types[0].bits ? types[0] : undefined;
  if (flags && !interval) {
    // nft sorts `syn | ack` by its first flag, from the kernel's order: ties follow nft's own merge order.
    const keyOf = (e: NftElement) => lowestBit(bytesToNumber(e.key?.value ?? new Uint8Array(0), flags.host === true));
    const merged = nftMergeSort(elements, keyOf);
    return merged.map((e) =>
      withData(flagsJson(renderKey(types, e.key?.value ?? new Uint8Array(0))), e, data, stmt, full)
    );
  }
  // nft lists a concatenation of intervals as the kernel dumps it (its insertion order), unsorted.
  const sorted = types.length > 1
    ? (interval ? [...elements] : concatOrder(elements, types))
    : sortByKey(elements, host);
  if (!interval) {
    return sorted.map((e) => withData(renderKey(types, e.key?.value ?? new Uint8Array(0)), e, data, stmt, full));
  }
  const out: Json[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    const lo = e.key?.value;
    if (!lo || e.flags?.includes("interval-end")) continue;
    let hi: Uint8Array;
    if (e.keyEnd?.value) hi = e.keyEnd.value;
    else {
      // An interval ends where the next element starts (adjacent intervals have no end element between them).
      // The end of the interval before may share this start's key: the next element is one with another key.
      let j = i + 1;
      while (j < sorted.length && sameBytes(sorted[j].key?.value, lo)) j++;
      const next = sorted[j]?.key?.value;
      hi = next ? minusOne(next) : new Uint8Array(lo.length).fill(0xff);
    }
    out.push(withData(renderRange(types, lo, hi), e, data, stmt, full));
  }
  return out;
}

/** A value of several flags as nft prints it in a set: `{"|": [{"|": ["fin", "psh"]}, "ack"]}`. */
export function flagsJson(v: Json): Json {
  return Array.isArray(v) && v.length > 1 ? v.reduce((l, r) => ({ "|": [l, r] })) : v;
}

/** The value of the first flag nft prints of `v` (what its sort compares). */
/** The lowest set bit of `n` (a flag value's first flag), 0 for none. */
function lowestBit(n: number): number {
  return (n & -n) >>> 0;
}

/**
 * nft's `list_expr_sort`: a merge sort whose merge puts the second half's
 * items first on ties (so equal keys come out in an order of its own).
 */
function nftMergeSort<T>(a: readonly T[], key: (x: T) => number): T[] {
  if (a.length <= 1) return [...a];
  const mid = Math.ceil(a.length / 2);
  const first = nftMergeSort(a.slice(0, mid), key);
  const second = nftMergeSort(a.slice(mid), key);
  const out: T[] = [];
  let j = 0;
  for (const x of first) {
    while (j < second.length && !(key(x) < key(second[j]))) out.push(second[j++]);
    out.push(x);
  }
  return out.concat(second.slice(j));
}
