/**
 * nft's user data (`NFTA_*_USERDATA`): TLVs of one-byte type and length.
 * nft keeps comments there, and a set's key byte order.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";

/** `NFTNL_UDATA_*_COMMENT` (0 for tables, chains, rules, elements; 7 for sets). */
export const UDATA_COMMENT = 0;
/** `NFTNL_UDATA_SET_COMMENT`. */
export const UDATA_SET_COMMENT = 7;
/** `NFTNL_UDATA_SET_MERGE_ELEMENTS`: the set was declared `auto-merge` (u32, 1). */
export const UDATA_MERGE_ELEMENTS = 2;
/** `NFTNL_UDATA_SET_KEY_TYPEOF`: the expression a set's key was declared by (`typeof ip saddr`). */
export const UDATA_KEY_TYPEOF = 3;
/** `NFTNL_UDATA_SET_DATA_TYPEOF`: the same for a map's data. */
export const UDATA_DATA_TYPEOF = 4;
/** `NFTNL_UDATA_SET_DATA_INTERVAL`: a map's values are ranges (u32, 0 or 1). */
export const UDATA_DATA_INTERVAL = 6;

/** `NFTNL_UDATA_SET_ELEM_FLAGS`: an element's nft flags (u32). */
export const UDATA_SET_ELEM_FLAGS = 1;
/** `NFTNL_SET_ELEM_F_INTERVAL_OPEN`: a range running to the top of the key space, which has no end element. */
export const SET_ELEM_F_INTERVAL_OPEN = 1;

/** Splits user data into its TLVs; a TLV running past the end ends the walk. */
export function parseUdata(b: Uint8Array | undefined): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  if (!b) return out;
  for (let off = 0; off + 2 <= b.length;) {
    const len = b[off + 1];
    if (off + 2 + len > b.length) break;
    out.set(b[off], b.subarray(off + 2, off + 2 + len));
    off += 2 + len;
  }
  return out;
}

/** The comment TLV `type` of user data, if any. */
export function udataComment(b: Uint8Array | undefined, type = UDATA_COMMENT): string | undefined {
  const v = parseUdata(b).get(type);
  if (!v) return undefined;
  const z = v.indexOf(0);
  return new TextDecoder().decode(z < 0 ? v : v.subarray(0, z));
}

/** Encodes TLVs (values as given; strings NUL-terminated). */
export function buildUdata(tlvs: readonly [type: number, value: Uint8Array | string][]): Uint8Array {
  const parts: number[] = [];
  for (const [type, value] of tlvs) {
    const v = typeof value === "string" ? new TextEncoder().encode(value + "\0") : value;
    if (v.length > 255) {
      throw new InvalidArgumentError(`Cannot store ${v.length} bytes of user data in one TLV: at most 255`);
    }
    parts.push(type, v.length, ...v);
  }
  return new Uint8Array(parts);
}

/** An element's nft flags (`NFTNL_UDATA_SET_ELEM_FLAGS`, a host-order u32) from its user data; 0 when none. */
export function elemFlags(b: Uint8Array | undefined): number {
  const f = parseUdata(b).get(UDATA_SET_ELEM_FLAGS);
  return f && f.length >= 4 ? new DataView(f.buffer, f.byteOffset, 4).getUint32(0, true) : 0;
}

/** User data with an element's nft flags after its existing TLVs (a comment), as nft writes them. */
export function withElemFlags(b: Uint8Array | undefined, flags: number): Uint8Array {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, flags, true);
  return buildUdata([...parseUdata(b)].filter(([t]) => t !== UDATA_SET_ELEM_FLAGS).concat([[UDATA_SET_ELEM_FLAGS, v]]));
}
