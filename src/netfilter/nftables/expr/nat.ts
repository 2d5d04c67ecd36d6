/**
 * The `nat` expression: source or destination NAT from address and port registers.
 *
 * @module
 */

import { NFT_NAT_FLAGS } from "./names.ts";

/** `NFTA_NAT_*`. */
export const NFTA_NAT_TABLE = {
  type: { type: 1, kind: "u32be", names: { 0: "snat", 1: "dnat" } }, // NFTA_NAT_TYPE
  family: { type: 2, kind: "u32be" }, // NFTA_NAT_FAMILY
  regAddrMin: { type: 3, kind: "u32be" }, // NFTA_NAT_REG_ADDR_MIN
  regAddrMax: { type: 4, kind: "u32be" }, // NFTA_NAT_REG_ADDR_MAX
  regProtoMin: { type: 5, kind: "u32be" }, // NFTA_NAT_REG_PROTO_MIN
  regProtoMax: { type: 6, kind: "u32be" }, // NFTA_NAT_REG_PROTO_MAX
  flags: { type: 7, kind: "u32be", bits: NFT_NAT_FLAGS }, // NFTA_NAT_FLAGS
} as const;
