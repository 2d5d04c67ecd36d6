/**
 * What one `nft list` command needs from the kernel, and no more: the
 * tables and the one kind of object listed (a counter listing does not
 * dump rules, sets or their elements).
 *
 * @module
 */

import type { ListSpec } from "./nft_list_spec.ts";
import {
  listChains,
  listElements,
  listFlowtables,
  listObjects,
  listRuleset,
  listSets,
  listTables,
  type NftRuleset,
  type NftSetWithElements,
} from "../netfilter/nftables/list.ts";
import type { NftSet } from "../netfilter/nftables/set.ts";
import { type NftOptions, withNftSocket } from "../netfilter/nftables/socket.ts";

/** nft's kind of a set: a named set or map, a meter (anonymous and dynamic), or none (an anonymous set). */
export function setKind(s: NftSet): string | undefined {
  const f = s.flags ?? [];
  if (f.includes("anonymous")) return f.includes("dynamic") ? "meter" : undefined;
  return f.includes("map") || f.includes("object") ? "map" : "set";
}

/** The set kind each set listing shows (`sets` and `set`: `set`). */
export const SET_KINDS: Record<string, string> = {
  sets: "set",
  set: "set",
  maps: "map",
  map: "map",
  meters: "meter",
  meter: "meter",
};

/** The part of the ruleset `spec` lists (the rest left empty). */
export async function fetchListing(spec: ListSpec, opts: NftOptions): Promise<NftRuleset> {
  const filter = { family: spec.family, table: spec.table };
  // A chain's rules need the sets they name: read the table whole.
  if (spec.kind === "chain") return await listRuleset(filter, opts);
  return await withNftSocket(opts, async (socket) => {
    const o = { socket };
    const r: NftRuleset = {
      tables: await listTables(filter, o),
      chains: [],
      sets: [],
      objects: [],
      flowtables: [],
      rules: [],
    };
    if (spec.kind === "chains") r.chains = await listChains(filter, o);
    else if (spec.kind === "flowtables" || spec.kind === "flowtable") r.flowtables = await listFlowtables(filter, o);
    else if (spec.kind in SET_KINDS) r.sets = await setsWithElements(await listSets(filter, o), spec, o);
    else if (spec.kind !== "tables") r.objects = await listObjects(filter, o);
    return r;
  });
}

/** The sets of the kind listed (and name), each with its elements. */
async function setsWithElements(sets: NftSet[], spec: ListSpec, o: NftOptions): Promise<NftSetWithElements[]> {
  const out: NftSetWithElements[] = [];
  for (const s of sets) {
    if (setKind(s) !== SET_KINDS[spec.kind] || (spec.name !== undefined && s.name !== spec.name)) continue;
    const elements = await listElements({ family: s.family, table: s.table ?? "", set: s.name ?? "" }, o);
    out.push({ ...s, elements });
  }
  return out;
}
