/**
 * `nlkit nft -f FILE|-`: applies a script in nft's language (or, with
 * `-j`, an nft JSON document) in one atomic batch, as `nft -f` does; a
 * refusal changes nothing and names the failing object or the place in
 * the file (exit 1). `-c` only lets the kernel check the batch.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { readText } from "./io.ts";
import type { NftFlags } from "./nft_list.ts";
import { applyJson } from "../netfilter/nftables/json/apply.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";
import { applyScript, NftScriptError } from "../netfilter/nftables/text/script.ts";

/** The flags of `nft -f` beyond the listing ones. */
export interface FileFlags {
  /** `-c`: check only, commit nothing. */
  check: boolean;
  /** `-e`: print what was added. */
  echo: boolean;
  /** `-I DIR`: include search directories. */
  includePaths: string[];
}

/** Applies the script or document in `file` ("-" for stdin). */
export async function nftApplyFile(ctx: Context, file: string, flags: NftFlags & FileFlags): Promise<number> {
  const path = file === "-" ? "/dev/stdin" : file;
  const text = readText(path);
  const { check, includePaths } = flags;
  if (flags.echo) throw new Error("Cannot echo yet"); // replaced below
  if (!flags.json) {
    try {
      await applyScript(text, path, {
        ...ctx.lib,
        check,
        includePaths: includePaths.length ? includePaths : undefined,
      });
    } catch (e) {
      if (!(e instanceof NftScriptError)) throw e;
      ctx.err.line(e.message);
      return 1;
    }
    return 0;
  }
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`Cannot parse ${file === "-" ? "standard input" : file} as JSON: ${(e as Error).message}`);
  }
  await applyJson(doc, { ...ctx.lib, check });
  return 0;
}
