/**
 * ctnetlink basics shared by every conntrack operation: message types, the
 * `nfgenmsg` families and the socket an operation runs on.
 *
 * @module
 */

import type { NetnsTarget } from "../../netns/netns.ts";
import { NetlinkSocket } from "../../socket/socket.ts";
import { NETLINK_NETFILTER } from "../../wire/constants.ts";
import { NFNL_SUBSYS_CTNETLINK, nfnlSplit } from "../../wire/nfnetlink.ts";

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
export interface ConntrackOptions {
  /** Run inside this network namespace (name, path, pid or fd). */
  netns?: NetnsTarget;
  /** Use this open `NETLINK_NETFILTER` socket instead of opening one. */
  socket?: NetlinkSocket;
}

const MSG_NAMES: Record<number, string> = Object.fromEntries(Object.entries(IPCTNL_MSG).map(([k, v]) => [v, k]));

/** Names an nfnetlink message type for error texts (`IPCTNL_MSG_CT_NEW`). */
export function describeCtnl(type: number): string {
  const [subsys, msg] = nfnlSplit(type);
  if (subsys === NFNL_SUBSYS_CTNETLINK && MSG_NAMES[msg]) return MSG_NAMES[msg];
  return `nfnetlink type ${subsys}/${msg}`;
}

/** Opens a `NETLINK_NETFILTER` socket for `opts`. */
export function openConntrackSocket(opts: ConntrackOptions = {}): Promise<NetlinkSocket> {
  return NetlinkSocket.open(NETLINK_NETFILTER, { netns: opts.netns, describe: describeCtnl });
}

/** Runs `fn` on the caller's socket, or on a fresh one closed afterwards. */
export async function withConntrackSocket<T>(
  opts: ConntrackOptions,
  fn: (s: NetlinkSocket) => Promise<T>,
): Promise<T> {
  if (opts.socket) return await fn(opts.socket);
  const s = await openConntrackSocket(opts);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/** Streams on the caller's socket or a fresh one, closed when the stream ends or the loop breaks. */
export async function* streamConntrack<T>(
  opts: ConntrackOptions,
  fn: (s: NetlinkSocket) => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  const own = opts.socket ? undefined : await openConntrackSocket(opts);
  try {
    yield* fn(opts.socket ?? own!);
  } finally {
    own?.close();
  }
}
