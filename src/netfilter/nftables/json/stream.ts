/**
 * `nft -j list ruleset` streamed: each rule is rendered to text and handed
 * on as its message arrives, and each named set right after its elements,
 * so only the tables' texts before their rules and the anonymous sets rules
 * print inline are kept, not the typed ruleset nor the rules' texts.
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
import type { NftSet } from "../set.ts";
import { type NftOptions, withNftSocket } from "../socket.ts";
import type { RuleContext } from "./rule_json_base.ts";
import { boundKey, inlineBound, isBound } from "./binding.ts";
import type { Json } from "./types.ts";
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
import { setElementsJson } from "./set_elements.ts";

const key = (family: string, table: string | undefined, chain = ""): string => `${family}\0${table}\0${chain}`;

/**
 * The objects of `nft -j list ruleset` (without `metainfo`) as JSON texts,
 * each handed to `emit` as soon as nft's order allows, in that order: per
 * table, the table, its objects, named sets and maps, flowtables, chains,
 * then the rules of each chain. Read on one socket. Returns how many texts
 * were emitted.
 */
export async function emitRulesetJson(
  emit: (text: string) => void,
  filter: NftFilter = {},
  opts: NftOptions = {},
  json: RulesetJsonOptions = {},
): Promise<number> {
  checkKeys(opts, ["netns", "socket"], "emitRulesetJson");
  return await emitRuleset(emit, nftJsonText, filter, opts, json);
}

/**
 * The objects of `nft -j list ruleset` (without `metainfo`) in the order of
 * {@link emitRulesetJson}, each handed to `emit` as an object (nft's text
 * renders them as they come: `nlkit nft list ruleset`). `onSet` sees each
 * set as listed, before anything of its table is emitted (nft's text reads
 * a set's user data, which its JSON does not carry). Returns how many
 * objects were emitted.
 */
export async function emitRulesetObjects(
  emit: (o: Json) => void,
  filter: NftFilter = {},
  opts: NftOptions = {},
  json: RulesetJsonOptions = {},
  onSet?: (set: NftSet) => void,
): Promise<number> {
  checkKeys(opts, ["netns", "socket"], "emitRulesetObjects");
  return await emitRuleset(emit, (o) => o, filter, opts, json, onSet);
}

/** Both of the above: `render` turns each object into what is kept and emitted. */
async function emitRuleset<T>(
  emit: (x: T) => void,
  render: (o: Json) => T,
  filter: NftFilter,
  opts: NftOptions,
  json: RulesetJsonOptions,
  onSet?: (set: NftSet) => void,
): Promise<number> {
  return await withNftSocket(opts, async (socket) => {
    const o = { socket };
    const tables = await listTables(filter, o);
    const chains = await listChains(filter, o);
    const sets = await listSets(filter, o);
    const objects = await listObjects(filter, o);
    const flowtables = await listFlowtables(filter, o);
    // Per table: the texts before its rules; the sets rules refer to (only anonymous ones keep elements).
    const head = new Map<string, T[]>();
    const ctxs = new Map<string, RuleContext>();
    for (const t of tables) {
      const k = key(t.family, t.name);
      head.set(k, [render(tableJson(t, json.full))]);
      ctxs.set(k, { family: t.family, sets: new Map(), ifnames: json.ifnames, full: json.full });
    }
    const mine = (family: string, table: string | undefined): T[] | undefined => head.get(key(family, table));
    for (const x of objects) mine(x.family, x.table)?.push(render(objectJson(x)));
    for (const s of sets) {
      onSet?.(s);
      const ctx = ctxs.get(key(s.family, s.table));
      if (!ctx || s.name === undefined) continue;
      const bare: NftSetWithElements = { ...s, elements: [] };
      if (s.flags?.includes("anonymous")) {
        (ctx.sets as Map<string, NftSetWithElements>).set(s.name, { ...s, elements: await readElements(socket, s) });
        continue;
      }
      mine(s.family, s.table)!.push(
        render(setJson(bare, json.full, await setElementsJson(socket, s, json.full, json.ifnames), json.ifnames)),
      );
      (ctx.sets as Map<string, NftSetWithElements>).set(s.name, bare);
    }
    for (const f of flowtables) mine(f.family, f.table)?.push(render(flowtableJson(f)));
    // The output in slots: each table's head, then one (empty) slot per chain of it. Rules arrive chain by
    // chain in this order, so each is emitted as it is rendered: a text kept would be a rope of small
    // strings the collector copies over and over.
    const slots: T[][] = [];
    const slotOf = new Map<string, number>();
    for (const t of tables) {
      slots.push(head.get(key(t.family, t.name))!);
      for (const c of chains) {
        if (c.family !== t.family || c.table !== t.name || isBound(c)) continue;
        mine(c.family, c.table)!.push(render(chainJson(c, json.full)));
        slotOf.set(key(c.family, c.table, c.name), slots.length);
        slots.push([]);
      }
    }
    let count = 0;
    let open = -1; // slots up to here are emitted; this one streams
    const advance = (to: number): void => {
      for (; open < to; open++) {
        const done = slots[open + 1];
        for (const x of done) emit(x);
        count += done.length;
        slots[open + 1] = [];
      }
    };
    if (slots.length) advance(0);
    const put = (rule: Json, family: string, table: string | undefined, chain: string | undefined): void => {
      const slot = slotOf.get(key(family, table, chain));
      if (slot === undefined) return;
      const text = render(rule);
      // A rule for an earlier slot (the ruleset changed during the dump) is emitted where it arrives.
      if (slot > open) advance(slot);
      emit(text);
      count++;
    };
    // Rules of chains bound to a rule go inside it (binding.ts): then the rules are held until the dump ends.
    const bound = new Set(chains.filter(isBound).map((c) => boundKey(c.family, c.table, c.name)));
    const held: Json[] = [];
    for await (const r of streamNftRules(filter, o)) {
      const ctx = ctxs.get(key(r.family, r.table));
      if (!ctx) continue;
      if (bound.size) held.push(ruleJson(r, ctx));
      else put(ruleJson(r, ctx), r.family, r.table, r.chain);
    }
    for (const x of inlineBound(held, bound)) {
      const r = (x as { rule: { family: string; table?: string; chain?: string } }).rule;
      put(x, r.family, r.table, r.chain);
    }
    advance(slots.length - 1);
    return count;
  });
}
