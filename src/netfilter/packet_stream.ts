/**
 * The consumer shape NFQUEUE and NFLOG share: a {@link PacketSocket} bound
 * to a queue or group, read as an async iterator of packets and overrun
 * signals.
 *
 * @module
 */

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
    for (;;) {
      if (this.#pos < this.#items.length) {
        const value = this.#items[this.#pos];
        this.#items[this.#pos++] = undefined as unknown as P; // let the consumer own it alone
        return { done: false, value };
      }
      this.#items.length = 0;
      this.#pos = 0;
      if (this.socket.closed || this.#signal?.aborted) return DONE;
      const r = this.socket.receive();
      if (r === false) {
        try {
          await this.socket.wait(this.#signal);
        } catch (e) {
          if (this.socket.closed || this.#signal?.aborted) return DONE;
          throw e;
        }
      } else if (r?.kind === "overrun") this.#items.push(await this.onOverrun());
      else if (r) {
        for (const m of r.messages) {
          const p = this.#parse(m);
          if (p === undefined) continue;
          if (this.#names) await this.#names.fill(p);
          this.#items.push(p);
        }
      }
    }
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
