/**
 * Stateful objects (`NFTA_OBJ_*`): named counters, quotas, limits,
 * conntrack helpers, expectations and timeouts, and synproxies. The data table is chosen by the object type; the
 * registry below is the one place an object type is declared.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import type { NlMsg } from "../../wire/message.ts";
import { type Attrs, type AttrTable, parseAttrs } from "../../wire/table.ts";
import { NFTA_COUNTER_TABLE } from "./expr/counter.ts";
import { parseNftMessage } from "./data.ts";
import { NFTA_LIMIT_TABLE } from "./expr/limit.ts";
import { NFT_OBJECT_TYPES } from "./expr/names.ts";
import { NFTA_QUOTA_TABLE } from "./expr/quota.ts";
import { NFTA_SYNPROXY_TABLE } from "./expr/synproxy.ts";
import { BYTES, TIMEOUTS } from "./codecs.ts";
import type { NftObjectBase, NftObjectData } from "./_generated/types.ts";

export type {
  NftCtExpectationData,
  NftCtHelperData,
  NftCtTimeoutData,
  NftLimitData,
  NftObjectBase,
  NftObjectCounter,
  NftObjectCtExpectation,
  NftObjectCtHelper,
  NftObjectCtTimeout,
  NftObjectData,
  NftObjectLimit,
  NftObjectQuota,
  NftObjectSynproxy,
  NftQuotaData,
  NftSynproxyData,
} from "./_generated/types.ts";

/** `NFTA_CT_HELPER_*`. */
export const NFTA_CT_HELPER_TABLE = {
  name: { type: 1, kind: "string" }, // NFTA_CT_HELPER_NAME
  l3proto: { type: 2, kind: "u16be" }, // NFTA_CT_HELPER_L3PROTO
  l4proto: { type: 3, kind: "u8" }, // NFTA_CT_HELPER_L4PROTO
} as const;

/** `NFTA_CT_EXPECT_*`. */
export const NFTA_CT_EXPECT_TABLE = {
  l3proto: { type: 1, kind: "u16be" }, // NFTA_CT_EXPECT_L3PROTO
  l4proto: { type: 2, kind: "u8" }, // NFTA_CT_EXPECT_L4PROTO
  dport: { type: 3, kind: "u16be" }, // NFTA_CT_EXPECT_DPORT
  timeout: { type: 4, kind: "u32" }, // NFTA_CT_EXPECT_TIMEOUT (ms, host order)
  size: { type: 5, kind: "u8" }, // NFTA_CT_EXPECT_SIZE
} as const;

/** `NFTA_CT_TIMEOUT_*`: a protocol's conntrack timeouts, by state. */
export const NFTA_CT_TIMEOUT_TABLE = {
  l3proto: { type: 1, kind: "u16be" }, // NFTA_CT_TIMEOUT_L3PROTO
  l4proto: { type: 2, kind: "u8" }, // NFTA_CT_TIMEOUT_L4PROTO
  timeouts: { type: 3, kind: "codec", codec: TIMEOUTS }, // NFTA_CT_TIMEOUT_DATA (CTA_TIMEOUT_<PROTO>_<STATE>)
} as const;

/** Object type name to the table of its `NFTA_OBJ_DATA`. */
export const NFT_OBJECT_DATA = {
  counter: NFTA_COUNTER_TABLE,
  quota: NFTA_QUOTA_TABLE,
  limit: NFTA_LIMIT_TABLE,
  "ct helper": NFTA_CT_HELPER_TABLE,
  "ct expectation": NFTA_CT_EXPECT_TABLE,
  "ct timeout": NFTA_CT_TIMEOUT_TABLE,
  synproxy: NFTA_SYNPROXY_TABLE,
} as const;

/** `NFTA_OBJ_*`; `data` is decoded by {@link parseObjMessage} according to `type`. */
export const NFTA_OBJ_TABLE = {
  table: { type: 1, kind: "string" }, // NFTA_OBJ_TABLE
  name: { type: 2, kind: "string" }, // NFTA_OBJ_NAME
  type: { type: 3, kind: "u32be", names: NFT_OBJECT_TYPES }, // NFTA_OBJ_TYPE
  data: { type: 4, kind: "codec", codec: BYTES }, // NFTA_OBJ_DATA
  use: { type: 5, kind: "u32be" }, // NFTA_OBJ_USE (reply only)
  handle: { type: 6, kind: "u64be" }, // NFTA_OBJ_HANDLE
  userdata: { type: 8, kind: "codec", codec: BYTES }, // NFTA_OBJ_USERDATA
} as const;

/** A stateful object as the kernel reports it; known types have typed `data`. */
export type NftObject =
  & NftObjectBase
  & (NftObjectData | { type?: string; data?: Uint8Array });

/** Parses an `NFT_MSG_NEWOBJ` message. */
export function parseObjMessage(m: NlMsg): NftObject {
  const o = parseNftMessage(NFTA_OBJ_TABLE, m) as unknown as Record<string, unknown>;
  const table = NFT_OBJECT_DATA[o.type as keyof typeof NFT_OBJECT_DATA] as AttrTable | undefined;
  const raw = o.data as Uint8Array | undefined;
  if (table && raw) {
    o.data = parseAttrs(table, raw, new DataView(raw.buffer, raw.byteOffset, raw.byteLength), 0, raw.length);
  }
  return o as unknown as NftObject;
}

/** Encodes an object's typed `data` as `NFTA_OBJ_DATA` payload bytes. */
export function objDataBytes(type: string, data: Record<string, unknown>): Uint8Array {
  const table = NFT_OBJECT_DATA[type as keyof typeof NFT_OBJECT_DATA] as AttrTable | undefined;
  if (!table) {
    throw new InvalidArgumentError(
      `Cannot build object of type "${type}": expected ${Object.keys(NFT_OBJECT_DATA).join(", ")}`,
    );
  }
  return new MessageBuilder(0, 0).attrs(table, data as Attrs<AttrTable>).finish().subarray(16);
}
