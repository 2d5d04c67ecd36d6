/**
 * The iterator behind `streamRoutes`: one filtered dump per family, on the
 * caller's socket or on one it opens and closes. It is a plain async
 * iterator rather than an async generator because a generator layer costs
 * about 0.4 µs more per route in Deno, a third of a 100,000-route dump.
 *
 * @module
 */

import type { DumpIterator, NetlinkSocket } from "../socket/socket.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { resolveLinkIndex } from "./link.ts";
import { parseRouteMessage, type Route } from "./route_codec.ts";
import { type CheckedFilter, checkFilter, dumpRequest, matchRoute, type RouteFilter } from "./route_filter.ts";
import { openRouteSocket, type RouteOptions } from "./rtnl.ts";

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** A stream of the routes that pass a filter; closes its own socket when it ends or is left. */
export class RouteStream implements AsyncIterableIterator<Route> {
  #c: CheckedFilter;
  #dev: string | number | undefined;
  #opts: RouteOptions;
  #sock: NetlinkSocket | undefined;
  #own: NetlinkSocket | undefined;
  #dump: DumpIterator<Route> | undefined;
  #family = 0;
  #done = false;

  /** Checks the filter (throwing `TypeError`/`RangeError` at once); nothing is opened until the first `next`. */
  constructor(filter: RouteFilter, opts: RouteOptions) {
    this.#c = checkFilter(filter);
    this.#dev = filter.dev;
    this.#opts = opts;
  }

  /** The stream is its own iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next matching route. */
  next(): Promise<IteratorResult<Route, undefined>> {
    if (this.#dump) return this.#dump.next().then(this.#step, this.#fail);
    return this.#advance();
  }

  /** Stops early: drains the dump in flight so a shared socket stays usable, and closes an own socket. */
  async return(): Promise<IteratorResult<Route, undefined>> {
    const dump = this.#dump;
    this.#dump = undefined;
    try {
      await dump?.return();
    } finally {
      this.#close();
    }
    return DONE;
  }

  #step = (
    res: IteratorResult<Route, undefined>,
  ): IteratorResult<Route, undefined> | Promise<IteratorResult<Route, undefined>> => {
    if (!res.done) return matchRoute(res.value, this.#c) ? res : this.#dump!.next().then(this.#step, this.#fail);
    this.#dump = undefined;
    this.#family++;
    return this.#advance();
  };

  #fail = (e: unknown): Promise<IteratorResult<Route, undefined>> => {
    this.#dump = undefined;
    // The kernel refuses to dump a table that does not exist: that table is empty.
    if (this.#c.table !== undefined && e instanceof NetlinkError && e.code === "ENOENT") {
      this.#family++;
      return this.#advance();
    }
    this.#close();
    throw e;
  };

  async #advance(): Promise<IteratorResult<Route, undefined>> {
    if (this.#done) return DONE;
    try {
      if (!this.#sock) {
        if (!this.#opts.socket) this.#own = await openRouteSocket(this.#opts);
        this.#sock = this.#opts.socket ?? this.#own!;
        if (this.#dev !== undefined) this.#c.oif = await resolveLinkIndex(this.#dev, { socket: this.#sock });
      }
    } catch (e) {
      this.#close();
      throw e;
    }
    if (this.#family >= this.#c.families.length) {
      this.#close();
      return DONE;
    }
    this.#dump = this.#sock.dump(dumpRequest(this.#c.families[this.#family], this.#c), parseRouteMessage);
    return this.#dump.next().then(this.#step, this.#fail);
  }

  #close(): void {
    this.#done = true;
    this.#own?.close();
    this.#own = undefined;
  }
}
