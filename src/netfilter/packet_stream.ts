/**
 * The consumer shape NFQUEUE and NFLOG share: a netfilter socket bound to
 * a queue or group, read through the transport's unicast reader (packets
 * arrive unicast with sequence number 0, and an overflow is reported, never
 * drained: a queued packet nobody reads waits for its verdict forever), as
 * an async iterator of packets and overrun signals.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { Overrun } from "../socket/errors.ts";
import { NetlinkSocket } from "../socket/socket.ts";
import type { UnicastReader } from "../socket/unicast_reader.ts";
import type { NetlinkCapture } from "../socket/capture.ts";
import type { NetnsTarget } from "../netns/netns.ts";
import { NETLINK_NETFILTER } from "../wire/constants.ts";
import type { NlMsg } from "../wire/message.ts";
import type { InterfaceNames, PacketInterfaces } from "./ifnames.ts";

const DONE: IteratorReturnResult<void> = { done: true, value: undefined };
/** A whole 64 KiB packet plus its attributes fits one read. */
const DATAGRAM_BUFFER = 0x20000;
/**
 * Packets read per system call. Each packet is its own datagram, and a
 * call costs more than reading one: with 32 per call a burst takes 1/32 of
 * the calls. The slots are address space; only the bytes read are touched.
 */
const RECEIVE_BATCH = 32;

/** Where and how a packet socket is opened. */
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

/** Opens the `NETLINK_NETFILTER` socket a queue or log group is bound to. */
export function openPacketSocket(opts: PacketSocketOptions): Promise<NetlinkSocket> {
  const { netns, receiveBuffer, capture, describe } = opts;
  return NetlinkSocket.open(NETLINK_NETFILTER, {
    netns,
    receiveBuffer,
    capture,
    describe,
    datagramBuffer: DATAGRAM_BUFFER,
    receiveBatch: RECEIVE_BATCH,
  });
}

/** Yields packets parsed by `parse`, and `onOverrun()` where the kernel reported lost packets. */
export abstract class PacketStream<P extends PacketInterfaces, O>
  implements AsyncIterableIterator<P | O>, AsyncDisposable {
  /** The socket the stream reads: the queue or group is bound to its port id. */
  readonly socket: NetlinkSocket;
  #reader: UnicastReader<P>;
  #signal: AbortSignal | undefined;
  #names: InterfaceNames | undefined;

  /**
   * Starts reading an open socket; `parse` returns undefined for messages
   * that are not this stream's packets; `names` fills in interface names.
   */
  protected constructor(
    socket: NetlinkSocket,
    parse: (m: NlMsg) => P | undefined,
    signal?: AbortSignal,
    names?: InterfaceNames,
  ) {
    this.socket = socket;
    this.#reader = socket.unicast(parse, { signal, overrun: "report" });
    this.#signal = signal;
    this.#names = names;
  }

  /** The signal yielded where the kernel dropped packets. */
  protected abstract onOverrun(): Promise<O>;

  /** Sends the bind request and waits for its ack; closes the socket if the kernel refuses. */
  protected async bind(msg: Uint8Array): Promise<void> {
    try {
      await this.socket.request(msg, undefined, { signal: this.#signal });
    } catch (e) {
      this.socket.close();
      throw e;
    }
  }

  /** Waits for the next packet or overrun signal; done once the socket is closed or the signal aborts. */
  next(): Promise<IteratorResult<P | O, void>> {
    // A packet already read or queued resolves at once: no await per packet in a `for await` loop.
    let ready: P | Overrun | undefined;
    try {
      ready = this.#reader.take(1)[0];
    } catch (e) {
      return Promise.reject(e);
    }
    if (ready !== undefined && !this.#names && !(ready instanceof Overrun)) {
      return Promise.resolve({ done: false, value: ready });
    }
    return ready === undefined ? this.#wait() : this.#finish(ready).then((value) => ({ done: false, value }));
  }

  async #wait(): Promise<IteratorResult<P | O, void>> {
    const r = await this.#reader.next();
    if (r.done) return DONE;
    return { done: false, value: this.#names || r.value instanceof Overrun ? await this.#finish(r.value) : r.value };
  }

  /**
   * Waits for at least one packet (or overrun signal), then also takes
   * what is already queued, without waiting, up to `max` items: one await
   * per burst instead of one per packet, for a batch verdict on the last.
   * Empty once the stream has ended.
   */
  async nextBatch(max = 64): Promise<(P | O)[]> {
    if (!Number.isInteger(max) || max < 1) {
      throw new InvalidArgumentError(`Cannot take ${max} packets: expected a positive integer`);
    }
    const first = await this.#reader.next();
    if (first.done) return [];
    const raw = max > 1 ? this.#reader.take(max - 1) : [];
    raw.unshift(first.value);
    // Packets pass as they are; only an overrun or a name look-up costs an await.
    const out = raw as (P | O)[];
    for (let i = 0; i < raw.length; i++) {
      if (this.#names || raw[i] instanceof Overrun) out[i] = await this.#finish(raw[i]);
    }
    return out;
  }

  async #finish(item: P | Overrun): Promise<P | O> {
    if (item instanceof Overrun) return await this.onOverrun();
    if (this.#names) await this.#names.fill(item);
    return item;
  }

  /** Unbinds (by closing the socket) and ends the stream. */
  return(): Promise<IteratorResult<P | O, void>> {
    this.socket.close();
    return Promise.resolve(DONE);
  }

  /** Returns the iterator itself. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Same as {@link return} (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
