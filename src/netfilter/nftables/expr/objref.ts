/**
 * The `objref` expression: refers to a named stateful object.
 *
 * @module
 */

import { NFT_OBJECT_TYPES } from "./names.ts";

/** `NFTA_OBJREF_*`. */
export const NFTA_OBJREF_TABLE = {
  immType: { type: 1, kind: "u32be", names: NFT_OBJECT_TYPES }, // NFTA_OBJREF_IMM_TYPE
  immName: { type: 2, kind: "string" }, // NFTA_OBJREF_IMM_NAME
  setSreg: { type: 3, kind: "u32be" }, // NFTA_OBJREF_SET_SREG
  setName: { type: 4, kind: "string" }, // NFTA_OBJREF_SET_NAME
  setId: { type: 5, kind: "u32be" }, // NFTA_OBJREF_SET_ID
} as const;
