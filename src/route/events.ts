/**
 * rtnetlink events: typed change notifications for links, addresses,
 * routes, neighbours and rules, with overrun reporting, cancellation and a
 * "dump, then follow" mode.
 *
 * Events are wake-ups as much as deltas: when the kernel drops messages
 * (the receive buffer filled up) the stream yields `{ type: "overrun" }`
 * and goes on, and the consumer should re-list what it tracks.
 *
 * @example
 * ```ts ignore
 * import { subscribeRoute } from "./events.ts";
 * const events = await subscribeRoute(["link", "addr"], { netns: "blue" });
 * for await (const ev of events) {
 *   if (ev.type === "overrun") continue; // resync here
 *   if (ev.kind === "addr") console.log(ev.type, ev.object.local, ev.object.prefixLen);
 * }
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { DumpInterruptedError, type MessageError } from "../socket/errors.ts";
import { NetlinkSocket } from "../socket/socket.ts";
import { type OverrunEvent, subscribedEvents, Subscription } from "../socket/subscription.ts";
import { checkTarget } from "../socket/target.ts";
import type { NetnsTarget } from "../netns/netns.ts";
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_UNSPEC } from "../wire/addr.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { NETLINK_ROUTE } from "../wire/constants.ts";
import type { NlMsg } from "../wire/message.ts";
import { type Address, parseAddressMessage } from "./addr/parse.ts";
import { type Link, parseLinkMessage } from "./link/api.ts";
import { LinkNameCache, NAMED_KINDS } from "./link_cache.ts";
import { type Neighbour, parseNeighbourMessage } from "./neigh/parse.ts";
import { type Nexthop, parseNexthopMessage } from "./nexthop/parse.ts";
import type { Route } from "./route/table.ts";
import { parseRouteMessage } from "./route/parse.ts";
import { describeRtm, openRouteSocket, RTM, RTNLGRP } from "./rtnl.ts";
import { parseRuleMessage, type Rule } from "./rule/parse.ts";
import { isMulticastRouteMessage, parseMulticastRouteMessage } from "./mroute/parse.ts";
import { type MulticastRoute, RTNL_FAMILY_IP6MR, RTNL_FAMILY_IPMR } from "./mroute/table.ts";

/** Names of the event groups a subscription can join. */
export type RouteGroup =
  | "link"
  | "addr"
  | "ipv4-addr"
  | "ipv6-addr"
  | "route"
  | "ipv4-route"
  | "ipv6-route"
  | "mpls-route"
  | "neigh"
  | "rule"
  | "ipv4-rule"
  | "ipv6-rule"
  | "nexthop"
  | "mroute"
  | "ipv4-mroute"
  | "ipv6-mroute";

/** Object kinds that events carry. */
export type RouteEventKind = "link" | "addr" | "route" | "neigh" | "rule" | "nexthop" | "mroute";

/**
 * A change to one object: `new` (created or changed; the kernel sends the
 * whole object) or `del`. `existing` marks objects listed by the initial
 * dump of {@link watchRoute}.
 */
export interface ObjectEvent<K extends RouteEventKind, T> {
  /** Created or changed (`new`), or deleted (`del`). */
  type: "new" | "del";
  /** Which kind of object changed. */
  kind: K;
  /** The object as the kernel reported it. */
  object: T;
  /** The object came from the initial dump of {@link watchRoute}, not from an event. */
  existing?: true;
}

export type { OverrunEvent } from "../socket/subscription.ts";
/** A live rtnetlink event stream (the stream every family's subscription is). */
export { Subscription as RouteEventStream };

/** {@link watchRoute} has yielded every existing object; live events follow. */
export interface SyncedEvent {
  /** Discriminant. */
  type: "synced";
}

/** An event of {@link subscribeRoute}, discriminated by `type`, then by `kind`. */
export type RouteEvent =
  | ObjectEvent<"link", Link>
  | ObjectEvent<"addr", Address>
  | ObjectEvent<"route", Route>
  | ObjectEvent<"neigh", Neighbour>
  | ObjectEvent<"rule", Rule>
  | ObjectEvent<"nexthop", Nexthop>
  | ObjectEvent<"mroute", MulticastRoute>
  | OverrunEvent;

