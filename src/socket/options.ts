/**
 * Options of a socket and of each call on it, with their validation: bad
 * values are refused before anything is opened or sent.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { NetnsTarget } from "../netns/netns.ts";
import type { NetlinkCapture } from "./capture.ts";
import type { MessageError } from "./errors.ts";

/** What the transport needs to know about a netlink family. */
export interface NetlinkFamily {
  /** Short name for messages (`rtnetlink`, `ctnetlink`). */
  readonly name: string;
  /** The netlink protocol (`NETLINK_ROUTE`, `NETLINK_NETFILTER`, ...). */
  readonly protocol: number;
  /** Bytes of the family header after `nlmsghdr` (`ifinfomsg`, `nfgenmsg`, `genlmsghdr`). */
  readonly headerLength: number;
  /** Names the operation of a request in errors; gets the whole request (genetlink puts the command in it). */
  describe(request: Uint8Array): string;
  /** Tells requests that may be sent again when their reply was lost (GETs). */
  idempotent?(request: Uint8Array): boolean;
  /** Socket settings every socket of the family gets (strict checking, ...). */
  readonly socketOptions?: Pick<SocketOptions, "strictCheck" | "extAck" | "capAck">;
}

/** How a socket is set up. */
export interface SocketOptions {
  /** Open the socket inside this network namespace. */
  netns?: NetnsTarget;
  /** Kernel receive buffer in bytes (`SO_RCVBUFFORCE`, else `SO_RCVBUF`): 1 to 2147483647. */
  receiveBuffer?: number;
  /** Kernel send buffer in bytes: 1 to 2147483647. */
  sendBuffer?: number;
  /** Ask for extended acks (`NETLINK_EXT_ACK`). Default true. */
  extAck?: boolean;
  /** Strict checking of GET requests, which enables kernel-side dump filters. Default false. */
  strictCheck?: boolean;
  /** Do not echo requests in errors (`NETLINK_CAP_ACK`). Default true. */
  capAck?: boolean;
  /** Multicast groups to join at once. */
  groups?: readonly number[];
  /** Do not report overruns (`NETLINK_NO_ENOBUFS`); events may be lost silently. */
  noEnobufs?: boolean;
  /**
   * Also receive the notifications of every namespace this socket's
   * namespace has an id for (`NETLINK_LISTEN_ALL_NSID`); the socket's
   * `messageNsid` tells each message's origin.
   */
  listenAllNsid?: boolean;
  /** Make the kernel report delivery failures (`NETLINK_BROADCAST_ERROR`). */
  broadcastError?: boolean;
  /** Turns message types into names for error texts. */
  describe?: (type: number) => string;
  /** The family the socket speaks: names requests in errors and tells which may be resent (wins over `describe`). */
  family?: NetlinkFamily;
  /**
   * Tells requests that may be sent again when their reply was lost (a GET):
   * they are retried instead of failing with `ReplyLostError`. Default none.
   */
  idempotent?: (request: Uint8Array) => boolean;
  /** Requests in flight at once on this socket; the rest wait in userspace. Default 64. */
  maxInFlight?: number;
  /** Sees every datagram sent and received; falls back to the global capture. */
  capture?: NetlinkCapture;
  /**
   * Bytes of the userspace buffer each datagram is read into: 65536 to
   * 16777216, default 65536. A larger datagram is reported lost and grows
   * the buffer for a while; size it to the largest datagram expected
   * (NFQUEUE with a 64 KiB copy range needs about 128 KiB).
   */
  datagramBuffer?: number;
  /**
   * Datagrams read per system call (`recvmmsg`), each into its own slot of
   * `datagramBuffer` bytes: 1 to 1024, default 1 (`recvfrom`). Worth it
   * where each datagram is small and many queue up (NFQUEUE and NFLOG
   * packets): the call costs more than the datagram.
   */
  receiveBatch?: number;
}

/** Per-call options of a request or dump. */
export interface RequestOptions {
  /** Stops the call when aborted: it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Fails the call with `TimeoutError` after this many milliseconds. */
  timeout?: number;
}

/** Per-call options of a dump or subscription. */
export type StreamOptions = RequestOptions;

/** Options of `NetlinkSocket.dump`. */
export interface DumpOptions extends RequestOptions {
  /**
   * The parser only borrows each message: it gets one `NlMsg` object the
   * socket refills for every message, and must keep nothing of it (a
   * printer that writes each message out as it comes). A dump of 100,000
   * entries then makes no header object per entry. Default false: each
   * message is an object of its own.
   */
  reuseMessage?: boolean;
}

