/**
 * Looking elements up in a set (`NFT_MSG_GETSETELEM` without a dump): the
 * kernel answers with each asked element as stored (its data, timeout,
 * expiry), or refuses with ENOENT when one is not there, as `nft get
 * element` does.
 *
 * @module
 */

import { checkKeys } from "../../wire/invalid.ts";
import { familyNumber, NFT_MSG } from "./consts.ts";
import { NFTA_SET_ELEM_LIST_TABLE, type NftElement, parseElementsMessage } from "./element.ts";
import type { NftSetRef } from "./list.ts";
import { nftMessage, type NftOptions, withNftSocket } from "./socket.ts";

/** Returns the kernel's elements of `ref` whose keys `elements` give (all of them, or a NotFoundError). */
export async function getElements(
  ref: NftSetRef,
  elements: readonly NftElement[],
  opts: NftOptions = {},
): Promise<NftElement[]> {
  checkKeys(ref, ["family", "table", "set"], "a set");
  const b = nftMessage(NFT_MSG.NFT_MSG_GETSETELEM, 0, familyNumber(ref.family));
  b.attrs(NFTA_SET_ELEM_LIST_TABLE, { table: ref.table, set: ref.set, elements: [...elements] });
  const replies = await withNftSocket(opts, (s) => s.request(b.finish(), parseElementsMessage));
  return replies.flatMap((r) => r.elements ?? []);
}
