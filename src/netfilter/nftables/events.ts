/**
 * Ruleset events (`NFNLGRP_NFTABLES`, what `nft monitor` shows): every
 * object added or deleted, typed as listing returns it, with the
 * generation its batch committed, and an overrun signal when events were
 * lost (list again to resynchronise).
 *
 * The kernel sends a batch's changes, then one `NFT_MSG_NEWGEN`; changes
 * are held until that message so each carries its generation. Packet
 * traces (`NFNLGRP_NFTRACE`, what `nft monitor trace` shows) come from
 * {@link subscribeNftMonitor}, as they arrive.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { subscribedEvents, Subscription } from "../../socket/subscription.ts";
import { NetlinkSocket } from "../../socket/socket.ts";
import { NETLINK_NETFILTER } from "../../wire/constants.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NFNL_SUBSYS_NFTABLES, nfnlSplit } from "../../wire/nfnetlink.ts";
import { type NftChain, parseChainMessage } from "./chain.ts";
import { NFNLGRP_NFTABLES, NFNLGRP_NFTRACE, NFT_MSG } from "./consts.ts";
import { type NftElementList, parseElementsMessage } from "./element.ts";
import { type NftFlowtable, parseFlowtableMessage } from "./flowtable.ts";
import { type NftGeneration, parseGenMessage } from "./gen.ts";
import { type NftObject, parseObjMessage } from "./obj.ts";
import { type NftRule, parseNftRuleMessage } from "./rule.ts";
import { type NftSet, parseSetMessage } from "./set.ts";
import { describeNft, type NftOptions } from "./socket.ts";
import { type NftTable, parseTableMessage } from "./table.ts";
import { type NftTrace, parseTraceMessage } from "./trace.ts";

/** What changed, by kind. */
export type NftChange =
  | { kind: "table"; object: NftTable }
  | { kind: "chain"; object: NftChain }
  | { kind: "rule"; object: NftRule }
  | { kind: "set"; object: NftSet }
  | { kind: "element"; object: NftElementList }
  | { kind: "object"; object: NftObject }
  | { kind: "flowtable"; object: NftFlowtable };

/** One change of a committed batch. */
export type NftChangeEvent = NftChange & {
  /** `add` or `delete`. */
  type: "add" | "delete";
  /** The generation the batch committed (absent if the batch's end was lost). */
  generation?: number;
  /**
   * The event's netlink header flags, as the change was asked for:
   * `NLM_F_APPEND` (0x800) on an appended rule (without it, an inserted
   * one), `NLM_F_EXCL` (0x200) on a create.
   */
  flags?: number;
};

/** Events were lost: list the ruleset again. */
export interface NftOverrunEvent {
  /** Marks the gap. */
  type: "overrun";
}

/** A batch committed: follows the batch's changes. */
export interface NftGenerationEvent {
  /** Marks the end of a batch. */
  type: "generation";
  /** The new generation. */
  generation: number;
  /** The committing process id, when the kernel says. */
  pid?: number;
  /** The committing process name, when the kernel says. */
  process?: string;
}

/** One item of {@link subscribeNftables}. */
export type NftEvent = NftChangeEvent | NftGenerationEvent | NftOverrunEvent;

/** A traced packet met a rule, a chain's end or a policy. */
export interface NftTraceEvent {
  /** Marks a trace. */
  type: "trace";
  /** What the kernel reported. */
  trace: NftTrace;
}

/** One item of {@link subscribeNftMonitor}: a change, a generation, a trace or an overrun. */
export type NftMonitorEvent = NftEvent | NftTraceEvent;

/** A parsed event message: a change, the generation that closes a batch, or a packet trace. */
export type NftEventMessage =
  | { change: NftChange & { type: "add" | "delete"; flags: number } }
  | { gen: NftGeneration }
  | { trace: NftTrace }
  | undefined;

