/**
 * `nlkit nft add|create|insert|replace|delete|flush ...`: nft's commands
 * for tables, chains, sets, maps, elements, rules and the ruleset, each
 * applied as one atomic batch.
 *
 * @module
 */

import type { Args } from "./args.ts";
import type { Context } from "./context.ts";
import { applyJson } from "../netfilter/nftables/json/apply.ts";
import { parseCommand } from "../netfilter/nftables/text/parse.ts";

/** Runs one change command. */
export async function nftChange(ctx: Context, cmd: string, args: Args): Promise<number> {
  const nftables = parseCommand(cmd, args.rest());
  await applyJson({ nftables }, ctx.lib);
  return 0;
}
