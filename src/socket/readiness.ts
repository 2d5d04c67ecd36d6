/**
 * One poller per process: waits for any subscribed socket to become
 * readable, off the JS thread, with an eventfd that wakes it when the set
 * of waiters changes or a socket closes. It uses `poll()` over an array
 * that grows with the waiters, so it has no `FD_SETSIZE` limit.
 *
 * @module
 */

import type { Sys } from "../sys/sys.ts";

const POLLIN = 1;
const EFD_NONBLOCK = 0x800;
const EFD_CLOEXEC = 0x80000;

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Waits for descriptors to become readable without blocking the event loop. */
export class Readiness {
  #sys: Sys;
  #waiters = new Map<number, Set<Waiter>>();
  #polling = false;
  #efd = -1;
  #set = new Uint8Array(new SharedArrayBuffer(64 * 8));
  #one = new Uint8Array(8);

  /** Creates a poller over `sys`. */
  constructor(sys: Sys) {
    this.#sys = sys;
    new DataView(this.#one.buffer).setUint32(0, 1, true);
  }

  /** Resolves when `fd` is readable; rejects if `signal` aborts or {@link cancel} is called. */
  wait(fd: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#remove(fd, w);
        reject(signal!.reason);
      };
      const w: Waiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      let set = this.#waiters.get(fd);
      if (!set) {
        this.#waiters.set(fd, set = new Set());
        this.#kick();
      }
      set.add(w);
    });
  }

  /** Rejects every wait on `fd` (the socket is closing). */
  cancel(fd: number, reason: unknown): void {
    const set = this.#waiters.get(fd);
    if (!set) return;
    this.#waiters.delete(fd);
    for (const w of set) w.reject(reason);
    this.#kick();
  }

  #remove(fd: number, w: Waiter): void {
    const set = this.#waiters.get(fd);
    if (!set?.delete(w) || set.size) return;
    this.#waiters.delete(fd);
    this.#kick();
  }

  #kick(): void {
    if (this.#polling) {
      this.#sys.write(this.#efd, this.#one);
    } else if (this.#waiters.size) {
      this.#loop().catch((e) => {
        for (const fd of [...this.#waiters.keys()]) this.cancel(fd, e);
      });
    }
  }

  async #loop(): Promise<void> {
    if (this.#efd < 0) this.#efd = this.#sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    while (this.#waiters.size) {
      const fds = [this.#efd, ...this.#waiters.keys()];
      if (fds.length * 8 > this.#set.length) {
        // A new array, never one a pending poll still reads.
        this.#set = new Uint8Array(new SharedArrayBuffer(fds.length * 16));
      }
      const v = new DataView(this.#set.buffer);
      fds.forEach((fd, i) => {
        v.setInt32(i * 8, fd, true);
        v.setInt16(i * 8 + 4, POLLIN, true);
        v.setInt16(i * 8 + 6, 0, true);
      });
      this.#polling = true;
      try {
        await this.#sys.pollAsync(this.#set, fds.length);
      } finally {
        this.#polling = false;
      }
      if (v.getInt16(6, true)) this.#sys.read(this.#efd, new Uint8Array(8));
      for (let i = 1; i < fds.length; i++) {
        if (!v.getInt16(i * 8 + 6, true)) continue;
        const set = this.#waiters.get(fds[i]);
        this.#waiters.delete(fds[i]);
        for (const w of set ?? []) w.resolve();
      }
    }
  }
}

const perSys = new WeakMap<Sys, Readiness>();

/**
 * Rejects the waits on `fd` if `sys` has a poller: a socket closed without
 * ever waiting (a dump answered at once) makes none.
 */
export function cancelWaits(sys: Sys, fd: number, reason: () => unknown): void {
  perSys.get(sys)?.cancel(fd, reason());
}

/** The process-wide poller for `sys`. */
export function readinessFor(sys: Sys): Readiness {
  let r = perSys.get(sys);
  if (!r) perSys.set(sys, r = new Readiness(sys));
  return r;
}
