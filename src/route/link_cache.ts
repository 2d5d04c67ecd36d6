/**
 * The link names of an event subscription (`subscribeRoute`, `watchRoute`,
 * `subscribeMonitor` with `names`), kept current by the link events of the
 * subscribed socket so that each event is named as the link was when the
 * kernel sent it.
 *
 * @module
 */

import type { NlMsg } from "../wire/message.ts";
import type { Address } from "./addr/table.ts";
import type { Link } from "./link/api.ts";
import { type LinkName, linkNameOf, nameNeighbour, nameNexthop, parseLinkName, readLinkNames } from "./link_names.ts";
import type { Neighbour } from "./neigh/table.ts";
import type { Nexthop } from "./nexthop/parse.ts";
import { nameRoute } from "./route/stream.ts";
import { nameMulticastRoute } from "./mroute/parse.ts";
import type { MulticastRoute } from "./mroute/table.ts";
import type { Route } from "./route/table.ts";
import { openRouteSocket, type RouteOptions, RTM } from "./rtnl.ts";

/** Event kinds whose objects refer to links by ifindex: {@link LinkNameCache} names them. */
export const NAMED_KINDS: ReadonlySet<string> = new Set(["addr", "route", "neigh", "nexthop", "mroute"]);

/** The shape of an event the cache looks at (its `kind` says what `object` is). */
interface AnyEvent {
  type: string;
  kind?: string;
  object?: unknown;
}

/**
 * The link names of a subscription, by ifindex: one dump when it starts,
 * then kept current by the link events of the same socket (joined for this
 * when the caller did not ask for them), which the kernel queues in order
 * with the events that use the names. A link leaves with its `RTM_DELLINK`,
 * sent after the deletions of its addresses, routes and neighbours. After
 * an overrun the names are read again ({@link refresh}).
 */
export class LinkNameCache {
  readonly #names: Map<number, LinkName>;
  readonly #netns: RouteOptions["netns"];

  private constructor(names: Map<number, LinkName>, netns: RouteOptions["netns"]) {
    this.#names = names;
    this.#netns = netns;
  }

  /** Reads the names of every link in `netns` (one dump on a socket of its own). */
  static async read(netns: RouteOptions["netns"]): Promise<LinkNameCache> {
    await using s = await openRouteSocket({ netns });
    return new LinkNameCache(new Map(await readLinkNames(s)), netns);
  }

  /** Reads every name again (after an overrun: link events may be among the lost ones). */
  async refresh(): Promise<void> {
    const fresh = await LinkNameCache.read(this.#netns);
    this.#names.clear();
    for (const [i, n] of fresh.#names) this.#names.set(i, n);
  }

  /**
   * Parses a message with `parseEvent` and names its event from the cache;
   * link messages update the cache, and are parsed into events only when
   * `links` (the caller asked for link events).
   */
  parse<E extends AnyEvent>(m: NlMsg, links: boolean, parseEvent: (m: NlMsg) => E | undefined): E | undefined {
    if (m.type === RTM.RTM_NEWLINK || m.type === RTM.RTM_DELLINK) {
      const ev = links ? parseEvent(m) : undefined;
      const link = ev?.object as Link | undefined;
      const [index, name] = link ? [link.index, linkNameFrom(link)] : parseLinkName(m);
      if (m.type === RTM.RTM_DELLINK) this.#names.delete(index);
      else this.#names.set(index, name);
      return ev;
    }
    const ev = parseEvent(m);
    if (ev) this.name(ev);
    return ev;
  }

  /** Adds link names to the object of an event (`dev`, a route's `iifName`, a neighbour's `masterName`). */
  name(ev: AnyEvent): void {
    if (ev.kind === "addr") {
      const a = ev.object as Address;
      a.dev = linkNameOf(this.#names, a.ifindex);
    } else if (ev.kind === "route") nameRoute(ev.object as Route, this.#names);
    else if (ev.kind === "neigh") nameNeighbour(ev.object as Neighbour, this.#names);
    else if (ev.kind === "nexthop") nameNexthop(ev.object as Nexthop, this.#names);
    else if (ev.kind === "mroute") nameMulticastRoute(ev.object as MulticastRoute, this.#names);
  }
}

function linkNameFrom(link: Link): LinkName {
  const name: LinkName = { name: link.name ?? `if${link.index}` };
  if (link.master !== undefined) name.master = link.master;
  return name;
}
