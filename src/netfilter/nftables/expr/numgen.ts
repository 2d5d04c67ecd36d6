/**
 * The `numgen` expression: generates an incrementing or random number.
 *
 * @module
 */

/** `NFTA_NG_*`. */
export const NFTA_NG_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_NG_DREG
  modulus: { type: 2, kind: "u32be" }, // NFTA_NG_MODULUS
  type: { type: 3, kind: "u32be", names: { 0: "inc", 1: "random" } }, // NFTA_NG_TYPE
  offset: { type: 4, kind: "u32be" }, // NFTA_NG_OFFSET
} as const;
