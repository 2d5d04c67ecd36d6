/**
 * What an nft script declares that nft 1.0.6's JSON cannot say (a set's
 * `typeof`, `auto-merge` and `: interval` data, a flowtable's flags),
 * carried on the object's JSON under a symbol: invisible to JSON, to key
 * checks and to output.
 *
 * @module
 */

/** The key of an object's {@link DeclExtra}. */
export const DECL_EXTRA: unique symbol = Symbol("nlkit declaration");

/** A script's declaration beyond nft's JSON. */
export interface DeclExtra {
  /** nft's user data of a set key's `typeof` expression. */
  keyTypeof?: Uint8Array;
  /** The same of a map's data. */
  dataTypeof?: Uint8Array;
  /** `: interval TYPE`: a map's values are ranges. */
  dataInterval?: boolean;
  /** `auto-merge`: a set's adjacent and overlapping elements are merged before they are sent. */
  autoMerge?: boolean;
  /** A flowtable's `flags offload` and `counter`. */
  flowtableFlags?: string[];
}

/** The extra declaration of an object's JSON, if a script gave one. */
export function declExtra(o: object): DeclExtra | undefined {
  return (o as { [DECL_EXTRA]?: DeclExtra })[DECL_EXTRA];
}

/** Attaches `extra` to an object's JSON. */
export function withDeclExtra<T extends object>(o: T, extra: DeclExtra): T {
  (o as { [DECL_EXTRA]?: DeclExtra })[DECL_EXTRA] = extra;
  return o;
}
