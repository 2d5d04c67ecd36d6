/**
 * `NetlinkSocket`: one netlink socket, with sequence-numbered requests,
 * batches, streaming dumps and multicast subscriptions.
 *
 * Replies are routed the way libmnl checks them (`dispatch.ts`); datagrams
 * are read synchronously with `MSG_DONTWAIT` (`receive.ts`); while anything
 * waits, one read loop drains the socket (`wait.ts`). Multicast
 * notifications go only to the multicast reader (`multicast.ts`), and
 * unicast kernel messages that answer no request (NFQUEUE and NFLOG
 * packets) only to the unicast reader (`unicast_reader.ts`). The state the
 * parts share is `SocketCore` (`core.ts`).
 *
 * @example
 * ```ts ignore
 * import { NetlinkSocket } from "./socket.ts";
 * import { MessageBuilder } from "../wire/builder.ts";
 * await using sock = await NetlinkSocket.open(0); // NETLINK_ROUTE
 * const req = new MessageBuilder(18, 0x300).raw(new Uint8Array(16)).finish(); // RTM_GETLINK dump
 * for await (const type of sock.dump(req, (m) => m.type)) console.log(type);
 * ```
 *
 * @module
 */

import { loadSys } from "../sys/load.ts";
import { SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW } from "../sys/flags.ts";
import type { Sys } from "../sys/sys.ts";
import { withNetns } from "../netns/netns.ts";
import { AF_NETLINK } from "../wire/addr.ts";
import {
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_BROADCAST_ERROR,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_LISTEN_ALL_NSID,
  NETLINK_NO_ENOBUFS,
  NLM_F_ACK,
  SOL_NETLINK,
} from "../wire/constants.ts";
import { stampMessage } from "../wire/message.ts";
import type { NetlinkError } from "../wire/netlink_error.ts";
import { requestBatch } from "./batch_request.ts";
import { bufferSize, setBuffer, SO_RCVBUF, SO_SNDBUF } from "./buffers.ts";
import { newConsumer, type Parse, setFlags } from "./consumer.ts";
import { SocketCore } from "./core.ts";
import { type DumpIterator, dumpIterator } from "./dump_iterator.ts";
import { DumpInterruptedError, type Overrun, SocketClosedError } from "./errors.ts";
import { multicastMessages } from "./multicast.ts";
import {
  checkDumpOptions,
  checkRequestOptions,
  checkRetries,
  checkSocketOptions,
  checkUnicastOptions,
  type DumpAllOptions,
  type DumpOptions,
  type MessagesOptions,
  type RequestOptions,
  type SocketOptions,
  type UnicastOptions,
} from "./options.ts";
import { cancelWaits } from "./readiness.ts";
import { clearStash } from "./readers.ts";
import { receiveOne } from "./receive.ts";
import { type UnicastReader, unicastReader } from "./unicast_reader.ts";
import { deadlineOf, until } from "./wait.ts";

/** A netlink socket of one protocol, bound to a kernel-assigned port id. */
export class NetlinkSocket implements Disposable, AsyncDisposable {
  /** The netlink protocol number (`NETLINK_ROUTE`, ...). */
  readonly protocol: number;
  /** The port id the kernel assigned. */
  readonly portId: number;
  /** Datagrams dropped because they did not come from the kernel. */
  foreignDropped = 0;
  /** Replies dropped because no request in flight matches them (late or stale replies). */
  unmatchedDropped = 0;
  /** Multicast (or unicast reader) messages that could not be parsed. */
  eventErrors = 0;
  /**
   * Refusals no request waits for: errors answering a message sent with
   * {@link send} (an NFQUEUE verdict), or a request given up before its answer.
   */
  strayRefusals = 0;
  /** The last of the {@link strayRefusals}. */
  lastStrayRefusal: NetlinkError | undefined;
  #core: SocketCore;

  private constructor(sys: Sys, fd: number, protocol: number, options: SocketOptions) {
    this.protocol = protocol;
    const addr = new Uint8Array(12);
    new DataView(addr.buffer).setUint16(0, AF_NETLINK, true);
    sys.bind(fd, addr);
    sys.getsockname(fd, addr);
    this.portId = new DataView(addr.buffer).getUint32(4, true);
    this.#core = new SocketCore(sys, fd, protocol, this.portId, this, options);
  }