const BY_MSG: Record<number, [NftChange["kind"], "add" | "delete", (m: NlMsg) => unknown]> = {
  [NFT_MSG.NFT_MSG_NEWTABLE]: ["table", "add", parseTableMessage],
  [NFT_MSG.NFT_MSG_DELTABLE]: ["table", "delete", parseTableMessage],
  [NFT_MSG.NFT_MSG_NEWCHAIN]: ["chain", "add", parseChainMessage],
  [NFT_MSG.NFT_MSG_DELCHAIN]: ["chain", "delete", parseChainMessage],
  [NFT_MSG.NFT_MSG_NEWRULE]: ["rule", "add", parseNftRuleMessage],
  [NFT_MSG.NFT_MSG_DELRULE]: ["rule", "delete", parseNftRuleMessage],
  [NFT_MSG.NFT_MSG_NEWSET]: ["set", "add", parseSetMessage],
  [NFT_MSG.NFT_MSG_DELSET]: ["set", "delete", parseSetMessage],
  [NFT_MSG.NFT_MSG_NEWSETELEM]: ["element", "add", parseElementsMessage],
  [NFT_MSG.NFT_MSG_DELSETELEM]: ["element", "delete", parseElementsMessage],
  [NFT_MSG.NFT_MSG_NEWOBJ]: ["object", "add", parseObjMessage],
  [NFT_MSG.NFT_MSG_DELOBJ]: ["object", "delete", parseObjMessage],
  [NFT_MSG.NFT_MSG_NEWFLOWTABLE]: ["flowtable", "add", parseFlowtableMessage],
  [NFT_MSG.NFT_MSG_DELFLOWTABLE]: ["flowtable", "delete", parseFlowtableMessage],
};

/** Parses one nf_tables event message; other messages give `undefined`. */
export function parseNftEvent(m: NlMsg): NftEventMessage {
  const [subsys, msg] = nfnlSplit(m.type);
  if (subsys !== NFNL_SUBSYS_NFTABLES) return undefined;
  if (msg === NFT_MSG.NFT_MSG_NEWGEN) return { gen: parseGenMessage(m) };
  if (msg === NFT_MSG.NFT_MSG_TRACE) return { trace: parseTraceMessage(m) };
  const row = BY_MSG[msg];
  if (!row) return undefined;
  const [kind, type, parse] = row;
  return {
    change: { kind, type, flags: m.flags, object: parse(m) } as NftChange & { type: "add" | "delete"; flags: number },
  };
}

/** Options of {@link subscribeNftables}. */
export interface SubscribeNftOptions {
  /** Kernel receive buffer in bytes; bigger loses fewer events in bursts. */
  receiveBuffer?: number;
  /** Stops the stream when aborted. */
  signal?: AbortSignal;
}

/**
 * A live subscription (from {@link subscribeNftables}, which resolves once
 * the socket has joined the group, so later changes are never missed).
 * Break out of the loop, call {@link close}, or `await using` it to close
 * the socket.
 */
export class NftSubscription extends Subscription<NftEvent> {
  /** Wraps a socket that has already joined the group. */
  constructor(socket: NetlinkSocket, options: SubscribeNftOptions = {}) {
    super(socket, followChanges, options.signal);
  }
}

/** A batch's changes are held until its generation message, which stamps them with the new generation. */
async function* followNft(sock: NetlinkSocket, signal: AbortSignal): AsyncGenerator<NftMonitorEvent, void, undefined> {
  let held: NftChangeEvent[] = [];
  for await (const item of subscribedEvents(sock, parseNftEvent, { signal })) {
    if ("trace" in item) {
      yield { type: "trace", trace: item.trace };
    } else if ("type" in item) {
      yield* held;
      held = [];
      yield item;
    } else if ("gen" in item) {
      for (const ev of held) yield { ...ev, generation: item.gen.id };
      held = [];
      const { id = 0, procPid, procName } = item.gen;
      yield { type: "generation", generation: id, pid: procPid, process: procName };
    } else held.push(item.change);
  }
}

/** The changes alone: a socket that has not joined the trace group gets none. */
async function* followChanges(sock: NetlinkSocket, signal: AbortSignal): AsyncGenerator<NftEvent, void, undefined> {
  for await (const ev of followNft(sock, signal)) if (ev.type !== "trace") yield ev;
}

