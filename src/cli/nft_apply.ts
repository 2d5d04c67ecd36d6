/**
 * `nlkit nft -f FILE|-`: applies a script in nft's language (or, with
 * `-j`, an nft JSON document) in one atomic batch, as `nft -f` does; a
 * refusal changes nothing and names the failing object or the place in
 * the file (exit 1). `-c` only lets the kernel check the batch.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { Context } from "./context.ts";
import { readText } from "./io.ts";
import { listSpec, type NftFlags } from "./nft_list.ts";
import { isJsonQuery, type JsonQuery, jsonQuery } from "./nft_json_query.ts";
import { withEcho } from "./nft_echo.ts";
import { applyJson, checkSchema } from "../netfilter/nftables/json/apply.ts";
import { parseNftJson } from "../netfilter/nftables/json/big_int.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";
import { isObj } from "../netfilter/nftables/json/values.ts";
import { noTopTier } from "../sys/jit.ts";
import { buildExpr } from "../netfilter/nftables/expr/list.ts";
import { ruleExpressions } from "../netfilter/nftables/json/linearize.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { keys } from "../netfilter/nftables/json/apply_checks.ts";
import { checkKeys } from "../wire/invalid.ts";
import { dottedQuad } from "../netfilter/nftables/json/value_codec.ts";

/** The flags of `nft -f` beyond the listing ones. */
export interface FileFlags {
  /** `-c`: check only, commit nothing. */
  check: boolean;
  /** `-e`: print what was added. */
  echo: boolean;
  /** `-o`: merge the rules of the script's table blocks as nft's optimizer does, reporting each merge. */
  optimize: boolean;
  /** `-I DIR`: include search directories. */
  includePaths: string[];
  /** `-D NAME=VALUE`: variables defined before the script. */
  defines: [string, string][];
}

/** Applies the script or document in `file` ("-" for stdin). */
export async function nftApplyFile(ctx: Context, file: string, flags: NftFlags & FileFlags): Promise<number> {
  const path = file === "-" ? "/dev/stdin" : file;
  bulkTiers();
  return await nftApplyText(ctx, readText(path), path, flags);
}

/**
 * Keeps the planner's hottest functions out of JavaScriptCore's top tier,
 * FTL (Bun; nothing on Deno): a 10,000-rule file is planned before their
 * FTL compiles (some 100 ms of compiler thread) pay, and meanwhile the
 * lower tier's compiles of the rest wait (bench/nft.ts: about 25 ms less
 * before the batch is sent, with the script reader's, see nft_script.ts).
 */
function bulkTiers(): void {
  noTopTier([ruleExpressions, buildExpr, keys, checkKeys, dottedQuad], [MessageBuilder.prototype]);
}

/**
 * Applies a script's text (`path` names it in errors). nft reads a command
 * line the same way, its words joined by spaces: `nft -e add rule ...`.
 */
export async function nftApplyText(
  ctx: Context,
  text: string,
  path: string,
  flags: NftFlags & FileFlags,
  session: readonly string[] = [],
): Promise<number> {
  const { check } = flags;
  // -c commits nothing, so there is nothing to echo (nft prints nothing either).
  const echo = flags.echo && !check
    ? (fn: () => Promise<void>) => withEcho(ctx, flags, fn)
    : (fn: () => Promise<void>) => fn();
  // With -j nft reads JSON, and falls back to its language when the text is no JSON (libnftables).
  const doc = flags.json ? jsonOrUndefined(text) : undefined;
  if (doc !== undefined) {
    try {
      const { before, changes, after } = splitJsonQueries(doc);
      for (const q of before) await runJsonQuery(ctx, q, flags);
      if (changes !== undefined) await echo(() => applyJson(changes, { ...ctx.lib, check }));
      for (const q of after) await runJsonQuery(ctx, q, flags);
    } catch (e) {
      // A document nlkit cannot apply is bad input in a file, which nft reports with exit 1, not usage.
      if (!(e instanceof InvalidArgumentError)) throw e;
      ctx.err.line(`Error: ${e.message}`);
      return 1;
    }
    return 0;
  }
  // nft's language, read by modules a JSON document does not load.
  const { applyScriptText } = await import("./nft_script.ts");
  return await applyScriptText(ctx, text, path, flags, session, echo);
}

/**
 * A document's queries before its first change and after its last, as a
 * script's (see applyScript); `changes` is undefined when it holds only queries.
 */
function splitJsonQueries(doc: Json): { before: JsonQuery[]; changes?: Json; after: JsonQuery[] } {
  if (!isObj(doc) || !Array.isArray(doc.nftables) || !doc.nftables.some(isJsonQuery)) {
    return { before: [], changes: doc, after: [] };
  }
  const items = doc.nftables;
  // metainfo is no change: it stays with the changes, or goes when there are none.
  const change = (x: Json) => !isJsonQuery(x) && !(isObj(x) && x.metainfo !== undefined);
  const first = items.findIndex(change);
  const last = items.findLastIndex(change);
  const queries = (xs: Json[]) => xs.filter(isJsonQuery).map(jsonQuery);
  if (first < 0) {
    // Still checked: a later schema is refused before anything is listed.
    for (const x of items) if (isObj(x) && x.metainfo !== undefined) checkSchema(x.metainfo);
    return { before: queries(items), after: [] };
  }
  const middle = items.slice(first, last + 1).find(isJsonQuery);
  if (middle) {
    const [op] = Object.keys(middle as object);
    throw new InvalidArgumentError(
      `Cannot run "${op}" between changes: nlkit lists the kernel's ruleset, before or after the batch`,
    );
  }
  const before = queries(items.slice(0, first));
  const after = queries(items.slice(last + 1));
  return { before, changes: { ...doc, nftables: items.filter((x) => !isJsonQuery(x)) }, after };
}

async function runJsonQuery(ctx: Context, q: JsonQuery, flags: NftFlags): Promise<void> {
  const json = { ...flags, json: true };
  if (q.op === "list") return await listSpec(ctx, q.spec, json);
  const { resetSpec } = await import("./nft_reset.ts");
  await resetSpec(ctx, q.spec, json);
}

/**
 * `nft -i`: commands from stdin, one line each (a line ending in `\` goes
 * on), each its own batch; a failing line is reported and the next runs,
 * `quit` ends it, and `define`s stay for the lines after them, as in nft.
 */
export async function nftInteractive(ctx: Context, flags: NftFlags & FileFlags): Promise<number> {
  const session: string[] = [];
  for (const line of readText("/dev/stdin").replace(/\\\n/g, "").split("\n")) {
    const text = line.trim();
    if (!text || text.startsWith("#")) continue;
    if (text === "quit") break;
    if (/^(re|un)?define\s/.test(text)) {
      // Checked at once, as nft does, and kept only when it reads.
      const rc = await nftApplyText(ctx, "", "<cli>", flags, [...session, text]);
      if (rc === 0) session.push(text);
      continue;
    }
    await nftApplyText(ctx, text, "<cli>", flags, session);
  }
  return 0;
}

function jsonOrUndefined(text: string): Json | undefined {
  try {
    return parseNftJson(text);
  } catch {
    return undefined;
  }
}
