/**
 * `nlkit nft -f` of a script in nft's language: read, planned and applied
 * as one batch, with the script's queries run before or after it. Loaded
 * only for such a script (a JSON document needs none of the reader).
 *
 * @module
 */

import type { Context } from "./context.ts";
import { type NftFlags, nftList } from "./nft_list.ts";
import { nftMore } from "./nft_more.ts";
import { Args } from "./args.ts";
import type { FileFlags } from "./nft_apply.ts";
import { applyScript, NftScriptError, NftScriptNotFound, NftScriptRefusal } from "../netfilter/nftables/text/script.ts";
import type { MergeReport } from "../netfilter/nftables/text/script_optimize.ts";
import { noTopTier } from "../sys/jit.ts";
import { lexScript } from "../netfilter/nftables/text/script_lex.ts";
import { wordValue } from "../netfilter/nftables/text/tokens.ts";
import { parseStatements } from "../netfilter/nftables/text/statement.ts";
import { flagTyped } from "../netfilter/nftables/text/stmt_text.ts";

/**
 * Applies `text` (`path` names it in errors), its changes through `echo`;
 * `session` holds the defines of earlier `nft -i` lines. Reports a bad
 * script or a refusal on stderr and returns 1.
 */
export async function applyScriptText(
  ctx: Context,
  text: string,
  path: string,
  flags: NftFlags & FileFlags,
  session: readonly string[],
  echo: (fn: () => Promise<void>) => Promise<void>,
): Promise<number> {
  // The reader's hottest functions out of Bun's top tier, as the planner's (see bulkTiers in nft_apply.ts).
  noTopTier([lexScript, wordValue, parseStatements, flagTyped]);
  try {
    const paths = flags.includePaths.length ? flags.includePaths : undefined;
    const query = (words: string[]) => runQuery(ctx, words, flags);
    const optimize = flags.optimize ? (m: MergeReport) => reportMerge(ctx, m) : undefined;
    const prelude = preludeOf(flags.defines, session);
    const opts = { ...ctx.lib, check: flags.check, includePaths: paths, query, optimize, prelude };
    await echo(() => applyScript(text, path, opts));
  } catch (e) {
    if (e instanceof NftScriptRefusal || e instanceof NftScriptNotFound) ctx.err.line(e.located);
    else if (e instanceof NftScriptError) ctx.err.line(e.message);
    else throw e;
    return 1;
  }
  return 0;
}

/**
 * A merge as nft 1.0.6 reports it: the rules and "into:" on stderr, the
 * merged rule itself on stdout (nft prints it through its output stream).
 */
function reportMerge(ctx: Context, m: MergeReport): void {
  ctx.err.write(`Merging:\n${m.rules.map((r) => `${r}\n`).join("")}into:\n\t`);
  ctx.err.flush();
  ctx.out.write(m.into);
  ctx.out.flush();
  ctx.err.write("\n");
  ctx.err.flush();
}

/** nft's -D variables as the `define NAME=VALUE;` statements nft reads before a script, then a session's own. */
function preludeOf(defines: readonly [string, string][], session: readonly string[]): string | undefined {
  const lines = [...defines.map(([k, v]) => `define ${k} = ${v};`), ...session];
  return lines.length ? lines.join("\n") : undefined;
}

/** A script's `list ...`, `get ...`, `reset ...` or `describe ...`, run as on the command line. */
async function runQuery(ctx: Context, words: string[], flags: NftFlags): Promise<void> {
  const args = new Args(words.slice(1));
  if (words[0] === "list") return await nftList(ctx, args, flags);
  await nftMore(ctx, words[0], args, flags);
}
