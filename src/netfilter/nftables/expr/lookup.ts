/**
 * The `lookup` expression: looks a register up in a set or map.
 *
 * @module
 */

/** `NFTA_LOOKUP_*`. */
export const NFTA_LOOKUP_TABLE = {
  set: { type: 1, kind: "string" }, // NFTA_LOOKUP_SET
  sreg: { type: 2, kind: "u32be" }, // NFTA_LOOKUP_SREG
  dreg: { type: 3, kind: "u32be" }, // NFTA_LOOKUP_DREG
  setId: { type: 4, kind: "u32be" }, // NFTA_LOOKUP_SET_ID
  flags: { type: 5, kind: "u32be", bits: { 1: "inv" } }, // NFTA_LOOKUP_FLAGS
} as const;
