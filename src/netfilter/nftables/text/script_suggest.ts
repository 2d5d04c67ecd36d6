/**
 * nft's "did you mean" for what a command names and the ruleset lacks:
 * the closest name among the ruleset's tables, chains, sets, objects or
 * flowtables (nft's `*_lookup_fuzzy` over its cache), worded as nft words
 * it (`table ‘filter’ in family ip`, `chain ‘input’ in table ip ‘filter’`).
 *
 * @module
 */

import { listChains, listFlowtables, listObjects, listSets, listTables } from "../list.ts";
import type { NftOptions } from "../socket.ts";
import { closest } from "./misspell.ts";

/** A named object of a table, as the suggestions need it. */
interface Named {
  family?: string;
  table?: string;
  name?: string;
  flags?: string[];
}

/** The names nft's cache holds when it looks for a suggestion. */
export interface NameCache {
  /** Tables, in the kernel's order. */
  tables: Named[];
  /** Chains of every table. */
  chains: Named[];
  /** Named sets and maps of every table (anonymous ones are never suggested). */
  sets: Named[];
  /** Stateful objects of every table, of every type. */
  objects: Named[];
  /** Flowtables of every table. */
  flowtables: Named[];
}

/** Lists the names of the ruleset (a kernel without flowtables has none). */
export async function loadNames(opts: NftOptions): Promise<NameCache> {
  const or = async <T>(p: Promise<T[]>): Promise<T[]> => await p.catch(() => []);
  const [tables, chains, sets, objects, flowtables] = await Promise.all([
    or(listTables({}, opts)),
    or(listChains({}, opts)),
    or(listSets({}, opts)),
    or(listObjects({}, opts)),
    or(listFlowtables({}, opts)),
  ]);
  return { tables, chains, sets: sets.filter((s) => !s.flags?.includes("anonymous")), objects, flowtables };
}

function near(list: Named[], name: string): Named | undefined {
  return closest(name, list.map((o) => [o.name ?? "", o] as const));
}

/** nft's suggestion of a table for `name`: `table ‘x’ in family ip`. */
export function tableHint(c: NameCache, name: string): string | undefined {
  const t = near(c.tables, name);
  return t && `table ‘${t.name}’ in family ${t.family}`;
}

/** The objects a command kind names: a rule names its chain, an element its set. */
function listOf(c: NameCache, kind: string): [Named[], string] {
  if (kind === "chain" || kind === "rule") return [c.chains, "chain"];
  if (kind === "set" || kind === "map" || kind === "element") return [c.sets, "set"];
  if (kind === "flowtable") return [c.flowtables, "flowtable"];
  return [c.objects, "obj"];
}

/** The object nft would suggest for `name` of command kind `kind`, and its words. */
export function objectHint(c: NameCache, kind: string, name: string): { found: Named; hint: string } | undefined {
  const [list, what] = listOf(c, kind);
  const found = near(list, name);
  if (!found) return undefined;
  const word = what === "set" && found.flags?.includes("map") ? "map" : what;
  return { found, hint: `${word} ‘${found.name}’ in table ${found.family} ‘${found.table}’` };
}
