/**
 * The state of one request, dump or subscription on a socket, and the
 * header helpers the socket uses on raw requests.
 *
 * @module
 */

import type { NlMsg } from "../wire/message.ts";

/** Turns one message into a value while its bytes are still in the receive buffer. */
export type Parse<T> = (m: NlMsg) => T;

/** What the socket tracks for each request in flight (or the multicast reader). */
export interface Consumer {
  /** Parser of replies; undefined to drop them (an abandoned dump still draining). */
  parse: Parse<unknown> | undefined;
  /** The parser borrows each message (`DumpOptions.reuseMessage`): it gets the socket's reused object. */
  lend: boolean;
  /** Parsed values not yet taken. */
  items: unknown[];
  /** Next value to take. */
  pos: number;
  /** The final ack, error or DONE arrived (or the call was given up). */
  done: boolean;
  /** The first error: a refusal, a parse error, a timeout. */
  error: unknown;
  /** `NLM_F_DUMP_INTR` was seen. */
  interrupted: boolean;
  /** Replies seen (dump entries). */
  count: number;
  /** The request as sent. */
  request: Uint8Array;
  /** Its sequence number (0 until sent). */
  seq: number;
  /** A dump (its end is NLMSG_DONE). */
  dump: boolean;
  /** A batch message without `NLM_F_ACK`: only a refusal answers it, so nobody waits for it. */
  silent: boolean;
  /** Resends left when its reply is lost and the request is idempotent. */
  retries: number;
  /** Resolves whoever waits for this consumer to change. */
  wake: (() => void) | undefined;
}

/** A fresh consumer for `request`. */
export function newConsumer(request: Uint8Array, parse: Parse<unknown> | undefined, dump = false): Consumer {
  return {
    parse,
    lend: false,
    items: [],
    pos: 0,
    done: false,
    error: undefined,
    interrupted: false,
    count: 0,
    request,
    seq: 0,
    dump,
    silent: false,
    retries: 2,
    wake: undefined,
  };
}

/** Marks `c` finished, keeping the first error. */
export function finish(c: Consumer, error: unknown): void {
  c.done = true;
  c.error ??= error;
}

/** `nlmsg_type` of a raw message. */
export function msgType(msg: Uint8Array): number {
  return msg[4] | (msg[5] << 8);
}

/** ORs `flags` into `nlmsg_flags` of a raw message. */
export function setFlags(msg: Uint8Array, flags: number): void {
  const v = new DataView(msg.buffer, msg.byteOffset);
  v.setUint16(6, v.getUint16(6, true) | flags, true);
}

/** The end of an iterator, shared by the socket's readers. */
export const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };
