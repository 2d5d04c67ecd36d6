/**
 * The `redir` expression: redirects to the local machine.
 *
 * @module
 */

import { NFT_NAT_FLAGS } from "./names.ts";

/** `NFTA_REDIR_*`. */
export const NFTA_REDIR_TABLE = {
  regProtoMin: { type: 1, kind: "u32be" }, // NFTA_REDIR_REG_PROTO_MIN
  regProtoMax: { type: 2, kind: "u32be" }, // NFTA_REDIR_REG_PROTO_MAX
  flags: { type: 3, kind: "u32be", bits: NFT_NAT_FLAGS }, // NFTA_REDIR_FLAGS
} as const;
