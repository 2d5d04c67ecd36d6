/**
 * Link names and indexes checked, and a name resolved to its index, without
 * the link parser: routes, nexthops and tc objects name their device, and
 * must not load every link kind to find its index.
 *
 * @module
 */

import { MessageBuilder } from "../../wire/builder.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { linkNotFound } from "../../errors.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { checkTarget } from "../../socket/target.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import { parseLinkName } from "../link_names.ts";
import { IFINFOMSG, IFLA_ALT_IFNAME, IFLA_IFNAME } from "./table.ts";

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
export function getLinkRequest(nameOrIndex: string | number): Uint8Array {
  const b = new MessageBuilder(RTM.RTM_GETLINK, 0);
  if (typeof nameOrIndex === "number") return b.struct(IFINFOMSG, { index: checkLinkIndex(nameOrIndex) }).finish();
  const alt = new TextEncoder().encode(nameOrIndex).length > IFNAMSIZ_MAX;
  checkLinkName(nameOrIndex, alt);
  return b.struct(IFINFOMSG, {}).string(alt ? IFLA_ALT_IFNAME : IFLA_IFNAME, nameOrIndex).finish();
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
