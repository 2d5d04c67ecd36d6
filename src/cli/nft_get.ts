/**
 * `nlkit nft get element [FAMILY] TABLE SET { ELEMENTS }`: the set or map
 * with just the asked elements, as the kernel stores them, printed as nft
 * 1.0.6 prints it (table block, set declaration, those elements). nft
 * 1.0.6 prints text even with `-j`; nlkit prints nft's JSON of that set.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { metaJson, type NftFlags } from "./nft_list.ts";
import { getElements } from "../netfilter/nftables/get_elements.ts";
import { streamSets } from "../netfilter/nftables/list.ts";
import { interfaceNames } from "../netfilter/nftables/ifnames.ts";
import { setJson, setTypes } from "../netfilter/nftables/json/ruleset_json.ts";
import { nftJsonText } from "../netfilter/nftables/json/serialize.ts";
import { omitFromListing } from "../netfilter/nftables/json/omit.ts";
import { elementsOf } from "../netfilter/nftables/json/values.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";
import { parseCommand } from "../netfilter/nftables/text/parse.ts";

/** Runs `nft get element ...`. */
export async function nftGet(ctx: Context, args: Args, flags: NftFlags): Promise<void> {
  const what = args.peek();
  if (what !== "element") throw new UsageError(`Cannot get "${what ?? ""}": expected element`, what);
  // The words are those of `delete element`: read them with the same parser.
  const [cmd] = parseCommand("delete", args.rest()) as { delete: { element: { [k: string]: Json } } }[];
  const { family, table, name, elem } = cmd.delete.element as {
    family: string;
    table: string;
    name: string;
    elem: Json[];
  };
  let set;
  for await (const s of streamSets({ family, table }, ctx.lib)) if (s.name === name) set = s;
  if (!set || set.flags?.includes("anonymous")) {
    throw new Error(`No such file or directory: set ${family} ${table} ${name}`);
  }
  if (set.flags?.includes("interval")) {
    throw new UsageError(`Cannot get elements of interval set ${name}: nlkit looks up single keys only`);
  }
  const { key } = setTypes({ ...set, elements: [] });
  // A lookup sends keys only; the kernel answers with the data.
  const keys = elementsOf({ key, interval: false }, elem.map((e) => (Array.isArray(e) ? e[0] : e)));
  const found = await getElements({ family, table, set: name }, keys, ctx.lib);
  const ifnames = await interfaceNames(ctx.lib);
  const json = flags.json || ctx.opts.json;
  const o = omitFromListing(setJson({ ...set, elements: found }, !json, undefined, ifnames), {
    stateless: flags.stateless,
    text: !json,
  });
  if (json) {
    ctx.out.line(`{"nftables": [${metaJson()}, ${nftJsonText(o)}]}`);
    return;
  }
  const [{ listingText }, { setDecl }] = await Promise.all([
    import("../netfilter/nftables/text/listing_text.ts"),
    import("../netfilter/nftables/text/set_decl.ts"),
  ]);
  const decl = () => setDecl(set.userdata);
  ctx.out.write(
    listingText([{ family, name: table }], [o], { handles: flags.handles, numericTime: flags.numericTime, decl }),
  );
}
