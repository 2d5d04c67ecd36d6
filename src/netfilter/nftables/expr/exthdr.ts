/**
 * The `exthdr` expression: loads (or tests for) an IPv6, TCP, IPv4 or SCTP extension header or option.
 *
 * @module
 */

/** `NFT_EXTHDR_OP_*`. */
export const NFT_EXTHDR_OPS = { 0: "ipv6", 1: "tcpopt", 2: "ipv4", 3: "sctp", 4: "dccp" } as const;

/** `NFTA_EXTHDR_*`. */
export const NFTA_EXTHDR_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_EXTHDR_DREG
  type: { type: 2, kind: "u8" }, // NFTA_EXTHDR_TYPE
  offset: { type: 3, kind: "u32be" }, // NFTA_EXTHDR_OFFSET
  len: { type: 4, kind: "u32be" }, // NFTA_EXTHDR_LEN
  flags: { type: 5, kind: "u32be", bits: { 1: "present" } }, // NFTA_EXTHDR_FLAGS
  op: { type: 6, kind: "u32be", names: NFT_EXTHDR_OPS }, // NFTA_EXTHDR_OP
  sreg: { type: 7, kind: "u32be" }, // NFTA_EXTHDR_SREG
} as const;
