/**
 * A dump as a plain async iterator over any family, on the caller's socket
 * or on one it opens and closes itself. Several requests can run one after
 * another, refusals that mean "nothing there" can be skipped, a userspace
 * filter can drop values, and an interrupted dump can be re-run.
 *
 * @module
 */

import { type FamilyLike, openSocket, type SocketTarget } from "./family.ts";
import type { Parse } from "./consumer.ts";
import { checkRetries } from "./options.ts";
import type { DumpIterator } from "./dump_iterator.ts";
import type { NetlinkSocket } from "./socket.ts";

/** Where a {@link DumpStream} runs, and how often it re-runs an interrupted dump. */
export interface DumpStreamOptions extends SocketTarget {
  /**
   * Re-run a dump the kernel marked interrupted (`NLM_F_DUMP_INTR`) up to
   * this many times. With retries, each dump is read whole before its
   * values are yielded, so none is yielded twice. Default 0: the stream
   * ends with `DumpInterruptedError`.
   */
  retries?: number;
}

/** What a {@link DumpStream} dumps once its socket is open. */
export interface DumpPlan<T> {
  /** The dump request, or several run one after another (`NLM_F_DUMP` is added). */
  request: Uint8Array | readonly Uint8Array[];
  /** Parses each message while its bytes are in the receive buffer. */
  parse: Parse<T>;
  /** `parse` keeps nothing of the message object, so the socket may reuse one (`DumpOptions.reuseMessage`). */
  reuseMessage?: boolean;
  /** Keeps only the values that pass: the userspace side of a filter the kernel may ignore. */
  keep?: (value: T) => boolean;
  /** Tells a refusal that means "nothing to dump" (a table that does not exist): the next request runs. */
  empty?: (error: unknown) => boolean;
  /**
   * A request to run in place of one refused before it sent anything (an
   * older kernel refusing a filter attribute: the unfiltered dump, which
   * `keep` then filters), or undefined to fail with the refusal.
   */
  instead?: (error: unknown) => Uint8Array | undefined;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A dump as a plain async iterator, on the caller's socket or on one it
 * opens and closes when the dump ends, fails or is left. `plan` runs once
 * the socket is open (to resolve link names, say). Unlike an async
 * generator it adds no generator hop per value: values already received
 * resolve at once.
 */
export class DumpStream<T> implements AsyncGenerator<T, void, undefined> {
  #family: FamilyLike;
  #opts: DumpStreamOptions;
  #retries: number;
  #plan: (s: NetlinkSocket) => DumpPlan<T> | Promise<DumpPlan<T>>;
  #own: NetlinkSocket | undefined;
  #sock: NetlinkSocket | undefined;
  #dump: DumpIterator<T> | undefined;
  #spec: DumpPlan<T> | undefined;
  #requests: Uint8Array[] = [];
  #at = 0;
  /** Whether the running request has sent a value (kept or not). */
  #sent = false;
  #done = false;

  /** Nothing is opened until the first `next`. */
  constructor(
    family: FamilyLike,
    opts: DumpStreamOptions,
    plan: (s: NetlinkSocket) => DumpPlan<T> | Promise<DumpPlan<T>>,
  ) {
    this.#family = family;
    this.#opts = opts;
    this.#retries = checkRetries(opts.retries);
    this.#plan = plan;
  }

