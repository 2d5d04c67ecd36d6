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
import type { NftObject } from "../obj.ts";
import { elementsJson } from "./elements.ts";
import { elemFlags, SET_ELEM_F_INTERVAL_OPEN } from "../udata.ts";
import { chainJson, objectJson, ruleJson, setJson, setTypes, tableJson } from "./ruleset_json.ts";
import type { Json } from "./types.ts";

/** Turns change events into nft's monitor JSON, remembering sets for later rules. */
export class MonitorJson {
  #sets = new Map<string, NftSetWithElements>();
  /** An interval set's element waiting for the set's next message, by `family table name`. */
  #pending = new Map<string, NftElement>();
  /** Stateful objects as last announced, by `family table type name`: a deletion's event carries no data. */
  #objects = new Map<string, NftObject>();

  /**
   * Interface names for `meta iif`/`oif`; `sets` and `objects`: those that
   * existed when the stream started.
   */
  constructor(
    readonly ifnames?: ReadonlyMap<number, string>,
    sets: readonly NftSetWithElements[] = [],
    /** For nft's text: keep what its JSON leaves out (a set's `dynamic` flag, the milliseconds of timeouts). */
    readonly full = false,
    objects: readonly NftObject[] = [],
  ) {
    for (const s of sets) this.#sets.set(`${s.family} ${s.table} ${s.name}`, s);
    for (const o of objects) this.#objects.set(objectKey(o), o);
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
   * nft's pairing of an interval set's element events (monitor.c's range
   * cache): a message whose last element is not a range open to the top of
   * the key space (an element nft flags so in its user data) waits, and
   * prints with the set's next message, their starts and ends paired. A
   * message holding the end marker at key 0 that nft puts before a set's
   * first range prints nothing.
   */
  #pair(set: NftSetWithElements, elements: readonly NftElement[]): NftElement[] {
    if (elements.some((e) => e.flags?.includes("interval-end") && leadingZero(e.key?.value))) return [];
    const k = `${set.family} ${set.table} ${set.name}`;
    const cached = this.#pending.get(k);
    if (cached) {
      this.#pending.delete(k);
      return [...elements, cached];
    }
    const last = elements[elements.length - 1];
    // A concatenation's range is whole in one element.
    if (!last || last.keyEnd || openRange(last)) return [...elements];
    this.#pending.set(k, last);
    return [];
  }

  /**
   * The JSON of one event, or `undefined` for what nft does not show
   * (anonymous sets and their elements, an interval's start until the
   * set's next element message).
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
        // Anonymous sets are part of their rule; a delete event carries no flags, and nft prints it as a set.
        if (ev.object.flags?.includes("anonymous")) return undefined;
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
        const elements = interval ? this.#pair(set, o.elements ?? []) : o.elements ?? [];
        if (!elements.length) return undefined;
        return this.#elements(command(ev), set, elements);
      }
      case "object": {
        // The kernel no longer sends a deleted object's data (Linux 6.x): show it as it was announced,
        // as the kernels nft's monitor tests were written against did.
        const key = objectKey(ev.object);
        const known = this.#objects.get(key);
        const o = ev.type === "delete" && ev.object.data === undefined && known
          ? { ...known, handle: ev.object.handle ?? known.handle }
          : ev.object;
        if (ev.type === "add") this.#objects.set(key, ev.object);
        else this.#objects.delete(key);
        body = objectJson(o);
        break;
      }
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

/** Whether a key's first 4 bytes are 0, as nft reads a key (`nftnl_set_elem_get_u32`). */
function leadingZero(key: Uint8Array | undefined): boolean {
  return key !== undefined && key.subarray(0, 4).every((b) => b === 0);
}

/** Whether nft flagged the element as a range open to the top of the key space. */
function openRange(e: NftElement): boolean {
  return (elemFlags(e.userdata) & SET_ELEM_F_INTERVAL_OPEN) !== 0;
}

function objectKey(o: NftObject): string {
  return `${o.family} ${o.table} ${o.type} ${o.name}`;
}
