/**
 * Ruleset events as `nft -j monitor` prints them: `{"add": {"rule": ...}}`,
 * with rules rendered against the sets the stream has announced (anonymous
 * sets arrive just before the rule that uses them, and are not shown).
 *
 * @module
 */

import type { NftChangeEvent } from "../events.ts";
import type { NftSetWithElements } from "../list.ts";
import type { NftElement } from "../element.ts";
import { elementsJson } from "./elements.ts";
import { chainJson, objectJson, ruleJson, setJson, setTypes, tableJson } from "./ruleset_json.ts";
import type { Json } from "./types.ts";

/** Turns change events into nft's monitor JSON, remembering sets for later rules. */
export class MonitorJson {
  #sets = new Map<string, NftSetWithElements>();
  #pending = new Map<string, { type: string; set: NftSetWithElements; element: NftElement }>();

  /** Interface names for `meta iif`/`oif`; `sets`: the sets that existed when the stream started. */
  constructor(
    readonly ifnames?: ReadonlyMap<number, string>,
    sets: readonly NftSetWithElements[] = [],
    /** For nft's text: keep what its JSON leaves out (a set's `dynamic` flag, the milliseconds of timeouts). */
    readonly full = false,
  ) {
    for (const s of sets) this.#sets.set(`${s.family} ${s.table} ${s.name}`, s);
  }

  #tableSets(family: string, table: string): Map<string, NftSetWithElements> {
    const out = new Map<string, NftSetWithElements>();
    for (const s of this.#sets.values()) if (s.family === family && s.table === table) out.set(s.name ?? "", s);
    return out;
  }

  #elements(type: string, set: NftSetWithElements, elements: readonly NftElement[]): Json {
    const t = setTypes(set);
    const elem = elementsJson(elements, t.key, set.flags?.includes("interval") ?? false, t.data, undefined, this.full);
    return {
      [type]: { element: { family: set.family, table: set.table ?? "", name: set.name ?? "", elem: { set: elem } } },
    };
  }

  /**
   * An interval arrives as two events, its start then the element after its
   * end: the start waits for its end, so the range prints once, as nft does.
   */
  #pair(type: string, set: NftSetWithElements, elements: readonly NftElement[]): NftElement[] {
    const k = `${type} ${set.family} ${set.table} ${set.name}`;
    const out: NftElement[] = [];
    for (const e of elements) {
      const pending = this.#pending.get(k);
      if (e.keyEnd) out.push(e); // a concatenation's range is whole in one element
      else if (e.flags?.includes("interval-end")) {
        // An end with no start closes the gap below the first range: nothing to show.
        if (pending) out.push(pending.element, e);
        this.#pending.delete(k);
      } else {
        if (pending) out.push(pending.element); // open to the top of the key space
        this.#pending.set(k, { type, set, element: e });
      }
    }
    return out;
  }

  /** Ranges still open when a batch ends (they run to the top of the key space). */
  flush(): Json[] {
    const out = [...this.#pending.values()].map((p) => this.#elements(p.type, p.set, [p.element]));
    this.#pending.clear();
    return out;
  }

  /**
   * The JSON of one event, or `undefined` for what nft does not show
   * (anonymous sets and their elements, an interval's start until its end
   * arrives: call {@link MonitorJson.flush} when a batch ends).
   */
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
          full: this.full,
        });
        break;
      case "set": {
        const key = `${ev.object.family} ${ev.object.table} ${ev.object.name}`;
        const set = { ...ev.object, elements: [] };
        if (ev.type === "add") this.#sets.set(key, set);
        // Anonymous sets are part of their rule (a delete event carries no flags, only the name).
        if (ev.object.flags?.includes("anonymous") || ev.object.name?.startsWith("__set")) return undefined;
        if (ev.type === "delete") this.#sets.delete(key);
        body = setJson(set, this.full);
        break;
      }
      case "element": {
        const o = ev.object;
        const key = `${o.family} ${o.table} ${o.set}`;
        const set = this.#sets.get(key);
        if (set && ev.type === "add") { for (const e of o.elements ?? []) set.elements.push(e); }
        if (!set || set.flags?.includes("anonymous")) return undefined;
        const interval = set.flags?.includes("interval") ?? false;
        const elements = interval ? this.#pair(command(ev), set, o.elements ?? []) : o.elements ?? [];
        if (!elements.length) return undefined;
        return this.#elements(command(ev), set, elements);
      }
      case "object":
        body = objectJson(ev.object);
        break;
      case "flowtable":
        return undefined;
    }
    return { [command(ev)]: body };
  }
}

const NLM_F_EXCL = 0x200;
const NLM_F_APPEND = 0x800;

/** nft's word for a change: a rule added without `NLM_F_APPEND` was inserted; an add with `NLM_F_EXCL` is a create. */
function command(ev: NftChangeEvent): string {
  if (ev.type === "delete" || ev.flags === undefined) return ev.type;
  if (ev.kind === "rule") return ev.flags & NLM_F_APPEND ? "add" : "insert";
  return ev.flags & NLM_F_EXCL ? "create" : "add";
}
