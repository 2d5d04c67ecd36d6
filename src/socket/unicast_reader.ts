/**
 * The reader of unicast kernel messages that answer no request (sequence
 * number 0: NFQUEUE and NFLOG packets), as an async iterator that can also
 * take a burst of messages without waiting.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { DONE, newConsumer, type Parse } from "./consumer.ts";
import type { SocketCore } from "./core.ts";
import { MessageError, type Overrun, SocketClosedError } from "./errors.ts";
import type { UnicastOptions } from "./options.ts";
import { receiveOne } from "./receive.ts";
import { until } from "./wait.ts";

/**
 * The reader of unicast kernel messages that answer no request (see
 * `NetlinkSocket.unicast`): an async iterator of parsed messages and
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

/** Starts the unicast reader of `s` (checked options; one reader per socket). */
export function unicastReader<T>(
  s: SocketCore,
  parse: Parse<T | undefined>,
  options: UnicastOptions,
): UnicastReader<T> {
  s.checkOpen();
  if (s.unicast) throw new Error("Socket already has a unicast reader");
  const c = newConsumer(new Uint8Array(0), parse);
  s.unicast = c;
  s.unicastDrain = options.overrun === "drain";
  const { signal, onParseError } = options;
  let ended = false;
  const end = (): IteratorReturnResult<undefined> => {
    ended = true;
    if (s.unicast === c) s.unicast = undefined;
    c.items.length = c.pos = 0;
    if (c.wake) s.settle(c, undefined);
    return DONE;
  };
  const stopped = () => ended || s.fd < 0 || signal?.aborted === true;
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
      if (receiveOne(s)) continue;
      try {
        await until(s, c, () => ended || c.pos < c.items.length || c.error !== undefined, { signal });
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
        else if (!receiveOne(s)) break;
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
