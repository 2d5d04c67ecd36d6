/**
 * Reading a socket: every receive is synchronous with `MSG_DONTWAIT` (the
 * kernel answers most requests inside `sendto`), one `recvfrom` per
 * datagram into a large reused buffer, or one `recvmmsg` per batch into
 * reused slots. What the kernel lost is reported, never hidden: a datagram
 * that did not fit, or an overflowed queue (ENOBUFS), fails or resends
 * exactly the requests whose replies went missing and marks the readers.
 *
 * @module
 */

import { SysError } from "../sys/sys.ts";
import { type DatagramVector, MSG_TRUNC } from "../sys/mmsg.ts";
import { EAGAIN, EINTR, ENOBUFS } from "../sys/errno.ts";
import { align4 } from "../wire/constants.ts";
import { globalCaptureSink } from "./capture.ts";
import { type Consumer, msgType } from "./consumer.ts";
import type { SocketCore } from "./core.ts";
import { ReplyLostError } from "./errors.ts";
import { nsidOfControl } from "./cmsg.ts";
import { dispatch } from "./dispatch.ts";
import { eventsLost, unicastLost } from "./readers.ts";

const MSG_DONTWAIT = 0x40;
/** Datagrams that fit the base buffer before a grown buffer shrinks back. */
const SHRINK_AFTER = 16;
const OVERFLOWED = "the receive buffer overflowed (ENOBUFS)";

/** Reads and dispatches one datagram (or one batch of them). Returns false when nothing is queued. */
export function receiveOne(s: SocketCore): boolean {
  const fd = s.checkOpen();
  if (s.vec) return receiveMany(s, fd, s.vec);
  if (s.buf.length > s.base && s.fits >= SHRINK_AFTER) resize(s, s.base);
  const buf = s.buf;
  let n: number;
  const recv = s.recv;
  if (recv) recv.buf = buf;
  do {
    n = recv
      ? s.sys.recvmsg(fd, recv, MSG_DONTWAIT | MSG_TRUNC)
      : s.sys.recvfrom(fd, buf, buf.length, MSG_DONTWAIT | MSG_TRUNC, s.addr);
  } while (n === -EINTR);
  if (n < 0) return receiveFailed(s, n);
  if (recv) s.nsid = nsidOfControl(recv.control, recv.controlLength);
  const view = s.addrView;
  accept(s, buf, s.view, n, view.getUint32(4, true), view.getUint32(8, true));
  return true;
}

/** One `recvmmsg` into the slots, each datagram then dispatched in order. */
function receiveMany(s: SocketCore, fd: number, vec: DatagramVector): boolean {
  let n: number;
  do n = s.sys.recvmmsg(fd, vec, MSG_DONTWAIT | MSG_TRUNC); while (n === -EINTR);
  if (n < 0) return receiveFailed(s, n);
  for (let i = 0; i < n && s.fd >= 0; i++) {
    const addr = vec.addrs[i];
    const pid = addr[4] | (addr[5] << 8) | (addr[6] << 16) | (addr[7] << 24);
    const groups = addr[8] | addr[9] | addr[10] | addr[11];
    accept(s, vec.slots[i], s.vecViews[i], vec.lengths[i], pid, groups);
  }
  return true;
}

/** A failed receive: false for EAGAIN (nothing queued), true after reporting ENOBUFS, else throws. */
function receiveFailed(s: SocketCore, n: number): boolean {
  if (n === -EAGAIN) {
    if (s.suspects.length) lostSuspects(s);
    return false;
  }
  if (n === -ENOBUFS) {
    overrun(s);
    return true;
  }
  throw new SysError(s.vec ? "recvmmsg" : s.recv ? "recvmsg" : "recvfrom", -n);
}

/** Checks the sender of a datagram of `n` bytes read into `buf`, then dispatches it. */
function accept(s: SocketCore, buf: Uint8Array, view: DataView, n: number, pid: number, groups: number): void {
  if (pid !== 0) {
    s.counters.foreignDropped++; // only the kernel may speak to us
    return;
  }
  const multicast = groups !== 0;
  const len = Math.min(n, buf.length);
  (s.capture ?? globalCaptureSink())?.record("in", s.protocol, buf.subarray(0, len));
  if (n > buf.length) {
    truncated(s, view, n, buf.length, multicast);
    return;
  }
  if (n <= s.base) s.fits++;
  dispatch(s, buf, view, n, multicast);
}

function resize(s: SocketCore, size: number): void {
  s.buf = new Uint8Array(size);
  s.view = new DataView(s.buf.buffer);
  s.fits = 0;
}

/**
 * A datagram larger than the buffer (of `have` bytes) was cut: grow the
 * buffer (reading one datagram per call from then on) and report the
 * loss to its owner, named by the header still in `view`.
 */
function truncated(s: SocketCore, view: DataView, n: number, have: number, multicast: boolean): void {
  const seq = view.getUint32(8, true);
  const pid = view.getUint32(12, true);
  s.vec = undefined;
  resize(s, align4(n));
  const why = `a ${n}-byte datagram did not fit the ${have}-byte buffer`;
  if (multicast || (pid !== 0 && pid !== s.portId)) {
    if (!s.draining) eventsLost(s);
    return;
  }
  const c = s.consumers.get(seq);
  if (c) lost(s, c, why);
  else if (seq === 0 && s.unicast) unicastLost(s);
  else s.counters.unmatchedDropped++;
}

/**
 * ENOBUFS: the kernel dropped datagrams, and keeps dropping silently until
 * the queue is empty. Drain it (notifications in it are superseded by a
 * re-list), then fail or retry exactly the requests whose replies were
 * lost, then tell the multicast reader.
 */
function overrun(s: SocketCore): void {
  if (s.draining) return;
  // Dump batches are never dropped (the kernel holds them back while the queue is full).
  const waiting = [...s.consumers.values()].filter((c) => !c.done && !c.dump);
  if (s.unicast && !s.unicastDrain) {
    // Report and read on: every message still queued is wanted (a queued packet waits for its verdict).
    s.suspects.push(...waiting);
    unicastLost(s);
    eventsLost(s);
    return;
  }
  s.draining = true;
  try {
    while (receiveOne(s));
  } finally {
    s.draining = false;
  }
  // The kernel answers inside sendto, so a reply still missing once the queue is empty was dropped.
  for (const c of waiting) if (!c.done) lost(s, c, OVERFLOWED);
  if (s.unicast) unicastLost(s);
  eventsLost(s);
}

/** After an overflow that was not drained, the queue is empty now: replies still missing were dropped. */
function lostSuspects(s: SocketCore): void {
  for (const c of s.suspects.splice(0)) {
    if (!c.done && s.consumers.get(c.seq) === c) lost(s, c, OVERFLOWED);
  }
}

/** The reply of `c` was lost: resend an idempotent request, else fail it (a dump reads on to DONE first). */
function lost(s: SocketCore, c: Consumer, why: string): void {
  if (c.silent || c.done) return;
  const type = msgType(c.request);
  if (c.dump) {
    c.error ??= new ReplyLostError(type, s.name(c.request), why, c.request);
    c.parse = undefined;
    c.items.length = 0;
    return;
  }
  if (c.retries > 0 && s.idempotent(c.request) && s.fd >= 0) {
    c.retries--;
    c.items.length = 0;
    c.pos = 0;
    c.count = 0;
    s.consumers.delete(c.seq);
    s.start(c);
    return;
  }
  s.settle(c, new ReplyLostError(type, s.name(c.request), why, c.request));
}
