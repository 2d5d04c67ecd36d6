/**
 * What an nft script declares of a set that nft 1.0.6's JSON cannot say
 * (`typeof`, `auto-merge`, `: interval` data), carried on the set's JSON
 * object under a symbol: invisible to JSON, to key checks and to output.
 *
 * @module
 */

/** The key of a set object's {@link SetDeclExtra}. */
export const SET_DECL_EXTRA: unique symbol = Symbol("nlkit set declaration");

/** A script's set declaration beyond nft's JSON. */
export interface SetDeclExtra {
  /** nft's user data of the key's `typeof` expression. */
  keyTypeof?: Uint8Array;
  /** The same of a map's data. */
  dataTypeof?: Uint8Array;
  /** `: interval TYPE`: a map's values are ranges. */
  dataInterval?: boolean;
  /** `auto-merge`: adjacent and overlapping elements are merged before they are sent. */
  autoMerge?: boolean;
}

/** The extra declaration of a set's JSON object, if a script gave one. */
export function setDeclExtra(o: object): SetDeclExtra | undefined {
  return (o as { [SET_DECL_EXTRA]?: SetDeclExtra })[SET_DECL_EXTRA];
}

/** Attaches `extra` to a set's JSON object. */
export function withSetDeclExtra<T extends object>(o: T, extra: SetDeclExtra): T {
  (o as { [SET_DECL_EXTRA]?: SetDeclExtra })[SET_DECL_EXTRA] = extra;
  return o;
}
