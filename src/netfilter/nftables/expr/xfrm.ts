/**
 * The `xfrm` expression: loads IPsec state of the packet (`ipsec in reqid 1`).
 *
 * @module
 */

/** `NFT_XFRM_KEY_*`. */
export const NFT_XFRM_KEYS = {
  1: "daddr_ip4",
  2: "daddr_ip6",
  3: "saddr_ip4",
  4: "saddr_ip6",
  5: "reqid",
  6: "spi",
} as const;

/** `NFTA_XFRM_*`. */
export const NFTA_XFRM_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_XFRM_DREG
  key: { type: 2, kind: "u32be", names: NFT_XFRM_KEYS }, // NFTA_XFRM_KEY
  dir: { type: 3, kind: "u8", names: { 0: "in", 1: "out" } }, // NFTA_XFRM_DIR
  spnum: { type: 4, kind: "u32be" }, // NFTA_XFRM_SPNUM
} as const;
