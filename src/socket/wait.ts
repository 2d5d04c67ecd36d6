/**
 * Waiting on a socket: while any call waits, one read loop drains the
 * socket; when nothing is queued it sleeps on the process-wide poller.
 * A wait ends when its condition holds, its signal aborts or its deadline
 * passes.
 *
 * @module
 */

import type { Consumer } from "./consumer.ts";
import type { SocketCore } from "./core.ts";
import { SocketClosedError, TimeoutError } from "./errors.ts";
import type { RequestOptions } from "./options.ts";
import { readinessFor } from "./readiness.ts";
import { receiveOne } from "./receive.ts";

/** When a call with `options.timeout` must end. */
export function deadlineOf(options: RequestOptions): number | undefined {
  return options.timeout === undefined ? undefined : performance.now() + options.timeout;
}

/**
 * Waits until `ready()` holds for `c`, reading with the shared read loop;
 * the signal of `options`, or reaching `deadline`, gives the call up.
 */
export function until(
  s: SocketCore,
  c: Consumer,
  ready: () => boolean,
  options: RequestOptions,
  deadline?: number,
): Promise<void> {
  const { signal, timeout } = options;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => giveUp(signal!.reason);
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const giveUp = (reason: unknown) => {
      cleanup();
      if (c.wake === wake) s.unhungry(c);
      reject(reason);
    };
    const wake = () => {
      if (!ready()) return void hunger(s, c, wake);
      cleanup();
      resolve();
    };
    if (deadline !== undefined) {
      const left = Math.max(0, deadline - performance.now());
      timer = setTimeout(() => giveUp(new TimeoutError(s.name(c.request), timeout!)), left);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    hunger(s, c, wake);
  });
}

function hunger(s: SocketCore, c: Consumer, wake: () => void): void {
  c.wake = wake;
  s.hungry++;
  if (s.reading) return;
  // Started from a microtask: a wake-up can come from inside a dispatch, which owns the buffer.
  s.reading = true;
  queueMicrotask(() => void readLoop(s));
}

/** Drains the socket while anyone waits; sleeps on the poller when nothing is queued. */
async function readLoop(s: SocketCore): Promise<void> {
  try {
    while (s.hungry > 0 && s.fd >= 0) {
      if (receiveOne(s)) continue;
      const ac = new AbortController();
      s.readWait = ac;
      try {
        await readinessFor(s.sys).wait(s.fd, ac.signal);
      } catch (e) {
        if (!ac.signal.aborted) throw e;
      } finally {
        s.readWait = undefined;
      }
    }
  } catch (e) {
    if (!(e instanceof SocketClosedError)) s.failAll(e);
  } finally {
    s.reading = false;
  }
}
