/**
 * The consumer shape NFQUEUE and NFLOG share: a socket bound to a queue or
 * group, read as an async iterator of packets and overrun signals.
 *
 * @module
 */

import { isOverrun } from "../socket/errors.ts";
import type { NetlinkSocket } from "../socket/socket.ts";
import type { NlMsg } from "../wire/message.ts";

/** Yields packets parsed by `parse`, and `onOverrun()` where the kernel reported lost packets. */
export abstract class PacketStream<P, O> implements AsyncIterableIterator<P | O>, AsyncDisposable {
  /** The socket the stream reads. */
  readonly socket: NetlinkSocket;
  #gen: AsyncGenerator<P | O, void, undefined>;
  #first: Promise<IteratorResult<P | O, void>> | undefined;

  /** Starts reading at once, so nothing sent after {@link bind} is missed. */
  protected constructor(socket: NetlinkSocket, parse: (m: NlMsg) => P | undefined, signal?: AbortSignal) {
    this.socket = socket;
    this.#gen = this.#run(parse, signal);
  }

  async *#run(parse: (m: NlMsg) => P | undefined, signal?: AbortSignal): AsyncGenerator<P | O, void, undefined> {
    for await (const item of this.socket.messages(parse, { signal })) {
      if (isOverrun(item)) yield await this.onOverrun();
      else if (item !== undefined) yield item;
    }
  }

  /** The signal yielded where the kernel dropped messages. */
  protected abstract onOverrun(): Promise<O>;

  /**
   * Sends the bind request while already listening: a packet queued
   * between the bind and its ack must not be lost. Closes the socket if
   * the kernel refuses.
   */
  protected async bind(msg: Uint8Array): Promise<void> {
    try {
      this.#first = this.#gen.next();
      this.#first.catch(() => {});
      await this.socket.request(msg);
    } catch (e) {
      this.socket.close();
      throw e;
    }
  }

  /** Waits for the next packet or overrun signal. */
  next(): Promise<IteratorResult<P | O, void>> {
    const first = this.#first;
    if (first) {
      this.#first = undefined;
      return first;
    }
    return this.#gen.next();
  }

  /** Unbinds (by closing the socket) and ends the stream. */
  async return(): Promise<IteratorResult<P | O, void>> {
    this.socket.close();
    await this.#first?.catch(() => {});
    return await this.#gen.return();
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
