/**
 * Traffic-control events (`RTNLGRP_TC`): qdiscs, classes and filters added,
 * changed or deleted, as `tc monitor` sees them.
 *
 * @example
 * ```ts ignore
 * import { subscribeTc } from "./events.ts";
 * for await (const ev of subscribeTc({ netns: "lab" })) if (ev.type !== "overrun") console.log(ev.type, ev.object, ev.value.kind);
 * ```
 *
 * @module
 */

import type { NetnsTarget } from "../../netns/netns.ts";
import { NetlinkSocket } from "../../socket/socket.ts";
import { subscribedEvents } from "../../socket/subscription.ts";
import { NETLINK_ROUTE } from "../../wire/constants.ts";
import type { NlMsg } from "../../wire/message.ts";
import { describeRtm } from "../rtnl.ts";
import { RouteEventStream } from "../events.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { RTM_TC } from "./constants.ts";
import { type Filter, parseTcMessage, type Qdisc, type TcClass } from "./message.ts";

/** The rtnetlink multicast group of tc changes. */
export const RTNLGRP_TC = 4;

/** A qdisc, class or filter changed. */
export type TcObjectEvent =
  | { type: "new" | "del"; object: "qdisc"; value: Qdisc }
  | { type: "new" | "del"; object: "class"; value: TcClass }
  | { type: "new" | "del"; object: "filter"; value: Filter };

/** One item of {@link subscribeTc}: a change, or events lost to a full receive buffer (re-list to resync). */
export type TcEvent = TcObjectEvent | { type: "overrun" };

const TYPES: Record<number, ["new" | "del", "qdisc" | "class" | "filter"]> = {
  [RTM_TC.RTM_NEWQDISC]: ["new", "qdisc"],
  [RTM_TC.RTM_DELQDISC]: ["del", "qdisc"],
  [RTM_TC.RTM_NEWTCLASS]: ["new", "class"],
  [RTM_TC.RTM_DELTCLASS]: ["del", "class"],
  [RTM_TC.RTM_NEWTFILTER]: ["new", "filter"],
  [RTM_TC.RTM_DELTFILTER]: ["del", "filter"],
};

/** Decodes one tc event message; other messages of the group (actions, chains) give undefined. */
export function parseTcEvent(m: NlMsg): TcObjectEvent | undefined {
  const t = TYPES[m.type];
  if (!t) return undefined;
  return { type: t[0], object: t[1], value: parseTcMessage(m, t[1]) } as TcObjectEvent;
}

/** Where to listen and when to stop. */
export interface SubscribeTcOptions {
  /** Listen in this network namespace. */
  netns?: NetnsTarget;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
}

/**
 * Subscribes to tc changes; resolves once subscribed, with a stream that
 * ends when the signal aborts, the loop breaks or `close()` is called (the
 * socket is closed then).
 */
export async function subscribeTc(opts: SubscribeTcOptions = {}): Promise<RouteEventStream<TcEvent>> {
  checkKeys(opts, ["netns", "signal"], "the options of subscribeTc");
  opts.signal?.throwIfAborted();
  const sock = await NetlinkSocket.open(NETLINK_ROUTE, {
    netns: opts.netns,
    groups: [RTNLGRP_TC],
    describe: describeRtm,
  });
  return new RouteEventStream(sock, (s, signal) => subscribedEvents(s, parseTcEvent, { signal }), opts.signal);
}
