/**
 * Routing the messages of one datagram the way libmnl checks them: a reply
 * is unicast, from the kernel, to this socket's port id, with the sequence
 * number of a request in flight; the ack, refusal or `NLMSG_DONE` that
 * ends it settles its consumer. The rest goes to the readers.
 *
 * @module
 */

import { refusal } from "../errors.ts";
import {
  align4,
  NLM_F_DUMP_INTR,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
} from "../wire/constants.ts";
import { parseDoneMessage, parseErrorMessage } from "../wire/error_message.ts";
import { copyMessage, type NlMsg, readMessageInto } from "../wire/message.ts";
import { type Consumer, finish, msgType } from "./consumer.ts";
import type { SocketCore } from "./core.ts";
import { MessageError } from "./errors.ts";
import { event, unicastItem, unicastMessage } from "./readers.ts";

/** Routes each message of the `n`-byte datagram in `buf`. */
export function dispatch(s: SocketCore, buf: Uint8Array, view: DataView, n: number, multicast: boolean): void {
  const port = s.portId;
  let off = 0;
  while (off < n) {
    let m: NlMsg;
    try {
      // The header goes into one reused object; a parser that may keep it gets a copy (copyMessage).
      m = readMessageInto(s.msg, buf, view, off, n);
    } catch (e) {
      malformed(s, e, buf, view, off, n, multicast);
      return;
    }
    off = align4(m.end);
    // A reply is unicast, from the kernel, to our port id (or 0, as libmnl allows), with our seq.
    // Seq 0 answers no request (ours never use it): a packet for the unicast reader.
    if (!multicast && (m.pid === port || m.pid === 0)) {
      const c = s.consumers.get(m.seq);
      if (c) deliver(s, c, m);
      else if (m.seq === 0 && m.type >= NLMSG_MIN_TYPE && s.unicast) unicastMessage(s, m);
      // The kernel gives groups above 32 (RTNLGRP_STATS) as nl_groups 0: a seq-0 message on a member is an event.
      else if (m.seq === 0 && m.type >= NLMSG_MIN_TYPE && s.joined > 0) event(s, m);
      else unmatched(s, m);
    } else event(s, m);
  }
}

/** A frame that cannot be read: its owner (by the seq in its header) gets the error. */
function malformed(
  s: SocketCore,
  e: unknown,
  buf: Uint8Array,
  view: DataView,
  off: number,
  n: number,
  multicast: boolean,
): void {
  if (multicast) {
    s.counters.eventErrors++;
    if (s.listener && !s.draining) {
      s.listener.items.push(new MessageError(e, buf.slice(off, n)));
      s.settle(s.listener, undefined);
    }
    return;
  }
  const seq = off + NLMSG_HDRLEN <= n ? view.getUint32(off + 8, true) : -1;
  const c = s.consumers.get(seq);
  if (!c && seq === 0 && s.unicast) return unicastItem(s, new MessageError(e, buf.slice(off, n)));
  if (!c) return void s.counters.unmatchedDropped++;
  if (c.dump) {
    c.error ??= e; // keep reading to DONE so the socket stays in step
    c.parse = undefined;
    c.items.length = 0;
    s.settle(c, undefined);
  } else s.settle(c, e);
}

function deliver(s: SocketCore, c: Consumer, m: NlMsg): void {
  if (c.done) return;
  if (m.flags & NLM_F_DUMP_INTR) c.interrupted = true;
  if (m.type === NLMSG_ERROR || (m.type === NLMSG_DONE && c.dump)) {
    let outcome: unknown;
    try {
      const { errno, ext } = m.type === NLMSG_ERROR ? parseErrorMessage(m) : parseDoneMessage(m);
      outcome = errno ? refusal(errno, ext, msgType(c.request), s.name(c.request), c.request) : c.error;
    } catch (e) {
      outcome = e;
    }
    finish(c, outcome);
    s.settle(c, undefined);
    return;
  }
  if (m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) return;
  c.count++;
  if (!c.parse || c.error) return;
  try {
    c.items.push(c.parse(c.lend ? m : copyMessage(m)));
  } catch (e) {
    c.error = e; // keep reading to the end so the socket stays in step
    return;
  }
  if (c.wake) s.settle(c, undefined);
}

/** A reply nobody waits for; a refusal among them is counted (a verdict sent without waiting). */
function unmatched(s: SocketCore, m: NlMsg): void {
  s.counters.unmatchedDropped++;
  if (m.type !== NLMSG_ERROR) return;
  let err: ReturnType<typeof parseErrorMessage>;
  try {
    err = parseErrorMessage(m);
  } catch {
    return; // a malformed stray ack: counted above
  }
  if (!err.errno) return;
  const echoed = m.buf.slice(m.start + NLMSG_HDRLEN + 4, m.start + 2 * NLMSG_HDRLEN + 4);
  s.counters.strayRefusals++;
  s.counters.lastStrayRefusal = refusal(err.errno, err.ext, err.requestType, s.name(echoed));
}
