/**
 * The `masq` expression: masquerades to the outgoing interface's address.
 *
 * @module
 */

import { NFT_NAT_FLAGS } from "./names.ts";

/** `NFTA_MASQ_*`. */
export const NFTA_MASQ_TABLE = {
  flags: { type: 1, kind: "u32be", bits: NFT_NAT_FLAGS }, // NFTA_MASQ_FLAGS
  regProtoMin: { type: 2, kind: "u32be" }, // NFTA_MASQ_REG_PROTO_MIN
  regProtoMax: { type: 3, kind: "u32be" }, // NFTA_MASQ_REG_PROTO_MAX
} as const;
