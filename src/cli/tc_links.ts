/**
 * Link names for `nlkit tc` words: resolved from one dump, refused before
 * anything is sent when unknown.
 *
 * @module
 */

import { linkNotFound } from "../errors.ts";
import type { Context } from "./context.ts";
import { indexNames } from "./names.ts";

/** Link names to indexes, from one dump. */
export async function nameIndex(ctx: Context): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (const [i, l] of await indexNames(ctx)) if (l.name) map.set(l.name, i);
  return map;
}

/** A name lookup that throws the library's link `NotFoundError` for a name not in `names`. */
export function linkLookup(names: Map<string, number>): (name: string) => number {
  return (name) => {
    const i = names.get(name);
    if (i === undefined) throw linkNotFound(name);
    return i;
  };
}
