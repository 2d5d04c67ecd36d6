/**
 * Everything `ip monitor` follows, on one socket so that events keep the
 * kernel's order: the rtnetlink object groups, netconf changes and
 * namespace ids (`RTNLGRP_NSID`).
 *
 * @example
 * ```ts ignore
 * import { subscribeMonitor } from "./monitor_events.ts";
 * const events = await subscribeMonitor({ groups: ["link", "addr"], netconf: ["inet"], nsid: true }, { netns: "lab" });
 * for await (const ev of events) if (ev.type !== "overrun") console.log(ev.type, ev.kind);
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { NetlinkSocket } from "../socket/socket.ts";
import { NETLINK_ROUTE } from "../wire/constants.ts";
import type { NlMsg } from "../wire/message.ts";
import { type NsidEntry, parseNsidMessage } from "../netns/nsid.ts";
import {
  checkSubscribeOptions,
  DEFAULT_EVENT_BUFFER,
  followEvents,
  parseRouteEvent,
  type RouteEvent,
  RouteEventStream,
  type RouteGroup,
  routeGroupKinds,
  routeGroupNumbers,
  type SubscribeOptions,
} from "./events.ts";
import {
  type NetconfEvent,
  netconfGroups,
  type NetconfSubscribeOptions,
  parseNetconfEvent,
  type RTNLGRP_NETCONF,
} from "./netconf.ts";
import { LinkNameCache, NAMED_KINDS } from "./link_cache.ts";
import { describeRtm, RTM, RTNLGRP } from "./rtnl.ts";
import { type LinkStats, parseStatsMessage } from "./stats/parse.ts";

/** `RTNLGRP_NSID`. */
export const RTNLGRP_NSID = 28;
/** `RTNLGRP_STATS`. */
export const RTNLGRP_STATS = 36;
/** `RTM_NEWSTATS`. */
const RTM_NEWSTATS = 92;

/** Link statistics the kernel announced (`RTM_NEWSTATS`: hardware statistics turned on or off). */
export interface StatsEvent {
  /** Always `new`: the kernel sends the current state. */
  type: "new";
  /** Discriminant. */
  kind: "stats";
  /** The link and what the message reports. */
  object: LinkStats;
}

/** A namespace id assigned (`new`) or removed (`del`). */
export interface NsidEvent {
  /** Assigned or removed. */
  type: "new" | "del";
  /** Discriminant. */
  kind: "nsid";
  /** The id (and, for a target namespace, the current one). */
  object: NsidEntry;
}

/**
 * An event of {@link subscribeMonitor}. With `allNsid`, `nsid` is the id
 * the subscribing namespace gives the namespace the event happened in
 * (absent for its own).
 */
export type MonitorEvent = (RouteEvent | NetconfEvent | NsidEvent | StatsEvent) & { nsid?: number };

/** What {@link subscribeMonitor} follows. */
export interface MonitorSelection {
  /** rtnetlink object groups. */
  groups?: readonly RouteGroup[];
  /** Netconf families. */
  netconf?: readonly (keyof typeof RTNLGRP_NETCONF)[];
  /** Namespace ids. */
  nsid?: boolean;
  /** Link statistics announcements (`RTNLGRP_STATS`). */
  stats?: boolean;
  /**
   * Also the events of every namespace this one has an id for
   * (`NETLINK_LISTEN_ALL_NSID`, `ip monitor all-nsid`); each carries its `nsid`.
   */
  allNsid?: boolean;
}

/** Turns a message into a monitor event, or `undefined` for other types. */
export function parseMonitorEvent(m: NlMsg): MonitorEvent | undefined {
  if (m.type === RTM.RTM_NEWNSID || m.type === RTM.RTM_DELNSID) {
    return { type: m.type === RTM.RTM_NEWNSID ? "new" : "del", kind: "nsid", object: parseNsidMessage(m) };
  }
  if (m.type === RTM_NEWSTATS) return { type: "new", kind: "stats", object: parseStatsMessage(m) };
  return parseNetconfEvent(m) ?? parseRouteEvent(m);
}

/** {@link parseMonitorEvent}, with the namespace id of the message (`allNsid`). */
function withNsid(sock: NetlinkSocket): (m: NlMsg) => MonitorEvent | undefined {
  return (m) => {
    const ev: MonitorEvent | undefined = parseMonitorEvent(m);
    const nsid = sock.messageNsid;
    if (ev && nsid !== undefined) ev.nsid = nsid;
    return ev;
  };
}

