/**
 * nf_tables chains (`NFTA_CHAIN_*`): base chains with a hook, and regular
 * chains.
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import { BYTES, S32BE } from "./codecs.ts";
import { NFT_VERDICTS } from "./consts.ts";
import { parseNftMessage } from "./data.ts";
import { NFTA_COUNTER_TABLE } from "./expr/counter.ts";
import type { NftChain } from "./_generated/types.ts";

export type { NftChain } from "./_generated/types.ts";
export { NFTA_COUNTER_TABLE };

/** `NFTA_HOOK_DEVS`: device names, each an `NFTA_DEVICE_NAME`. */
export const NFTA_HOOK_DEVS_TABLE = {
  name: { type: 1, kind: "string", repeat: true }, // NFTA_DEVICE_NAME
} as const;

/** `NFTA_HOOK_*`. */
export const NFTA_HOOK_TABLE = {
  hooknum: { type: 1, kind: "u32be" }, // NFTA_HOOK_HOOKNUM
  priority: { type: 2, kind: "codec", codec: S32BE }, // NFTA_HOOK_PRIORITY
  dev: { type: 3, kind: "string" }, // NFTA_HOOK_DEV
  devs: { type: 4, kind: "nested", table: NFTA_HOOK_DEVS_TABLE }, // NFTA_HOOK_DEVS
} as const;

/** `NFT_CHAIN_*` flag bits. */
export const NFT_CHAIN_FLAGS = { 1: "base", 2: "hw-offload", 4: "binding" } as const;

/** `NFTA_CHAIN_*`. */
export const NFTA_CHAIN_TABLE = {
  table: { type: 1, kind: "string" }, // NFTA_CHAIN_TABLE
  handle: { type: 2, kind: "u64be" }, // NFTA_CHAIN_HANDLE
  name: { type: 3, kind: "string" }, // NFTA_CHAIN_NAME
  hook: { type: 4, kind: "nested", table: NFTA_HOOK_TABLE }, // NFTA_CHAIN_HOOK
  policy: { type: 5, kind: "u32be", names: NFT_VERDICTS }, // NFTA_CHAIN_POLICY
  use: { type: 6, kind: "u32be" }, // NFTA_CHAIN_USE (reply only)
  type: { type: 7, kind: "string" }, // NFTA_CHAIN_TYPE
  counters: { type: 8, kind: "nested", table: NFTA_COUNTER_TABLE }, // NFTA_CHAIN_COUNTERS
  flags: { type: 10, kind: "u32be", bits: NFT_CHAIN_FLAGS }, // NFTA_CHAIN_FLAGS
  id: { type: 11, kind: "u32be" }, // NFTA_CHAIN_ID (request only)
  userdata: { type: 12, kind: "codec", codec: BYTES }, // NFTA_CHAIN_USERDATA
} as const;

/** Parses an `NFT_MSG_NEWCHAIN` message. */
export function parseChainMessage(m: NlMsg): NftChain {
  return parseNftMessage(NFTA_CHAIN_TABLE, m);
}
