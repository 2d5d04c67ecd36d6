/**
 * Resetting stateful objects (`NFT_MSG_GETOBJ_RESET`): the kernel answers
 * with each object as it was and zeroes it (counters' packets and bytes,
 * quotas' use), as `nft reset counters|counter|quotas|quota` does.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { familyNumber, NFT_MSG } from "./consts.ts";
import { NFTA_OBJ_TABLE, type NftObject, parseObjMessage } from "./obj.ts";
import { nftMessage, type NftOptions, withNftSocket } from "./socket.ts";

/** Which objects a reset zeroes. */
export interface NftResetFilter {
  /** The object type: `counter` or `quota` (the types whose state a reset zeroes). */
  type: "counter" | "quota";
  /** Only this family. */
  family?: string;
  /** Only objects of this table (needs `family`). */
  table?: string;
  /** Only this object (needs `table`); without it, every object of the type the filter selects. */
  name?: string;
}

const KEYS = ["type", "family", "table", "name"];
const NLM_F_DUMP = 0x300;

/**
 * Zeroes the counters or quotas `filter` selects and returns them as they
 * were just before. A named object that does not exist rejects with the
 * kernel's ENOENT.
 */
export async function resetObjects(filter: NftResetFilter, opts: NftOptions = {}): Promise<NftObject[]> {
  checkKeys(filter, KEYS, "an nftables reset");
  if (filter.type !== "counter" && filter.type !== "quota") {
    throw new InvalidArgumentError(`Cannot reset objects of type "${filter.type}": expected counter or quota`);
  }
  if (filter.table !== undefined && filter.family === undefined) {
    throw new InvalidArgumentError(`Cannot reset in table "${filter.table}" without a family`);
  }
  if (filter.name !== undefined && filter.table === undefined) {
    throw new InvalidArgumentError(`Cannot reset ${filter.type} "${filter.name}" without a table`);
  }
  const family = filter.family === undefined ? 0 : familyNumber(filter.family);
  const dump = filter.name === undefined;
  const b = nftMessage(NFT_MSG.NFT_MSG_GETOBJ_RESET, dump ? NLM_F_DUMP : 0, family);
  b.attrs(NFTA_OBJ_TABLE, { table: filter.table, name: filter.name, type: filter.type });
  return await withNftSocket(opts, async (s) => {
    if (!dump) return await s.request(b.finish(), parseObjMessage);
    // The kernel filters a dump by table and type; the family is the message's.
    const out: NftObject[] = [];
    for await (const o of s.dump(b.finish(), parseObjMessage)) out.push(o);
    return out;
  });
}
