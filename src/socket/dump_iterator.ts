/**
 * A streaming dump over a socket: each message is parsed as it arrives and
 * yielded; memory stays at one receive buffer. Leaving early drains the
 * rest in the background so the socket stays usable.
 *
 * @module
 */

import { NLM_F_DUMP } from "../wire/constants.ts";
import { DONE, newConsumer, type Parse, setFlags } from "./consumer.ts";
import type { SocketCore } from "./core.ts";
import { DumpInterruptedError } from "./errors.ts";
import type { DumpOptions } from "./options.ts";
import { receiveOne } from "./receive.ts";
import { deadlineOf, until } from "./wait.ts";

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

/** Starts the dump `msg` (once its turn comes, at the first `next()`). */
export function dumpIterator<T>(
  s: SocketCore,
  msg: Uint8Array,
  parse: Parse<T>,
  options: DumpOptions,
): DumpIterator<T> {
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
    if (c.done || s.fd < 0) {
      s.forget(c);
      release!();
      return;
    }
    // Left early: read the rest in the background without parsing, then let the next dump start.
    c.parse = undefined;
    c.items.length = 0;
    if (c.wake) s.settle(c, undefined); // a pending next() ends
    until(s, c, () => c.done, {}).catch(() => {}).finally(() => {
      s.forget(c);
      release!();
    });
  };
  const pull = async (): Promise<IteratorResult<T, undefined>> => {
    try {
      if (!started) {
        const turn = await s.turns.dumpTurn();
        if (finished) {
          turn();
          return DONE;
        }
        release = turn;
        started = true;
        s.start(c);
      }
      for (;;) {
        if (finished) return DONE;
        if (c.pos < c.items.length) return take();
        c.items.length = 0;
        c.pos = 0;
        if (c.done) break;
        options.signal?.throwIfAborted();
        while (!c.done && c.items.length === 0 && receiveOne(s));
        if (c.done || c.items.length > 0) continue;
        await until(s, c, () => finished || c.done || c.items.length > 0, options, deadline);
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
