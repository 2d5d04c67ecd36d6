/**
 * `NetlinkSocket`: one netlink socket, with sequence-numbered requests,
 * streaming dumps and multicast subscriptions.
 *
 * Every receive is synchronous with `MSG_DONTWAIT` (the kernel answers most
 * requests inside `sendto`), each datagram is sized with
 * `MSG_PEEK|MSG_TRUNC` and read into one reused buffer, and only messages
 * from the kernel (port id 0) with a matching sequence number are accepted.
 * When nothing is queued yet the socket waits on the process-wide poller.
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
import { type Sys, SysError } from "../sys/sys.ts";
import { type NetnsTarget, withNetns } from "../netns/netns.ts";
import {
  align4,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_BROADCAST_ERROR,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_NO_ENOBUFS,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  SOL_NETLINK,
} from "../wire/constants.ts";
import { parseDoneMessage, parseErrorMessage } from "../wire/error_message.ts";
import { type NlMsg, readMessage, stampMessage } from "../wire/message.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { DumpInterruptedError, Overrun, SocketClosedError } from "./errors.ts";
import { readinessFor } from "./readiness.ts";

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;
const SOL_SOCKET = 1;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;
const SO_SNDBUFFORCE = 32;
const SO_RCVBUFFORCE = 33;
const MSG_PEEK = 2;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
const EINTR = 4;
/** `struct sockaddr_nl` of the kernel (port id 0), shared by every send. */
const KERNEL_ADDR = new Uint8Array([AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const EAGAIN = 11;
const ENOBUFS = 105;

/** How a socket is set up. */
export interface SocketOptions {
  /** Open the socket inside this network namespace. */
  netns?: NetnsTarget;
  /** Kernel receive buffer in bytes (`SO_RCVBUFFORCE`, else `SO_RCVBUF`). */
  receiveBuffer?: number;
  /** Kernel send buffer in bytes. */
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
  /** Make the kernel report delivery failures (`NETLINK_BROADCAST_ERROR`). */
  broadcastError?: boolean;
  /** Turns message types into names for error texts. */
  describe?: (type: number) => string;
}

/** Per-call options of a dump or subscription. */
export interface StreamOptions {
  /** Stops the stream when aborted. */
  signal?: AbortSignal;
}

/** Options of {@link NetlinkSocket.dumpAll}. */
export interface DumpAllOptions extends StreamOptions {
  /** Re-run an interrupted dump up to this many times before giving up. Default 0. */
  retries?: number;
}

/** A streaming dump; `return()` (or leaving a `for await`) drains the rest so the socket stays usable. */
export interface DumpIterator<T> extends AsyncIterableIterator<T>, AsyncDisposable {
  /** Ends the dump early. */
  return(): Promise<IteratorResult<T, undefined>>;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Turns one message into a value while its bytes are still in the receive buffer. */
export type Parse<T> = (m: NlMsg) => T;

interface Consumer {
  parse: Parse<unknown> | undefined;
  items: unknown[];
  pos: number;
  done: boolean;
  error: unknown;
  interrupted: boolean;
  count: number;
  request: Uint8Array;
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
  #sys: Sys;
  #fd: number;
  #seq = seqSeed++ * 0x1000;
  #buf = new Uint8Array(32768);
  #view = new DataView(this.#buf.buffer);
  #addr = new Uint8Array(12);
  #addrView = new DataView(this.#addr.buffer);
  #consumers = new Map<number, Consumer>();
  #listener: Consumer | undefined;
  #dumpTail: Promise<void> = Promise.resolve();
  #describe: (type: number) => string;

  private constructor(sys: Sys, fd: number, protocol: number, describe?: (type: number) => string) {
    this.#sys = sys;
    this.#fd = fd;
    this.protocol = protocol;
    this.#describe = describe ?? ((t) => `Request type ${t}`);
    const addr = new Uint8Array(12);
    new DataView(addr.buffer).setUint16(0, AF_NETLINK, true);
    sys.bind(fd, addr);
    sys.getsockname(fd, addr);
    this.portId = new DataView(addr.buffer).getUint32(4, true);
  }

  /** Opens a socket of `protocol` (optionally inside a namespace). */
  static async open(protocol: number, options: SocketOptions = {}): Promise<NetlinkSocket> {
    return NetlinkSocket.openWith(await loadSys(), protocol, options);
  }

  /** Opens a socket with an already loaded {@link Sys}. */
  static openWith(sys: Sys, protocol: number, options: SocketOptions = {}): NetlinkSocket {
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
      if (options.receiveBuffer) setBuffer(sys, fd, SO_RCVBUFFORCE, SO_RCVBUF, options.receiveBuffer);
      if (options.sendBuffer) setBuffer(sys, fd, SO_SNDBUFFORCE, SO_SNDBUF, options.sendBuffer);
      const sock = new NetlinkSocket(sys, fd, protocol, options.describe);
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

  /** Joins a multicast group by number. */
  join(group: number): void {
    this.#sys.setsockoptInt(this.#checkOpen(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
  }

  /** Leaves a multicast group. */
  leave(group: number): void {
    this.#sys.setsockoptInt(this.#checkOpen(), SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
  }

  /** Sends a finished message with a fresh sequence number; returns that number. */
  send(msg: Uint8Array): number {
    const fd = this.#checkOpen();
    this.#seq = (this.#seq + 1) >>> 0 || 1;
    stampMessage(msg, this.#seq);
    for (;;) {
      const n = this.#sys.sendto(fd, msg, 0, KERNEL_ADDR);
      if (n >= 0) return this.#seq;
      if (-n !== EINTR) throw new SysError("sendto", -n, `(${this.#describe(msgType(msg))})`);
    }
  }

  /**
   * Sends a request with `NLM_F_ACK` and resolves with the parsed replies
   * once the kernel acknowledges it; a refusal rejects with a
   * {@link NetlinkError}.
   */
  async request<T = never>(msg: Uint8Array, parse?: Parse<T>): Promise<T[]> {
    setFlags(msg, NLM_F_ACK);
    const c = this.#register(msg, parse);
    try {
      while (!c.done) await this.#pump(() => c.done);
    } finally {
      this.#consumers.delete(msgSeq(msg));
    }
    if (c.error) throw c.error;
    return c.items as T[];
  }

  /**
   * Streams a dump: each message is parsed by `parse` as it arrives and
   * yielded; memory stays at one receive buffer. Breaking out early drains
   * the rest so the socket stays usable. Dumps on one socket run one at a
   * time, as the kernel requires. A dump the kernel marked inconsistent
   * ends with {@link DumpInterruptedError} after yielding what it read.
   */
  dump<T>(msg: Uint8Array, parse: Parse<T>, options: StreamOptions = {}): DumpIterator<T> {
    // A plain iterator, not an async generator: buffered items resolve at
    // once, which saves a generator hop per message on large dumps.
    setFlags(msg, NLM_F_DUMP);
    let c: Consumer | undefined;
    let release: (() => void) | undefined;
    let finished = false;
    const take = (): IteratorResult<T, undefined> => {
      const value = c!.items[c!.pos] as T;
      c!.items[c!.pos++] = undefined;
      return { done: false, value };
    };
    const end = async (drain: boolean): Promise<void> => {
      if (finished) return;
      finished = true;
      if (c && drain && !c.done && !this.closed) {
        c.parse = undefined; // drain without parsing
        try {
          while (!c.done) await this.#pump(() => c!.done);
        } catch { /* the socket is unusable anyway */ }
      }
      if (c) this.#consumers.delete(msgSeq(c.request));
      release?.();
    };
    const pull = async (): Promise<IteratorResult<T, undefined>> => {
      try {
        if (!c) {
          release = await this.#dumpTurn();
          c = this.#register(msg, parse);
        }
        for (;;) {
          if (c.pos < c.items.length) return take();
          c.items.length = 0;
          c.pos = 0;
          if (c.done) break;
          const d = c;
          await this.#pump(() => d.done || d.pos < d.items.length, options.signal);
        }
      } catch (e) {
        await end(true);
        throw e;
      }
      await end(false);
      if (c.error) throw c.error;
      if (c.interrupted) throw new DumpInterruptedError(c.count);
      return DONE;
    };
    const it: DumpIterator<T> = {
      next: () => {
        if (finished) return Promise.resolve(DONE);
        return c && c.pos < c.items.length ? Promise.resolve(take()) : pull();
      },
      return: async () => {
        await end(true);
        return DONE;
      },
      [Symbol.asyncIterator]: () => it,
      [Symbol.asyncDispose]: async () => {
        await end(true);
      },
    };
    return it;
  }

  /** Collects a dump into an array, re-running it up to `retries` times if interrupted. */
  async dumpAll<T>(msg: Uint8Array, parse: Parse<T>, options: DumpAllOptions = {}): Promise<T[]> {
    for (let attempt = 0;; attempt++) {
      const out: T[] = [];
      try {
        for await (const item of this.dump(msg.slice(), parse, options)) out.push(item);
        return out;
      } catch (e) {
        if (!(e instanceof DumpInterruptedError)) throw e;
        if (attempt >= (options.retries ?? 0)) {
          e.partial = out;
          throw e;
        }
      }
    }
  }

  /**
   * Streams multicast messages (join groups first), parsed by `parse`. An
   * {@link Overrun} is yielded where the kernel dropped messages; the
   * stream goes on. Ends when `signal` aborts or the loop breaks.
   */
  async *messages<T>(parse: Parse<T>, options: StreamOptions = {}): AsyncGenerator<T | Overrun, void, undefined> {
    if (this.#listener) throw new Error("Socket already has a multicast reader");
    const c: Consumer = newConsumer(new Uint8Array(0), parse);
    this.#listener = c;
    try {
      for (;;) {
        if (c.pos < c.items.length) {
          const item = c.items[c.pos] as T | Overrun;
          c.items[c.pos++] = undefined;
          yield item;
          continue;
        }
        c.items.length = 0;
        c.pos = 0;
        if (c.error) throw c.error;
        try {
          await this.#pump(() => c.pos < c.items.length || c.error !== undefined, options.signal);
        } catch (e) {
          if (options.signal?.aborted || (e instanceof SocketClosedError)) return;
          throw e;
        }
      }
    } finally {
      this.#listener = undefined;
    }
  }

  /** Closes the socket; idempotent. Pending waits reject with {@link SocketClosedError}. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    const err = new SocketClosedError();
    for (const c of this.#consumers.values()) finish(c, err);
    readinessFor(this.#sys).cancel(fd, err);
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

  #dumpTurn(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const prev = this.#dumpTail;
    this.#dumpTail = prev.then(() => mine);
    return prev.then(() => release);
  }

  #register(msg: Uint8Array, parse: Parse<unknown> | undefined): Consumer {
    const c = newConsumer(msg, parse);
    const seq = this.send(msg);
    this.#consumers.set(seq, c);
    return c;
  }

  /**
   * Reads and dispatches one datagram, waiting for one if none is queued.
   * Concurrent callers share the socket: a datagram one of them reads may
   * be the one another waits for, so each stops as soon as `ready()` holds.
   */
  async #pump(ready: () => boolean, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    while (!ready() && !this.#receiveOne()) {
      await readinessFor(this.#sys).wait(this.#checkOpen(), signal);
    }
  }

  /** Returns false when nothing is queued. */
  #receiveOne(): boolean {
    const fd = this.#checkOpen();
    const sys = this.#sys;
    let n: number;
    do n = sys.recvfrom(fd, null, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT, null); while (n === -EINTR);
    if (n === -EAGAIN) return false;
    if (n === -ENOBUFS) {
      this.#overrun();
      return true;
    }
    if (n < 0) throw new SysError("recvfrom", -n);
    if (n > this.#buf.length) {
      this.#buf = new Uint8Array(align4(n));
      this.#view = new DataView(this.#buf.buffer);
    }
    do n = sys.recvfrom(fd, this.#buf, this.#buf.length, MSG_DONTWAIT, this.#addr); while (n === -EINTR);
    if (n < 0) {
      if (n === -EAGAIN) return false;
      if (n === -ENOBUFS) {
        this.#overrun();
        return true;
      }
      throw new SysError("recvfrom", -n);
    }
    if (this.#addrView.getUint32(4, true) !== 0) {
      this.foreignDropped++; // only the kernel may speak to us
      return true;
    }
    this.#dispatch(n);
    return true;
  }

  #overrun(): void {
    if (this.#listener) this.#listener.items.push(new Overrun());
    const err = new SysError("recvfrom", ENOBUFS, "(receive buffer overrun: replies were lost)");
    for (const c of this.#consumers.values()) finish(c, err);
  }

  #dispatch(n: number): void {
    const buf = this.#buf;
    const view = this.#view;
    let off = 0;
    while (off < n) {
      let m: NlMsg;
      try {
        m = readMessage(buf, view, off, n);
      } catch (e) {
        // A malformed datagram poisons whoever it was for; we cannot tell who.
        for (const c of this.#consumers.values()) finish(c, e);
        if (this.#listener) this.#listener.error = e;
        return;
      }
      off = align4(m.end);
      const c = this.#consumers.get(m.seq);
      if (c) this.#deliver(c, m);
      // Notifications caused by a request carry that request's seq and port id, not 0.
      else if (this.#listener) this.#deliverEvent(this.#listener, m);
    }
  }

  #deliver(c: Consumer, m: NlMsg): void {
    if (c.done) return;
    if (m.flags & NLM_F_DUMP_INTR) c.interrupted = true;
    if (m.type === NLMSG_ERROR || m.type === NLMSG_DONE) {
      const { errno, ext } = m.type === NLMSG_ERROR ? parseErrorMessage(m) : parseDoneMessage(m);
      const type = msgType(c.request);
      finish(c, errno ? new NetlinkError(errno, ext, type, this.#describe(type), c.request) : c.error);
      return;
    }
    if (m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) return;
    c.count++;
    if (!c.parse || c.error) return;
    try {
      c.items.push(c.parse(m));
    } catch (e) {
      c.error = e; // keep reading to the end so the socket stays in step
    }
  }

  #deliverEvent(c: Consumer, m: NlMsg): void {
    if (m.type < 0x10 || !c.parse) return;
    c.items.push(c.parse(m));
  }
}

function newConsumer(request: Uint8Array, parse: Parse<unknown> | undefined): Consumer {
  return { parse, items: [], pos: 0, done: false, error: undefined, interrupted: false, count: 0, request };
}

function finish(c: Consumer, error: unknown): void {
  c.done = true;
  c.error ??= error;
}

function msgType(msg: Uint8Array): number {
  return msg[4] | (msg[5] << 8);
}

function msgSeq(msg: Uint8Array): number {
  return new DataView(msg.buffer, msg.byteOffset).getUint32(8, true);
}

function setFlags(msg: Uint8Array, flags: number): void {
  const v = new DataView(msg.buffer, msg.byteOffset);
  v.setUint16(6, v.getUint16(6, true) | flags, true);
}

function setBuffer(sys: Sys, fd: number, force: number, plain: number, bytes: number): void {
  try {
    sys.setsockoptInt(fd, SOL_SOCKET, force, bytes);
  } catch (e) {
    if (!(e instanceof SysError) || e.code !== "EPERM") throw e;
    sys.setsockoptInt(fd, SOL_SOCKET, plain, bytes); // capped by net.core.rmem_max without CAP_NET_ADMIN
  }
}
