/**
 * Set elements (`NFTA_SET_ELEM_*`), sent and dumped in lists
 * (`NFTA_SET_ELEM_LIST_*`).
 *
 * @module
 */

import type { MessageBuilder } from "../../wire/builder.ts";
import type { NlMsg } from "../../wire/message.ts";
import type { Codec } from "../../wire/table.ts";
import { BYTES, listOf } from "./codecs.ts";
import { NFTA_DATA_TABLE, parseNftMessage } from "./data.ts";
import { EXPR_LIST, EXPR_ONE } from "./expr/list.ts";
import type { NftElement, NftElementList } from "./_generated/types.ts";

export type { NftElement, NftElementList } from "./_generated/types.ts";

/** `NFT_SET_ELEM_*` flag bits. */
export const NFT_SET_ELEM_FLAGS = { 1: "interval-end", 2: "catchall" } as const;

/** `NFTA_SET_ELEM_*`. */
export const NFTA_SET_ELEM_TABLE = {
  key: { type: 1, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_SET_ELEM_KEY
  data: { type: 2, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_SET_ELEM_DATA
  flags: { type: 3, kind: "u32be", bits: NFT_SET_ELEM_FLAGS }, // NFTA_SET_ELEM_FLAGS
  timeout: { type: 4, kind: "u64be" }, // NFTA_SET_ELEM_TIMEOUT (ms)
  expiration: { type: 5, kind: "u64be" }, // NFTA_SET_ELEM_EXPIRATION (ms, reply only)
  userdata: { type: 6, kind: "codec", codec: BYTES }, // NFTA_SET_ELEM_USERDATA
  expr: { type: 7, kind: "codec", codec: EXPR_ONE }, // NFTA_SET_ELEM_EXPR
  objref: { type: 9, kind: "string" }, // NFTA_SET_ELEM_OBJREF
  keyEnd: { type: 10, kind: "nested", table: NFTA_DATA_TABLE }, // NFTA_SET_ELEM_KEY_END
  expressions: { type: 11, kind: "codec", codec: EXPR_LIST }, // NFTA_SET_ELEM_EXPRESSIONS
} as const;

const TABLED: Codec<NftElement[]> = listOf(NFTA_SET_ELEM_TABLE);

/** True when `o`'s only own key is `k`. */
function onlyKey(o: object, k: string): boolean {
  let n = 0;
  for (const x in o) {
    if (x !== k) return false;
    n++;
  }
  return n === 1;
}

/** The key bytes of an element that is nothing but `{ key: { value } }`. */
function bareKey(e: NftElement): Uint8Array | undefined {
  if (!onlyKey(e, "key") || !e.key || !onlyKey(e.key, "value")) return undefined;
  return e.key.value instanceof Uint8Array ? e.key.value : undefined;
}

/**
 * `NFTA_SET_ELEM_LIST_ELEMENTS`: a list of elements. A bare key (nearly
 * every element of a big block list) is written straight as
 * `NFTA_LIST_ELEM { NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE } }`: the bytes the
 * tables give, without walking them for each of 100,000 elements.
 */
export const ELEMENT_LIST: Codec<NftElement[]> = {
  parse: TABLED.parse,
  build(b, value): void {
    for (const e of value) {
      const key = bareKey(e);
      if (!key) {
        TABLED.build(b, [e]);
        continue;
      }
      const elem = b.open(1); // NFTA_LIST_ELEM
      const k = b.open(NFTA_SET_ELEM_TABLE.key.type);
      b.bytes(NFTA_DATA_TABLE.value.type, key);
      b.close(k);
      b.close(elem);
    }
  },
};

/** `NFTA_SET_ELEM_LIST_*`. */
export const NFTA_SET_ELEM_LIST_TABLE = {
  table: { type: 1, kind: "string" }, // NFTA_SET_ELEM_LIST_TABLE
  set: { type: 2, kind: "string" }, // NFTA_SET_ELEM_LIST_SET
  elements: { type: 3, kind: "codec", codec: ELEMENT_LIST }, // NFTA_SET_ELEM_LIST_ELEMENTS
  setId: { type: 4, kind: "u32be" }, // NFTA_SET_ELEM_LIST_SET_ID (request only)
} as const;

/** Parses an `NFT_MSG_NEWSETELEM` message. */
export function parseElementsMessage(m: NlMsg): NftElementList {
  return parseNftMessage(NFTA_SET_ELEM_LIST_TABLE, m);
}

/**
 * The payload of `NFTA_SET_ELEM_LIST_ELEMENTS` for bare keys of `keyLen`
 * bytes each, packed one after another in `keys[start, end)`: the bytes
 * {@link ELEMENT_LIST} writes for `{ key: { value } }` elements, without an
 * object (or a view) per element of a 100,000-address block list.
 */
export function buildPackedKeys(b: MessageBuilder, keys: Uint8Array, keyLen: number, start: number, end: number): void {
  for (let at = start; at < end; at += keyLen) {
    const elem = b.open(1); // NFTA_LIST_ELEM
    const k = b.open(NFTA_SET_ELEM_TABLE.key.type);
    b.bytes(NFTA_DATA_TABLE.value.type, keys, at, at + keyLen);
    b.close(k);
    b.close(elem);
  }
}
