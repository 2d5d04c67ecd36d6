/**
 * The live event stream every family's subscription is: an async iterator
 * over a socket that has joined multicast groups, with an `overrun` item
 * where events were lost, ended by `break`, `close()`, disposal or an
 * abort signal.
 *
 * @module
 */

import type { NlMsg } from "../wire/message.ts";
import { isOverrun } from "./errors.ts";
import type { MessagesOptions } from "./options.ts";
import type { NetlinkSocket } from "./socket.ts";

/** The item a stream yields where events were lost to a full receive buffer (re-list to resync). */
export interface OverrunEvent {
  /** Always `"overrun"`. */
  type: "overrun";
}

/**
 * The notifications of a subscribed socket parsed by `parse` (messages it
 * maps to undefined are skipped), with a {@link OverrunEvent} where some
 * were lost; `onOverrun` runs before that item is yielded.
 */
export async function* subscribedEvents<E>(
  socket: NetlinkSocket,
  parse: (m: NlMsg) => E | undefined,
  options: MessagesOptions,
  onOverrun?: () => unknown,
): AsyncGenerator<E | OverrunEvent, void, undefined> {
  for await (const item of socket.messages(parse, options)) {
    if (isOverrun(item)) {
      await onOverrun?.();
      yield { type: "overrun" };
    } else if (item !== undefined) yield item;
  }
}

/**
 * A live event stream: an async iterator over a subscribed socket. Breaking
 * out of `for await`, calling {@link close}, disposing it or aborting the
 * signal ends the stream and releases the socket: closes it when the
 * stream owns it, else leaves the groups the stream joined on it.
 */
export class Subscription<E> implements AsyncIterableIterator<E>, AsyncDisposable, Disposable {
  readonly #socket: NetlinkSocket;
  readonly #groups: readonly number[] | undefined;
  readonly #stop = new AbortController();
  readonly #gen: AsyncGenerator<E, void, undefined>;
  #released = false;

  /**
   * Wraps a socket that has joined its groups; `run` produces the events
   * until its signal aborts (`signal`, or the stream's end). With `groups`,
   * the socket is the caller's: the end leaves those groups, the socket stays open.
   */
  constructor(
    socket: NetlinkSocket,
    run: (socket: NetlinkSocket, signal: AbortSignal) => AsyncGenerator<E, void, undefined>,
    signal?: AbortSignal,
    groups?: readonly number[],
  ) {
    this.#socket = socket;
    this.#groups = groups;
    const stop = signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal;
    this.#gen = this.#run(run, stop);
  }

  async *#run(
    run: (socket: NetlinkSocket, signal: AbortSignal) => AsyncGenerator<E, void, undefined>,
    signal: AbortSignal,
  ): AsyncGenerator<E, void, undefined> {
    try {
      yield* run(this.#socket, signal);
    } finally {
      this.#release();
    }
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    if (!this.#groups) this.#socket.close();
    else if (!this.#socket.closed) { for (const g of this.#groups) this.#socket.leave(g); }
  }

  /** The kernel receive buffer of the subscription, in bytes (as the kernel reports it: doubled). */
  get receiveBuffer(): number {
    return this.#socket.receiveBuffer;
  }

  /** Reads the next event; waits for one when none is queued. */
  next(): Promise<IteratorResult<E, undefined>> {
    return this.#gen.next() as Promise<IteratorResult<E, undefined>>;
  }

  /** Ends the stream (called by `break`); a pending `next()` ends as done. */
  async return(): Promise<IteratorResult<E, undefined>> {
    this.close();
    await this.#gen.return();
    return { done: true, value: undefined };
  }

  /** Stops the stream and releases its socket; idempotent. A pending read ends as done. */
  close(): void {
    // Stop a pending read first: a generator's return() would queue behind it.
    this.#stop.abort();
    this.#release();
  }

  /** This stream (it is its own iterator). */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Closes the stream (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes the stream (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
