/**
 * The `meta` expression: loads packet metadata into a register, or sets it from one.
 *
 * @module
 */

import { NFT_META_KEYS } from "./names.ts";

/** `NFTA_META_*`. */
export const NFTA_META_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_META_DREG
  key: { type: 2, kind: "u32be", names: NFT_META_KEYS }, // NFTA_META_KEY
  sreg: { type: 3, kind: "u32be" }, // NFTA_META_SREG
} as const;
