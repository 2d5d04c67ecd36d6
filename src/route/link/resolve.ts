/**
 * Link names and indexes checked, and a name resolved to its index, without
 * the link parser: routes, nexthops and tc objects name their device, and
 * must not load every link kind to find its index.
 *
 * @module
 */

import { buildLinkRequest, linkRequestHeader } from "./_generated/table.ts";
import { checkPolicy } from "../../wire/table.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { linkNotFound } from "../../errors.ts";
import { checkTarget } from "../../socket/target.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import { parseLinkName } from "../link_names.ts";
import { IFLA_ATTRS } from "./table.ts";

const utf8 = new TextEncoder();

/** Longest interface name (`IFNAMSIZ - 1`); longer names can only be alternative names. */
export const IFNAMSIZ_MAX: number = IFLA_ATTRS.name.maxLen;
/** Longest alternative name (`ALTIFNAMSIZ - 1`). */
export const ALTIFNAMSIZ_MAX: number = IFLA_ATTRS.altIfname.maxLen;

/** Checks an interface name (or, with `alt`, an alternative name) before it is sent, by its policy in `IFLA_ATTRS`. */
export function checkLinkName(name: string, alt = false): string {
  return checkPolicy(alt ? IFLA_ATTRS.altIfname : IFLA_ATTRS.name, name);
}

/** Checks an interface index, by the policy of `LINK_REQUEST.header`. */
export function checkLinkIndex(index: number): number {
  return linkRequestHeader({ index: index ?? null }).index;
}

/** A `RTM_GETLINK` for one link by index or name (names over 15 bytes go as `IFLA_ALT_IFNAME`). */
export function getLinkRequest(nameOrIndex: string | number): Uint8Array {
  const alt = typeof nameOrIndex === "string" && utf8.encode(nameOrIndex).length > IFNAMSIZ_MAX;
  const attrs = typeof nameOrIndex === "number" ? {} : alt ? { altIfname: nameOrIndex } : { name: nameOrIndex };
  const index = typeof nameOrIndex === "number" ? nameOrIndex : undefined;
  return buildLinkRequest(RTM.RTM_GETLINK, 0, { index }, attrs);
}

/**
 * Sends `RTM_GETLINK` for one link and parses its answer with `parse`;
 * throws `NotFoundError` (`ENODEV`) when there is no such link.
 */
export async function requestLink<T>(
  s: NetlinkSocket,
  nameOrIndex: string | number,
  parse: (m: NlMsg) => T,
): Promise<T> {
  try {
    const [link] = await s.request(getLinkRequest(nameOrIndex), parse);
    if (link !== undefined) return link;
  } catch (e) {
    if (!(e instanceof NetlinkError && e.code === "ENODEV")) throw e;
  }
  throw linkNotFound(nameOrIndex);
}

/**
 * Resolves a link name to its index (an index is checked and returned as
 * is). Throws `NotFoundError` (`ENODEV`) when no link has that name.
 */
export async function resolveLinkIndex(nameOrIndex: string | number, opts: RouteOptions = {}): Promise<number> {
  if (typeof nameOrIndex === "number") return checkLinkIndex(nameOrIndex);
  checkTarget(opts, "getLink");
  return await withRouteSocket(opts, (s) => requestLink(s, nameOrIndex, (m) => parseLinkName(m)[0]));
}
