/**
 * `nft -j list ruleset` streamed: each rule is rendered to text as its
 * message arrives and each named set right after its elements, so only
 * text and the anonymous sets rules print inline are kept, not the typed
 * ruleset (a 10,000-rule ruleset stays a few megabytes).
 *
 * @module
 */

import { checkKeys } from "../../../wire/invalid.ts";
import {
  listChains,
  listFlowtables,
  listObjects,
  listSets,
  listTables,
  type NftFilter,
  type NftSetWithElements,
  readElements,
  streamNftRules,
} from "../list.ts";
import { type NftOptions, withNftSocket } from "../socket.ts";
import type { RuleContext } from "./rule_json.ts";
import {
  chainJson,
  flowtableJson,
  objectJson,
  ruleJson,
  type RulesetJsonOptions,
  setJson,
  tableJson,
} from "./ruleset_json.ts";
import { nftJsonText } from "./serialize.ts";

const key = (family: string, table: string | undefined, chain = ""): string => `${family}\0${table}\0${chain}`;

/**
 * The objects of `nft -j list ruleset` (without `metainfo`) as JSON texts,
 * in nft's order: per table, the table, its objects, named sets and maps,
 * flowtables, chains, then the rules of each chain. Read on one socket.
 */
export async function rulesetJsonTexts(
  filter: NftFilter = {},
  opts: NftOptions = {},
  json: RulesetJsonOptions = {},
): Promise<string[]> {
  checkKeys(opts, ["netns", "socket"], "rulesetJsonTexts");
  return await withNftSocket(opts, async (socket) => {
    const o = { socket };
    const tables = await listTables(filter, o);
    const chains = await listChains(filter, o);
    const sets = await listSets(filter, o);
    const objects = await listObjects(filter, o);
    const flowtables = await listFlowtables(filter, o);
    // Per table: the texts before its rules; the sets rules refer to (only anonymous ones keep elements).
    const head = new Map<string, string[]>();
    const ctxs = new Map<string, RuleContext>();
    for (const t of tables) {
      const k = key(t.family, t.name);
      head.set(k, [nftJsonText(tableJson(t, json.full))]);
      ctxs.set(k, { family: t.family, sets: new Map(), ifnames: json.ifnames });
    }
    const mine = (family: string, table: string | undefined): string[] | undefined => head.get(key(family, table));
    for (const x of objects) mine(x.family, x.table)?.push(nftJsonText(objectJson(x)));
    for (const s of sets) {
      const ctx = ctxs.get(key(s.family, s.table));
      if (!ctx || s.name === undefined) continue;
      const full: NftSetWithElements = { ...s, elements: await readElements(socket, s) };
      const anonymous = s.flags?.includes("anonymous") ?? false;
      if (!anonymous) mine(s.family, s.table)!.push(nftJsonText(setJson(full, json.full)));
      (ctx.sets as Map<string, NftSetWithElements>).set(s.name, anonymous ? full : { ...s, elements: [] });
    }
    for (const f of flowtables) mine(f.family, f.table)?.push(nftJsonText(flowtableJson(f)));
    const rules = new Map<string, string[]>();
    for (const c of chains) {
      mine(c.family, c.table)?.push(nftJsonText(chainJson(c, json.full)));
      rules.set(key(c.family, c.table, c.name), []);
    }
    for await (const r of streamNftRules(filter, o)) {
      const ctx = ctxs.get(key(r.family, r.table));
      const bucket = rules.get(key(r.family, r.table, r.chain));
      if (ctx && bucket) bucket.push(nftJsonText(ruleJson(r, ctx)));
    }
    const out: string[] = [];
    for (const t of tables) {
      for (const x of head.get(key(t.family, t.name))!) out.push(x);
      for (const c of chains) {
        if (c.family !== t.family || c.table !== t.name) continue;
        for (const x of rules.get(key(c.family, c.table, c.name))!) out.push(x);
      }
    }
    return out;
  });
}
