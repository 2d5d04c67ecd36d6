/**
 * Flowtables (`NFTA_FLOWTABLE_*`): the fast path for established flows.
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import { NFTA_HOOK_DEVS_TABLE } from "./chain.ts";
import { S32BE } from "./codecs.ts";
import { parseNftMessage } from "./data.ts";
import type { NftFlowtable } from "./_generated/types.ts";

export type { NftFlowtable } from "./_generated/types.ts";

/** `NFTA_FLOWTABLE_HOOK_*`. */
export const NFTA_FLOWTABLE_HOOK_TABLE = {
  num: { type: 1, kind: "u32be" }, // NFTA_FLOWTABLE_HOOK_NUM
  priority: { type: 2, kind: "codec", codec: S32BE }, // NFTA_FLOWTABLE_HOOK_PRIORITY
  devs: { type: 3, kind: "nested", table: NFTA_HOOK_DEVS_TABLE }, // NFTA_FLOWTABLE_HOOK_DEVS
} as const;

/** `NFTA_FLOWTABLE_*`. */
export const NFTA_FLOWTABLE_TABLE = {
  table: { type: 1, kind: "string" }, // NFTA_FLOWTABLE_TABLE
  name: { type: 2, kind: "string" }, // NFTA_FLOWTABLE_NAME
  hook: { type: 3, kind: "nested", table: NFTA_FLOWTABLE_HOOK_TABLE }, // NFTA_FLOWTABLE_HOOK
  use: { type: 4, kind: "u32be" }, // NFTA_FLOWTABLE_USE (reply only)
  handle: { type: 5, kind: "u64be" }, // NFTA_FLOWTABLE_HANDLE
  flags: { type: 7, kind: "u32be", bits: { 1: "offload", 2: "counter" } }, // NFTA_FLOWTABLE_FLAGS
} as const;

/** Parses an `NFT_MSG_NEWFLOWTABLE` message. */
export function parseFlowtableMessage(m: NlMsg): NftFlowtable {
  return parseNftMessage(NFTA_FLOWTABLE_TABLE, m);
}
