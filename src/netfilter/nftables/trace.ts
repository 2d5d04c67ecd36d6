/**
 * Packet traces (`NFT_MSG_TRACE` on `NFNLGRP_NFTRACE`): what the kernel
 * reports of a packet marked `meta nftrace set 1` at each rule it matches,
 * each chain it returns from and each policy that decides it, with the
 * packet's headers the first time a hook sees it. `nft monitor trace`
 * prints them.
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import { NFTA_VERDICT_TABLE, parseNftMessage } from "./data.ts";
import type { NftTrace } from "./_generated/types.ts";

export type { NftTrace } from "./_generated/types.ts";

/** `NFT_TRACETYPE_*`: why the kernel reports. */
export const NFT_TRACETYPES = { 1: "policy", 2: "return", 3: "rule" } as const;

/** `NFTA_TRACE_*`. */
export const NFTA_TRACE_TABLE = {
  table: { type: 1, kind: "string" }, // NFTA_TRACE_TABLE
  chain: { type: 2, kind: "string" }, // NFTA_TRACE_CHAIN
  ruleHandle: { type: 3, kind: "u64be" }, // NFTA_TRACE_RULE_HANDLE
  type: { type: 4, kind: "u32be", names: NFT_TRACETYPES }, // NFTA_TRACE_TYPE
  verdict: { type: 5, kind: "nested", table: NFTA_VERDICT_TABLE }, // NFTA_TRACE_VERDICT
  id: { type: 6, kind: "u32be" }, // NFTA_TRACE_ID
  llHeader: { type: 7, kind: "bytes" }, // NFTA_TRACE_LL_HEADER
  networkHeader: { type: 8, kind: "bytes" }, // NFTA_TRACE_NETWORK_HEADER
  transportHeader: { type: 9, kind: "bytes" }, // NFTA_TRACE_TRANSPORT_HEADER
  iif: { type: 10, kind: "u32be" }, // NFTA_TRACE_IIF
  iiftype: { type: 11, kind: "u16be" }, // NFTA_TRACE_IIFTYPE
  oif: { type: 12, kind: "u32be" }, // NFTA_TRACE_OIF
  oiftype: { type: 13, kind: "u16be" }, // NFTA_TRACE_OIFTYPE
  mark: { type: 14, kind: "u32be" }, // NFTA_TRACE_MARK
  nfproto: { type: 15, kind: "u32be" }, // NFTA_TRACE_NFPROTO
  policy: { type: 16, kind: "u32be" }, // NFTA_TRACE_POLICY
  ctId: { type: 18, kind: "u32be" }, // NFTA_TRACE_CT_ID
  ctDirection: { type: 19, kind: "u8" }, // NFTA_TRACE_CT_DIRECTION
  ctStatus: { type: 20, kind: "u32be" }, // NFTA_TRACE_CT_STATUS
  ctState: { type: 21, kind: "u32be" }, // NFTA_TRACE_CT_STATE
} as const;

/** Parses an `NFT_MSG_TRACE` message. */
export function parseTraceMessage(m: NlMsg): NftTrace {
  return parseNftMessage(NFTA_TRACE_TABLE, m);
}
