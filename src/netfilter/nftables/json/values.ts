/**
 * nft's JSON values back to bytes: keys (values, prefixes, ranges,
 * concatenations) and set elements, with intervals split into the start
 * and end elements the kernel stores.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { NftElement } from "../element.ts";
import type { NftExpr } from "../expr/registry.ts";
import { buildUdata, SET_ELEM_F_INTERVAL_OPEN, UDATA_COMMENT, withElemFlags } from "../udata.ts";
import type { Json, NftType } from "./types.ts";
import { dottedQuad, parseValue } from "./value_codec.ts";
import { msOf } from "./time_values.ts";
import { verdictOf } from "./verdict.ts";
import { compareBytes, plusOne, sameBytes } from "./key_bytes.ts";

type Obj = { [k: string]: Json };

/** True for a JSON object (not an array, not null). */
export function isObj(x: Json | undefined): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * The key of an object of exactly one key (a JSON statement, command or
 * expression), else undefined: read without listing the keys, which a
 * document of 10,000 rules would do some 200,000 times.
 */
export function soleKey(x: Json | undefined): string | undefined {
  if (!isObj(x)) return undefined;
  let key: string | undefined;
  for (const k in x) {
    if (key !== undefined) return undefined;
    key = k;
  }
  return key;
}

/** Size a value of type `t` takes in a key (strings: their full width). */
export function typeSize(t: NftType): number {
  return t.size || 16;
}

/** A set key's length: one field's size, or a concatenation's, each field padded to 4 bytes. */
export function keyLen(types: readonly NftType[]): number {
  return types.length === 1 ? typeSize(types[0]) : types.reduce((n, t) => n + ((typeSize(t) + 3) & ~3), 0);
}

/** Bytes of a concatenation: each field padded to 4 bytes. */
function concatBytes(types: readonly NftType[], parts: Uint8Array[]): Uint8Array {
  const len = types.reduce((n, t) => n + ((typeSize(t) + 3) & ~3), 0);
  const out = new Uint8Array(len);
  let off = 0;
  types.forEach((t, i) => {
    out.set(parts[i], off);
    off += (typeSize(t) + 3) & ~3;
  });
  return out;
}

/** A key as bytes `[lo, hi]` (equal for a single value). */
export function keyRange(types: readonly NftType[], v: Json): [Uint8Array, Uint8Array] {
  if (types.length > 1) {
    if (!isObj(v) || !Array.isArray(v.concat) || v.concat.length !== types.length) {
      throw new InvalidArgumentError(
        `Cannot use ${JSON.stringify(v)} as a key of ${types.map((t) => t.name).join(" . ")}`,
      );
    }
    const parts = v.concat.map((x, i) => keyRange([types[i]], x));
    return [concatBytes(types, parts.map((p) => p[0])), concatBytes(types, parts.map((p) => p[1]))];
  }
  const t = types[0];
  if (isObj(v) && "prefix" in v) {
    const p = v.prefix as Obj;
    const addr = parseValue(t, p.addr, typeSize(t));
    const len = p.len as number;
    if (!Number.isInteger(len) || len < 0 || len > addr.length * 8) {
      throw new InvalidArgumentError(
        `Cannot use prefix length ${p.len} for ${t.name}: expected 0 to ${addr.length * 8}`,
      );
    }
    const lo = addr.slice();
    const hi = addr.slice();
    for (let bit = len; bit < addr.length * 8; bit++) {
      const m = 0x80 >> (bit & 7);
      lo[bit >> 3] &= ~m;
      hi[bit >> 3] |= m;
    }
    return [lo, hi];
  }
  if (isObj(v) && "range" in v && Array.isArray(v.range) && v.range.length === 2) {
    const [lo, hi] = [parseValue(t, v.range[0], typeSize(t)), parseValue(t, v.range[1], typeSize(t))];
    // A host-order value's most significant byte is its last.
    if (t.host ? compareBytes(lo.toReversed(), hi.toReversed()) > 0 : compareBytes(lo, hi) > 0) {
      const [a, b] = v.range.map((x) => JSON.stringify(x));
      throw new InvalidArgumentError(`Cannot use the range ${a}-${b}: range has zero or negative size`);
    }
    return [lo, hi];
  }
  if (t.kind === "string" && typeof v === "string" && /(^|[^\\])\*$/.test(v)) {
    // `"eth*"`: every name starting so, from the prefix padded with zeros to it padded with 0xff.
    const lo = parseValue(t, v.slice(0, -1), typeSize(t));
    const hi = lo.slice().fill(0xff, new TextEncoder().encode(v.slice(0, -1)).length);
    return [lo, hi];
  }
  // `"eth\\*"` is the name ending in `*`.
  const b = parseValue(t, t.kind === "string" && typeof v === "string" ? v.replace(/\\\*$/, "*") : v, typeSize(t));
  return [b, b];
}

