/**
 * rtnetlink basics shared by every routing object: message types,
 * multicast groups and the socket each operation runs on.
 *
 * @module
 */

import type { NetnsTarget } from "../netns/netns.ts";
import { NetlinkSocket } from "../socket/socket.ts";
import { NETLINK_ROUTE } from "../wire/constants.ts";

/** `RTM_*` message types, by uapi name. */
export const RTM = {
  RTM_NEWLINK: 16,
  RTM_DELLINK: 17,
  RTM_GETLINK: 18,
  RTM_SETLINK: 19,
  RTM_NEWADDR: 20,
  RTM_DELADDR: 21,
  RTM_GETADDR: 22,
  RTM_NEWROUTE: 24,
  RTM_DELROUTE: 25,
  RTM_GETROUTE: 26,
  RTM_NEWNEIGH: 28,
  RTM_DELNEIGH: 29,
  RTM_GETNEIGH: 30,
  RTM_NEWRULE: 32,
  RTM_DELRULE: 33,
  RTM_GETRULE: 34,
  RTM_NEWLINKPROP: 108,
  RTM_DELLINKPROP: 109,
} as const;

/** rtnetlink multicast groups (`RTNLGRP_*`), numbered for `NETLINK_ADD_MEMBERSHIP`. */
export const RTNLGRP = {
  RTNLGRP_LINK: 1,
  RTNLGRP_NEIGH: 3,
  RTNLGRP_IPV4_IFADDR: 5,
  RTNLGRP_IPV4_ROUTE: 7,
  RTNLGRP_IPV4_RULE: 8,
  RTNLGRP_IPV6_IFADDR: 9,
  RTNLGRP_IPV6_ROUTE: 11,
  RTNLGRP_IPV6_RULE: 19,
} as const;

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(RTM).map(([k, v]) => [v, k]));

/** Names an rtnetlink message type for error texts (`RTM_NEWLINK`). */
export function describeRtm(type: number): string {
  return NAMES[type] ?? `RTM type ${type}`;
}

/** Where an rtnetlink operation runs: a namespace, or a socket the caller owns. */
export interface RouteOptions {
  /** Run inside this network namespace (name, path, pid or fd). */
  netns?: NetnsTarget;
  /** Use this open `NETLINK_ROUTE` socket instead of opening one. */
  socket?: NetlinkSocket;
}

/** Opens a route socket for `opts` (strict checking on, for kernel-side filters). */
export function openRouteSocket(opts: RouteOptions = {}): Promise<NetlinkSocket> {
  return NetlinkSocket.open(NETLINK_ROUTE, { netns: opts.netns, strictCheck: true, describe: describeRtm });
}

/** Runs `fn` on the caller's socket, or on a fresh one closed afterwards. */
export async function withRouteSocket<T>(opts: RouteOptions, fn: (s: NetlinkSocket) => Promise<T>): Promise<T> {
  if (opts.socket) return await fn(opts.socket);
  const s = await openRouteSocket(opts);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/**
 * Streams a dump on the caller's socket or a fresh one; the fresh socket is
 * closed when the stream ends or the loop breaks.
 */
export async function* streamRoute<T>(
  opts: RouteOptions,
  fn: (s: NetlinkSocket) => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  const own = opts.socket ? undefined : await openRouteSocket(opts);
  try {
    yield* fn(opts.socket ?? own!);
  } finally {
    own?.close();
  }
}
