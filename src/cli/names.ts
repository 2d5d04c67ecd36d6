/**
 * Index → link lookups for printing, built from one link dump (links are
 * few; routes and neighbours that refer to them may be many).
 *
 * @module
 */

import type { Link } from "../route/link/api.ts";
import { type LinkNameMap, readLinkNames } from "../route/link_names.ts";
import { withRouteSocket } from "../route/rtnl.ts";
import type { Context } from "./context.ts";
import { groupName, userName } from "./ids.ts";
import type { IpJsonOptions } from "../route/link/json.ts";

/** Links by index. */
export type LinkNames = Map<number, Link>;

/**
 * Dumps the links of the context's namespace once, whole. The link parser
 * (every link kind) loads only here: a listing that needs the names alone
 * takes {@link indexNames}.
 */
export async function linkNames(ctx: Context): Promise<LinkNames> {
  const { streamLinks } = await import("../route/link/api.ts");
  const map: LinkNames = new Map();
  for await (const l of streamLinks({}, ctx.lib)) map.set(l.index, l);
  return map;
}

/** Dumps the names (and masters) of the links of the context's namespace once. */
export async function indexNames(ctx: Context): Promise<LinkNameMap> {
  return await withRouteSocket(ctx.lib, readLinkNames);
}

/**
 * Named namespaces by nsid, looked up only when a link has a peer in
 * another namespace (one request per name under /run/netns).
 */
export async function netnsNamesFor(ctx: Context, links: Iterable<Link>): Promise<Map<number, string> | undefined> {
  for (const l of links) if (l.linkNetnsid !== undefined) return await netnsNames(ctx);
  return undefined;
}

/** Named namespaces by nsid, as seen from the context's namespace. */
export async function netnsNames(ctx: Context): Promise<Map<number, string>> {
  return await (await import("../netns/nsid.ts")).nsidNames(ctx.lib);
}

/** Names by index: whole links, or the names alone (`readLinkNames`). */
export type IndexNames = ReadonlyMap<number, { readonly name?: string }>;

/** A link's name, or `if<N>` when it is unknown, as iproute2 prints it. */
export function nameOfIndex(map: IndexNames, index: number): string {
  return map.get(index)?.name ?? `if${index}`;
}

/** A lookup function in the shape the families' JSON converters take. */
export function nameLookup(map: LinkNames): (index: number) => string | undefined {
  return (index) => map.get(index)?.name;
}

/** Options for the families' `*ToIpJson` converters from `-d`/`-s`. */
export function jsonOpts(ctx: Context, byIndex: LinkNames): IpJsonOptions {
  return { details: ctx.opts.details > 0, stats: ctx.opts.stats > 0, byIndex, userName, groupName };
}
