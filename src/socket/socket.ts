/**
 * `NetlinkSocket`: one netlink socket, with sequence-numbered requests,
 * batches, streaming dumps and multicast subscriptions.
 *
 * Every receive is synchronous with `MSG_DONTWAIT` (the kernel answers most
 * requests inside `sendto`, so a request reads its reply at once) and takes
 * one `recvfrom` per datagram into a large reused buffer (or, with
 * `receiveBatch`, one `recvmmsg` per batch of datagrams into reused slots);
 * a datagram that did not fit is reported, never cut silently. Replies are routed the way
 * libmnl checks them: sent by the kernel (port id 0) to no multicast group,
 * addressed to this socket's port id, with the sequence number of a request
 * in flight. Multicast notifications go only to the multicast reader, and
 * unicast kernel messages that answer no request (sequence number 0:
 * NFQUEUE and NFLOG packets) only to the unicast reader. While
 * anything waits, one read loop drains the socket; when nothing is queued
 * it waits on the process-wide poller.
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

import { InvalidArgumentError } from "../errors.ts";
import { loadSys } from "../sys/load.ts";
import { type RecvMsg, type Sys, SysError } from "../sys/sys.ts";
import type { DatagramVector } from "../sys/mmsg.ts";
import { withNetns } from "../netns/netns.ts";
import {
  align4,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_BROADCAST_ERROR,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_LISTEN_ALL_NSID,
  NETLINK_NETFILTER,
  NETLINK_NO_ENOBUFS,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  SOL_NETLINK,
} from "../wire/constants.ts";
import { parseDoneMessage, parseErrorMessage } from "../wire/error_message.ts";
import { copyMessage, type NlMsg, readMessage, readMessageInto, stampMessage } from "../wire/message.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { refusal } from "../errors.ts";
import { planDatagrams, wantsAck } from "./batch.ts";
import { globalCaptureSink, type NetlinkCapture } from "./capture.ts";
import { type Consumer, finish, msgType, newConsumer, type Parse, setFlags } from "./consumer.ts";
import {
  BatchError,
  type BatchFailure,
  DumpInterruptedError,
  MessageError,
  Overrun,
  ReplyLostError,
  SocketClosedError,
  TimeoutError,
} from "./errors.ts";
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
import { cancelWaits, readinessFor } from "./readiness.ts";
import { NSID_CONTROL_SPACE, nsidOfControl } from "./cmsg.ts";

export type { Parse } from "./consumer.ts";
export type {
  DumpAllOptions,
  DumpOptions,
  MessagesOptions,
  NetlinkFamily,
  RequestOptions,
  SocketOptions,
  StreamOptions,
  UnicastOptions,
} from "./options.ts";

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;
const SOL_SOCKET = 1;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;
const SO_SNDBUFFORCE = 32;
const SO_RCVBUFFORCE = 33;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
const EINTR = 4;
const EAGAIN = 11;
const ENOBUFS = 105;
/** `struct sockaddr_nl` of the kernel (port id 0), shared by every send. */
const KERNEL_ADDR = new Uint8Array([AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/**
 * The default reused receive buffer: twice the kernel's largest dump batch
 * (32 KiB), so a dump never fills it. A larger datagram grows it for a while.
 */
const RECV_BUFFER = 65536;
/** Datagrams that fit the base buffer before a grown buffer shrinks back. */
const SHRINK_AFTER = 16;
/** Receive-buffer bytes one queued ack may take (skb truesize, with room for an ext-ack). */
const ACK_COST = 1024;
const EMPTY = new Uint8Array(0);
/** A header-only message: what the reused message object holds before the first dispatch. */
const EMPTY_HEADER = new Uint8Array([NLMSG_HDRLEN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/** Notifications kept for a multicast reader that has not started yet; past this, they count as lost. */
const STASH_BYTES = 1 << 20;

/** A streaming dump; `return()` (or leaving a `for await`) drains the rest so the socket stays usable. */
export interface DumpIterator<T> extends AsyncIterableIterator<T>, AsyncDisposable {
  /** Ends the dump early. */
  return(): Promise<IteratorResult<T, undefined>>;
  /**
   * The next value if it was already received, else `undefined` (then
   * `next()` waits for it): a reader of a large dump takes most values
   * without a promise each. The result object may be reused by the next
   * call: read its value first. Optional: an iterator without it is read
   * with `next()` alone.
   */
  ready?(): IteratorYieldResult<T> | undefined;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The reader of unicast kernel messages that answer no request (see
 * {@link NetlinkSocket.unicast}): an async iterator of parsed messages and
 * {@link Overrun} signals.
 */
export interface UnicastReader<T> extends AsyncIterableIterator<T | Overrun>, AsyncDisposable {
  /**
   * Takes what was already read plus what the socket holds now, without
   * waiting, up to `max` items (one await per burst instead of one per message).
   */
  take(max: number): (T | Overrun)[];
  /** Stops reading; later such messages are dropped and counted in `unmatchedDropped`. */
  return(): Promise<IteratorResult<T | Overrun, undefined>>;
}

let seqSeed = (Date.now() & 0x3fffffff) + 1;

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
  #sys: Sys;
  #fd: number;
  #seq = seqSeed++ * 0x1000;
  #base: number;
  #buf: Uint8Array;
  #view: DataView;
  #fits = 0;
  /** Slots for reading many datagrams per call (`receiveBatch`), with a view of each. */
  #vec: DatagramVector | undefined;
  #vecViews: DataView[] = [];
  #addr = new Uint8Array(12);
  #addrView = new DataView(this.#addr.buffer);
  #consumers = new Map<number, Consumer>();
  #listener: Consumer | undefined;
  #unicast: Consumer | undefined;
  #unicastDrain = false;
  /** Requests in flight at an overflow that was not drained: lost if unanswered once the queue is empty. */
  #suspects: Consumer[] = [];
  #dumpTail: Promise<void> = Promise.resolve();
  #name: (request: Uint8Array) => string;
  #idempotent: (request: Uint8Array) => boolean;
  #capture: NetlinkCapture | undefined;
  #maxInFlight: number;
  #inFlight = 0;
  #slots: (() => void)[] = [];
  #hungry = 0;
  #reading = false;
  #readWait: AbortController | undefined;
  #draining = false;
  #joined = 0;
  /** Notifications read before a multicast reader started (`null` marks an overrun). */
  #stash: (Uint8Array | null)[] = [];
  /** The namespace id of each stashed notification (`listenAllNsid`). */
  #stashNsids: (number | undefined)[] = [];
  #stashBytes = 0;
  /** `listenAllNsid`: the recvmsg buffers, control data included. */
  #recv: RecvMsg | undefined;
  #nsid: number | undefined;
  /** The header of the message being dispatched, refilled for each (see {@link DumpOptions.reuseMessage}). */
  #msg: NlMsg = readMessage(EMPTY_HEADER, new DataView(EMPTY_HEADER.buffer), 0, EMPTY_HEADER.length);

  private constructor(sys: Sys, fd: number, protocol: number, options: SocketOptions) {
    this.#sys = sys;
    this.#fd = fd;
    this.protocol = protocol;
    const describe = options.describe ?? ((t: number) => `Request type ${t}`);
    this.#name = options.family ? (r) => options.family!.describe(r) : (r) => describe(msgType(r));
    this.#idempotent = options.family?.idempotent?.bind(options.family) ?? options.idempotent ?? (() => false);
    this.#capture = options.capture;
    this.#maxInFlight = options.maxInFlight ?? 64;
    this.#base = options.datagramBuffer ?? RECV_BUFFER;
    this.#buf = new Uint8Array(this.#base);
    this.#view = new DataView(this.#buf.buffer);
    if (options.listenAllNsid) {
      const control = new Uint8Array(NSID_CONTROL_SPACE);
      this.#recv = { buf: this.#buf, addr: this.#addr, control, controlLength: 0, flags: 0 };
    }
    if ((options.receiveBatch ?? 1) > 1) {
      this.#vec = sys.datagramVector(options.receiveBatch!, this.#base);
      this.#vecViews = this.#vec.slots.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
    }
    const addr = new Uint8Array(12);
    new DataView(addr.buffer).setUint16(0, AF_NETLINK, true);
    sys.bind(fd, addr);
    sys.getsockname(fd, addr);
    this.portId = new DataView(addr.buffer).getUint32(4, true);
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
      if (options.receiveBuffer) setBuffer(sys, fd, SO_RCVBUFFORCE, SO_RCVBUF, options.receiveBuffer);
      if (options.sendBuffer) setBuffer(sys, fd, SO_SNDBUFFORCE, SO_SNDBUF, options.sendBuffer);
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
    return this.#fd < 0;
  }

  /** The kernel receive buffer size in bytes (as `getsockopt` reports it). */
  get receiveBuffer(): number {
    return this.#sys.getsockoptInt(this.#checkOpen(), SOL_SOCKET, SO_RCVBUF);
  }

  /** The kernel send buffer size in bytes (as `getsockopt` reports it). */
  get sendBuffer(): number {
    return this.#sys.getsockoptInt(this.#checkOpen(), SOL_SOCKET, SO_SNDBUF);
  }

  /**
   * With `listenAllNsid`, while a parser runs: the id this socket's
   * namespace gives the namespace the message came from (the
   * `NETLINK_LISTEN_ALL_NSID` control message), or undefined for the
   * socket's own namespace. Always undefined without `listenAllNsid`.
   */
  get messageNsid(): number | undefined {
    return this.#nsid;
  }

  /** Size of the userspace buffer datagrams are read into (grows after a huge datagram, then shrinks back). */
  get datagramBuffer(): number {
    return this.#buf.length;
  }

  /** Joins a multicast group by number. */
  join(group: number): void {
    this.#sys.setsockoptInt(this.#checkOpen(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
    this.#joined++;
  }

  /** Leaves a multicast group. */
  leave(group: number): void {
    this.#sys.setsockoptInt(this.#checkOpen(), SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
    this.#joined = Math.max(0, this.#joined - 1);
    if (this.#joined === 0) {
      this.#stash = []; // no group left: kept notifications are nobody's
      this.#stashNsids = [];
      this.#stashBytes = 0;
    }
  }

  /** Sends a finished message with a fresh sequence number; returns that number. */
  send(msg: Uint8Array): number {
    const fd = this.#checkOpen();
    const seq = this.#nextSeq();
    stampMessage(msg, seq);
    this.#transmit(fd, msg);
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
    if (!this.#tryAcquire()) await this.#acquire(options.signal);
    const c = newConsumer(msg, parse);
    try {
      this.#start(c);
      while (!c.done && this.#receiveOne());
      if (!c.done) await this.#until(c, () => c.done, options, deadlineOf(options));
    } finally {
      this.#forget(c);
      this.#release();
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
  async requestBatch(messages: readonly Uint8Array[], options: RequestOptions = {}): Promise<void> {
    checkRequestOptions(options);
    for (const [i, m] of messages.entries()) {
      if (!(m instanceof Uint8Array) || m.length < NLMSG_HDRLEN || m.length % 4) {
        throw new InvalidArgumentError(`Invalid batch message ${i}: must be a finished netlink message`);
      }
    }
    if (messages.length === 0) return;
    this.#checkOpen();
    const deadline = deadlineOf(options);
    if (!this.#tryAcquire()) await this.#acquire(options.signal);
    const entries = messages.map((m) => {
      const c = newConsumer(m, undefined);
      c.silent = !wantsAck(m);
      return c;
    });
    try {
      const nfnl = this.protocol === NETLINK_NETFILTER;
      const plans = planDatagrams(messages, this.sendBuffer - 32, Math.floor(this.receiveBuffer / ACK_COST), nfnl);
      for (const plan of plans) {
        const fd = this.#checkOpen();
        this.#fitBuffers(fd, plan.bytes, plan.acks);
        const dgram = new Uint8Array(plan.bytes);
        let off = 0;
        for (let i = plan.start; i < plan.end; i++) {
          const c = entries[i];
          c.seq = this.#nextSeq();
          stampMessage(c.request, c.seq);
          this.#consumers.set(c.seq, c);
          dgram.set(c.request, off);
          off += c.request.length;
        }
        this.#transmit(fd, dgram);
        // The kernel answered inside sendto: read the acks before the next datagram adds more.
        while (this.#receiveOne());
      }
      for (const p of plans) {
        const part = entries.slice(p.start, p.end);
        // A refused nfnetlink batch is aborted whole: its other messages get no ack.
        if (p.group !== -1 && part.some((c) => c.error)) continue;
        for (const c of part) if (!c.silent && !c.done) await this.#until(c, () => c.done, options, deadline);
      }
    } finally {
      for (const c of entries) this.#forget(c);
      this.#release();
    }
    const failures: BatchFailure[] = [];
    for (const [index, c] of entries.entries()) {
      if (c.error instanceof NetlinkError) failures.push({ index, error: c.error });
      else if (c.error) throw c.error; // a timeout, an abort, a closed socket
    }
    if (failures.length) throw new BatchError(failures);
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
    // A plain iterator, not an async generator: buffered items resolve at
    // once, which saves a generator hop per message on large dumps.
    setFlags(msg, NLM_F_DUMP);
    const c = newConsumer(msg, parse, true);
    c.lend = options.reuseMessage === true;
    const deadline = deadlineOf(options);
    let release: (() => void) | undefined;
    let started = false;
    let finished = false;
    const take = (): IteratorYieldResult<T> => {
      const value = c.items[c.pos] as T;
      c.items[c.pos++] = undefined;
      return { done: false, value };
    };
    // ready()'s result, reused: a large dump read through it makes no result object per value.
    const lent: IteratorYieldResult<T> = { done: false, value: undefined as T };
    const end = (): void => {
      if (finished) return;
      finished = true;
      if (!started) return;
      if (c.done || this.closed) {
        this.#forget(c);
        release!();
        return;
      }
      // Left early: read the rest in the background without parsing, then let the next dump start.
      c.parse = undefined;
      c.items.length = 0;
      if (c.wake) this.#settle(c, undefined); // a pending next() ends
      this.#until(c, () => c.done, {}).catch(() => {}).finally(() => {
        this.#forget(c);
        release!();
      });
    };
    const pull = async (): Promise<IteratorResult<T, undefined>> => {
      try {
        if (!started) {
          const turn = await this.#dumpTurn();
          if (finished) {
            turn();
            return DONE;
          }
          release = turn;
          started = true;
          this.#start(c);
        }
        for (;;) {
          if (finished) return DONE;
          if (c.pos < c.items.length) return take();
          c.items.length = 0;
          c.pos = 0;
          if (c.done) break;
          options.signal?.throwIfAborted();
          while (!c.done && c.items.length === 0 && this.#receiveOne());
          if (c.done || c.items.length > 0) continue;
          await this.#until(c, () => finished || c.done || c.items.length > 0, options, deadline);
        }
      } catch (e) {
        end();
        throw e;
      }
      end();
      if (c.error) throw c.error;
      if (c.interrupted) throw new DumpInterruptedError(c.count);
      return DONE;
    };
    const it: DumpIterator<T> = {
      next: () => {
        if (finished) return Promise.resolve(DONE);
        return c.pos < c.items.length ? Promise.resolve(take()) : pull();
      },
      return: () => {
        end();
        return Promise.resolve(DONE);
      },
      ready: () => {
        if (finished || c.pos >= c.items.length) return undefined;
        lent.value = c.items[c.pos] as T;
        c.items[c.pos++] = undefined;
        return lent;
      },
      [Symbol.asyncIterator]: () => it,
      [Symbol.asyncDispose]: () => {
        end();
        return Promise.resolve();
      },
    };
    return it;
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
  async *messages<T>(parse: Parse<T>, options: MessagesOptions = {}): AsyncGenerator<T | Overrun, void, undefined> {
    if (options.signal?.aborted) return;
    checkRequestOptions(options);
    if (this.#listener) throw new Error("Socket already has a multicast reader");
    const c = newConsumer(EMPTY, parse);
    this.#listener = c;
    this.#unstash(c);
    try {
      for (;;) {
        if (c.pos < c.items.length) {
          const item = c.items[c.pos] as T | Overrun | MessageError;
          c.items[c.pos++] = undefined;
          if (item instanceof MessageError) options.onParseError?.(item);
          else yield item;
          continue;
        }
        c.items.length = 0;
        c.pos = 0;
        if (c.error) throw c.error;
        while (c.items.length === 0 && !c.error && this.#receiveOne());
        if (c.items.length === 0 && !c.error) {
          await this.#until(c, () => c.items.length > 0 || c.error !== undefined, { signal: options.signal });
        }
      }
    } catch (e) {
      if (options.signal?.aborted || e instanceof SocketClosedError) return;
      throw e;
    } finally {
      if (this.#listener === c) this.#listener = undefined;
    }
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
    this.#checkOpen();
    if (this.#unicast) throw new Error("Socket already has a unicast reader");
    const c = newConsumer(EMPTY, parse);
    this.#unicast = c;
    this.#unicastDrain = options.overrun === "drain";
    const { signal, onParseError } = options;
    let ended = false;
    const end = (): IteratorReturnResult<undefined> => {
      ended = true;
      if (this.#unicast === c) this.#unicast = undefined;
      c.items.length = c.pos = 0;
      if (c.wake) this.#settle(c, undefined);
      return DONE;
    };
    const stopped = () => ended || this.#fd < 0 || signal?.aborted === true;
    /** The next item already read, or undefined. */
    const shift = (): T | Overrun | undefined => {
      while (c.pos < c.items.length) {
        const item = c.items[c.pos] as T | Overrun | MessageError;
        c.items[c.pos++] = undefined;
        if (!(item instanceof MessageError)) return item;
        if (!onParseError) throw item.error;
        onParseError(item);
      }
      c.items.length = c.pos = 0;
      if (c.error !== undefined && !(c.error instanceof SocketClosedError)) {
        const e = c.error; // the read loop failed: tell the reader once
        c.error = undefined;
        throw e;
      }
      return undefined;
    };
    const pull = async (): Promise<IteratorResult<T | Overrun, undefined>> => {
      for (;;) {
        if (stopped()) return end();
        const item = shift();
        if (item !== undefined) return { done: false, value: item };
        if (this.#receiveOne()) continue;
        try {
          await this.#until(c, () => ended || c.pos < c.items.length || c.error !== undefined, { signal });
        } catch (e) {
          if (stopped() || e instanceof SocketClosedError) return end();
          throw e;
        }
      }
    };
    // A plain function, not an async one: an item already read resolves without a generator hop.
    const next = (): Promise<IteratorResult<T | Overrun, undefined>> => {
      if (stopped()) return pull();
      try {
        const item = shift();
        return item === undefined ? pull() : Promise.resolve({ done: false, value: item });
      } catch (e) {
        return Promise.reject(e);
      }
    };
    const reader: UnicastReader<T> = {
      next,
      take: (max) => {
        if (!Number.isInteger(max) || max < 1) {
          throw new InvalidArgumentError(`Cannot take ${max} messages: expected a positive integer`);
        }
        const out: (T | Overrun)[] = [];
        while (out.length < max && !stopped()) {
          const item = shift();
          if (item !== undefined) out.push(item);
          else if (!this.#receiveOne()) break;
        }
        return out;
      },
      return: () => Promise.resolve(end()),
      [Symbol.asyncIterator]: () => reader,
      [Symbol.asyncDispose]: () => {
        end();
        return Promise.resolve();
      },
    };
    return reader;
  }

  /** Closes the socket; idempotent. Pending waits reject with {@link SocketClosedError}. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    // Made only when someone waits: a short command closes its socket with nothing pending.
    let err: SocketClosedError | undefined;
    const closed = () => err ??= new SocketClosedError();
    for (const c of this.#consumers.values()) this.#settle(c, closed());
    if (this.#listener) this.#settle(this.#listener, closed());
    if (this.#unicast) this.#settle(this.#unicast, closed());
    for (const next of this.#slots.splice(0)) next();
    cancelWaits(this.#sys, fd, closed);
    this.#sys.close(fd);
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

  #checkOpen(): number {
    if (this.#fd < 0) throw new SocketClosedError();
    return this.#fd;
  }

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0 || 1;
    return this.#seq;
  }

  #transmit(fd: number, bytes: Uint8Array): void {
    (this.#capture ?? globalCaptureSink())?.record("out", this.protocol, bytes);
    for (;;) {
      const n = this.#sys.sendto(fd, bytes, 0, KERNEL_ADDR);
      if (n >= 0) return;
      if (-n !== EINTR) throw new SysError("sendto", -n, `(${this.#name(bytes)})`);
    }
  }

  /** Raises the socket buffers so one datagram of `bytes` with `acks` acks fits both ways. */
  #fitBuffers(fd: number, bytes: number, acks: number): void {
    if (bytes > this.sendBuffer - 32) setBuffer(this.#sys, fd, SO_SNDBUFFORCE, SO_SNDBUF, bytes + 32);
    if (acks * ACK_COST > this.receiveBuffer) setBuffer(this.#sys, fd, SO_RCVBUFFORCE, SO_RCVBUF, acks * ACK_COST);
    if (bytes > this.sendBuffer - 32) {
      throw new InvalidArgumentError(
        `Cannot send a ${bytes}-byte batch: the send buffer holds ${this.sendBuffer - 32} bytes`,
      );
    }
  }

  /** Stamps, registers and sends the request of `c`. */
  #start(c: Consumer): void {
    const fd = this.#checkOpen();
    c.seq = this.#nextSeq();
    stampMessage(c.request, c.seq);
    this.#consumers.set(c.seq, c);
    this.#transmit(fd, c.request);
  }

  #forget(c: Consumer): void {
    if (this.#consumers.get(c.seq) === c) this.#consumers.delete(c.seq);
    if (c.wake) this.#unhungry(c);
  }

  /** Takes an in-flight slot if one is free. */
  #tryAcquire(): boolean {
    this.#checkOpen();
    if (this.#inFlight >= this.#maxInFlight || this.#slots.length) return false;
    this.#inFlight++;
    return true;
  }

  /** Waits for a free in-flight slot. */
  async #acquire(signal?: AbortSignal): Promise<void> {
    while (this.#inFlight >= this.#maxInFlight) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.#slots.indexOf(next);
          if (i >= 0) this.#slots.splice(i, 1);
          reject(signal!.reason);
        };
        const next = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#slots.push(next);
      });
      this.#checkOpen();
    }
    this.#inFlight++;
  }

  #release(): void {
    this.#inFlight--;
    this.#slots.shift()?.();
  }

  #dumpTurn(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const prev = this.#dumpTail;
    this.#dumpTail = prev.then(() => mine);
    return prev.then(() => release);
  }

  /**
   * Waits until `ready()` holds for `c`, reading with the shared read loop;
   * the signal of `options`, or reaching `deadline`, gives the call up.
   */
  #until(c: Consumer, ready: () => boolean, options: RequestOptions, deadline?: number): Promise<void> {
    const { signal, timeout } = options;
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => giveUp(signal!.reason);
      const cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const giveUp = (reason: unknown) => {
        cleanup();
        if (c.wake === wake) this.#unhungry(c);
        reject(reason);
      };
      const wake = () => {
        if (!ready()) return void this.#hunger(c, wake);
        cleanup();
        resolve();
      };
      if (deadline !== undefined) {
        const left = Math.max(0, deadline - performance.now());
        timer = setTimeout(() => giveUp(new TimeoutError(this.#name(c.request), timeout!)), left);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#hunger(c, wake);
    });
  }

  #hunger(c: Consumer, wake: () => void): void {
    c.wake = wake;
    this.#hungry++;
    if (this.#reading) return;
    // Started from a microtask: a wake-up can come from inside a dispatch, which owns the buffer.
    this.#reading = true;
    queueMicrotask(() => void this.#readLoop());
  }

  #unhungry(c: Consumer): void {
    c.wake = undefined;
    if (--this.#hungry === 0) this.#readWait?.abort();
  }

  /** Wakes whoever waits on `c`, after recording `error` (if any) as its outcome. */
  #settle(c: Consumer, error: unknown): void {
    if (error !== undefined) finish(c, error);
    const wake = c.wake;
    if (!wake) return;
    this.#unhungry(c);
    wake();
  }

  /** Drains the socket while anyone waits; sleeps on the poller when nothing is queued. */
  async #readLoop(): Promise<void> {
    try {
      while (this.#hungry > 0 && this.#fd >= 0) {
        if (this.#receiveOne()) continue;
        const ac = new AbortController();
        this.#readWait = ac;
        try {
          await readinessFor(this.#sys).wait(this.#fd, ac.signal);
        } catch (e) {
          if (!ac.signal.aborted) throw e;
        } finally {
          this.#readWait = undefined;
        }
      }
    } catch (e) {
      if (!(e instanceof SocketClosedError)) this.#failAll(e);
    } finally {
      this.#reading = false;
    }
  }

  #failAll(e: unknown): void {
    for (const c of [...this.#consumers.values()]) this.#settle(c, e);
    if (this.#listener) this.#settle(this.#listener, e);
    if (this.#unicast) this.#settle(this.#unicast, e);
  }

  /** Reads and dispatches one datagram (or one batch of them). Returns false when nothing is queued. */
  #receiveOne(): boolean {
    const fd = this.#checkOpen();
    if (this.#vec) return this.#receiveMany(fd, this.#vec);
    if (this.#buf.length > this.#base && this.#fits >= SHRINK_AFTER) this.#resize(this.#base);
    const buf = this.#buf;
    let n: number;
    const recv = this.#recv;
    if (recv) recv.buf = buf;
    do {
      n = recv
        ? this.#sys.recvmsg(fd, recv, MSG_DONTWAIT | MSG_TRUNC)
        : this.#sys.recvfrom(fd, buf, buf.length, MSG_DONTWAIT | MSG_TRUNC, this.#addr);
    } while (n === -EINTR);
    if (n < 0) return this.#receiveFailed(n);
    if (recv) this.#nsid = nsidOfControl(recv.control, recv.controlLength);
    const view = this.#addrView;
    this.#accept(buf, this.#view, n, view.getUint32(4, true), view.getUint32(8, true));
    return true;
  }

  /** One `recvmmsg` into the slots, each datagram then dispatched in order. */
  #receiveMany(fd: number, vec: DatagramVector): boolean {
    let n: number;
    do n = this.#sys.recvmmsg(fd, vec, MSG_DONTWAIT | MSG_TRUNC); while (n === -EINTR);
    if (n < 0) return this.#receiveFailed(n);
    for (let i = 0; i < n && this.#fd >= 0; i++) {
      const addr = vec.addrs[i];
      const pid = addr[4] | (addr[5] << 8) | (addr[6] << 16) | (addr[7] << 24);
      const groups = addr[8] | addr[9] | addr[10] | addr[11];
      this.#accept(vec.slots[i], this.#vecViews[i], vec.lengths[i], pid, groups);
    }
    return true;
  }

  /** A failed receive: false for EAGAIN (nothing queued), true after reporting ENOBUFS, else throws. */
  #receiveFailed(n: number): boolean {
    if (n === -EAGAIN) {
      if (this.#suspects.length) this.#lostSuspects();
      return false;
    }
    if (n === -ENOBUFS) {
      this.#overrun();
      return true;
    }
    throw new SysError(this.#vec ? "recvmmsg" : this.#recv ? "recvmsg" : "recvfrom", -n);
  }

  /** Checks the sender of a datagram of `n` bytes read into `buf`, then dispatches it. */
  #accept(buf: Uint8Array, view: DataView, n: number, pid: number, groups: number): void {
    if (pid !== 0) {
      this.foreignDropped++; // only the kernel may speak to us
      return;
    }
    const multicast = groups !== 0;
    const len = Math.min(n, buf.length);
    (this.#capture ?? globalCaptureSink())?.record("in", this.protocol, buf.subarray(0, len));
    if (n > buf.length) {
      this.#truncated(view, n, buf.length, multicast);
      return;
    }
    if (n <= this.#base) this.#fits++;
    this.#dispatch(buf, view, n, multicast);
  }

  #resize(size: number): void {
    this.#buf = new Uint8Array(size);
    this.#view = new DataView(this.#buf.buffer);
    this.#fits = 0;
  }

  /**
   * ENOBUFS: the kernel dropped datagrams, and keeps dropping silently until
   * the queue is empty. Drain it (notifications in it are superseded by a
   * re-list), then fail or retry exactly the requests whose replies were
   * lost, then tell the multicast reader.
   */
  #overrun(): void {
    if (this.#draining) return;
    // Dump batches are never dropped (the kernel holds them back while the queue is full).
    const waiting = [...this.#consumers.values()].filter((c) => !c.done && !c.dump);
    if (this.#unicast && !this.#unicastDrain) {
      // Report and read on: every message still queued is wanted (a queued packet waits for its verdict).
      this.#suspects.push(...waiting);
      this.#unicastLost();
      this.#eventsLost();
      return;
    }
    this.#draining = true;
    try {
      while (this.#receiveOne());
    } finally {
      this.#draining = false;
    }
    // The kernel answers inside sendto, so a reply still missing once the queue is empty was dropped.
    for (const c of waiting) if (!c.done) this.#lost(c, OVERFLOWED);
    if (this.#unicast) this.#unicastLost();
    this.#eventsLost();
  }

  /** After an overflow that was not drained, the queue is empty now: replies still missing were dropped. */
  #lostSuspects(): void {
    for (const c of this.#suspects.splice(0)) {
      if (!c.done && this.#consumers.get(c.seq) === c) this.#lost(c, OVERFLOWED);
    }
  }

  /** Tells the unicast reader that messages were lost. */
  #unicastLost(): void {
    const u = this.#unicast!;
    if (u.items.at(-1) instanceof Overrun) return;
    u.items.push(new Overrun());
    this.#settle(u, undefined);
  }

  /** Tells the multicast reader (or the one still to come) that notifications were lost. */
  #eventsLost(): void {
    if (this.#listener) {
      this.#listener.items.push(new Overrun());
      this.#settle(this.#listener, undefined);
    } else if (this.#joined > 0 && this.#stash.at(-1) !== null) this.#stash.push(null);
  }

  /** Keeps a notification read while no multicast reader runs (requests drain the same queue). */
  #stashEvent(m: NlMsg): void {
    if (this.#joined === 0 || this.#stash.at(-1) === null && this.#stashBytes >= STASH_BYTES) return;
    if (this.#stashBytes + m.end - m.start > STASH_BYTES) return this.#eventsLost();
    this.#stash.push(m.buf.slice(m.start, m.end));
    this.#stashNsids[this.#stash.length - 1] = this.#nsid;
    this.#stashBytes += m.end - m.start;
  }

  /** Hands the stashed notifications to a starting reader, in order. */
  #unstash(l: Consumer): void {
    const current = this.#nsid;
    for (const [i, bytes] of this.#stash.entries()) {
      if (bytes === null) {
        l.items.push(new Overrun());
        continue;
      }
      this.#nsid = this.#stashNsids[i];
      const m = readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length);
      try {
        l.items.push(l.parse!(m));
      } catch (e) {
        this.eventErrors++;
        l.items.push(new MessageError(e, bytes));
      }
    }
    this.#nsid = current;
    this.#stash = [];
    this.#stashNsids = [];
    this.#stashBytes = 0;
  }

  /** The reply of `c` was lost: resend an idempotent request, else fail it (a dump reads on to DONE first). */
  #lost(c: Consumer, why: string): void {
    if (c.silent || c.done) return;
    const type = msgType(c.request);
    if (c.dump) {
      c.error ??= new ReplyLostError(type, this.#name(c.request), why, c.request);
      c.parse = undefined;
      c.items.length = 0;
      return;
    }
    if (c.retries > 0 && this.#idempotent(c.request) && this.#fd >= 0) {
      c.retries--;
      c.items.length = 0;
      c.pos = 0;
      c.count = 0;
      this.#consumers.delete(c.seq);
      this.#start(c);
      return;
    }
    this.#settle(c, new ReplyLostError(type, this.#name(c.request), why, c.request));
  }

  /**
   * A datagram larger than the buffer (of `have` bytes) was cut: grow the
   * buffer (reading one datagram per call from then on) and report the
   * loss to its owner, named by the header still in `view`.
   */
  #truncated(view: DataView, n: number, have: number, multicast: boolean): void {
    const seq = view.getUint32(8, true);
    const pid = view.getUint32(12, true);
    this.#vec = undefined;
    this.#resize(align4(n));
    const why = `a ${n}-byte datagram did not fit the ${have}-byte buffer`;
    if (multicast || (pid !== 0 && pid !== this.portId)) {
      if (!this.#draining) this.#eventsLost();
      return;
    }
    const c = this.#consumers.get(seq);
    if (c) this.#lost(c, why);
    else if (seq === 0 && this.#unicast) this.#unicastLost();
    else this.unmatchedDropped++;
  }

  #dispatch(buf: Uint8Array, view: DataView, n: number, multicast: boolean): void {
    const port = this.portId;
    let off = 0;
    while (off < n) {
      let m: NlMsg;
      try {
        // The header goes into one reused object; a parser that may keep it gets a copy (copyMessage).
        m = readMessageInto(this.#msg, buf, view, off, n);
      } catch (e) {
        this.#malformed(e, buf, view, off, n, multicast);
        return;
      }
      off = align4(m.end);
      // A reply is unicast, from the kernel, to our port id (or 0, as libmnl allows), with our seq.
      // Seq 0 answers no request (ours never use it): a packet for the unicast reader.
      if (!multicast && (m.pid === port || m.pid === 0)) {
        const c = this.#consumers.get(m.seq);
        if (c) this.#deliver(c, m);
        else if (m.seq === 0 && m.type >= NLMSG_MIN_TYPE && this.#unicast) this.#unicastMessage(m);
        // The kernel gives groups above 32 (RTNLGRP_STATS) as nl_groups 0: a seq-0 message on a member is an event.
        else if (m.seq === 0 && m.type >= NLMSG_MIN_TYPE && this.#joined > 0) this.#event(m);
        else this.#unmatched(m);
      } else this.#event(m);
    }
  }

  /** A frame that cannot be read: its owner (by the seq in its header) gets the error. */
  #malformed(e: unknown, buf: Uint8Array, view: DataView, off: number, n: number, multicast: boolean): void {
    if (multicast) {
      this.eventErrors++;
      if (this.#listener && !this.#draining) {
        this.#listener.items.push(new MessageError(e, buf.slice(off, n)));
        this.#settle(this.#listener, undefined);
      }
      return;
    }
    const seq = off + NLMSG_HDRLEN <= n ? view.getUint32(off + 8, true) : -1;
    const c = this.#consumers.get(seq);
    if (!c && seq === 0 && this.#unicast) return this.#unicastItem(new MessageError(e, buf.slice(off, n)));
    if (!c) return void this.unmatchedDropped++;
    if (c.dump) {
      c.error ??= e; // keep reading to DONE so the socket stays in step
      c.parse = undefined;
      c.items.length = 0;
      this.#settle(c, undefined);
    } else this.#settle(c, e);
  }

  #deliver(c: Consumer, m: NlMsg): void {
    if (c.done) return;
    if (m.flags & NLM_F_DUMP_INTR) c.interrupted = true;
    if (m.type === NLMSG_ERROR || (m.type === NLMSG_DONE && c.dump)) {
      let outcome: unknown;
      try {
        const { errno, ext } = m.type === NLMSG_ERROR ? parseErrorMessage(m) : parseDoneMessage(m);
        outcome = errno ? refusal(errno, ext, msgType(c.request), this.#name(c.request), c.request) : c.error;
      } catch (e) {
        outcome = e;
      }
      finish(c, outcome);
      this.#settle(c, undefined);
      return;
    }
    if (m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) return;
    c.count++;
    if (!c.parse || c.error) return;
    try {
      c.items.push(c.parse(c.lend ? m : copyMessage(m)));
    } catch (e) {
      c.error = e; // keep reading to the end so the socket stays in step
      return;
    }
    if (c.wake) this.#settle(c, undefined);
  }

  /** A reply nobody waits for; a refusal among them is counted (a verdict sent without waiting). */
  #unmatched(m: NlMsg): void {
    this.unmatchedDropped++;
    if (m.type !== NLMSG_ERROR) return;
    let err: ReturnType<typeof parseErrorMessage>;
    try {
      err = parseErrorMessage(m);
    } catch {
      return; // a malformed stray ack: counted above
    }
    if (!err.errno) return;
    const echoed = m.buf.slice(m.start + NLMSG_HDRLEN + 4, m.start + 2 * NLMSG_HDRLEN + 4);
    this.strayRefusals++;
    this.lastStrayRefusal = refusal(err.errno, err.ext, err.requestType, this.#name(echoed));
  }

  /** A unicast message for the unicast reader; a parse failure becomes an item. */
  #unicastMessage(m: NlMsg): void {
    if (this.#draining) return; // the "drain" policy discards what was queued at an overflow
    let item: unknown;
    try {
      item = this.#unicast!.parse!(copyMessage(m));
    } catch (e) {
      this.eventErrors++;
      return this.#unicastItem(new MessageError(e, m.buf.slice(m.start, m.end)));
    }
    if (item === undefined) this.unmatchedDropped++; // the reader's parser says it is not its kind
    else this.#unicastItem(item);
  }

  #unicastItem(item: unknown): void {
    const u = this.#unicast!;
    u.items.push(item);
    if (u.wake) this.#settle(u, undefined);
  }

  /** A notification: only the multicast reader gets it; a parse failure becomes an item. */
  #event(m: NlMsg): void {
    const l = this.#listener;
    if (this.#draining || m.type < 0x10) return;
    if (!l) return this.#stashEvent(m);
    if (!l.parse) return;
    try {
      l.items.push(l.parse(copyMessage(m)));
    } catch (e) {
      this.eventErrors++;
      l.items.push(new MessageError(e, m.buf.slice(m.start, m.end)));
    }
    if (l.wake) this.#settle(l, undefined);
  }
}

const OVERFLOWED = "the receive buffer overflowed (ENOBUFS)";

/** When a call with `options.timeout` must end. */
function deadlineOf(options: RequestOptions): number | undefined {
  return options.timeout === undefined ? undefined : performance.now() + options.timeout;
}

function setBuffer(sys: Sys, fd: number, force: number, plain: number, bytes: number): void {
  try {
    sys.setsockoptInt(fd, SOL_SOCKET, force, bytes);
  } catch (e) {
    if (!(e instanceof SysError) || e.code !== "EPERM") throw e;
    sys.setsockoptInt(fd, SOL_SOCKET, plain, bytes); // capped by net.core.rmem_max without CAP_NET_ADMIN
  }
}
