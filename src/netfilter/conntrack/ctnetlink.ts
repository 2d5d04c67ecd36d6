/**
 * ctnetlink basics shared by every conntrack operation: message types, the
 * `nfgenmsg` families and the socket an operation runs on.
 *
 * @module
 */

import { type NetlinkFamily, openSocket, type SocketTarget, withSocket } from "../../socket/family.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { NETLINK_NETFILTER } from "../../wire/constants.ts";
import { NFNL_SUBSYS_CTNETLINK, nfnlDescriber } from "../../wire/nfnetlink.ts";

/** `IPCTNL_MSG_CT_*` message numbers (joined with the subsystem by `nfnlType`). */
export const IPCTNL_MSG = {
  IPCTNL_MSG_CT_NEW: 0,
  IPCTNL_MSG_CT_GET: 1,
  IPCTNL_MSG_CT_DELETE: 2,
  IPCTNL_MSG_CT_GET_CTRZERO: 3,
  IPCTNL_MSG_CT_GET_STATS_CPU: 4,
  IPCTNL_MSG_CT_GET_STATS: 5,
  IPCTNL_MSG_CT_GET_DYING: 6,
  IPCTNL_MSG_CT_GET_UNCONFIRMED: 7,
} as const;

/** ctnetlink multicast groups (`NFNLGRP_CONNTRACK_*`). */
export const NFNLGRP_CONNTRACK = {
  NFNLGRP_CONNTRACK_NEW: 1,
  NFNLGRP_CONNTRACK_UPDATE: 2,
  NFNLGRP_CONNTRACK_DESTROY: 3,
} as const;

/** Where a conntrack operation runs: a namespace, or a `NETLINK_NETFILTER` socket the caller owns. */
export type ConntrackOptions = SocketTarget;

/** Names an nfnetlink message type for error texts (`IPCTNL_MSG_CT_NEW`). */
export const describeCtnl: (type: number) => string = nfnlDescriber(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG);

/** Message numbers that only read (GET, GET_STATS_CPU, GET_STATS, GET_DYING, GET_UNCONFIRMED): safe to resend. */
const READ_ONLY = new Set<number>([1, 4, 5, 6, 7]);

/** ctnetlink as a {@link NetlinkFamily}. */
export const CTNETLINK: NetlinkFamily = {
  name: "ctnetlink",
  protocol: NETLINK_NETFILTER,
  headerLength: 4, // nfgenmsg
  describe: (request) => describeCtnl(request[4] | (request[5] << 8)),
  idempotent: (request) => request[5] === NFNL_SUBSYS_CTNETLINK && READ_ONLY.has(request[4]),
};

/** Opens a `NETLINK_NETFILTER` socket for `opts`. */
export function openConntrackSocket(opts: ConntrackOptions = {}): Promise<NetlinkSocket> {
  return openSocket(CTNETLINK, opts);
}

/** Runs `fn` on the caller's socket, or on a fresh one closed afterwards. */
export function withConntrackSocket<T>(opts: ConntrackOptions, fn: (s: NetlinkSocket) => Promise<T>): Promise<T> {
  return withSocket(CTNETLINK, opts, fn);
}
