/**
 * nft's `-s` (stateless) and `-t` (terse) applied to the objects of a
 * listing, as nft 1.0.6 prints them:
 * - `-s`: a rule's or element's counter shows no values (`{"counter":
 *   null}`, text `counter`) and a quota no use; the text of named counters
 *   and quotas loses its values too, their JSON keeps them (nft's own
 *   listing does); the text of an element loses its expiry, its JSON keeps it;
 * - `-t`: sets and maps without their elements.
 *
 * @module
 */

import type { Json } from "./types.ts";
import { rawInteger } from "./big_int.ts";

/** What a listing leaves out. */
export interface ListingOmit {
  /** `-s`: counter values and quota use. */
  stateless?: boolean;
  /** `-t`: the elements of sets and maps. */
  terse?: boolean;
  /** The listing is text (`nft list`), not JSON: named objects lose their values too. */
  text?: boolean;
}

type Obj = { [k: string]: Json };
// A raw JSON number (an integer past 2^53) is an object too, but a value: it is kept, not rebuilt.
const isObj = (x: Json): x is Obj =>
  typeof x === "object" && x !== null && !Array.isArray(x) && rawInteger(x) === undefined;

function withoutKeys(o: Obj, keys: readonly string[]): Obj {
  const out: Obj = {};
  for (const k in o) if (!keys.includes(k)) out[k] = o[k];
  return out;
}

/** A statement or element without its state: counters' values, quotas' use, and in `text` an element's expiry. */
function stateless(x: Json, text = false): Json {
  if (Array.isArray(x)) return x.map((y) => stateless(y, text));
  if (!isObj(x)) return x;
  const out: Obj = {};
  for (const k in x) {
    const v = x[k];
    if (k === "counter" && isObj(v) && "packets" in v) out[k] = null;
    else if (k === "quota" && isObj(v) && "used" in v) out[k] = withoutKeys(v, ["used", "used_unit"]);
    else if (k === "elem" && text && isObj(v) && "val" in v) out[k] = stateless(withoutKeys(v, ["expires"]), text);
    else out[k] = stateless(v, text);
  }
  return out;
}

/** One object of `nft -j list ...` (`{"rule": {...}}`, `{"set": {...}}`...) with what `omit` leaves out removed. */
export function omitFromListing(o: Json, omit: ListingOmit): Json {
  if (!isObj(o)) return o;
  const [kind] = Object.keys(o);
  const body = o[kind];
  if (!isObj(body)) return o;
  if (kind === "set" || kind === "map") {
    let b = omit.terse ? withoutKeys(body, ["elem"]) : body;
    if (omit.stateless && b.elem !== undefined) b = { ...b, elem: stateless(b.elem, omit.text) };
    return { [kind]: b };
  }
  if (!omit.stateless) return o;
  if (kind === "rule") return { rule: { ...body, expr: stateless(body.expr) } };
  // An element event (`nft monitor`): its elements as a set's.
  if (kind === "element") return { element: { ...body, elem: stateless(body.elem, omit.text) } };
  if (omit.text && kind === "counter") return { counter: withoutKeys(body, ["packets", "bytes"]) };
  if (omit.text && kind === "quota") return { quota: withoutKeys(body, ["used"]) };
  return o;
}
