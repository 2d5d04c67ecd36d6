/**
 * A named set's elements as nft's JSON, read straight from the dump: bare
 * keys (a plain set's usual elements) are copied into one packed buffer as
 * they arrive, not parsed into an object each, so a 100,000-element set is
 * one buffer rather than 300,000 objects the collector keeps copying while
 * the dump runs. Any other element (flags, data, timeouts, comments) is
 * parsed by the element table and the whole set takes the general path.
 *
 * @module
 */

import type { NetlinkSocket } from "../../../socket/socket.ts";
import { NLA_TYPE_MASK } from "../../../wire/constants.ts";
import type { NlMsg } from "../../../wire/message.ts";
import { payloadOf } from "../../../wire/message.ts";
import { forEachAttr, parseAttrs } from "../../../wire/table.ts";
import { familyNumber, NFT_MSG } from "../consts.ts";
import { NFTA_SET_ELEM_LIST_TABLE, NFTA_SET_ELEM_TABLE, type NftElement } from "../element.ts";
import type { NftSet } from "../set.ts";
import { nftMessage } from "../socket.ts";
import { elementsJson, keyOrder, renderKey } from "./elements.ts";
import { setTypes } from "./ruleset_json.ts";
import { elemStmtJson } from "./set_stmts.ts";
import type { Json } from "./types.ts";

const NFTA_SET_ELEM_LIST_ELEMENTS = 3;
const NFTA_LIST_ELEM = 1;
const NFTA_SET_ELEM_KEY = 1;
const NFTA_DATA_VALUE = 1;

/** Bare keys packed end to end (`size` bytes each), and the elements that are more than a key. */
class Collected {
  keys: Uint8Array;
  count = 0;
  others: NftElement[] = [];

  constructor(readonly size: number) {
    this.keys = new Uint8Array(size * 1024);
  }

  /** The value of a key-only element (`NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE }`) at `[s, e)`, or -1. */
  bareKey(view: DataView, s: number, e: number): number {
    if (e - s < 8 || (view.getUint16(s + 2, true) & NLA_TYPE_MASK) !== NFTA_SET_ELEM_KEY) return -1;
    const len = view.getUint16(s, true);
    if (len !== e - s && (len + 3 & ~3) !== e - s) return -1; // another attribute follows the key
    const v = s + 4;
    if ((view.getUint16(v + 2, true) & NLA_TYPE_MASK) !== NFTA_DATA_VALUE) return -1;
    if (view.getUint16(v, true) - 4 !== this.size || v + 4 + this.size > s + len) return -1;
    return v + 4;
  }

  add(m: NlMsg): void {
    const { buf, view } = m;
    forEachAttr(view, payloadOf(m) + 4, m.end, (type, s, e) => {
      if ((type & NLA_TYPE_MASK) !== NFTA_SET_ELEM_LIST_ELEMENTS) return;
      forEachAttr(view, s, e, (t, es, ee) => {
        if ((t & NLA_TYPE_MASK) !== NFTA_LIST_ELEM) return;
        const at = this.bareKey(view, es, ee);
        if (at < 0) {
          // Bytes values are views into what they were parsed from: parse a copy, not the receive buffer.
          const own = buf.slice(es, ee);
          this.others.push(parseAttrs(NFTA_SET_ELEM_TABLE, own, new DataView(own.buffer), 0, own.length));
          return;
        }
        if ((this.count + 1) * this.size > this.keys.length) {
          const next = new Uint8Array(this.keys.length * 2);
          next.set(this.keys);
          this.keys = next;
        }
        // A byte loop, not set(subarray): a view per element is an allocation the copy does not need.
        const keys = this.keys, size = this.size, to = this.count++ * size;
        for (let i = 0; i < size; i++) keys[to + i] = buf[at + i];
      });
    });
  }

  key(i: number): Uint8Array {
    return this.keys.subarray(i * this.size, (i + 1) * this.size);
  }
}

/**
 * The `elem` array of `set` in nft's JSON (empty for an empty set), read on
 * `socket`; `full` keeps every statement of an element (see `elemStmtJson`);
 * `ifnames` names the interfaces elements hold.
 */
export async function setElementsJson(
  socket: NetlinkSocket,
  set: NftSet,
  full = false,
  ifnames?: ReadonlyMap<number, string>,
): Promise<Json[]> {
  const b = nftMessage(NFT_MSG.NFT_MSG_GETSETELEM, 0, familyNumber(set.family));
  b.attrs(NFTA_SET_ELEM_LIST_TABLE, { table: set.table, set: set.name });
  const got = new Collected(Math.max(1, set.keyLen ?? 1));
  for await (const _ of socket.dump(b.finish(), (m) => got.add(m)));
  const { key, data } = setTypes({ ...set, elements: [] }, ifnames);
  const interval = set.flags?.includes("interval") ?? false;
  // Concatenations and flag sets have orders of their own (elementsJson's).
  if (!got.others.length && !interval && !data && key.length === 1 && !key[0].bits) {
    // One view per key, made once: the sort reads each key twice and the rendering once more.
    const views: Uint8Array[] = new Array(got.count);
    for (let i = 0; i < got.count; i++) views[i] = got.key(i);
    const order = keyOrder(got.count, (i) => views[i], key[0].host === true);
    const out: Json[] = new Array(got.count);
    for (let i = 0; i < got.count; i++) out[i] = renderKey(key, views[order[i]]);
    return out;
  }
  const all = got.others;
  for (let i = 0; i < got.count; i++) all.push({ key: { value: got.key(i) } });
  return elementsJson(all, key, interval, data, elemStmtJson(set.family, full), full);
}
