/**
 * Ruleset events as `nft -j monitor` prints them: `{"add": {"rule": ...}}`,
 * with rules rendered against the sets the stream has announced (anonymous
 * sets arrive just before the rule that uses them, and are not shown).
 *
 * @module
 */

import type { NftChangeEvent } from "../events.ts";
import type { NftSetWithElements } from "../list.ts";
import { elementsJson } from "./elements.ts";
import { chainJson, objectJson, ruleJson, setJson, setTypes, tableJson } from "./ruleset_json.ts";
import type { Json } from "./types.ts";

/** Turns change events into nft's monitor JSON, remembering sets for later rules. */
export class MonitorJson {
  #sets = new Map<string, NftSetWithElements>();

  /** Interface names for `meta iif`/`oif`; `sets`: the sets that existed when the stream started. */
  constructor(readonly ifnames?: ReadonlyMap<number, string>, sets: readonly NftSetWithElements[] = []) {
    for (const s of sets) this.#sets.set(`${s.family} ${s.table} ${s.name}`, s);
  }

  #tableSets(family: string, table: string): Map<string, NftSetWithElements> {
    const out = new Map<string, NftSetWithElements>();
    for (const s of this.#sets.values()) if (s.family === family && s.table === table) out.set(s.name ?? "", s);
    return out;
  }

  /** The JSON of one event, or `undefined` for what nft does not show (anonymous sets and their elements). */
  event(ev: NftChangeEvent): Json | undefined {
    let body: Json;
    switch (ev.kind) {
      case "table":
        body = tableJson(ev.object);
        break;
      case "chain":
        body = chainJson(ev.object);
        break;
      case "rule":
        body = ruleJson(ev.object, {
          family: ev.object.family,
          sets: this.#tableSets(ev.object.family, ev.object.table ?? ""),
          ifnames: this.ifnames,
        });
        break;
      case "set": {
        const key = `${ev.object.family} ${ev.object.table} ${ev.object.name}`;
        const set = { ...ev.object, elements: [] };
        if (ev.type === "add") this.#sets.set(key, set);
        // Anonymous sets are part of their rule (a delete event carries no flags, only the name).
        if (ev.object.flags?.includes("anonymous") || ev.object.name?.startsWith("__set")) return undefined;
        if (ev.type === "delete") this.#sets.delete(key);
        body = setJson(set);
        break;
      }
      case "element": {
        const o = ev.object;
        const set = this.#sets.get(`${o.family} ${o.table} ${o.set}`);
        if (set && ev.type === "add") set.elements.push(...o.elements ?? []);
        if (!set || set.flags?.includes("anonymous")) return undefined;
        const t = setTypes(set);
        const elem = elementsJson(o.elements ?? [], t.key, set.flags?.includes("interval") ?? false, t.data);
        body = { element: { family: o.family, table: o.table ?? "", name: o.set ?? "", elem: { set: elem } } };
        break;
      }
      case "object":
        body = objectJson(ev.object);
        break;
      case "flowtable":
        return undefined;
    }
    return { [ev.type]: body };
  }
}
