/**
 * Links (network interfaces) over rtnetlink: parse `RTM_NEWLINK` messages
 * into typed {@link Link} objects, look links up, list and stream them.
 * Creating, changing and deleting links lives in `change.ts`.
 *
 * @example
 * ```ts ignore
 * import { getLink, listLinks } from "./api.ts";
 * for (const l of await listLinks({ kind: "veth" }, { netns: "blue" })) console.log(l.index, l.name, l.flags);
 * const lo = await getLink("lo", { netns: "blue" });
 * console.log(lo.mtu, lo.operstate); // 65536 UNKNOWN
 * ```
 *
 * @module
 */

import { parseLink } from "./_generated/object.ts";
import { buildLinkRequest } from "./_generated/table.ts";
import type { NlMsg } from "../../wire/message.ts";
import type { Attrs } from "../../wire/table.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { checkTarget } from "../../socket/target.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import type { IFLA_ATTRS } from "./table.ts";
import type { Link } from "./object.ts";
import { checkLinkIndex, requestLink } from "./resolve.ts";

/** The `IFLA_*` attributes of a link, as the table parses them. */
export type LinkAttrs = Attrs<typeof IFLA_ATTRS>;

export type { Link, LinkInfo } from "./object.ts";
export { ALTIFNAMSIZ_MAX, checkLinkIndex, checkLinkName, IFNAMSIZ_MAX, resolveLinkIndex } from "./resolve.ts";

/**
 * Parses an `RTM_NEWLINK`/`RTM_DELLINK` message. Throws `TruncatedError` or
 * `MalformedError` on bytes that are not a link message.
 */
export function parseLinkMessage(m: NlMsg): Link {
  return parseLink(m);
}

async function getOn(s: NetlinkSocket, nameOrIndex: string | number): Promise<Link> {
  return await requestLink(s, nameOrIndex, parseLinkMessage);
}

/**
 * Fetches one link by name (or alternative name), index, or a listed
 * {@link Link} (by its index). Throws `NotFoundError` (`code` `ENODEV`,
 * `kind` `"link"`) when there is no such link.
 */
export async function getLink(link: string | number | Link, opts: RouteOptions = {}): Promise<Link> {
  const which = linkRef(link);
  checkTarget(opts, "getLink");
  return await withRouteSocket(opts, (s) => getOn(s, which));
}

/**
 * The name or index a call looks a link up by: as given, or the `index` of
 * a listed {@link Link} (whose other fields only report state and are
 * ignored).
 */
export function linkRef(link: string | number | Link): string | number {
  if (typeof link === "string" || typeof link === "number") return link;
  if (typeof link !== "object" || link === null || typeof link.index !== "number") {
    throw new InvalidArgumentError(
      `Cannot use link ${JSON.stringify(link)}: expected a name, an index or a listed link`,
      "link",
    );
  }
  return checkLinkIndex(link.index);
}

/** Which links {@link listLinks} and {@link streamLinks} return: all by default. */
export interface LinkFilter {
  /** Only links of this kind (`bridge`, `veth`...), filtered by the kernel where it knows the kind. */
  kind?: string;
  /** Only ports of this master (name or index), filtered by the kernel. */
  master?: string | number;
  /** Only links with exactly this alias (`IFLA_IFALIAS`); the kernel cannot filter on it, so it is matched here. */
  alias?: string;
}

function checkLinkFilter(filter: LinkFilter): void {
  checkKeys(filter, ["kind", "master", "alias"], "link filter");
  if (filter.kind !== undefined && (typeof filter.kind !== "string" || filter.kind === "")) {
    throw new InvalidArgumentError(`Cannot use kind ${JSON.stringify(filter.kind)}: expected a link kind name`, "kind");
  }
  if (filter.alias !== undefined && typeof filter.alias !== "string") {
    throw new InvalidArgumentError(`Cannot use alias ${JSON.stringify(filter.alias)}: expected a string`, "alias");
  }
  const m = filter.master;
  if (m !== undefined && typeof m !== "string" && typeof m !== "number") {
    throw new InvalidArgumentError(`Cannot use master ${JSON.stringify(m)}: expected a link name or index`, "master");
  }
}

function dumpRequest(kind: string | undefined, master: number | undefined): Uint8Array {
  const linkinfo = kind === undefined ? undefined : { kind };
  return buildLinkRequest(RTM.RTM_GETLINK, 0, {}, { master, linkinfo });
}

/**
 * Streams every link (bounded memory). With `kind` or `master` the kernel
 * filters the dump; the kind is checked again here because the kernel
 * ignores kinds whose driver is not loaded. `alias` is matched here.
 */
export function streamLinks(filter: LinkFilter = {}, opts: RouteOptions = {}): AsyncGenerator<Link, void, undefined> {
  checkLinkFilter(filter);
  checkTarget(opts, "a link listing", ["retries"]);
  const { kind, master, alias } = filter;
  return new DumpStream(opts, async (s) => {
    const masterIndex = master === undefined ? undefined : (await getOn(s, master)).index;
    const keep = kind === undefined && masterIndex === undefined && alias === undefined
      ? undefined
      : (link: Link) =>
        (kind === undefined || link.linkinfo?.kind === kind) &&
        (masterIndex === undefined || link.master === masterIndex) &&
        (alias === undefined || link.alias === alias);
    return { request: dumpRequest(kind, masterIndex), parse: parseLinkMessage, keep };
  });
}

/** Lists links into an array (see {@link streamLinks}). */
export async function listLinks(filter: LinkFilter = {}, opts: RouteOptions = {}): Promise<Link[]> {
  return await Array.fromAsync(streamLinks(filter, opts));
}
