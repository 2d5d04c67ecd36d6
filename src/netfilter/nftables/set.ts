/**
 * nf_tables sets and maps (`NFTA_SET_*`): key and data types, flags,
 * timeouts, and nft's user data.
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import type { Attrs, Codec } from "../../wire/table.ts";
import { BYTES, listOf } from "./codecs.ts";
import { parseNftMessage } from "./data.ts";
import { EXPR_LIST, EXPR_ONE } from "./expr/list.ts";
import type { NftSet } from "./_generated/types.ts";

export type { NftSet } from "./_generated/types.ts";

/** `NFT_SET_*` flag bits, by nft's names. */
export const NFT_SET_FLAGS = {
  0x1: "anonymous",
  0x2: "constant",
  0x4: "interval",
  0x8: "map",
  0x10: "timeout",
  0x20: "dynamic",
  0x40: "object",
  0x80: "concat",
  0x100: "expr",
} as const;

/** `NFTA_SET_FIELD_*`: one field of a concatenated key. */
export const NFTA_SET_FIELD_TABLE = {
  len: { type: 1, kind: "u32be" }, // NFTA_SET_FIELD_LEN
} as const;

/** `NFTA_SET_DESC_CONCAT`: the field lengths of a concatenated key. */
export const SET_FIELDS: Codec<Attrs<typeof NFTA_SET_FIELD_TABLE>[]> = listOf(NFTA_SET_FIELD_TABLE);

/** `NFTA_SET_DESC_*`. */
export const NFTA_SET_DESC_TABLE = {
  size: { type: 1, kind: "u32be" }, // NFTA_SET_DESC_SIZE
  concat: { type: 2, kind: "codec", codec: SET_FIELDS }, // NFTA_SET_DESC_CONCAT
} as const;

/** `NFTA_SET_*`. */
export const NFTA_SET_TABLE = {
  table: { type: 1, kind: "string" }, // NFTA_SET_TABLE
  name: { type: 2, kind: "string" }, // NFTA_SET_NAME
  flags: { type: 3, kind: "u32be", bits: NFT_SET_FLAGS }, // NFTA_SET_FLAGS
  keyType: { type: 4, kind: "u32be" }, // NFTA_SET_KEY_TYPE
  keyLen: { type: 5, kind: "u32be" }, // NFTA_SET_KEY_LEN
  dataType: { type: 6, kind: "u32be" }, // NFTA_SET_DATA_TYPE
  dataLen: { type: 7, kind: "u32be" }, // NFTA_SET_DATA_LEN
  policy: { type: 8, kind: "u32be", names: { 0: "performance", 1: "memory" } }, // NFTA_SET_POLICY
  desc: { type: 9, kind: "nested", table: NFTA_SET_DESC_TABLE }, // NFTA_SET_DESC
  id: { type: 10, kind: "u32be" }, // NFTA_SET_ID (request only)
  timeout: { type: 11, kind: "u64be" }, // NFTA_SET_TIMEOUT (ms)
  gcInterval: { type: 12, kind: "u32be" }, // NFTA_SET_GC_INTERVAL (ms)
  userdata: { type: 13, kind: "codec", codec: BYTES }, // NFTA_SET_USERDATA
  objType: { type: 15, kind: "u32be" }, // NFTA_SET_OBJ_TYPE
  handle: { type: 16, kind: "u64be" }, // NFTA_SET_HANDLE
  expr: { type: 17, kind: "codec", codec: EXPR_ONE }, // NFTA_SET_EXPR
  expressions: { type: 18, kind: "codec", codec: EXPR_LIST }, // NFTA_SET_EXPRESSIONS
} as const;

/** Parses an `NFT_MSG_NEWSET` message. */
export function parseSetMessage(m: NlMsg): NftSet {
  return parseNftMessage(NFTA_SET_TABLE, m);
}
