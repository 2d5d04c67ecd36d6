/**
 * `nlkit nft rename chain [FAMILY] TABLE CHAIN NEWNAME`, nft 1.0.6's only
 * rename (`rename_cmd`).
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { optionalFamily } from "./nft_list_spec.ts";
import { familyNumber } from "../netfilter/nftables/consts.ts";
import { renameChain } from "../netfilter/nftables/ops.ts";

function need(args: Args, what: string): string {
  const w = args.next();
  if (w === undefined) throw new UsageError(`Missing ${what}`);
  return w;
}

/** Runs `nft rename chain ...`. */
export async function nftRename(ctx: Context, args: Args): Promise<void> {
  const what = need(args, "what to rename (chain)");
  if (what !== "chain") throw new UsageError(`Cannot rename "${what}": expected chain`, what);
  const family = optionalFamily(args) ?? "ip";
  familyNumber(family);
  const table = need(args, "table name");
  const name = need(args, "chain name");
  const newName = need(args, "new chain name");
  const w = args.next();
  if (w !== undefined) throw new UsageError(`Unexpected "${w}"`, w);
  await renameChain({ family, table, name, newName }, ctx.lib);
}
