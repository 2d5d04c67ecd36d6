/**
 * `nlkit nft get element [FAMILY] TABLE SET { ELEMENTS }`: the set or map
 * with just the asked elements, as the kernel stores them, printed as nft
 * 1.0.6 prints it (table block, set declaration, those elements). nft
 * 1.0.6 prints text even with `-j`; nlkit prints nft's JSON of that set.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { notFound } from "../errors.ts";
import type { Context } from "./context.ts";
import { metaJson, type NftFlags } from "./nft_list.ts";
import { getElements } from "../netfilter/nftables/get_elements.ts";
import { listElements, streamSets } from "../netfilter/nftables/list.ts";
import type { NftElement } from "../netfilter/nftables/element.ts";
import { intervalMatches } from "../netfilter/nftables/json/get_interval.ts";
import { interfaceNames } from "../netfilter/nftables/ifnames.ts";
import { setJson, setTypes } from "../netfilter/nftables/json/ruleset_json.ts";
import { nftJsonText } from "../netfilter/nftables/json/serialize.ts";
import { omitFromListing } from "../netfilter/nftables/json/omit.ts";
import { elementsOf, isObj, keyRange, typeSize } from "../netfilter/nftables/json/values.ts";
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
    const key = `${family} ${table} ${name}`;
    throw notFound({ kind: "nft set", key }, "NFT_MSG_GETSET", `No such file or directory: set ${key}`);
  }
  const { key } = setTypes({ ...set, elements: [] });
  const asked = elem.map((e) => (Array.isArray(e) ? e[0] : e));
  const ifnames = await interfaceNames(ctx.lib);
  const json = flags.json || ctx.opts.json;
  let found: NftElement[] = [];
  let rendered: Json[] | undefined;
  if (set.flags?.includes("interval")) {
    // The stored range holding each asked element, printed in the asked order (repeats too, as nft does).
    const asks = asked.map((a) => {
      const [lo, hi] = keyRange(key, isObj(a) && "elem" in a && isObj(a.elem) ? a.elem.val : a);
      return { lo, hi, range: isObj(a) && ("range" in a || "prefix" in a) };
    });
    const stored = await listElements({ family, table, set: name }, ctx.lib);
    const isMap = set.flags.includes("map") || set.flags.includes("object");
    const groups = intervalMatches(stored, asks, isMap, key.length > 1 ? key.map(typeSize) : undefined);
    if (!groups) {
      const key = `${family} ${table} ${name}`;
      throw notFound(
        { kind: "nft element", key },
        "NFT_MSG_GETSETELEM",
        `No such file or directory: element of ${key}`,
      );
    }
    rendered = groups.flatMap((g) => {
      const one = setJson({ ...set, elements: g }, !json, undefined, ifnames) as { [k: string]: { elem?: Json[] } };
      return Object.values(one)[0].elem ?? [];
    });
  } else {
    // A lookup sends keys only; the kernel answers with the data.
    const keys = elementsOf({ key, interval: false }, asked);
    found = await getElements({ family, table, set: name }, keys, ctx.lib);
  }
  const o = omitFromListing(setJson({ ...set, elements: found }, !json, rendered, ifnames), {
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