/** Options of {@link subscribeMonitor}. */
export interface MonitorOptions extends SubscribeOptions {
  /**
   * Name the links of address, route, neighbour, nexthop and multicast
   * route events (`dev` next to the ifindex, as `subscribeRoute` does): one
   * link dump when the subscription starts, then kept current by link
   * events on the same socket (joined for this when `groups` has no
   * `link`; those events are not yielded then), read again after an
   * overrun. Default `false`: events carry ifindexes only, and nothing is
   * read at start-up. Refused with `allNsid` (other namespaces' ifindexes
   * are not ours) and when no selected group has such events (only links,
   * rules, netconf, nsids or stats: nothing would be named).
   */
  names?: boolean;
}

/**
 * Subscribes to the selected groups on one socket; live once the promise
 * resolves. With `opts.names`, events name their links (see {@link MonitorOptions}).
 */
export async function subscribeMonitor(
  what: MonitorSelection,
  opts: MonitorOptions = {},
): Promise<RouteEventStream<MonitorEvent>> {
  checkSubscribeOptions(opts, "subscribeMonitor", ["names"]);
  if (opts.names !== undefined && typeof opts.names !== "boolean") {
    throw new InvalidArgumentError(`Cannot use names ${String(opts.names)}: expected a boolean`, "names");
  }
  if (opts.names && what.allNsid) {
    throw new InvalidArgumentError(
      "Cannot use names with allNsid: events of other namespaces refer to their own ifindexes",
      "names",
    );
  }
  const kinds: ReadonlySet<string> = what.groups?.length ? routeGroupKinds(what.groups) : new Set();
  const links = kinds.has("link");
  const named = opts.names === true && [...kinds].some((k) => NAMED_KINDS.has(k));
  if (opts.names && !named) {
    throw new InvalidArgumentError(
      `Cannot use names with ${describeSelection(what)}: no event of it refers to links by index ` +
        `(names applies to the groups of ${[...NAMED_KINDS].join(", ")})`,
      "names",
    );
  }
  const groups = [
    ...(what.groups?.length ? routeGroupNumbers(what.groups) : []),
    ...netconfGroups(what.netconf ?? []),
    ...(what.nsid ? [RTNLGRP_NSID] : []),
    ...(what.stats ? [RTNLGRP_STATS] : []),
    ...(named && !links ? [RTNLGRP.RTNLGRP_LINK] : []), // keeps the names current
  ];
  if (groups.length === 0) throw new InvalidArgumentError(`Invalid monitor selection: "{}" (nothing to follow)`);
  opts.signal?.throwIfAborted();
  const sock = await NetlinkSocket.open(NETLINK_ROUTE, {
    netns: opts.netns,
    receiveBuffer: opts.receiveBuffer ?? DEFAULT_EVENT_BUFFER,
    groups,
    describe: describeRtm,
    listenAllNsid: what.allNsid,
  });
  let names: LinkNameCache | undefined;
  try {
    // Read after joining: a link that changes meanwhile also sends an event, applied in order.
    if (named) names = await LinkNameCache.read(opts.netns);
  } catch (e) {
    sock.close();
    throw e;
  }
  const parse = withNsid(sock);
  return new RouteEventStream(
    sock,
    (s, signal) => followEvents(s, signal, opts.onParseError, names, links, parse),
    opts.signal,
  );
}

/** The selection in words for errors: `groups rule, netconf inet`. */
function describeSelection(what: MonitorSelection): string {
  const parts = [];
  if (what.groups?.length) parts.push(`groups ${what.groups.join(", ")}`);
  if (what.netconf?.length) parts.push(`netconf ${what.netconf.join(", ")}`);
  if (what.nsid) parts.push("nsid");
  if (what.stats) parts.push("stats");
  return parts.join(", ") || "nothing to follow";
}

/** Subscribes to netconf changes only (IPv4 and IPv6 unless `opts.families` says otherwise). */
export async function subscribeNetconf(
  opts: NetconfSubscribeOptions = {},
): Promise<RouteEventStream<NetconfEvent>> {
  checkSubscribeOptions(opts, "subscribeNetconf", ["families"]);
  const { families = ["inet", "inet6"], ...rest } = opts;
  return await subscribeMonitor({ netconf: families }, rest) as RouteEventStream<NetconfEvent>;
}
