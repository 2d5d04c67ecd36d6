/**
 * rtnetlink basics shared by every routing object: message types,
 * multicast groups and the socket each operation runs on.
 *
 * @module
 */

import { type DumpPlan, DumpStream as FamilyDumpStream } from "../socket/dump_stream.ts";
import { type NetlinkFamily, openSocket, type SocketTarget, streamSocket, withSocket } from "../socket/family.ts";
import type { NetlinkSocket } from "../socket/socket.ts";
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
  RTM_NEWNEIGHTBL: 64,
  RTM_GETNEIGHTBL: 66,
  RTM_SETNEIGHTBL: 67,
  RTM_NEWNSID: 88,
  RTM_DELNSID: 89,
  RTM_GETNETCONF: 82,
  RTM_GETNSID: 90,
  RTM_NEWNEXTHOP: 104,
  RTM_DELNEXTHOP: 105,
  RTM_GETNEXTHOP: 106,
  RTM_NEWLINKPROP: 108,
  RTM_DELLINKPROP: 109,
  RTM_NEWNEXTHOPBUCKET: 116,
  RTM_DELNEXTHOPBUCKET: 117,
  RTM_GETNEXTHOPBUCKET: 118,
} as const;

/** rtnetlink multicast groups (`RTNLGRP_*`), numbered for `NETLINK_ADD_MEMBERSHIP`. */
export const RTNLGRP = {
  RTNLGRP_LINK: 1,
  RTNLGRP_NEIGH: 3,
  RTNLGRP_IPV4_IFADDR: 5,
  RTNLGRP_IPV4_MROUTE: 6,
  RTNLGRP_IPV4_ROUTE: 7,
  RTNLGRP_IPV4_RULE: 8,
  RTNLGRP_IPV6_IFADDR: 9,
  RTNLGRP_IPV6_MROUTE: 10,
  RTNLGRP_IPV6_ROUTE: 11,
  RTNLGRP_IPV6_RULE: 19,
  RTNLGRP_MPLS_ROUTE: 27,
  RTNLGRP_NEXTHOP: 32,
} as const;

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(RTM).map(([k, v]) => [v, k]));

/** Names an rtnetlink message type for error texts (`RTM_NEWLINK`). */
export function describeRtm(type: number): string {
  return NAMES[type] ?? `RTM type ${type}`;
}

/** rtnetlink as a {@link NetlinkFamily}: strict checking on, for kernel-side dump filters. */
export const RTNL: NetlinkFamily = {
  name: "rtnetlink",
  protocol: NETLINK_ROUTE,
  headerLength: 16, // the largest family header (ifinfomsg); each object has its own
  describe: (request) => describeRtm(request[4] | (request[5] << 8)),
  // RTM_GET* (type % 4 === 2) change nothing: a lost reply is asked for again.
  idempotent: (request) => ((request[4] | (request[5] << 8)) & 3) === 2,
  socketOptions: { strictCheck: true },
};

/** Where an rtnetlink operation runs: a namespace, or a socket the caller owns. */
export interface RouteOptions extends SocketTarget {
  /** Lists only: re-run a dump the kernel marked interrupted (`NLM_F_DUMP_INTR`) up to this many times. */
  retries?: number;
}

/** Opens a route socket for `opts` (strict checking on, for kernel-side filters). */
export function openRouteSocket(opts: RouteOptions = {}): Promise<NetlinkSocket> {
  return openSocket(RTNL, opts);
}

/** Runs `fn` on the caller's socket, or on a fresh one closed afterwards. */
export function withRouteSocket<T>(opts: RouteOptions, fn: (s: NetlinkSocket) => Promise<T>): Promise<T> {
  return withSocket(RTNL, opts, fn);
}

/**
 * Streams a dump on the caller's socket or a fresh one; the fresh socket is
 * closed when the stream ends or the loop breaks.
 */
export function streamRoute<T>(
  opts: RouteOptions,
  fn: (s: NetlinkSocket) => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  return streamSocket(RTNL, opts, fn);
}

export type { DumpPlan } from "../socket/dump_stream.ts";

/**
 * A route dump as a plain async iterator (the transport's `DumpStream`
 * bound to {@link RTNL}): on the caller's socket or on one it opens and
 * closes when the dump ends, fails or is left; `opts.retries` re-runs an
 * interrupted dump.
 */
export class DumpStream<T> extends FamilyDumpStream<T> {
  /** Nothing is opened until the first `next`. */
  constructor(opts: RouteOptions, plan: (s: NetlinkSocket) => DumpPlan<T> | Promise<DumpPlan<T>>) {
    super(RTNL, opts, plan);
  }
}
