/**
 * The `immediate` expression: loads a constant or a verdict into a register.
 *
 * @module
 */

import { NFTA_DATA_TABLE } from "../data.ts";

/** `NFTA_IMMEDIATE_*`. */
export const NFTA_IMMEDIATE_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_IMMEDIATE_DREG
  data: { type: 2, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_IMMEDIATE_DATA
} as const;
