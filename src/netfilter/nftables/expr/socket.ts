/**
 * The `socket` expression: loads data of the local socket a packet belongs to.
 *
 * @module
 */

/** `NFT_SOCKET_*` keys. */
export const NFT_SOCKET_KEYS = { 0: "transparent", 1: "mark", 2: "wildcard", 3: "cgroupv2" } as const;

/** `NFTA_SOCKET_*`. */
export const NFTA_SOCKET_TABLE = {
  key: { type: 1, kind: "u32be", names: NFT_SOCKET_KEYS }, // NFTA_SOCKET_KEY
  dreg: { type: 2, kind: "u32be" }, // NFTA_SOCKET_DREG
  level: { type: 3, kind: "u32be" }, // NFTA_SOCKET_LEVEL
} as const;