/** An event of {@link watchRoute}: a {@link RouteEvent}, or the end of the initial dump. */
export type WatchEvent = RouteEvent | SyncedEvent;

/** Options of {@link subscribeRoute} and {@link watchRoute}. */
export interface SubscribeOptions {
  /** Namespace to follow (name, path, pid or fd); the caller's by default. */
  netns?: NetnsTarget;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /** Kernel receive buffer in bytes; a larger one survives bigger bursts. Default 4 MiB. */
  receiveBuffer?: number;
  /** Called with a notification that cannot be parsed; it is skipped and the stream goes on. */
  onParseError?: (error: MessageError) => void;
}

/** How often {@link watchRoute} lists a kind whose dump the kernel marked inconsistent. */
const DUMP_ATTEMPTS = 4;

/** Default receive buffer of a subscription: bursts (a full route table) must not overrun it. */
export const DEFAULT_EVENT_BUFFER = 4194304;

/** Multicast groups and dump families of each group name. */
const GROUPS: { readonly [G in RouteGroup]: { kind: RouteEventKind; groups: number[]; families: number[] } } = {
  link: { kind: "link", groups: [RTNLGRP.RTNLGRP_LINK], families: [AF_UNSPEC] },
  addr: {
    kind: "addr",
    groups: [RTNLGRP.RTNLGRP_IPV4_IFADDR, RTNLGRP.RTNLGRP_IPV6_IFADDR],
    families: [AF_INET, AF_INET6],
  },
  "ipv4-addr": { kind: "addr", groups: [RTNLGRP.RTNLGRP_IPV4_IFADDR], families: [AF_INET] },
  "ipv6-addr": { kind: "addr", groups: [RTNLGRP.RTNLGRP_IPV6_IFADDR], families: [AF_INET6] },
  route: {
    kind: "route",
    groups: [RTNLGRP.RTNLGRP_IPV4_ROUTE, RTNLGRP.RTNLGRP_IPV6_ROUTE],
    families: [AF_INET, AF_INET6],
  },
  "ipv4-route": { kind: "route", groups: [RTNLGRP.RTNLGRP_IPV4_ROUTE], families: [AF_INET] },
  "ipv6-route": { kind: "route", groups: [RTNLGRP.RTNLGRP_IPV6_ROUTE], families: [AF_INET6] },
  "mpls-route": { kind: "route", groups: [RTNLGRP.RTNLGRP_MPLS_ROUTE], families: [AF_MPLS] },
  // RTNLGRP_NEIGH also carries bridge FDB entries, which only an AF_BRIDGE dump lists.
  neigh: { kind: "neigh", groups: [RTNLGRP.RTNLGRP_NEIGH], families: [AF_UNSPEC, AF_BRIDGE] },
  rule: { kind: "rule", groups: [RTNLGRP.RTNLGRP_IPV4_RULE, RTNLGRP.RTNLGRP_IPV6_RULE], families: [AF_INET, AF_INET6] },
  "ipv4-rule": { kind: "rule", groups: [RTNLGRP.RTNLGRP_IPV4_RULE], families: [AF_INET] },
  "ipv6-rule": { kind: "rule", groups: [RTNLGRP.RTNLGRP_IPV6_RULE], families: [AF_INET6] },
  nexthop: { kind: "nexthop", groups: [RTNLGRP.RTNLGRP_NEXTHOP], families: [AF_UNSPEC] },
  mroute: {
    kind: "mroute",
    groups: [RTNLGRP.RTNLGRP_IPV4_MROUTE, RTNLGRP.RTNLGRP_IPV6_MROUTE],
    families: [RTNL_FAMILY_IPMR, RTNL_FAMILY_IP6MR],
  },
  "ipv4-mroute": { kind: "mroute", groups: [RTNLGRP.RTNLGRP_IPV4_MROUTE], families: [RTNL_FAMILY_IPMR] },
  "ipv6-mroute": { kind: "mroute", groups: [RTNLGRP.RTNLGRP_IPV6_MROUTE], families: [RTNL_FAMILY_IP6MR] },
};