function checkReceiveBuffer(options: { receiveBuffer?: number; signal?: AbortSignal }): void {
  if (options.receiveBuffer !== undefined && (!Number.isInteger(options.receiveBuffer) || options.receiveBuffer <= 0)) {
    throw new InvalidArgumentError(
      `Cannot use receive buffer ${options.receiveBuffer}: expected a positive byte count`,
    );
  }
  options.signal?.throwIfAborted();
}

/** Subscribes to ruleset changes in a namespace (`nft monitor`); resolves once subscribed. */
export async function subscribeNftables(
  options: SubscribeNftOptions = {},
  opts: NftOptions = {},
): Promise<NftSubscription> {
  checkKeys(options, ["receiveBuffer", "signal"], "subscribeNftables");
  checkKeys(opts, ["netns"], "subscribeNftables (a subscription opens its own socket)");
  checkReceiveBuffer(options);
  const socket = await NetlinkSocket.open(NETLINK_NETFILTER, {
    netns: opts.netns,
    receiveBuffer: options.receiveBuffer,
    groups: [NFNLGRP_NFTABLES],
    describe: describeNft,
  });
  return new NftSubscription(socket, options);
}

/** Options of {@link subscribeNftMonitor}. */
export interface SubscribeNftMonitorOptions extends SubscribeNftOptions {
  /** Ruleset changes and generations (default true). */
  changes?: boolean;
  /** Packet traces (`NFNLGRP_NFTRACE`, default true): of packets a rule marks `meta nftrace set 1`. */
  traces?: boolean;
}

/**
 * A live subscription to changes and packet traces (from
 * {@link subscribeNftMonitor}); closes as {@link NftSubscription} does.
 */
export class NftMonitorSubscription extends Subscription<NftMonitorEvent> {
  /** Wraps a socket that has already joined its groups. */
  constructor(socket: NetlinkSocket, options: SubscribeNftMonitorOptions = {}) {
    super(socket, followNft, options.signal);
  }
}

/**
 * Subscribes to what `nft monitor` shows in a namespace: ruleset changes
 * and packet traces, on one socket in the kernel's order (`changes` or
 * `traces` false leaves either out: `nft monitor trace` is
 * `{ changes: false }`); resolves once subscribed.
 *
 * @example
 * ```ts ignore
 * import { subscribeNftMonitor } from "./events.ts";
 * // A rule such as `meta nftrace set 1` marks the packets to trace.
 * await using sub = await subscribeNftMonitor({ changes: false }, { netns: "blue" });
 * for await (const ev of sub) {
 *   if (ev.type === "trace") console.log(ev.trace.id, ev.trace.chain, ev.trace.type, ev.trace.verdict?.code);
 * }
 * ```
 */
export async function subscribeNftMonitor(
  options: SubscribeNftMonitorOptions = {},
  opts: NftOptions = {},
): Promise<NftMonitorSubscription> {
  checkKeys(options, ["receiveBuffer", "signal", "changes", "traces"], "subscribeNftMonitor");
  checkKeys(opts, ["netns"], "subscribeNftMonitor (a subscription opens its own socket)");
  for (const k of ["changes", "traces"] as const) {
    if (options[k] !== undefined && typeof options[k] !== "boolean") {
      throw new InvalidArgumentError(`Cannot use ${k} ${String(options[k])}: expected true or false`);
    }
  }
  const groups = [
    ...(options.changes ?? true ? [NFNLGRP_NFTABLES] : []),
    ...(options.traces ?? true ? [NFNLGRP_NFTRACE] : []),
  ];
  if (!groups.length) throw new InvalidArgumentError("Cannot subscribe to nothing: expected changes, traces or both");
  checkReceiveBuffer(options);
  const socket = await NetlinkSocket.open(NETLINK_NETFILTER, {
    netns: opts.netns,
    receiveBuffer: options.receiveBuffer,
    groups,
    describe: describeNft,
  });
  return new NftMonitorSubscription(socket, options);
}