function concatRange(lo: Uint8Array, hi: Uint8Array): Uint8Array {
  const out = new Uint8Array(lo.length + hi.length);
  out.set(lo);
  out.set(hi, lo.length);
  return out;
}

/** How a set stores its elements. */
export interface ElementShape {
  /** Key field types. */
  key: readonly NftType[];
  /** Map data: verdicts, value types, or the names of stateful objects (a map of counters). */
  data?: { verdict: true } | { types: readonly NftType[]; interval?: boolean } | { objref: true };
  /** Interval set. */
  interval: boolean;
  /** The expressions of an element's statements (its {@link SET_STMT_KEYS}); without it they are refused. */
  stmts?: (elem: { [k: string]: Json }) => NftExpr[];
}

/** The statements a set and its elements may hold, by their nft JSON keys. */
export const SET_STMT_KEYS: readonly string[] = ["counter", "limit", "quota", "ct count"];

/**
 * The keys of a plain IPv4 set's `elem` list packed 4 bytes each, when
 * every element is a bare `a.b.c.d` (a block list): its elements are then
 * written with no object per element. Else undefined ({@link elementsOf}).
 */
export function packedIp4Keys(shape: ElementShape, elems: readonly Json[]): Uint8Array | undefined {
  if (shape.data || shape.interval || shape.key.length !== 1 || shape.key[0].kind !== "ip4") return undefined;
  const keys = new Uint8Array(elems.length * 4);
  const key = new Uint8Array(4);
  for (let i = 0; i < elems.length; i++) {
    const raw = elems[i];
    if (typeof raw !== "string" || !dottedQuad(raw, key)) return undefined;
    keys[i * 4] = key[0];
    keys[i * 4 + 1] = key[1];
    keys[i * 4 + 2] = key[2];
    keys[i * 4 + 3] = key[3];
  }
  return keys;
}