/** Per kind: the dump request type, the family header size, and the parser. */
const KINDS: { readonly [K in RouteEventKind]: { get: number; hdrLen: number; parse: (m: NlMsg) => unknown } } = {
  link: { get: RTM.RTM_GETLINK, hdrLen: 16, parse: parseLinkMessage }, // ifinfomsg
  addr: { get: RTM.RTM_GETADDR, hdrLen: 8, parse: parseAddressMessage }, // ifaddrmsg
  route: { get: RTM.RTM_GETROUTE, hdrLen: 12, parse: parseRouteMessage }, // rtmsg
  neigh: { get: RTM.RTM_GETNEIGH, hdrLen: 12, parse: parseNeighbourMessage }, // ndmsg
  rule: { get: RTM.RTM_GETRULE, hdrLen: 12, parse: parseRuleMessage }, // fib_rule_hdr
  nexthop: { get: RTM.RTM_GETNEXTHOP, hdrLen: 8, parse: parseNexthopMessage }, // nhmsg
  mroute: { get: RTM.RTM_GETROUTE, hdrLen: 12, parse: parseMulticastRouteMessage }, // rtmsg
};

/** Message type to event type and kind (GET messages, such as neighbour probes, are skipped). */
const TYPES: { readonly [type: number]: readonly ["new" | "del", RouteEventKind] } = {
  [RTM.RTM_NEWLINK]: ["new", "link"],
  [RTM.RTM_DELLINK]: ["del", "link"],
  [RTM.RTM_NEWADDR]: ["new", "addr"],
  [RTM.RTM_DELADDR]: ["del", "addr"],
  [RTM.RTM_NEWROUTE]: ["new", "route"],
  [RTM.RTM_DELROUTE]: ["del", "route"],
  [RTM.RTM_NEWNEIGH]: ["new", "neigh"],
  [RTM.RTM_DELNEIGH]: ["del", "neigh"],
  [RTM.RTM_NEWRULE]: ["new", "rule"],
  [RTM.RTM_DELRULE]: ["del", "rule"],
  [RTM.RTM_NEWNEXTHOP]: ["new", "nexthop"],
  [RTM.RTM_DELNEXTHOP]: ["del", "nexthop"],
};

/** Turns one rtnetlink message into an event, or `undefined` for types no group asked for. */
export function parseRouteEvent(m: NlMsg): RouteEvent | undefined {
  const t = TYPES[m.type];
  if (!t) return undefined;
  // Multicast routes share the route messages, told apart by their family.
  const kind = t[1] === "route" && isMulticastRouteMessage(m) ? "mroute" : t[1];
  return { type: t[0], kind, object: KINDS[kind].parse(m) } as RouteEvent;
}

function markExisting(m: NlMsg): RouteEvent | undefined {
  const ev = parseRouteEvent(m);
  if (ev && ev.type !== "overrun") ev.existing = true;
  return ev;
}

function checkGroups(groups: readonly RouteGroup[]): RouteGroup[] {
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new InvalidArgumentError(
      `Invalid event groups: "${String(groups)}" (need at least one of ${Object.keys(GROUPS).join(", ")})`,
    );
  }
  for (const g of groups) {
    if (!Object.hasOwn(GROUPS, g)) {
      throw new InvalidArgumentError(`Unknown event group: "${g}" (must be one of ${Object.keys(GROUPS).join(", ")})`);
    }
  }
  return [...new Set(groups)];
}

/** The `RTNLGRP_*` numbers of event groups (checked), for sockets that add other groups to them. */
export function routeGroupNumbers(groups: readonly RouteGroup[]): number[] {
  return checkGroups(groups).flatMap((g) => GROUPS[g].groups);
}

