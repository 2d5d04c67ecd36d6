/**
 * Conntrack events (`conntrack -E`): new, updated and destroyed entries,
 * and optionally new and destroyed expectations, from the
 * `NFNLGRP_CONNTRACK_*` multicast groups.
 *
 * Lost events (the kernel reported ENOBUFS) arrive as an `overrun` item:
 * dump the table again to resynchronise. With `reliable`, the kernel instead
 * keeps undelivered destroy events and retries them (as conntrackd does), and
 * overruns are not reported.
 *
 * The kernel attaches event tracking to an entry when it is created, and
 * only if someone listens then (`nf_conntrack_events` = 2, the default):
 * entries created before any subscriber existed produce no events, not even
 * when they are destroyed.
 *
 * @example
 * ```ts ignore
 * import { subscribeConntrack } from "./events.ts";
 * const ac = new AbortController();
 * for await (const ev of await subscribeConntrack({ events: ["new", "destroy"], signal: ac.signal }, { netns: "blue" })) {
 *   if (ev.type === "overrun") console.log("lost events: resync");
 *   else if ("entry" in ev) console.log(ev.type, ev.entry.orig.src);
 * }
 * ```
 *
 * @module
 */

import type { MessageError } from "../../socket/errors.ts";
import { subscribedEvents, Subscription } from "../../socket/subscription.ts";
import { NETLINK_NETFILTER, NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NFNL_SUBSYS_CTNETLINK, NFNL_SUBSYS_CTNETLINK_EXP, nfnlSplit } from "../../wire/nfnetlink.ts";
import { NetlinkSocket } from "../../socket/socket.ts";
import { checkTarget } from "../../socket/target.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { type ConntrackOptions, IPCTNL_MSG, NFNLGRP_CONNTRACK } from "./ctnetlink.ts";
import { type ConntrackEntry, parseConntrackMessage } from "./entry.ts";
import { type ConntrackExpect, parseExpectMessage } from "./expect.ts";
import { describeCtnlExp, IPCTNL_MSG_EXP, NFNLGRP_CONNTRACK_EXP } from "./expect_tables.ts";

/** Kinds of conntrack events. */
export type ConntrackEventType = "new" | "update" | "destroy";

/** A conntrack entry was created, changed or destroyed. */
export interface ConntrackEntryEvent {
  /** What happened. */
  type: ConntrackEventType;
  /** The entry as the kernel reported it. */
  entry: ConntrackEntry;
  /** Netlink port id of the process whose request caused the event; absent when the kernel itself did. */
  portid?: number;
}

/** An expectation was created or destroyed. */
export interface ConntrackExpectEvent {
  /** What happened. */
  type: "expect-new" | "expect-destroy";
  /** The expectation as the kernel reported it. */
  expect: ConntrackExpect;
  /** Netlink port id of the process whose request caused the event; absent when the kernel itself did. */
  portid?: number;
}

/** Events were lost (the receive buffer overflowed): dump again to resynchronise. */
export interface ConntrackOverrunEvent {
  /** Marks the gap. */
  type: "overrun";
}

/** One item of {@link subscribeConntrack}. */
export type ConntrackEvent = ConntrackEntryEvent | ConntrackExpectEvent | ConntrackOverrunEvent;

/** What to subscribe to. */
export interface SubscribeConntrackOptions {
  /** Entry events to receive. Default all three. */
  events?: readonly ConntrackEventType[];
  /** Also receive expectation events (`new`/`destroy` in `events` select which). Default false. */
  expectations?: boolean;
  /** Kernel receive buffer in bytes (`SO_RCVBUFFORCE`); bigger loses fewer events in bursts. */
  receiveBuffer?: number;
  /**
   * Reliable delivery: set `NETLINK_BROADCAST_ERROR` and `NETLINK_NO_ENOBUFS`
   * so the kernel retries destroy events it could not deliver, instead of
   * dropping them. Overruns are then not reported.
   */
  reliable?: boolean;
  /** Stops the stream when aborted. */
  signal?: AbortSignal;
  /** Called with an event that cannot be parsed; it is skipped and the stream goes on. */
  onParseError?: (error: MessageError) => void;
}

const ENTRY_GROUPS: Record<ConntrackEventType, number> = {
  new: NFNLGRP_CONNTRACK.NFNLGRP_CONNTRACK_NEW,
  update: NFNLGRP_CONNTRACK.NFNLGRP_CONNTRACK_UPDATE,
  destroy: NFNLGRP_CONNTRACK.NFNLGRP_CONNTRACK_DESTROY,
};

const EXPECT_GROUPS: Record<ConntrackEventType, number> = {
  new: NFNLGRP_CONNTRACK_EXP.NFNLGRP_CONNTRACK_EXP_NEW,
  update: NFNLGRP_CONNTRACK_EXP.NFNLGRP_CONNTRACK_EXP_UPDATE,
  destroy: NFNLGRP_CONNTRACK_EXP.NFNLGRP_CONNTRACK_EXP_DESTROY,
};

