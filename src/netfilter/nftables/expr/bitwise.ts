/**
 * The `bitwise` expression: masks and xors (or shifts) a register.
 *
 * @module
 */

import { NFTA_DATA_TABLE } from "../data.ts";

/** `NFT_BITWISE_*` operations. */
export const NFT_BITWISE_OPS = { 0: "bool", 1: "lshift", 2: "rshift" } as const;

/** `NFTA_BITWISE_*`. */
export const NFTA_BITWISE_TABLE = {
  sreg: { type: 1, kind: "u32be" }, // NFTA_BITWISE_SREG
  dreg: { type: 2, kind: "u32be" }, // NFTA_BITWISE_DREG
  len: { type: 3, kind: "u32be" }, // NFTA_BITWISE_LEN
  mask: { type: 4, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_BITWISE_MASK
  xor: { type: 5, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_BITWISE_XOR
  op: { type: 6, kind: "u32be", names: NFT_BITWISE_OPS }, // NFTA_BITWISE_OP
  data: { type: 7, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_BITWISE_DATA
} as const;
