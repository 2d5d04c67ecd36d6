/**
 * rtnetlink basics shared by every routing object: message types,
 * multicast groups and the socket each operation runs on.
 *
 * @module
 */

import type { NetnsTarget } from "../netns/netns.ts";
import { type DumpIterator, NetlinkSocket, type Parse } from "../socket/socket.ts";
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
  RTNLGRP_IPV4_ROUTE: 7,
  RTNLGRP_IPV4_RULE: 8,
  RTNLGRP_IPV6_IFADDR: 9,
  RTNLGRP_IPV6_ROUTE: 11,
  RTNLGRP_IPV6_RULE: 19,
  RTNLGRP_NEXTHOP: 32,
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

/** What a {@link DumpStream} dumps once its socket is open. */
export interface DumpPlan<T> {
  /** The dump request, or several run one after another (`NLM_F_DUMP` is added). */
  request: Uint8Array | readonly Uint8Array[];
  /** Parses each message while its bytes are in the receive buffer. */
  parse: Parse<T>;
  /** Keeps only the values that pass: the userspace side of a filter the kernel may ignore. */
  keep?: (value: T) => boolean;
  /** Tells a refusal that means "nothing to dump" (a table that does not exist): the next request runs. */
  empty?: (error: unknown) => boolean;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A dump as a plain async iterator, on the caller's socket or on one it
 * opens and closes when the dump ends, fails or is left. `plan` runs once
 * the socket is open (to resolve link names, say). Unlike an async
 * generator it adds no generator hop per value: values already received
 * resolve at once.
 */
export class DumpStream<T> implements AsyncGenerator<T, void, undefined> {
  #opts: RouteOptions;
  #plan: (s: NetlinkSocket) => DumpPlan<T> | Promise<DumpPlan<T>>;
  #own: NetlinkSocket | undefined;
  #sock: NetlinkSocket | undefined;
  #dump: DumpIterator<T> | undefined;
  #spec: DumpPlan<T> | undefined;
  #requests: readonly Uint8Array[] = [];
  #at = 0;
  #done = false;

  /** Nothing is opened until the first `next`. */
  constructor(opts: RouteOptions, plan: (s: NetlinkSocket) => DumpPlan<T> | Promise<DumpPlan<T>>) {
    this.#opts = opts;
    this.#plan = plan;
  }

  /** The stream is its own iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next value that passes `keep`. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#dump) return this.#dump.next().then(this.#step, this.#fail);
    return this.#start();
  }

  /** Stops early: drains the dump in flight so a shared socket stays usable, and closes an own socket. */
  async return(): Promise<IteratorResult<T, undefined>> {
    const dump = this.#dump;
    this.#dump = undefined;
    try {
      await dump?.return();
    } finally {
      this.#close();
    }
    return DONE;
  }

  /** Stops as {@link return} does, then rejects with `e`. */
  async throw(e?: unknown): Promise<IteratorResult<T, undefined>> {
    await this.return();
    throw e;
  }

  /** Same as {@link return}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #step = (res: IteratorResult<T, undefined>): IteratorResult<T, undefined> | Promise<IteratorResult<T, undefined>> => {
    if (res.done) return this.#following();
    const keep = this.#spec!.keep;
    if (keep && !keep(res.value)) return this.#dump!.next().then(this.#step, this.#fail);
    return res;
  };

  #fail = (e: unknown): Promise<IteratorResult<T, undefined>> => {
    if (this.#spec?.empty?.(e)) return this.#following();
    this.#close();
    throw e;
  };

  /** Runs the next request, or ends. */
  #following(): Promise<IteratorResult<T, undefined>> {
    this.#dump = undefined;
    if (++this.#at < this.#requests.length) return this.#run();
    this.#close();
    return Promise.resolve(DONE);
  }

  #run(): Promise<IteratorResult<T, undefined>> {
    this.#dump = this.#sock!.dump(this.#requests[this.#at], this.#spec!.parse);
    return this.#dump.next().then(this.#step, this.#fail);
  }

  async #start(): Promise<IteratorResult<T, undefined>> {
    if (this.#done) return DONE;
    try {
      if (!this.#opts.socket) this.#own = await openRouteSocket(this.#opts);
      this.#sock = this.#opts.socket ?? this.#own!;
      const spec = this.#spec = await this.#plan(this.#sock);
      this.#requests = spec.request instanceof Uint8Array ? [spec.request] : spec.request;
      if (this.#requests.length === 0) {
        this.#close();
        return DONE;
      }
    } catch (e) {
      this.#close();
      throw e;
    }
    return await this.#run();
  }

  #close(): void {
    this.#done = true;
    this.#dump = undefined;
    this.#own?.close();
    this.#own = undefined;
  }
}
