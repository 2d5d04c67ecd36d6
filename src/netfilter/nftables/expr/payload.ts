/**
 * The `payload` expression: loads packet bytes into a register, or writes a register into the packet.
 *
 * @module
 */

import { NFT_PAYLOAD_BASES } from "./names.ts";

/** `NFTA_PAYLOAD_*`. */
export const NFTA_PAYLOAD_TABLE = {
  dreg: { type: 1, kind: "u32be" }, // NFTA_PAYLOAD_DREG
  base: { type: 2, kind: "u32be", names: NFT_PAYLOAD_BASES }, // NFTA_PAYLOAD_BASE
  offset: { type: 3, kind: "u32be" }, // NFTA_PAYLOAD_OFFSET
  len: { type: 4, kind: "u32be" }, // NFTA_PAYLOAD_LEN
  sreg: { type: 5, kind: "u32be" }, // NFTA_PAYLOAD_SREG
  csumType: { type: 6, kind: "u32be" }, // NFTA_PAYLOAD_CSUM_TYPE
  csumOffset: { type: 7, kind: "u32be" }, // NFTA_PAYLOAD_CSUM_OFFSET
  csumFlags: { type: 8, kind: "u32be" }, // NFTA_PAYLOAD_CSUM_FLAGS
} as const;
