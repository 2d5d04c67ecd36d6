/**
 * The `counter` expression: counts packets and bytes.
 *
 * @module
 */

/** `NFTA_COUNTER_*` (the counter expression, chain counters and counter objects). */
export const NFTA_COUNTER_TABLE = {
  bytes: { type: 1, kind: "u64be" }, // NFTA_COUNTER_BYTES
  packets: { type: 2, kind: "u64be" }, // NFTA_COUNTER_PACKETS
} as const;
