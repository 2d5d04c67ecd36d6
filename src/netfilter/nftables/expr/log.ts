/**
 * The `log` expression: logs the packet (syslog or an NFLOG group).
 *
 * @module
 */

/** `NFTA_LOG_*`. */
export const NFTA_LOG_TABLE = {
  group: { type: 1, kind: "u16be" }, // NFTA_LOG_GROUP
  prefix: { type: 2, kind: "string" }, // NFTA_LOG_PREFIX
  snaplen: { type: 3, kind: "u32be" }, // NFTA_LOG_SNAPLEN
  qthreshold: { type: 4, kind: "u16be" }, // NFTA_LOG_QTHRESHOLD
  level: { type: 5, kind: "u32be" }, // NFTA_LOG_LEVEL
  flags: { type: 6, kind: "u32be" }, // NFTA_LOG_FLAGS
} as const;
