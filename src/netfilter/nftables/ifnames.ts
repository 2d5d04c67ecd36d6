/**
 * Interface names by index in a namespace, for printing `meta iif`/`oif`
 * as nft does.
 *
 * @module
 */

import { streamLinks } from "../../route/link/api.ts";
import type { NftOptions } from "./socket.ts";

/** Reads the namespace's interface names by index. */
export async function interfaceNames(opts: NftOptions = {}): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for await (const l of streamLinks({}, { netns: opts.netns })) if (l.name !== undefined) out.set(l.index, l.name);
  return out;
}
