/**
 * The `byteorder` expression: converts a register between host and network byte order.
 *
 * @module
 */

/** `NFTA_BYTEORDER_*`. */
export const NFTA_BYTEORDER_TABLE = {
  sreg: { type: 1, kind: "u32be" }, // NFTA_BYTEORDER_SREG
  dreg: { type: 2, kind: "u32be" }, // NFTA_BYTEORDER_DREG
  op: { type: 3, kind: "u32be", names: { 0: "ntoh", 1: "hton" } }, // NFTA_BYTEORDER_OP
  len: { type: 4, kind: "u32be" }, // NFTA_BYTEORDER_LEN
  size: { type: 5, kind: "u32be" }, // NFTA_BYTEORDER_SIZE
} as const;
