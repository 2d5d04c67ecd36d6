/**
 * The `quota` expression: matches until a byte quota is used up.
 *
 * @module
 */

/** `NFTA_QUOTA_*` (the expression and the quota object). */
export const NFTA_QUOTA_TABLE = {
  bytes: { type: 1, kind: "u64be" }, // NFTA_QUOTA_BYTES
  flags: { type: 2, kind: "u32be", bits: { 1: "inv", 2: "depleted" } }, // NFTA_QUOTA_FLAGS
  consumed: { type: 4, kind: "u64be" }, // NFTA_QUOTA_CONSUMED
} as const;
