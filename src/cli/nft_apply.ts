/**
 * `nlkit nft -j -f FILE|-`: applies an nft JSON document in one atomic
 * batch, as `nft -j -f` does; a refusal changes nothing and names the
 * failing object (exit 1).
 *
 * @module
 */

import { UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { readText } from "./io.ts";
import { applyJson } from "../netfilter/nftables/json/apply.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";

/** Applies the document in `file` ("-" for stdin). */
export async function nftApplyFile(ctx: Context, file: string, json: boolean): Promise<number> {
  if (!json) throw new UsageError("Cannot read nft's rule language: give a JSON document with -j -f FILE");
  const text = readText(file === "-" ? "/dev/stdin" : file);
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`Cannot parse ${file === "-" ? "standard input" : file} as JSON: ${(e as Error).message}`);
  }
  await applyJson(doc, ctx.lib);
  return 0;
}
