/**
 * The handle `rename chain` names a chain by (nft's `mnl_nft_chain_rename`),
 * from the kernel's chains.
 *
 * @module
 */

import { notFound } from "../../../errors.ts";
import { listChains, listTables } from "../list.ts";
import type { NftOptions } from "../socket.ts";

/**
 * The kernel's handle of chain `name`. A chain only the batch adds (`inBatch`
 * of `family table name`) has none yet: nft sends handle 0 and the kernel
 * refuses it, so this returns 0. A table or chain in neither is a not-found
 * error naming it.
 */
export async function chainHandle(
  family: string,
  table: string,
  name: string,
  inBatch: (key: string) => boolean,
  opts: NftOptions,
): Promise<number> {
  const found = (await listChains({ family, table }, opts)).find((c) => c.name === name);
  if (found?.handle !== undefined) return found.handle;
  if (inBatch(`${family} ${table} ${name}`)) return 0;
  if (!inBatch(`${family} ${table}`) && !(await listTables({ family }, opts)).some((t) => t.name === table)) {
    const key = `${family} ${table}`;
    throw notFound({ kind: "nft table", key }, "NFT_MSG_NEWCHAIN", `No such file or directory: table ${key}`);
  }
  const key = `${family} ${table} ${name}`;
  throw notFound({ kind: "nft chain", key }, "NFT_MSG_NEWCHAIN", `No such file or directory: chain ${key}`);
}
