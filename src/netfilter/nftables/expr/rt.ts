/**
 * The `rt` expression: loads routing data of the packet (realm, next hop, path MTU, IPsec).
 *
 * @module
 */

/** `NFT_RT_*`. */
export const NFT_RT_KEYS = { 0: "classid", 1: "nexthop4", 2: "nexthop6", 3: "tcpmss", 4: "xfrm" } as const;

/** `NFTA_RT_*`. */
export const NFTA_RT_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_RT_DREG
  key: { type: 2, kind: "u32be", names: NFT_RT_KEYS }, // NFTA_RT_KEY
} as const;
