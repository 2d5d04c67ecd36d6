/**
 * The `range` expression: tests that a register lies in (or out of) a range.
 *
 * @module
 */

import { NFTA_DATA_TABLE } from "../data.ts";

/** `NFTA_RANGE_*`. */
export const NFTA_RANGE_TABLE = {
  sreg: { type: 1, kind: "u32be" }, // NFTA_RANGE_SREG
  op: { type: 2, kind: "u32be", names: { 0: "eq", 1: "neq" } }, // NFTA_RANGE_OP
  fromData: { type: 3, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_RANGE_FROM_DATA
  toData: { type: 4, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_RANGE_TO_DATA
} as const;
