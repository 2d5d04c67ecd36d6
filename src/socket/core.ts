/**
 * The state one `NetlinkSocket` shares between its parts (sending,
 * receiving, routing replies, waiting), and the steps all of them take:
 * checking it is open, stamping and sending a request, waking a waiter.
 *
 * @module
 */

import type { RecvMsg, Sys } from "../sys/sys.ts";
import { SysError } from "../sys/sys.ts";
import { EINTR } from "../sys/errno.ts";
import type { DatagramVector } from "../sys/mmsg.ts";
import { AF_NETLINK } from "../wire/addr.ts";
import { NLMSG_HDRLEN } from "../wire/constants.ts";
import { type NlMsg, readMessage, stampMessage } from "../wire/message.ts";
import type { NetlinkError } from "../wire/netlink_error.ts";
import { globalCaptureSink, type NetlinkCapture } from "./capture.ts";
import { type Consumer, finish, msgType } from "./consumer.ts";
import { SocketClosedError } from "./errors.ts";
import type { SocketOptions } from "./options.ts";
import { NSID_CONTROL_SPACE } from "./cmsg.ts";
import { Turns } from "./turns.ts";

/** `struct sockaddr_nl` of the kernel (port id 0), shared by every send. */
const KERNEL_ADDR = new Uint8Array([AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/**
 * The default reused receive buffer: twice the kernel's largest dump batch
 * (32 KiB), so a dump never fills it. A larger datagram grows it for a while.
 */
const RECV_BUFFER = 65536;
/** A header-only message: what the reused message object holds before the first dispatch. */
const EMPTY_HEADER = new Uint8Array([NLMSG_HDRLEN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** The socket's public counters, kept on the socket itself. */
export interface Counters {
  foreignDropped: number;
  unmatchedDropped: number;
  eventErrors: number;
  strayRefusals: number;
  lastStrayRefusal: NetlinkError | undefined;
}

let seqSeed = (Date.now() & 0x3fffffff) + 1;

/** Everything a socket tracks; its parts read and change it directly. */
export class SocketCore {
  readonly sys: Sys;
  /** The descriptor; -1 once closed. */
  fd: number;
  readonly protocol: number;
  readonly portId: number;
  readonly counters: Counters;
  seq = seqSeed++ * 0x1000;
  /** The base size of the receive buffer. */
  readonly base: number;
  buf: Uint8Array;
  view: DataView;
  /** Datagrams that fit the base buffer since it last grew. */
  fits = 0;
  /** Slots for reading many datagrams per call (`receiveBatch`), with a view of each. */
  vec: DatagramVector | undefined;
  vecViews: DataView[] = [];
  /** The sender address of the last datagram read. */
  readonly addr = new Uint8Array(12);
  readonly addrView = new DataView(this.addr.buffer);
  readonly consumers = new Map<number, Consumer>();
  /** The multicast reader. */
  listener: Consumer | undefined;
  /** The reader of unicast messages that answer no request. */
  unicast: Consumer | undefined;
  unicastDrain = false;
  /** Requests in flight at an overflow that was not drained: lost if unanswered once the queue is empty. */
  suspects: Consumer[] = [];
  readonly name: (request: Uint8Array) => string;
  readonly idempotent: (request: Uint8Array) => boolean;
  readonly capture: NetlinkCapture | undefined;
  readonly turns: Turns;
  /** Consumers someone waits on; the read loop runs while there are any. */
  hungry = 0;
  reading = false;
  readWait: AbortController | undefined;
  /** Draining the queue after an overflow: what is read now is discarded. */
  draining = false;
  /** Multicast groups joined. */
  joined = 0;
  /** Notifications read before a multicast reader started (`null` marks an overrun). */
  stash: (Uint8Array | null)[] = [];
  /** The namespace id of each stashed notification (`listenAllNsid`). */
  stashNsids: (number | undefined)[] = [];
  stashBytes = 0;
  /** `listenAllNsid`: the recvmsg buffers, control data included. */
  readonly recv: RecvMsg | undefined;
  /** The namespace id of the message being dispatched (`listenAllNsid`). */
  nsid: number | undefined;
  /** The header of the message being dispatched, refilled for each (see `DumpOptions.reuseMessage`). */
  readonly msg: NlMsg = readMessage(EMPTY_HEADER, new DataView(EMPTY_HEADER.buffer), 0, EMPTY_HEADER.length);

  constructor(sys: Sys, fd: number, protocol: number, portId: number, counters: Counters, options: SocketOptions) {
    this.sys = sys;
    this.fd = fd;
    this.protocol = protocol;
    this.portId = portId;
    this.counters = counters;
    const describe = options.describe ?? ((t: number) => `Request type ${t}`);
    this.name = options.family ? (r) => options.family!.describe(r) : (r) => describe(msgType(r));
    this.idempotent = options.family?.idempotent?.bind(options.family) ?? options.idempotent ?? (() => false);
    this.capture = options.capture;
    this.turns = new Turns(options.maxInFlight ?? 64);
    this.base = options.datagramBuffer ?? RECV_BUFFER;
    this.buf = new Uint8Array(this.base);
    this.view = new DataView(this.buf.buffer);
    if (options.listenAllNsid) {
      const control = new Uint8Array(NSID_CONTROL_SPACE);
      this.recv = { buf: this.buf, addr: this.addr, control, controlLength: 0, flags: 0 };
    }
    if ((options.receiveBatch ?? 1) > 1) {
      this.vec = sys.datagramVector(options.receiveBatch!, this.base);
      this.vecViews = this.vec.slots.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
    }
  }

  /** The descriptor, or {@link SocketClosedError} once closed. */
  checkOpen(): number {
    if (this.fd < 0) throw new SocketClosedError();
    return this.fd;
  }

  /** Takes an in-flight slot, waiting (the promise) only when none is free. */
  acquire(signal: AbortSignal | undefined): Promise<void> | undefined {
    this.checkOpen();
    return this.turns.tryAcquire() ? undefined : this.turns.acquire(signal, () => this.checkOpen());
  }

  nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0 || 1;
    return this.seq;
  }

  transmit(fd: number, bytes: Uint8Array): void {
    (this.capture ?? globalCaptureSink())?.record("out", this.protocol, bytes);
    for (;;) {
      const n = this.sys.sendto(fd, bytes, 0, KERNEL_ADDR);
      if (n >= 0) return;
      if (-n !== EINTR) throw new SysError("sendto", -n, `(${this.name(bytes)})`);
    }
  }

  /** Stamps `c`'s request with a fresh sequence number and registers it for its replies. */
  register(c: Consumer): void {
    c.seq = this.nextSeq();
    stampMessage(c.request, c.seq);
    this.consumers.set(c.seq, c);
  }

  /** Stamps, registers and sends the request of `c`. */
  start(c: Consumer): void {
    const fd = this.checkOpen();
    this.register(c);
    this.transmit(fd, c.request);
  }

  forget(c: Consumer): void {
    if (this.consumers.get(c.seq) === c) this.consumers.delete(c.seq);
    if (c.wake) this.unhungry(c);
  }

  unhungry(c: Consumer): void {
    c.wake = undefined;
    if (--this.hungry === 0) this.readWait?.abort();
  }

  /** Wakes whoever waits on `c`, after recording `error` (if any) as its outcome. */
  settle(c: Consumer, error: unknown): void {
    if (error !== undefined) finish(c, error);
    const wake = c.wake;
    if (!wake) return;
    this.unhungry(c);
    wake();
  }

  /** Gives every consumer and reader `e` as its outcome. */
  failAll(e: unknown): void {
    for (const c of [...this.consumers.values()]) this.settle(c, e);
    if (this.listener) this.settle(this.listener, e);
    if (this.unicast) this.settle(this.unicast, e);
  }
}
