/**
 * Whose turn it is on a socket: at most `maxInFlight` requests in flight
 * (later ones wait in userspace, in order), and one dump at a time, as the
 * kernel requires.
 *
 * @module
 */

/** The in-flight slots and the dump queue of one socket. */
export class Turns {
  #max: number;
  #inFlight = 0;
  #slots: (() => void)[] = [];
  #dumpTail: Promise<void> = Promise.resolve();

  constructor(maxInFlight: number) {
    this.#max = maxInFlight;
  }

  /** Takes an in-flight slot if one is free and nobody queues for one. */
  tryAcquire(): boolean {
    if (this.#inFlight >= this.#max || this.#slots.length) return false;
    this.#inFlight++;
    return true;
  }

  /** Waits for a free in-flight slot; `checkOpen` runs after each wake-up (a close wakes everyone). */
  async acquire(signal: AbortSignal | undefined, checkOpen: () => void): Promise<void> {
    while (this.#inFlight >= this.#max) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.#slots.indexOf(next);
          if (i >= 0) this.#slots.splice(i, 1);
          reject(signal!.reason);
        };
        const next = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#slots.push(next);
      });
      checkOpen();
    }
    this.#inFlight++;
  }

  release(): void {
    this.#inFlight--;
    this.#slots.shift()?.();
  }

  /** Wakes every call waiting for a slot (the socket closed). */
  wakeAll(): void {
    for (const next of this.#slots.splice(0)) next();
  }

  /** Resolves, once the dumps queued before have ended, with the function that ends this one's turn. */
  dumpTurn(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const prev = this.#dumpTail;
    this.#dumpTail = prev.then(() => mine);
    return prev.then(() => release);
  }
}
