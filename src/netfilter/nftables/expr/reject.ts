/**
 * The `reject` expression: rejects the packet with an ICMP error or a TCP reset.
 *
 * @module
 */

/** `NFT_REJECT_*` types. */
export const NFT_REJECT_TYPES = { 0: "icmp", 1: "tcp reset", 2: "icmpx" } as const;

/** `NFTA_REJECT_*`. */
export const NFTA_REJECT_TABLE = {
  type: { type: 1, kind: "u32be", names: NFT_REJECT_TYPES }, // NFTA_REJECT_TYPE
  icmpCode: { type: 2, kind: "u8" }, // NFTA_REJECT_ICMP_CODE
} as const;
