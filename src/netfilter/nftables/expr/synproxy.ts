/**
 * The `synproxy` expression (and object): answers SYNs itself until the client completes the handshake.
 *
 * @module
 */

/** `NF_SYNPROXY_OPT_*` flag bits. */
export const NF_SYNPROXY_OPTS = { 1: "mss", 2: "wscale", 4: "sack-perm", 8: "timestamp", 16: "ecn" } as const;

/** `NFTA_SYNPROXY_*`. */
export const NFTA_SYNPROXY_TABLE = {
  mss: { type: 1, kind: "u16be" }, // NFTA_SYNPROXY_MSS
  wscale: { type: 2, kind: "u8" }, // NFTA_SYNPROXY_WSCALE
  flags: { type: 3, kind: "u32be", bits: NF_SYNPROXY_OPTS }, // NFTA_SYNPROXY_FLAGS
} as const;
