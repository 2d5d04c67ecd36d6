/**
 * One transport for every family: a family is a small descriptor (its
 * protocol, header size and how to name a request), and `withSocket` /
 * `streamSocket` run an operation on the caller's socket or on a fresh one
 * that is always closed afterwards.
 *
 * @example
 * ```ts ignore
 * import { type NetlinkFamily, withSocket } from "./family.ts";
 * const ROUTE: NetlinkFamily = { name: "rtnetlink", protocol: 0, headerLength: 16, describe: (r) => `type ${r[4]}` };
 * const links = await withSocket(ROUTE, { netns: "blue" }, (s) => s.dumpAll(req, parse));
 * ```
 *
 * @module
 */

import type { NetnsTarget } from "../netns/netns.ts";
import { NetlinkSocket } from "./socket.ts";
import type { NetlinkFamily, SocketOptions } from "./options.ts";

export type { NetlinkFamily } from "./options.ts";

/** Where an operation runs: a namespace, or a socket the caller owns. */
export interface SocketTarget {
  /** Run inside this network namespace (name, path, pid or fd). */
  netns?: NetnsTarget;
  /** Use this open socket (of the family's protocol) instead of opening one. */
  socket?: NetlinkSocket;
}

/** A family, or a bare protocol number for a family with no descriptor. */
export type FamilyLike = NetlinkFamily | number;

function familyOf(f: FamilyLike): NetlinkFamily {
  if (typeof f !== "number") return f;
  return {
    name: `netlink protocol ${f}`,
    protocol: f,
    headerLength: 0,
    describe: (r) => `Request type ${r[4] | (r[5] << 8)}`,
  };
}

/** Opens a socket of `family` (in `target.netns`), with extra socket options. */
export function openSocket(
  family: FamilyLike,
  target: Omit<SocketTarget, "socket"> = {},
  options: Omit<SocketOptions, "netns" | "family"> = {},
): Promise<NetlinkSocket> {
  const f = familyOf(family);
  return NetlinkSocket.open(f.protocol, { ...f.socketOptions, ...options, netns: target.netns, family: f });
}

/** Runs `fn` on the caller's socket, or on a fresh one closed afterwards (even when `fn` throws). */
export async function withSocket<T>(
  family: FamilyLike,
  target: SocketTarget,
  fn: (s: NetlinkSocket) => Promise<T>,
): Promise<T> {
  if (target.socket) return await fn(target.socket);
  const s = await openSocket(family, target);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/**
 * Streams from `fn` on the caller's socket or a fresh one; the fresh socket
 * is closed when the stream ends, fails or the loop breaks.
 */
export async function* streamSocket<T>(
  family: FamilyLike,
  target: SocketTarget,
  fn: (s: NetlinkSocket) => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  const own = target.socket ? undefined : await openSocket(family, target);
  try {
    yield* fn(target.socket ?? own!);
  } finally {
    own?.close();
  }
}
