/**
 * One namespace id as `ip` prints it (`print_nsid`), for `netns list-id`
 * and `monitor nsid`, with ip's way of finding the namespace's name.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { netnsNames } from "./names.ts";
import type { NsidEntry } from "../netns/nsid.ts";

/**
 * The name of an entry's namespace: from `known` (and then forgotten, as
 * ip's cache forgets it), or for a `new` entry by a fresh look-up under
 * /run/netns (then remembered).
 */
export async function nsidName(
  ctx: Context,
  known: Map<number, string>,
  e: NsidEntry,
  fresh: boolean,
): Promise<string | undefined> {
  const key = e.currentNsid ?? e.nsid;
  const name = known.get(key);
  if (name !== undefined) {
    known.delete(key);
    return name;
  }
  if (!fresh) return undefined;
  const found = (await netnsNames(ctx)).get(e.nsid);
  if (found !== undefined) known.set(e.nsid, found);
  return found;
}

/** `nsid N [current-nsid M] [(iproute2 netns name: NAME)]`, with ip's trailing space when there is no name. */
export function nsidText(e: NsidEntry, name: string | undefined): string {
  let s = e.nsid < 0 ? "nsid unassigned " : `nsid ${e.nsid} `;
  if (e.currentNsid !== undefined) {
    s += e.currentNsid < 0 ? "current-nsid unassigned " : `current-nsid ${e.currentNsid} `;
  }
  return name === undefined ? s : `${s}(iproute2 netns name: ${name})`;
}

/** The `-j` object: `nsid`, `current-nsid` and `name` when known. */
export function nsidJson(e: NsidEntry, name: string | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (e.nsid >= 0) o.nsid = e.nsid;
  if (e.currentNsid !== undefined && e.currentNsid >= 0) o["current-nsid"] = e.currentNsid;
  if (name !== undefined) o.name = name;
  return o;
}
