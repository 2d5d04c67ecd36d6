/**
 * Transport-level conditions callers are expected to handle.
 *
 * @module
 */

import { ENOBUFS } from "../sys/errno.ts";
import { NetlinkError } from "../wire/netlink_error.ts";

/**
 * The dump changed while it was read (`NLM_F_DUMP_INTR`): what was read may
 * be inconsistent. `partial` holds it when the dump was collected into an
 * array; a stream has already yielded it.
 */
export class DumpInterruptedError extends Error {
  /** Always `"DumpInterruptedError"`. */
  override name = "DumpInterruptedError";
  /** How many items the interrupted dump produced. */
  readonly count: number;
  /** The items read, when the dump was collected (`dumpAll`). */
  partial?: unknown[];
  /** Creates the error for a dump that produced `count` items. */
  constructor(count: number) {
    super(
      `Dump interrupted: the kernel's table changed while ${count} entries were read; dump again for a consistent view`,
    );
    this.count = count;
  }
}

/**
 * Marks lost multicast messages (the kernel reported ENOBUFS): the receive
 * buffer overflowed. The stream goes on; re-dump to resynchronise.
 */
export class Overrun {
  /** Discriminates an overrun from a message. */
  readonly kind: "overrun" = "overrun";
}

/** Tells whether an item from a multicast stream is an {@link Overrun}. */
export function isOverrun(x: unknown): x is Overrun {
  return x instanceof Overrun;
}

/** The socket was closed while an operation waited on it. */
export class SocketClosedError extends Error {
  /** Always `"SocketClosedError"`. */
  override name = "SocketClosedError";
  /** Creates the error. */
  constructor() {
    super("Netlink socket is closed");
  }
}

/** A request did not complete within its `timeout`. */
export class TimeoutError extends Error {
  /** Always `"TimeoutError"`. */
  override name = "TimeoutError";
  /** The timeout in milliseconds. */
  readonly timeout: number;
  /** Creates the error for `operation` after `timeout` ms. */
  constructor(operation: string, timeout: number) {
    super(`${operation} timed out after ${timeout} ms`);
    this.timeout = timeout;
  }
}

/**
 * The reply to a request was lost: the receive buffer overflowed (ENOBUFS)
 * or the reply did not fit the receive buffer. The request may or may not
 * have taken effect.
 */
export class ReplyLostError extends NetlinkError {
  /** Creates the error for the request of `requestType`, named `operation`. */
  constructor(requestType: number, operation: string, why: string, request?: Uint8Array) {
    super(ENOBUFS, { message: `reply lost: ${why}` }, requestType, operation, request);
    this.name = "ReplyLostError";
  }
}

/** One refused message of a batch: its index in the messages given and the kernel's error. */
export interface BatchFailure {
  /** Index into the `messages` passed to `requestBatch`. */
  index: number;
  /** The refusal. */
  error: NetlinkError;
}

/** Some messages of a batch were refused; `failures` lists each with its index. */
export class BatchError extends Error {
  /** Always `"BatchError"`. */
  override name = "BatchError";
  /** Every failure, in message order. */
  readonly failures: BatchFailure[];
  /** Creates the error; the message names the first failure. */
  constructor(failures: BatchFailure[]) {
    const first = failures[0];
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : "";
    super(`Batch failed at message ${first?.index}: ${first?.error.message}${more}`);
    this.failures = failures;
  }
}

/**
 * A multicast message that could not be parsed. Subscriptions yield it in
 * place of the message and go on.
 */
export class MessageError {
  /** Discriminates a parse failure from a message. */
  readonly kind: "error" = "error";
  /** What the parser threw. */
  readonly error: unknown;
  /** A copy of the message's bytes. */
  readonly bytes: Uint8Array;
  /** Wraps the parser's error and a copy of the message. */
  constructor(error: unknown, bytes: Uint8Array) {
    this.error = error;
    this.bytes = bytes;
  }
}

/** Tells whether an item from a multicast stream is a {@link MessageError}. */
export function isMessageError(x: unknown): x is MessageError {
  return x instanceof MessageError;
}
