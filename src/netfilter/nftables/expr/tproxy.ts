/**
 * The `tproxy` expression: diverts a packet to a local socket without changing its header.
 *
 * @module
 */

/** `NFTA_TPROXY_*`. */
export const NFTA_TPROXY_TABLE = {
  family: { type: 1, kind: "u32be" }, // NFTA_TPROXY_FAMILY (NFPROTO_*; 0: unspecified)
  regAddr: { type: 2, kind: "u32be" }, // NFTA_TPROXY_REG_ADDR
  regPort: { type: 3, kind: "u32be" }, // NFTA_TPROXY_REG_PORT
} as const;