/** Options of `NetlinkSocket.messages`. */
export interface MessagesOptions extends RequestOptions {
  /** Called with a message the parser rejected; it is skipped and the stream goes on. */
  onParseError?: (error: MessageError) => void;
}

/**
 * Options of `NetlinkSocket.unicast`: the reader of unicast kernel messages
 * that answer no request (NFQUEUE and NFLOG packets).
 */
export interface UnicastOptions extends RequestOptions {
  /**
   * What ENOBUFS (messages lost to a full receive queue) does: `"report"`
   * (default) yields an `Overrun` and reads on, so every queued message is
   * still delivered; `"drain"` also discards what is queued, as multicast
   * readers do. Requests whose replies the overflow took fail (or are
   * resent) either way, once the queue has been read to its end.
   */
  overrun?: "report" | "drain";
  /** Called with a message the parser rejected; without it the reader's `next()` rejects with what the parser threw. */
  onParseError?: (error: MessageError) => void;
}

/** Options of {@link NetlinkSocket.dumpAll}. */
export interface DumpAllOptions extends DumpOptions {
  /** Re-run an interrupted dump up to this many times before giving up. Default 0. */
  retries?: number;
}

const MAX_INT = 0x7fffffff;

function checkInt(what: string, v: unknown, min: number, max: number): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}" (must be an integer from ${min} to ${max})`);
  }
}

/** Refuses bad socket options with an `InvalidArgumentError` naming the value. */
export function checkSocketOptions(o: SocketOptions): void {
  checkInt("receive buffer", o.receiveBuffer, 1, MAX_INT); // the kernel raises tiny sizes to its minimum
  checkInt("send buffer", o.sendBuffer, 1, MAX_INT);
  checkInt("maxInFlight", o.maxInFlight, 1, 65536);
  checkInt("datagram buffer", o.datagramBuffer, 65536, 1 << 24);
  checkInt("receive batch", o.receiveBatch, 1, 1024);
  if (o.listenAllNsid && (o.receiveBatch ?? 1) > 1) {
    // Each message's namespace id comes from its own recvmsg control data.
    throw new InvalidArgumentError("Cannot combine listenAllNsid with a receive batch above 1");
  }
  if (o.groups !== undefined) {
    if (!Array.isArray(o.groups)) {
      throw new InvalidArgumentError(`Invalid groups: "${String(o.groups)}" (must be an array)`);
    }
    for (const g of o.groups) checkInt("multicast group", g, 1, 0xffffffff);
  }
  if (o.capture !== undefined && typeof o.capture?.record !== "function") {
    throw new InvalidArgumentError("Invalid capture: must have a record(direction, protocol, bytes) method");
  }
}

/** Refuses a bad timeout or signal. */
export function checkRequestOptions(o: RequestOptions): void {
  const t = o.timeout;
  if (t !== undefined && (typeof t !== "number" || !(t > 0) || !Number.isFinite(t))) {
    throw new InvalidArgumentError(`Invalid timeout: "${String(t)}" (must be a positive number of milliseconds)`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError("Invalid signal: must be an AbortSignal");
  }
  o.signal?.throwIfAborted();
}

/** Refuses bad dump options. */
export function checkDumpOptions(o: DumpOptions): void {
  checkRequestOptions(o);
  if (o.reuseMessage !== undefined && typeof o.reuseMessage !== "boolean") {
    throw new InvalidArgumentError(`Invalid reuseMessage: "${String(o.reuseMessage)}" (must be true or false)`);
  }
}

/** Refuses bad unicast reader options. */
export function checkUnicastOptions(o: UnicastOptions): void {
  checkRequestOptions(o);
  if (o.overrun !== undefined && o.overrun !== "report" && o.overrun !== "drain") {
    throw new InvalidArgumentError(`Invalid overrun policy: "${String(o.overrun)}" (must be "report" or "drain")`);
  }
  if (o.onParseError !== undefined && typeof o.onParseError !== "function") {
    throw new InvalidArgumentError("Invalid onParseError: must be a function");
  }
}

/** Refuses a bad `retries` count. */
export function checkRetries(retries: unknown): number {
  checkInt("retries", retries, 0, 1000);
  return (retries as number | undefined) ?? 0;
}
