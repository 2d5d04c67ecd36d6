/**
 * The `connlimit` expression: matches while a flow count is under (or over) a limit (`ct count`).
 *
 * @module
 */

/** `NFTA_CONNLIMIT_*`. */
export const NFTA_CONNLIMIT_TABLE = {
  count: { type: 1, kind: "u32be" }, // NFTA_CONNLIMIT_COUNT
  flags: { type: 2, kind: "u32be", bits: { 1: "inv" } }, // NFTA_CONNLIMIT_FLAGS
} as const;
