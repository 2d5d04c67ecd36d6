/**
 * The `limit` expression: rate-limits by packets or bytes.
 *
 * @module
 */

/** `NFT_LIMIT_*` types. */
export const NFT_LIMIT_TYPES = { 0: "pkts", 1: "bytes" } as const;

/** `NFTA_LIMIT_*` (the expression and the limit object). */
export const NFTA_LIMIT_TABLE = {
  rate: { type: 1, kind: "u64be" }, // NFTA_LIMIT_RATE
  unit: { type: 2, kind: "u64be" }, // NFTA_LIMIT_UNIT (seconds)
  burst: { type: 3, kind: "u32be" }, // NFTA_LIMIT_BURST
  type: { type: 4, kind: "u32be", names: NFT_LIMIT_TYPES }, // NFTA_LIMIT_TYPE
  flags: { type: 5, kind: "u32be", bits: { 1: "inv" } }, // NFTA_LIMIT_FLAGS
} as const;
