/**
 * The socket NFQUEUE and NFLOG read packets from. Packets are unicast by
 * the kernel to the bound port with sequence number 0, answer no request,
 * and must never be dropped or drained: a queued packet nobody reads waits
 * for its verdict forever. `NetlinkSocket` routes only replies to requests
 * in flight and multicast events (and drains its queue on ENOBUFS, which
 * is right for events and wrong here), so packet consumers read through
 * this small socket instead: one `recvfrom` per datagram into a reused
 * buffer, kernel senders only, ENOBUFS as a signal, verdicts sent without
 * waiting, and every datagram shown to the netlink capture like any other.
 *
 * @module
 */

import { type NetnsTarget, withNetns } from "../netns/netns.ts";
import { globalCaptureSink, type NetlinkCapture } from "../socket/capture.ts";
import { SocketClosedError } from "../socket/errors.ts";
import { readinessFor } from "../socket/readiness.ts";
import { loadSys } from "../sys/load.ts";
import { type Sys, SysError } from "../sys/sys.ts";
import {
  align4,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_NETFILTER,
  NLM_F_ACK,
  NLMSG_ERROR,
  NLMSG_MIN_TYPE,
  SOL_NETLINK,
} from "../wire/constants.ts";
import { parseErrorMessage } from "../wire/error_message.ts";
import { type NlMsg, readMessage, stampMessage } from "../wire/message.ts";
import type { NetlinkError } from "../wire/netlink_error.ts";
import { refusal } from "../errors.ts";

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
const EINTR = 4;
const EAGAIN = 11;
const ENOBUFS = 105;
const EPERM = 1;
/** The other reason NFQUEUE and NFLOG refuse a bind with EPERM. */
const BOUND_ELSEWHERE = "another socket has bound this queue or group";
const KERNEL_ADDR = new Uint8Array([AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/** A whole 64 KiB packet plus its attributes fits. */
const BUFFER = 0x20000;

/** How a packet socket is opened. */
export interface PacketSocketOptions {
  /** Open it inside this network namespace. */
  netns?: NetnsTarget;
  /** Kernel receive buffer in bytes (`SO_RCVBUFFORCE`, else `SO_RCVBUF`). */
  receiveBuffer?: number;
  /** Sees every datagram sent and received; falls back to the global capture. */
  capture?: NetlinkCapture;
  /** Names message types in error texts. */
  describe: (type: number) => string;
}

/** What one read gave: the packet messages of a datagram, or the loss signal. */
export type Received = { kind: "messages"; messages: NlMsg[] } | { kind: "overrun" };

let seqSeed = (Date.now() & 0x3fffff) + 1;

/** A `NETLINK_NETFILTER` socket for a packet stream and its configuration requests and verdicts. */
export class PacketSocket implements Disposable {
  /** The port id the kernel assigned: the queue or group is bound to it. */
  readonly portId: number;
  /** Acks with an error for a request nobody waited for (a verdict the kernel refused). */
  refused = 0;
  /** The last such refusal. */
  lastRefusal: NetlinkError | undefined;
  #sys: Sys;
  #fd: number;
  #seq = seqSeed++ * 0x400;
  #buf = new Uint8Array(BUFFER);
  #view = new DataView(this.#buf.buffer);
  #addr = new Uint8Array(12);
  #addrView = new DataView(this.#addr.buffer);
  #capture: NetlinkCapture | undefined;
  #describe: (type: number) => string;
  #waiting = new Map<number, { type: number; request: Uint8Array; error?: NetlinkError; done: boolean }>();
  #backlog: Received[] = [];

  private constructor(sys: Sys, fd: number, opts: PacketSocketOptions) {
    this.#sys = sys;
    this.#fd = fd;
    this.#capture = opts.capture;
    this.#describe = opts.describe;
    const addr = new Uint8Array(12);
    new DataView(addr.buffer).setUint16(0, AF_NETLINK, true);
    sys.bind(fd, addr);
    sys.getsockname(fd, addr);
    this.portId = new DataView(addr.buffer).getUint32(4, true);
  }

  /** Opens and binds the socket. */
  static async open(opts: PacketSocketOptions): Promise<PacketSocket> {
    const sys = await loadSys();
    const make = () => sys.socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_NETFILTER);
    const fd = opts.netns === undefined ? make() : withNetns(sys, opts.netns, make);
    try {
      sys.setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
      sys.setsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
      if (opts.receiveBuffer) {
        try {
          sys.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, opts.receiveBuffer);
        } catch (e) {
          if (!(e instanceof SysError) || e.errno !== EPERM) throw e;
          sys.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, opts.receiveBuffer);
        }
      }
      return new PacketSocket(sys, fd, opts);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Sends a finished message with a fresh sequence number, without waiting; returns the number. */
  send(msg: Uint8Array): number {
    const fd = this.#open();
    this.#seq = (this.#seq + 1) >>> 0 || 1;
    stampMessage(msg, this.#seq);
    (this.#capture ?? globalCaptureSink())?.record("out", NETLINK_NETFILTER, msg);
    for (;;) {
      const n = this.#sys.sendto(fd, msg, 0, KERNEL_ADDR);
      if (n >= 0) return this.#seq;
      if (-n !== EINTR) throw new SysError("sendto", -n, `(${this.#describe(msg[4] | (msg[5] << 8))})`);
    }
  }

  /** Sends with `NLM_F_ACK` and waits for the ack; a refusal rejects with a `NetlinkError`. Packets read meanwhile are kept. */
  async request(msg: Uint8Array, signal?: AbortSignal): Promise<void> {
    const v = new DataView(msg.buffer, msg.byteOffset);
    v.setUint16(6, v.getUint16(6, true) | NLM_F_ACK, true);
    const type = v.getUint16(4, true);
    const w: { type: number; request: Uint8Array; error?: NetlinkError; done: boolean } = {
      type,
      request: msg,
      done: false,
    };
    const seq = this.send(msg);
    this.#waiting.set(seq, w);
    try {
      while (!w.done) {
        const r = this.#read(true);
        if (r === false) await this.wait(signal);
        else if (r) this.#backlog.push(r);
      }
    } finally {
      this.#waiting.delete(seq);
    }
    if (w.error) throw w.error;
  }

  /**
   * Reads one datagram if one is queued: its packet messages, or the
   * overrun signal; `undefined` when it held nothing for the stream (an
   * ack), `false` when nothing is queued. The messages' bytes are valid
   * until the next call: parse them at once.
   */
  receive(): Received | undefined | false {
    const kept = this.#backlog.shift();
    return kept ?? this.#read(false);
  }

  /** Resolves when a datagram may be read. */
  wait(signal?: AbortSignal): Promise<void> {
    return readinessFor(this.#sys).wait(this.#open(), signal);
  }

  /** `keep`: the messages outlive the next read (they wait in the backlog), so they get their own copy. */
  #read(keep: boolean): Received | undefined | false {
    const fd = this.#open();
    let n: number;
    do n = this.#sys.recvfrom(fd, this.#buf, this.#buf.length, MSG_DONTWAIT | MSG_TRUNC, this.#addr); while (
      n === -EINTR
    );
    if (n === -EAGAIN) return false;
    if (n === -ENOBUFS) return { kind: "overrun" };
    if (n < 0) throw new SysError("recvfrom", -n);
    if (this.#addrView.getUint32(4, true) !== 0) return undefined; // only the kernel may speak to us
    const len = Math.min(n, this.#buf.length);
    (this.#capture ?? globalCaptureSink())?.record("in", NETLINK_NETFILTER, this.#buf.subarray(0, len));
    if (n > this.#buf.length) {
      // Cannot happen with copy ranges up to 65535; grow and report the loss rather than cut silently.
      this.#buf = new Uint8Array(align4(n));
      this.#view = new DataView(this.#buf.buffer);
      return { kind: "overrun" };
    }
    const buf = keep ? this.#buf.slice(0, n) : this.#buf;
    const view = keep ? new DataView(buf.buffer) : this.#view;
    const messages: NlMsg[] = [];
    for (let off = 0; off < n;) {
      const m = readMessage(buf, view, off, n);
      off = align4(m.end);
      if (m.type === NLMSG_ERROR) this.#ack(m);
      else if (m.type >= NLMSG_MIN_TYPE) messages.push(m);
    }
    return messages.length ? { kind: "messages", messages } : undefined;
  }

  #ack(m: NlMsg): void {
    const { errno, ext } = parseErrorMessage(m);
    const w = this.#waiting.get(m.seq);
    const type = w?.type ?? 0;
    const err = errno ? refusal(errno, ext, type, this.#describe(type), w?.request, BOUND_ELSEWHERE) : undefined;
    if (w) {
      w.done = true;
      w.error = err;
    } else if (err) {
      this.refused++;
      this.lastRefusal = err;
    }
  }

  #open(): number {
    if (this.#fd < 0) throw new SocketClosedError();
    return this.#fd;
  }

  /** Closes the socket (the kernel unbinds its queue or group); idempotent. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    readinessFor(this.#sys).cancel(fd, new SocketClosedError());
    this.#sys.close(fd);
  }

  /** Same as {@link close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}
