/**
 * The consumer shape NFQUEUE and NFLOG share: a {@link PacketSocket} bound
 * to a queue or group, read as an async iterator of packets and overrun
 * signals.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { NlMsg } from "../wire/message.ts";
import type { InterfaceNames, PacketInterfaces } from "./ifnames.ts";
import type { PacketSocket } from "./packet_socket.ts";

const DONE: IteratorReturnResult<void> = { done: true, value: undefined };

/** Yields packets parsed by `parse`, and `onOverrun()` where the kernel reported lost packets. */
export abstract class PacketStream<P extends PacketInterfaces, O>
  implements AsyncIterableIterator<P | O>, AsyncDisposable {
  /** The socket the stream reads. */
  readonly socket: PacketSocket;
  #parse: (m: NlMsg) => P | undefined;
  #signal: AbortSignal | undefined;
  #items: (P | O)[] = [];
  #pos = 0;
  #names: InterfaceNames | undefined;

  /**
   * Wraps an open socket; `parse` returns undefined for messages that are
   * not this stream's packets; `names` fills in interface names.
   */
  protected constructor(
    socket: PacketSocket,
    parse: (m: NlMsg) => P | undefined,
    signal?: AbortSignal,
    names?: InterfaceNames,
  ) {
    this.socket = socket;
    this.#parse = parse;
    this.#signal = signal;
    this.#names = names;
  }

  /** The signal yielded where the kernel dropped packets. */
  protected abstract onOverrun(): Promise<O>;

  /** Sends the bind request and waits for its ack; closes the socket if the kernel refuses. */
  protected async bind(msg: Uint8Array): Promise<void> {
    try {
      await this.socket.request(msg, this.#signal);
    } catch (e) {
      this.socket.close();
      throw e;
    }
  }

  /** Waits for the next packet or overrun signal; done once the socket is closed or the signal aborts. */
  async next(): Promise<IteratorResult<P | O, void>> {
    while (this.#pos >= this.#items.length) {
      if (!(await this.#fill())) return DONE;
    }
    return { done: false, value: this.#take() };
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
    const out: (P | O)[] = [];
    while (this.#pos >= this.#items.length) {
      if (!(await this.#fill())) return out;
    }
    while (out.length < max) {
      if (this.#pos < this.#items.length) out.push(this.#take());
      else if (!(await this.#fill(true))) break;
    }
    return out;
  }

  #take(): P | O {
    const value = this.#items[this.#pos];
    this.#items[this.#pos++] = undefined as unknown as P; // let the consumer own it alone
    return value;
  }

  /**
   * Reads datagrams until items are buffered; false when the stream ended
   * (or, with `noWait`, when nothing more is queued).
   */
  async #fill(noWait = false): Promise<boolean> {
    this.#items.length = 0;
    this.#pos = 0;
    while (this.#items.length === 0) {
      if (this.socket.closed || this.#signal?.aborted) return false;
      const r = this.socket.receive();
      if (r === false) {
        if (noWait) return false;
        try {
          await this.socket.wait(this.#signal);
        } catch (e) {
          if (this.socket.closed || this.#signal?.aborted) return false;
          throw e;
        }
      } else if (r?.kind === "overrun") this.#items.push(await this.onOverrun());
      else if (r) {
        // Parse the whole datagram before any await: its bytes live in the socket's reused buffer.
        const start = this.#items.length;
        for (const m of r.messages) {
          const p = this.#parse(m);
          if (p !== undefined) this.#items.push(p);
        }
        if (this.#names) {
          for (let i = start; i < this.#items.length; i++) await this.#names.fill(this.#items[i] as P);
        }
      }
    }
    return true;
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