  /** Opens a socket of `protocol` (optionally inside a namespace). Bad options throw before anything opens. */
  static async open(protocol: number, options: SocketOptions = {}): Promise<NetlinkSocket> {
    checkSocketOptions(options);
    return NetlinkSocket.openWith(await loadSys(), protocol, options);
  }

  /** Opens a socket with an already loaded {@link Sys}. */
  static openWith(sys: Sys, protocol: number, options: SocketOptions = {}): NetlinkSocket {
    checkSocketOptions(options);
    const make = () => sys.socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    const fd = options.netns === undefined ? make() : withNetns(sys, options.netns, make);
    try {
      const set = (name: number, on: boolean | undefined) => {
        if (on) sys.setsockoptInt(fd, SOL_NETLINK, name, 1);
      };
      set(NETLINK_EXT_ACK, options.extAck ?? true);
      set(NETLINK_CAP_ACK, options.capAck ?? true);
      set(NETLINK_GET_STRICT_CHK, options.strictCheck);
      set(NETLINK_NO_ENOBUFS, options.noEnobufs);
      set(NETLINK_BROADCAST_ERROR, options.broadcastError);
      set(NETLINK_LISTEN_ALL_NSID, options.listenAllNsid);
      if (options.receiveBuffer) setBuffer(sys, fd, SO_RCVBUF, options.receiveBuffer);
      if (options.sendBuffer) setBuffer(sys, fd, SO_SNDBUF, options.sendBuffer);
      const sock = new NetlinkSocket(sys, fd, protocol, options);
      for (const g of options.groups ?? []) sock.join(g);
      return sock;
    } catch (e) {
      sys.close(fd);
      throw e;
    }
  }

  /** Whether {@link close} has been called. */
  get closed(): boolean {
    return this.#core.fd < 0;
  }

