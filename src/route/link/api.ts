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
import { MessageBuilder } from "../../wire/builder.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { linkNotFound } from "../../errors.ts";
import type { Attrs } from "../../wire/table.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { checkTarget } from "../../socket/target.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import {
  IFINFOMSG,
  IFLA_ALT_IFNAME,
  type IFLA_ATTRS,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  IFLA_MASTER,
} from "./table.ts";
import type { Link } from "./object.ts";

/** The `IFLA_*` attributes of a link, as the table parses them. */
export type LinkAttrs = Attrs<typeof IFLA_ATTRS>;

export type { Link, LinkInfo } from "./object.ts";

/**
 * Parses an `RTM_NEWLINK`/`RTM_DELLINK` message. Throws `TruncatedError` or
 * `MalformedError` on bytes that are not a link message.
 */
export function parseLinkMessage(m: NlMsg): Link {
  return parseLink(m);
}

/** Longest interface name (`IFNAMSIZ - 1`); longer names can only be alternative names. */
export const IFNAMSIZ_MAX = 15;
/** Longest alternative name (`ALTIFNAMSIZ - 1`). */
export const ALTIFNAMSIZ_MAX = 127;

/** Checks an interface name (or, with `alt`, an alternative name) before it is sent. */
export function checkLinkName(name: string, alt = false): string {
  const max = alt ? ALTIFNAMSIZ_MAX : IFNAMSIZ_MAX;
  const bytes = typeof name === "string" ? new TextEncoder().encode(name).length : 0;
  if (bytes === 0 || bytes > max || name === "." || name === ".." || /[\s/:]/.test(name)) {
    throw new InvalidArgumentError(
      `Invalid link name: "${name}" (1 to ${max} bytes, no "/", ":" or whitespace, not "." or "..")`,
    );
  }
  return name;
}

/** Checks an interface index. */
export function checkLinkIndex(index: number): number {
  if (!Number.isInteger(index) || index < 1 || index > 0x7fffffff) {
    throw new InvalidArgumentError(`Invalid link index: "${index}" (must be 1 to 2147483647)`);
  }
  return index;
}

/** A `RTM_GETLINK` for one link by index or name (names over 15 bytes go as `IFLA_ALT_IFNAME`). */
function getLinkRequest(nameOrIndex: string | number): Uint8Array {
  const b = new MessageBuilder(RTM.RTM_GETLINK, 0);
  if (typeof nameOrIndex === "number") return b.struct(IFINFOMSG, { index: checkLinkIndex(nameOrIndex) }).finish();
  const alt = new TextEncoder().encode(nameOrIndex).length > IFNAMSIZ_MAX;
  checkLinkName(nameOrIndex, alt);
  return b.struct(IFINFOMSG, {}).string(alt ? IFLA_ALT_IFNAME : IFLA_IFNAME, nameOrIndex).finish();
}

async function getOn(s: NetlinkSocket, nameOrIndex: string | number): Promise<Link> {
  try {
    const [link] = await s.request(getLinkRequest(nameOrIndex), parseLinkMessage);
    if (link) return link;
  } catch (e) {
    if (!(e instanceof NetlinkError && e.code === "ENODEV")) throw e;
  }
  throw linkNotFound(nameOrIndex);
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

/**
 * Resolves a link name to its index (an index is checked and returned as
 * is). Throws `NotFoundError` (`ENODEV`) when no link has that name.
 */
export async function resolveLinkIndex(nameOrIndex: string | number, opts: RouteOptions = {}): Promise<number> {
  if (typeof nameOrIndex === "number") return checkLinkIndex(nameOrIndex);
  return (await getLink(nameOrIndex, opts)).index;
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
  const b = new MessageBuilder(RTM.RTM_GETLINK, 0).struct(IFINFOMSG, {});
  if (master !== undefined) b.u(IFLA_MASTER, "u32", master);
  if (kind !== undefined) b.nest(IFLA_LINKINFO, (n) => n.string(IFLA_INFO_KIND, kind));
  return b.finish();
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
