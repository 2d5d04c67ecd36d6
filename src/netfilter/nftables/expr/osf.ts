/**
 * The `osf` expression: loads the operating system a SYN's fingerprint names.
 *
 * @module
 */

/** `NFTA_OSF_*`. */
export const NFTA_OSF_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_OSF_DREG
  ttl: { type: 2, kind: "u8", names: { 1: "loose", 2: "skip" } }, // NFTA_OSF_TTL
  flags: { type: 3, kind: "u32be", bits: { 1: "version" } }, // NFTA_OSF_FLAGS
} as const;
