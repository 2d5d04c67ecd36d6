/**
 * The `ct` expression: loads conntrack state into a register, or sets it from one.
 *
 * @module
 */

import { NFT_CT_KEYS } from "./names.ts";

/** `NFTA_CT_*`. */
export const NFTA_CT_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_CT_DREG
  key: { type: 2, kind: "u32be", names: NFT_CT_KEYS }, // NFTA_CT_KEY
  direction: { type: 3, kind: "u8", names: { 0: "original", 1: "reply" } }, // NFTA_CT_DIRECTION
  sreg: { type: 4, kind: "u32be" }, // NFTA_CT_SREG
} as const;