  /** The kernel receive buffer size in bytes (as `getsockopt` reports it). */
  get receiveBuffer(): number {
    return bufferSize(this.#core.sys, this.#core.checkOpen(), SO_RCVBUF);
  }

  /** The kernel send buffer size in bytes (as `getsockopt` reports it). */
  get sendBuffer(): number {
    return bufferSize(this.#core.sys, this.#core.checkOpen(), SO_SNDBUF);
  }

  /**
   * With `listenAllNsid`, while a parser runs: the id this socket's
   * namespace gives the namespace the message came from (the
   * `NETLINK_LISTEN_ALL_NSID` control message), or undefined for the
   * socket's own namespace. Always undefined without `listenAllNsid`.
   */
  get messageNsid(): number | undefined {
    return this.#core.nsid;
  }

  /** Size of the userspace buffer datagrams are read into (grows after a huge datagram, then shrinks back). */
  get datagramBuffer(): number {
    return this.#core.buf.length;
  }

  /** Joins a multicast group by number. */
  join(group: number): void {
    const s = this.#core;
    s.sys.setsockoptInt(s.checkOpen(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
    s.joined++;
  }

  /** Leaves a multicast group. */
  leave(group: number): void {
    const s = this.#core;
    s.sys.setsockoptInt(s.checkOpen(), SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
    s.joined = Math.max(0, s.joined - 1);
    if (s.joined === 0) clearStash(s); // no group left: kept notifications are nobody's
  }

  /** Sends a finished message with a fresh sequence number; returns that number. */
  send(msg: Uint8Array): number {
    const s = this.#core;
    const fd = s.checkOpen();
    const seq = s.nextSeq();
    stampMessage(msg, seq);
    s.transmit(fd, msg);
    return seq;
  }

  /**
   * Sends a request with `NLM_F_ACK` and resolves with the parsed replies
   * once the kernel acknowledges it; a refusal rejects with a
   * {@link NetlinkError}. At most `maxInFlight` requests are in flight on
   * the socket; later ones wait their turn in userspace.
   */
  async request<T = never>(msg: Uint8Array, parse?: Parse<T>, options: RequestOptions = {}): Promise<T[]> {
    checkRequestOptions(options);
    setFlags(msg, NLM_F_ACK);
    const s = this.#core;
    const turn = s.acquire(options.signal);
    if (turn) await turn;
    const c = newConsumer(msg, parse);
    try {
      s.start(c);
      while (!c.done && receiveOne(s));
      if (!c.done) await until(s, c, () => c.done, options, deadlineOf(options));
    } finally {
      s.forget(c);
      s.turns.release();
    }
    if (c.error) throw c.error;
    return c.items as T[];
  }

  /**
   * Sends pre-built messages, each stamped with its own sequence number, in
   * as few datagrams as the socket buffers allow, and waits for the ack or
   * refusal of every message that has `NLM_F_ACK`. nfnetlink
   * `NFNL_MSG_BATCH_BEGIN`..`END` groups are sent whole, one per datagram
   * (the send and receive buffers are raised to fit them). Rejects with a
   * {@link BatchError} listing every refused message by index.
   */
  requestBatch(messages: readonly Uint8Array[], options: RequestOptions = {}): Promise<void> {
    checkRequestOptions(options);
    return requestBatch(this.#core, messages, options);
  }

  /**
   * Streams a dump: each message is parsed by `parse` as it arrives and
   * yielded; memory stays at one receive buffer. Breaking out early drains
   * the rest so the socket stays usable. Dumps on one socket run one at a
   * time, as the kernel requires. A dump the kernel marked inconsistent
   * ends with {@link DumpInterruptedError} after yielding what it read.
   * `timeout` bounds the whole dump. With `reuseMessage`, `parse` borrows
   * one message object refilled for each message (see {@link DumpOptions}).
   */
  dump<T>(msg: Uint8Array, parse: Parse<T>, options: DumpOptions = {}): DumpIterator<T> {
    checkDumpOptions(options);
    return dumpIterator(this.#core, msg, parse, options);
  }

  /** Collects a dump into an array, re-running it up to `retries` times if interrupted. */
  async dumpAll<T>(msg: Uint8Array, parse: Parse<T>, options: DumpAllOptions = {}): Promise<T[]> {
    const retries = checkRetries(options.retries);
    for (let attempt = 0;; attempt++) {
      const out: T[] = [];
      try {
        for await (const item of this.dump(msg.slice(), parse, options)) out.push(item);
        return out;
      } catch (e) {
        if (!(e instanceof DumpInterruptedError)) throw e;
        if (attempt >= retries) {
          e.partial = out;
          throw e;
        }
      }
    }
  }

  /**
   * Streams multicast messages (join groups first), parsed by `parse`. An
   * {@link Overrun} is yielded where the kernel dropped messages, once the
   * socket queue has been drained (so a re-list started then ends at the
   * exact state). A message `parse` rejects is skipped, counted in
   * {@link eventErrors} and handed to `options.onParseError` as a
   * {@link MessageError}. The stream goes on after both. Ends when `signal`
   * aborts, the socket closes or the loop breaks.
   */
  messages<T>(parse: Parse<T>, options: MessagesOptions = {}): AsyncGenerator<T | Overrun, void, undefined> {
    return multicastMessages(this.#core, parse, options);
  }

  /**
   * Reads unicast kernel messages that answer no request: sent by the
   * kernel to this port with sequence number 0 (NFQUEUE and NFLOG packets;
   * requests never use 0). `parse` turns each into an item while its bytes
   * are in the receive buffer, or returns `undefined` for a message that is
   * not the reader's kind (dropped and counted). Where the kernel dropped
   * messages the reader yields an {@link Overrun} and, by default, reads on
   * without discarding anything (`options.overrun`). One reader per socket;
   * start it before the request that makes the kernel send (a bind). Ends
   * when `signal` aborts, the socket closes or `return()` is called.
   */
  unicast<T>(parse: Parse<T | undefined>, options: UnicastOptions = {}): UnicastReader<T> {
    checkUnicastOptions(options);
    return unicastReader(this.#core, parse, options);
  }

  /** Closes the socket; idempotent. Pending waits reject with {@link SocketClosedError}. */
  close(): void {
    const s = this.#core;
    if (s.fd < 0) return;
    const fd = s.fd;
    s.fd = -1;
    // Made only when someone waits: a short command closes its socket with nothing pending.
    let err: SocketClosedError | undefined;
    const closed = () => err ??= new SocketClosedError();
    for (const c of s.consumers.values()) s.settle(c, closed());
    if (s.listener) s.settle(s.listener, closed());
    if (s.unicast) s.settle(s.unicast, closed());
    s.turns.wakeAll();
    cancelWaits(s.sys, fd, closed);
    s.sys.close(fd);
  }

  /** Closes the socket (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes the socket (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
