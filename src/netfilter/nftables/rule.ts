/**
 * nf_tables rules (`NFTA_RULE_*`): a chain's list of expressions, with a
 * handle, a position and user data (nft keeps the comment there).
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import { parseNftMessage } from "./data.ts";
import { EXPR_LIST } from "./expr/list.ts";
import { BYTES } from "./codecs.ts";
import type { NftRule } from "./_generated/types.ts";

export type { NftRule } from "./_generated/types.ts";

/** `NFTA_RULE_*`. */
export const NFTA_RULE_TABLE = {
  table: { type: 1, kind: "string" }, // NFTA_RULE_TABLE
  chain: { type: 2, kind: "string" }, // NFTA_RULE_CHAIN
  handle: { type: 3, kind: "u64be" }, // NFTA_RULE_HANDLE
  expressions: { type: 4, kind: "codec", codec: EXPR_LIST }, // NFTA_RULE_EXPRESSIONS
  position: { type: 6, kind: "u64be" }, // NFTA_RULE_POSITION
  userdata: { type: 7, kind: "codec", codec: BYTES }, // NFTA_RULE_USERDATA
  id: { type: 9, kind: "u32be" }, // NFTA_RULE_ID (request only)
  positionId: { type: 10, kind: "u32be" }, // NFTA_RULE_POSITION_ID (request only)
  chainId: { type: 11, kind: "u32be" }, // NFTA_RULE_CHAIN_ID (request only)
} as const;

/** Parses an `NFT_MSG_NEWRULE` message. */
export function parseNftRuleMessage(m: NlMsg): NftRule {
  return parseNftMessage(NFTA_RULE_TABLE, m);
}
