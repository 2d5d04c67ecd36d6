/**
 * Interface names by index in a namespace, for printing `meta iif`/`oif`
 * as nft does.
 *
 * @module
 */

import { readLinkNames } from "../../route/link_names.ts";
import { withRouteSocket } from "../../route/rtnl.ts";
import type { NftOptions } from "./socket.ts";

/**
 * Reads the namespace's interface names by index: one `RTM_GETLINK` dump
 * decoding only the names, without the link parser (and its modules, which
 * `nlkit nft` would otherwise load for every listing).
 */
export async function interfaceNames(opts: NftOptions = {}): Promise<Map<number, string>> {
  const names = await withRouteSocket({ netns: opts.netns }, readLinkNames);
  const out = new Map<number, string>();
  for (const [index, l] of names) out.set(index, l.name);
  return out;
}