/** The kernel's elements for nft's JSON `elem` list. */
export function elementsOf(shape: ElementShape, elems: readonly Json[]): NftElement[] {
  const out: NftElement[] = [];
  // Plain IPv4 keys (block lists of 100,000 addresses) go into one shared buffer, not a buffer each.
  const ip4 = !shape.data && shape.key.length === 1 && shape.key[0].kind === "ip4";
  const pool = ip4 ? new Uint8Array(elems.length * 4) : undefined;
  for (let i = 0; i < elems.length; i++) {
    const raw = elems[i];
    if (pool && typeof raw === "string") {
      const k = pool.subarray(i * 4, i * 4 + 4);
      if (dottedQuad(raw, k)) {
        const end = shape.interval ? plusOne(k) : undefined;
        out.push(shape.interval && !end ? openRange({ key: { value: k } }) : { key: { value: k } });
        if (end) out.push({ key: { value: end }, flags: ["interval-end"] });
        continue;
      }
    }
    let key: Json = raw;
    let data: Json | undefined;
    if (shape.data) {
      if (!Array.isArray(raw) || raw.length !== 2) {
        throw new InvalidArgumentError(`Cannot use ${JSON.stringify(raw)} as a map element: expected [key, data]`);
      }
      [key, data] = raw;
    }
    const e: NftElement = {};
    if (isObj(key) && "elem" in key) {
      const w = key.elem as Obj;
      for (const k of Object.keys(w)) {
        if (!["val", "timeout", "expires", "comment"].includes(k) && !(shape.stmts && SET_STMT_KEYS.includes(k))) {
          const stmts = shape.stmts ? `, ${SET_STMT_KEYS.join(", ")}` : "";
          throw new InvalidArgumentError(
            `Cannot use element key "${k}": expected val, timeout, expires, comment${stmts}`,
          );
        }
      }
      const exprs = shape.stmts?.(w) ?? [];
      if (exprs.length === 1) e.expr = exprs[0];
      else if (exprs.length) e.expressions = exprs;
      key = w.val;
      if (typeof w.timeout === "number") e.timeout = msOf(w.timeout);
      if (typeof w.expires === "number") e.expiration = msOf(w.expires);
      if (typeof w.comment === "string") e.userdata = buildUdata([[UDATA_COMMENT, w.comment]]);
    }
    if (data !== undefined && shape.data) {
      if ("verdict" in shape.data) {
        const v = isObj(data) ? verdictOf(data) : undefined;
        if (!v) throw new InvalidArgumentError(`Cannot use ${JSON.stringify(data)} as a verdict`);
        e.data = { verdict: v };
      } else if ("objref" in shape.data) {
        if (typeof data !== "string") {
          throw new InvalidArgumentError(`Cannot use ${JSON.stringify(data)} as an object name: expected a string`);
        }
        e.objref = data;
      } else {
        // Data of ranges (a NAT map to `192.168.2.2-192.168.2.4`) holds the start, then the end.
        const [lo, hi] = keyRange(shape.data.types, data);
        e.data = { value: shape.data.interval ? concatRange(lo, hi) : lo };
      }
    }
    if (key === "*") {
      // The catch-all element: no key, matched when no other is.
      out.push({ ...e, flags: ["catchall"] });
      continue;
    }
    const [lo, hi] = keyRange(shape.key, key);
    if (!shape.interval) {
      if (lo !== hi && !sameBytes(lo, hi)) {
        throw new InvalidArgumentError(`Cannot add ${JSON.stringify(key)} to a set without the interval flag`);
      }
      out.push({ key: { value: lo }, ...e });
    } else if (shape.key.length > 1) {
      out.push({ key: { value: lo }, keyEnd: { value: hi }, ...e });
    } else {
      const end = plusOne(hi);
      out.push(end ? { key: { value: lo }, ...e } : openRange({ key: { value: lo }, ...e }));
      if (end) out.push({ key: { value: end }, flags: ["interval-end"] });
    }
  }
  return out;
}

/**
 * nft's first segment: an interval end at key 0 ahead of an interval set's
 * lowest range, added when nft believes the set empty (anonymous, declared
 * with these elements, or holding none yet); none when that range starts
 * at 0. The kernel's tree then holds what nft's would.
 */
export function withFirstSegment(elements: NftElement[]): NftElement[] {
  let low: Uint8Array | undefined;
  for (const e of elements) {
    const k = e.key?.value;
    if (!k || e.flags?.includes("interval-end") || e.flags?.includes("catchall")) continue;
    if (!low || compareBytes(k, low) < 0) low = k;
  }
  if (!low || low.every((b) => b === 0)) return elements;
  return [{ key: { value: new Uint8Array(low.length) }, flags: ["interval-end"] }, ...elements];
}

/**
 * A range to the top of the key space has no end element: nft flags its
 * start as open in the element's user data, which nft's monitor reads to
 * print the range at once.
 */
function openRange(e: NftElement): NftElement {
  return { ...e, userdata: withElemFlags(e.userdata, SET_ELEM_F_INTERVAL_OPEN) };
}
