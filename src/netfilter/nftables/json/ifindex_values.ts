/**
 * Interfaces named in nft's JSON values (`meta iif "eth0"`, sets of
 * `iface_index`) as the indexes the kernel compares.
 *
 * @module
 */

import { linkNotFound } from "../../../errors.ts";
import { type ElementShape, isObj } from "./values.ts";
import type { Json, NftType } from "./types.ts";

/** An interface given by name as its index in `ifindexes` (numbers and expressions pass). */
export function ifindexOf(v: Json, ifindexes: ReadonlyMap<string, number> | undefined): Json {
  if (typeof v !== "string" || /^\d+$/.test(v)) return v;
  const index = ifindexes?.get(v);
  if (index === undefined) throw linkNotFound(v);
  return index;
}

/** True when a set of `key` (and `data`) holds interfaces, which nft's JSON names. */
export function holdsIfaces(key: readonly NftType[], data: ElementShape["data"]): boolean {
  const isIf = (t: NftType) => t.name === "iface_index";
  return key.some(isIf) || (!!data && "types" in data && data.types.some(isIf));
}

/**
 * Elements with interfaces named in their `iface_index` key fields
 * (`meta iif . meta oif`), or map data (`dup to meta mark map { 1 : "lo" }`),
 * given as their indexes in `ifindexes`.
 */
export function ifindexElems(
  key: readonly NftType[],
  elems: Json[],
  data: ElementShape["data"],
  ifindexes: ReadonlyMap<string, number> | undefined,
): Json[] {
  if (!holdsIfaces(key, data)) return elems;
  const fixer = (types: readonly NftType[]) => {
    if (!types.some((t) => t.name === "iface_index")) return (k: Json) => k;
    const fix = (k: Json): Json => {
      if (isObj(k) && isObj(k.elem)) return { elem: { ...k.elem, val: fix(k.elem.val) } };
      if (isObj(k) && Array.isArray(k.concat)) {
        return { concat: k.concat.map((x, i) => (types[i]?.name === "iface_index" ? ifindexOf(x, ifindexes) : x)) };
      }
      return types.length === 1 ? ifindexOf(k, ifindexes) : k;
    };
    return fix;
  };
  const [fixKey, fixData] = [fixer(key), fixer(data && "types" in data ? data.types : [])];
  return elems.map((e) => (data && Array.isArray(e) ? [fixKey(e[0]), fixData(e[1])] : fixKey(e)));
}
