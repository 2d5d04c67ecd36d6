/**
 * `nlkit nft reset counters|counter|quotas|quota ...`: zeroes named
 * counters or quotas and prints them as they were, as nft 1.0.6 does (its
 * `reset_cmd`: the kernel's `NFT_MSG_GETOBJ_RESET` answers, listed as `nft
 * list counters` lists, each table holding one of them as a block).
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import type { NftFlags } from "./nft_list.ts";
import { metaJson, noSuchTable } from "./nft_list.ts";
import { type ListSpec, parseListSpec } from "./nft_list_spec.ts";
import { listTables } from "../netfilter/nftables/list.ts";
import { resetObjects } from "../netfilter/nftables/reset.ts";
import { objectJson } from "../netfilter/nftables/json/ruleset_json.ts";
import { nftJsonText } from "../netfilter/nftables/json/serialize.ts";
import { omitFromListing } from "../netfilter/nftables/json/omit.ts";

/** What nft 1.0.6 resets. */
const KINDS = ["counters", "counter", "quotas", "quota"];

/** Runs `nft reset ...`. */
export async function nftReset(ctx: Context, args: Args, flags: NftFlags): Promise<void> {
  const w = args.peek();
  if (w === undefined || !KINDS.includes(w)) {
    throw new UsageError(`Cannot reset ${w === undefined ? "nothing" : `"${w}"`}: expected ${KINDS.join(", ")}`, w);
  }
  await resetSpec(ctx, parseListSpec(args), flags);
}

/** Resets what `spec` names (the words of `nft reset`, or a JSON `reset` command) and prints it as it was. */
export async function resetSpec(ctx: Context, spec: ListSpec, flags: NftFlags): Promise<void> {
  const { kind, family, table, name } = spec;
  const tables = await listTables({ family, table }, ctx.lib);
  if (table !== undefined && !tables.length) throw noSuchTable(family, table);
  const type = kind.startsWith("counter") ? "counter" : "quota";
  const reset = await resetObjects({ type, family, table, name }, ctx.lib);
  const json = flags.json || ctx.opts.json;
  const omit = { stateless: flags.stateless, text: !json };
  const objects = reset.map((o) => omitFromListing(objectJson(o), omit));
  if (json) {
    ctx.out.line(`{"nftables": [${[metaJson(), ...objects.map(nftJsonText)].join(", ")}]}`);
    return;
  }
  const { listingText } = await import("../netfilter/nftables/text/listing_text.ts");
  const holders = tables.filter((t) => reset.some((o) => o.family === t.family && o.table === t.name));
  const opts = { handles: flags.handles, numericPriority: flags.numericPriority, numericTime: flags.numericTime };
  ctx.out.write(listingText(holders.map((t) => ({ family: t.family, name: t.name ?? "" })), objects, opts));
}