/** The object kinds of event groups (checked). */
export function routeGroupKinds(groups: readonly RouteGroup[]): Set<RouteEventKind> {
  return new Set(checkGroups(groups).map((g) => GROUPS[g].kind));
}

const SUBSCRIBE_KEYS = ["signal", "receiveBuffer", "onParseError"];

/**
 * Checks the options of a subscription (`what` names the call): unknown
 * keys and a `socket` are refused (a subscription opens its own).
 */
export function checkSubscribeOptions(opts: SubscribeOptions, what: string, extra: readonly string[] = []): void {
  checkTarget(opts, what, [...SUBSCRIBE_KEYS, ...extra]);
  if ((opts as { socket?: unknown }).socket !== undefined) {
    throw new InvalidArgumentError(
      `Cannot use socket in the options of ${what}: a subscription opens its own`,
      "socket",
    );
  }
  const { signal, onParseError } = opts;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(`Cannot use signal ${String(signal)}: expected an AbortSignal`, "signal");
  }
  if (onParseError !== undefined && typeof onParseError !== "function") {
    throw new InvalidArgumentError(
      `Cannot use onParseError ${String(onParseError)}: expected a function`,
      "onParseError",
    );
  }
}

function checkBuffer(bytes: number | undefined): number {
  if (bytes === undefined) return DEFAULT_EVENT_BUFFER;
  if (!Number.isInteger(bytes) || bytes < 1024 || bytes > 0x7fffffff) {
    throw new InvalidArgumentError(`Invalid receive buffer: "${bytes}" (must be 1024 to 2147483647 bytes)`);
  }
  return bytes;
}

/**
 * The events of a subscribed socket, parsed by `parse` (named through
 * `names` when given; `links` says whether link events are yielded or only
 * keep the names current), with an `overrun` event when some were lost.
 * Shared by the subscriptions; not public API.
 *
 * @ignore
 */
export async function* followEvents<E extends { type: string }>(
  sock: NetlinkSocket,
  signal: AbortSignal,
  onParseError: SubscribeOptions["onParseError"],
  names: LinkNameCache | undefined,
  links: boolean,
  parse: (m: NlMsg) => E | undefined,
): AsyncGenerator<E | { type: "overrun" }, void, undefined> {
  const named = names ? (m: NlMsg) => names.parse(m, links, parse) : parse;
  // Link events may be among the lost ones: read the names again on an overrun.
  yield* subscribedEvents(sock, named, { signal, onParseError }, () => names?.refresh());
}

/** A subscribed socket, with the link names its events need (when any group refers to links). */
interface Subscribed {
  sock: NetlinkSocket;
  names: LinkNameCache | undefined;
  links: boolean;
}

async function openSubscription(
  groups: readonly RouteGroup[],
  opts: SubscribeOptions,
  what: string,
): Promise<Subscribed> {
  checkSubscribeOptions(opts, what);
  const names = checkGroups(groups);
  const receiveBuffer = checkBuffer(opts.receiveBuffer);
  opts.signal?.throwIfAborted();
  const links = names.some((g) => GROUPS[g].kind === "link");
  const named = names.some((g) => NAMED_KINDS.has(GROUPS[g].kind));
  const numbers = names.flatMap((g) => GROUPS[g].groups);
  if (named && !links) numbers.push(RTNLGRP.RTNLGRP_LINK); // keeps the names current
  const sock = await NetlinkSocket.open(NETLINK_ROUTE, {
    netns: opts.netns,
    receiveBuffer,
    groups: numbers,
    describe: describeRtm,
  });
  try {
    // Read after joining: a link that changes meanwhile also sends an event, applied in order.
    return { sock, names: named ? await LinkNameCache.read(opts.netns) : undefined, links };
  } catch (e) {
    sock.close();
    throw e;
  }
}

