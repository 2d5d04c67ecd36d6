/**
 * The `cmp` expression: compares a register with data.
 *
 * @module
 */

import { NFTA_DATA_TABLE } from "../data.ts";
import { NFT_CMP_OPS } from "./names.ts";

/** `NFTA_CMP_*`. */
export const NFTA_CMP_TABLE = {
  sreg: { type: 1, kind: "u32be" }, // NFTA_CMP_SREG
  op: { type: 2, kind: "u32be", names: NFT_CMP_OPS }, // NFTA_CMP_OP
  data: { type: 3, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_CMP_DATA
} as const;