  /** The stream is its own iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next value that passes `keep`. */
  next(): Promise<IteratorResult<T, undefined>> {
    const res = this.#ready();
    if (res) return Promise.resolve({ done: false, value: res.value }); // #ready's result is reused
    if (this.#dump) return this.#dump.next().then(this.#step, this.#fail);
    return this.#start();
  }

  /**
   * Calls `fn` with each value, in order; values already received go to it
   * without a promise each, which is what a printer of a large dump wants.
   * A throw of `fn` ends the dump as {@link return} does, then rejects.
   */
  async forEach(fn: (value: T) => void): Promise<void> {
    try {
      for (;;) {
        for (let res = this.#ready(); res; res = this.#ready()) fn(res.value);
        const res = await this.next();
        if (res.done) return;
        fn(res.value);
      }
    } catch (e) {
      await this.return();
      throw e;
    }
  }

  /**
   * The next value already received that passes `keep`, or `undefined`
   * when none is (no waiting). The result object may be reused by the next call.
   */
  #ready(): IteratorYieldResult<T> | undefined {
    const dump = this.#dump;
    if (!dump) return undefined;
    const keep = this.#spec!.keep;
    for (let res = dump.ready?.(); res; res = dump.ready!()) {
      this.#sent = true;
      if (!keep || keep(res.value)) return res;
    }
    return undefined;
  }

  /** Stops early: drains the dump in flight so a shared socket stays usable, and closes an own socket. */
  async return(): Promise<IteratorResult<T, undefined>> {
    const dump = this.#dump;
    this.#dump = undefined;
    try {
      await dump?.return();
    } finally {
      this.#close();
    }
    return DONE;
  }

  /** Stops as {@link return} does, then rejects with `e`. */
  async throw(e?: unknown): Promise<IteratorResult<T, undefined>> {
    await this.return();
    throw e;
  }

  /** Same as {@link return}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #step = (res: IteratorResult<T, undefined>): IteratorResult<T, undefined> | Promise<IteratorResult<T, undefined>> => {
    if (res.done) return this.#following();
    this.#sent = true;
    const keep = this.#spec!.keep;
    if (keep && !keep(res.value)) return this.#dump!.next().then(this.#step, this.#fail);
    return res;
  };

  #fail = (e: unknown): Promise<IteratorResult<T, undefined>> => {
    if (this.#spec?.empty?.(e)) return this.#following();
    const instead = this.#sent || !this.#dump ? undefined : this.#spec?.instead?.(e);
    if (instead) {
      this.#requests[this.#at] = instead;
      return this.#run();
    }
    this.#close();
    throw e;
  };

  /** Runs the next request, or ends. */
  #following(): Promise<IteratorResult<T, undefined>> {
    this.#dump = undefined;
    if (++this.#at < this.#requests.length) return this.#run();
    this.#close();
    return Promise.resolve(DONE);
  }

  #run(): Promise<IteratorResult<T, undefined>> {
    const req = this.#requests[this.#at];
    const { parse, reuseMessage } = this.#spec!;
    this.#sent = false;
    this.#dump = this.#retries > 0
      ? collected(this.#sock!.dumpAll(req, parse, { retries: this.#retries, reuseMessage }))
      : this.#sock!.dump(req, parse, { reuseMessage });
    return this.#dump.next().then(this.#step, this.#fail);
  }

  async #start(): Promise<IteratorResult<T, undefined>> {
    if (this.#done) return DONE;
    try {
      if (!this.#opts.socket) this.#own = await openSocket(this.#family, this.#opts);
      this.#sock = this.#opts.socket ?? this.#own!;
      const spec = this.#spec = await this.#plan(this.#sock);
      this.#requests = spec.request instanceof Uint8Array ? [spec.request] : [...spec.request];
      if (this.#requests.length === 0) {
        this.#close();
        return DONE;
      }
    } catch (e) {
      this.#close();
      throw e;
    }
    return await this.#run();
  }

  #close(): void {
    this.#done = true;
    this.#dump = undefined;
    this.#own?.close();
    this.#own = undefined;
  }
}

/** A collected dump as a dump iterator. */
function collected<T>(all: Promise<T[]>): DumpIterator<T> {
  let items: T[] | undefined;
  let i = 0;
  const it: DumpIterator<T> = {
    next: async () => {
      items ??= await all;
      return i < items.length ? { done: false, value: items[i++] } : DONE;
    },
    return: () => Promise.resolve(DONE),
    ready: () => items && i < items.length ? { done: false, value: items[i++] } : undefined,
    [Symbol.asyncIterator]: () => it,
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
  return it;
}

/**
 * Calls `fn` with each value of `values`: through {@link DumpStream.forEach}
 * when it is a dump stream (no promise per value already received), else
 * with `for await`.
 */
export async function forEachValue<T>(values: AsyncIterable<T>, fn: (value: T) => void): Promise<void> {
  if (values instanceof DumpStream) return await values.forEach(fn);
  for await (const v of values) fn(v);
}
