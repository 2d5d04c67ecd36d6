/**
 * The `fib` expression: looks the packet up in the routing table.
 *
 * @module
 */

/** `NFT_FIB_RESULT_*`. */
export const NFT_FIB_RESULTS = { 1: "oif", 2: "oifname", 3: "type" } as const;

/** `NFTA_FIB_F_*` flag bits. */
export const NFT_FIB_FLAGS = { 1: "saddr", 2: "daddr", 4: "mark", 8: "iif", 16: "oif", 32: "present" } as const;

/** `NFTA_FIB_*`. */
export const NFTA_FIB_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_FIB_DREG
  result: { type: 2, kind: "u32be", names: NFT_FIB_RESULTS }, // NFTA_FIB_RESULT
  flags: { type: 3, kind: "u32be", bits: NFT_FIB_FLAGS }, // NFTA_FIB_FLAGS
} as const;
