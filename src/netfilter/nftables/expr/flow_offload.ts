/**
 * The `flow_offload` expression: moves a connection into a flowtable's fast path (`flow add @ft`).
 *
 * @module
 */

/** `NFTA_FLOW_*`. */
export const NFTA_FLOW_TABLE = {
  tableName: { type: 1, kind: "string" }, // NFTA_FLOW_TABLE_NAME
} as const;
