/**
 * The `dup` expression: sends a copy of the packet to an address or out of a device.
 *
 * @module
 */

/** `NFTA_DUP_*`. */
export const NFTA_DUP_TABLE = {
  sregAddr: { type: 1, kind: "u32be" }, // NFTA_DUP_SREG_ADDR
  sregDev: { type: 2, kind: "u32be" }, // NFTA_DUP_SREG_DEV
} as const;
