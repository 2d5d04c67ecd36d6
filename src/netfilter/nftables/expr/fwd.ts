/**
 * The `fwd` expression: forwards a packet out of a device (netdev family), optionally to a next hop.
 *
 * @module
 */

/** `NFTA_FWD_*`. */
export const NFTA_FWD_TABLE = {
  sregDev: { type: 1, kind: "u32be" }, // NFTA_FWD_SREG_DEV
  sregAddr: { type: 2, kind: "u32be" }, // NFTA_FWD_SREG_ADDR
  nfproto: { type: 3, kind: "u32be" }, // NFTA_FWD_NFPROTO
} as const;
