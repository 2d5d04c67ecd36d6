/**
 * nf_tables tables (`NFTA_TABLE_*`).
 *
 * @module
 */

import type { MessageBuilder } from "../../wire/builder.ts";
import type { NlMsg } from "../../wire/message.ts";
import { parseNftMessage } from "./data.ts";
import { BYTES } from "./codecs.ts";
import type { NftTable } from "./_generated/types.ts";

export type { NftTable } from "./_generated/types.ts";

/** `NFT_TABLE_F_*` flag bits. */
export const NFT_TABLE_FLAGS = { 1: "dormant", 2: "owner" } as const;

/** `NFTA_TABLE_*`. */
export const NFTA_TABLE_TABLE = {
  name: { type: 1, kind: "string" }, // NFTA_TABLE_NAME
  flags: { type: 2, kind: "u32be", bits: NFT_TABLE_FLAGS }, // NFTA_TABLE_FLAGS
  use: { type: 3, kind: "u32be" }, // NFTA_TABLE_USE (reply only)
  handle: { type: 4, kind: "u64be" }, // NFTA_TABLE_HANDLE
  userdata: { type: 6, kind: "codec", codec: BYTES }, // NFTA_TABLE_USERDATA
  owner: { type: 7, kind: "u32be" }, // NFTA_TABLE_OWNER (reply only)
} as const;

/** Parses an `NFT_MSG_NEWTABLE` message. */
export function parseTableMessage(m: NlMsg): NftTable {
  return parseNftMessage(NFTA_TABLE_TABLE, m);
}

/** Appends the attributes that name a table (by name, or by handle when given). */
export function tableKey(b: MessageBuilder, t: { name?: string; handle?: number }): MessageBuilder {
  return t.handle !== undefined
    ? b.attrs(NFTA_TABLE_TABLE, { handle: t.handle })
    : b.attrs(NFTA_TABLE_TABLE, { name: t.name });
}