/**
 * Subscribes to rtnetlink events of `groups` (in `opts.netns`). The
 * subscription is live when the promise resolves: changes made after that
 * are queued for the stream even before it is read.
 *
 * `new` events of links also report changes (flags, state, addresses) of
 * existing links. A message that cannot be parsed is skipped and handed to
 * `opts.onParseError`; the stream goes on.
 *
 * Events name their links as listings do (`dev` next to `ifindex` or
 * `oif`, and a neighbour's `masterName`). The names are not looked up per
 * event: the subscription reads them once (one link dump when it starts),
 * then keeps them current from link events on the same socket, which it
 * joins for this even when `groups` has no `link` (those events are not
 * yielded then). The kernel queues them in order with the others, so each
 * event is named as the link was when it was sent, renames included, and
 * a deleted link's own address and route deletions still carry its name.
 * After an overrun the names are read again. A link the subscription never
 * saw is named `if<N>`, as iproute2 prints it.
 */
export async function subscribeRoute(
  groups: readonly RouteGroup[],
  opts: SubscribeOptions = {},
): Promise<Subscription<RouteEvent>> {
  const sub = await openSubscription(groups, opts, "subscribeRoute");
  return new Subscription(
    sub.sock,
    (s, signal) => followEvents(s, signal, opts.onParseError, sub.names, sub.links, parseRouteEvent),
    opts.signal,
  );
}

function dumpRequest(kind: RouteEventKind, family: number): Uint8Array {
  const k = KINDS[kind];
  const hdr = new Uint8Array(k.hdrLen);
  hdr[0] = family; // every rtnetlink family header starts with the family byte
  return new MessageBuilder(k.get, 0).raw(hdr).finish();
}

/**
 * Dump, then follow: subscribes to `groups` first, then lists every
 * existing object of those groups (as `new` events with `existing: true`),
 * yields `{ type: "synced" }`, then follows live events.
 *
 * Nothing is missed between the dump and the live events, because the
 * subscription starts before the dump. A change that races the dump may be
 * delivered twice (once in the dump, once as an event), and a dump the
 * kernel marks inconsistent is listed again; events are idempotent upserts
 * and deletes, so applying them in order is safe. A `del` event may name an
 * object the dump never showed.
 */
export async function watchRoute(
  groups: readonly RouteGroup[],
  opts: SubscribeOptions = {},
): Promise<Subscription<WatchEvent>> {
  const names = checkGroups(groups);
  const sub = await openSubscription(names, opts, "watchRoute");
  const dumps = new Map<string, Uint8Array>(); // "ipv4-addr" and "addr" need the IPv4 dump once
  for (const g of names) {
    for (const f of GROUPS[g].families) dumps.set(`${GROUPS[g].kind}/${f}`, dumpRequest(GROUPS[g].kind, f));
  }
  return new Subscription(
    sub.sock,
    (_, signal) => dumpThenFollow(sub, signal, [...dumps.values()], opts),
    opts.signal,
  );
}

async function* dumpThenFollow(
  sub: Subscribed,
  signal: AbortSignal,
  dumps: Uint8Array[],
  opts: SubscribeOptions,
): AsyncGenerator<WatchEvent, void, undefined> {
  const { sock, names } = sub;
  const existing = (m: NlMsg): RouteEvent | undefined => {
    const ev = markExisting(m);
    if (ev && names) names.name(ev);
    return ev;
  };
  try {
    const dumper = await openRouteSocket({ netns: opts.netns });
    try {
      for (const req of dumps) {
        for (let attempt = 1;; attempt++) {
          try {
            for await (const ev of dumper.dump(req, existing, { signal })) if (ev) yield ev;
            break;
          } catch (e) {
            // An inconsistent dump may have skipped objects: list again (repeats are allowed).
            if (!(e instanceof DumpInterruptedError) || attempt >= DUMP_ATTEMPTS) throw e;
          }
        }
      }
    } finally {
      dumper.close();
    }
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  }
  yield { type: "synced" };
  yield* followEvents(sock, signal, opts.onParseError, names, sub.links, parseRouteEvent);
}