/** The multicast groups a subscription joins. */
export function conntrackEventGroups(options: SubscribeConntrackOptions = {}): number[] {
  const events = options.events ?? ["new", "update", "destroy"];
  if (events.length === 0) throw new InvalidArgumentError("No conntrack events selected");
  const groups = new Set<number>();
  for (const e of events) {
    if (!Object.hasOwn(ENTRY_GROUPS, e)) {
      throw new InvalidArgumentError(`Unknown conntrack event: "${e}" (must be new, update or destroy)`);
    }
    groups.add(ENTRY_GROUPS[e]);
    if (options.expectations) groups.add(EXPECT_GROUPS[e]);
  }
  return [...groups];
}

/**
 * Turns one event message into a {@link ConntrackEvent}, or `undefined` for
 * messages that are not conntrack events. An `IPCTNL_MSG_CT_NEW` event with
 * `NLM_F_CREATE|NLM_F_EXCL` is a new entry; without them, an update.
 */
export function parseConntrackEvent(m: NlMsg): ConntrackEntryEvent | ConntrackExpectEvent | undefined {
  const [subsys, msg] = nfnlSplit(m.type);
  let ev: ConntrackEntryEvent | ConntrackExpectEvent | undefined;
  if (subsys === NFNL_SUBSYS_CTNETLINK) {
    if (msg === IPCTNL_MSG.IPCTNL_MSG_CT_DELETE) ev = { type: "destroy", entry: parseConntrackMessage(m) };
    else if (msg === IPCTNL_MSG.IPCTNL_MSG_CT_NEW) {
      const created = (m.flags & (NLM_F_CREATE | NLM_F_EXCL)) !== 0;
      ev = { type: created ? "new" : "update", entry: parseConntrackMessage(m) };
    }
  } else if (subsys === NFNL_SUBSYS_CTNETLINK_EXP) {
    if (msg === IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_NEW) ev = { type: "expect-new", expect: parseExpectMessage(m) };
    else if (msg === IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_DELETE) {
      ev = { type: "expect-destroy", expect: parseExpectMessage(m) };
    }
  }
  // The kernel stamps an event with the port id of the request that caused it (conntrack -E: [USERSPACE]).
  if (ev && m.pid !== 0) ev.portid = m.pid;
  return ev;
}

/**
 * A live subscription (from {@link subscribeConntrack}, which resolves once
 * the socket has joined the groups): an async iterator of
 * {@link ConntrackEvent}s. Break out of the loop, call {@link close}, or
 * `await using` it to close the socket (or leave the groups on a caller's socket).
 */
export class ConntrackSubscription extends Subscription<ConntrackEvent> {
  /** Wraps a socket that has already joined `groups`; `own` says whether closing it is ours to do. */
  constructor(socket: NetlinkSocket, own: boolean, groups: number[], options: SubscribeConntrackOptions = {}) {
    super(
      socket,
      (s, signal) => subscribedEvents(s, parseConntrackEvent, { signal, onParseError: options.onParseError }),
      options.signal,
      own ? undefined : groups,
    );
  }
}

const SUBSCRIBE_KEYS = ["events", "expectations", "receiveBuffer", "reliable", "signal", "onParseError"];

/**
 * Subscribes to conntrack events (`conntrack -E`); resolves once the socket
 * has joined the groups, so events after that are never missed. Uses
 * `opts.socket` if given (joining the groups on it; `receiveBuffer` and
 * `reliable` then do not apply), else opens its own socket. Bad options are
 * refused before anything is opened. The stream ends when `signal` aborts,
 * the loop breaks or `close()` is called.
 */
export async function subscribeConntrack(
  options: SubscribeConntrackOptions = {},
  opts: ConntrackOptions = {},
): Promise<ConntrackSubscription> {
  checkKeys(options, SUBSCRIBE_KEYS, "conntrack subscription");
  checkTarget(opts, "conntrack");
  const groups = conntrackEventGroups(options);
  if (options.receiveBuffer !== undefined && (!Number.isInteger(options.receiveBuffer) || options.receiveBuffer <= 0)) {
    throw new InvalidArgumentError(
      `Invalid receive buffer: "${options.receiveBuffer}" (must be a positive byte count)`,
    );
  }
  if (opts.socket && (options.receiveBuffer !== undefined || options.reliable !== undefined)) {
    throw new InvalidArgumentError(
      "Cannot use receiveBuffer or reliable with a caller's socket: set them when opening that socket",
      options.receiveBuffer !== undefined ? "receiveBuffer" : "reliable",
    );
  }
  options.signal?.throwIfAborted();
  if (opts.socket) {
    for (const g of groups) opts.socket.join(g);
    return new ConntrackSubscription(opts.socket, false, groups, options);
  }
  const sock = await NetlinkSocket.open(NETLINK_NETFILTER, {
    netns: opts.netns,
    receiveBuffer: options.receiveBuffer,
    broadcastError: options.reliable,
    noEnobufs: options.reliable,
    groups,
    describe: describeCtnlExp,
  });
  return new ConntrackSubscription(sock, true, groups, options);
}
