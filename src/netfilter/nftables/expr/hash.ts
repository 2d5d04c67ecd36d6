/**
 * The `hash` expression: hashes a register (jhash) or the flow (symhash).
 *
 * @module
 */

/** `NFTA_HASH_*`. */
export const NFTA_HASH_TABLE = {
  sreg: { type: 1, kind: "u32be" }, // NFTA_HASH_SREG
  dreg: { type: 2, kind: "u32be" }, // NFTA_HASH_DREG
  len: { type: 3, kind: "u32be" }, // NFTA_HASH_LEN
  modulus: { type: 4, kind: "u32be" }, // NFTA_HASH_MODULUS
  seed: { type: 5, kind: "u32be" }, // NFTA_HASH_SEED
  offset: { type: 6, kind: "u32be" }, // NFTA_HASH_OFFSET
  type: { type: 7, kind: "u32be", names: { 0: "jhash", 1: "symhash" } }, // NFTA_HASH_TYPE
} as const;
