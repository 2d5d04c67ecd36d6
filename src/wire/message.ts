/**
 * Netlink message framing: the `nlmsghdr` and walking the messages packed
 * into one datagram.
 *
 * @example
 * ```ts
 * import { forEachMessage } from "./message.ts";
 * const dgram = new Uint8Array([20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
 * forEachMessage(dgram, new DataView(dgram.buffer), 0, dgram.length, (m) => console.log(m.type)); // 3
 * ```
 *
 * @module
 */

import { align4, NLMSG_HDRLEN } from "./constants.ts";
import { MalformedError, TruncatedError } from "./errors.ts";

/** One message inside a datagram. Its bytes are valid until the buffer is reused. */
export interface NlMsg {
  /** `nlmsg_type`. */
  type: number;
  /** `nlmsg_flags`. */
  flags: number;
  /** `nlmsg_seq`. */
  seq: number;
  /** `nlmsg_pid`: the sender's port id, 0 for the kernel. */
  pid: number;
  /** The buffer holding the message. */
  buf: Uint8Array;
  /** A view over the same buffer. */
  view: DataView;
  /** Offset of the header in `buf`. */
  start: number;
  /** Offset just past the message (`start + nlmsg_len`). */
  end: number;
}

/** Offset of the payload of a message (just past its header). */
export function payloadOf(m: NlMsg): number {
  return m.start + NLMSG_HDRLEN;
}

/** The length of the message at `off`, checked to fit in `end`. */
function messageLength(view: DataView, off: number, end: number): number {
  if (off + NLMSG_HDRLEN > end) throw new TruncatedError("message header", off, NLMSG_HDRLEN, end - off);
  const len = view.getUint32(off, true);
  if (len < NLMSG_HDRLEN) throw new MalformedError(`Message length ${len} is shorter than its header`, off);
  if (off + len > end) throw new TruncatedError("message", off, len, end - off);
  return len;
}

/** Reads the header at `off`, checking that the message fits in `end`. */
export function readMessage(buf: Uint8Array, view: DataView, off: number, end: number): NlMsg {
  const len = messageLength(view, off, end);
  return {
    type: view.getUint16(off + 4, true),
    flags: view.getUint16(off + 6, true),
    seq: view.getUint32(off + 8, true),
    pid: view.getUint32(off + 12, true),
    buf,
    view,
    start: off,
    end: off + len,
  };
}

/**
 * {@link readMessage} into `m`, an object reused from message to message
 * (a dump of 100,000 entries then makes no header object per entry); returns `m`.
 */
export function readMessageInto(m: NlMsg, buf: Uint8Array, view: DataView, off: number, end: number): NlMsg {
  const len = messageLength(view, off, end);
  m.type = view.getUint16(off + 4, true);
  m.flags = view.getUint16(off + 6, true);
  m.seq = view.getUint32(off + 8, true);
  m.pid = view.getUint32(off + 12, true);
  m.buf = buf;
  m.view = view;
  m.start = off;
  m.end = off + len;
  return m;
}

/** A copy of `m` (the header fields; the bytes are shared). */
export function copyMessage(m: NlMsg): NlMsg {
  return {
    type: m.type,
    flags: m.flags,
    seq: m.seq,
    pid: m.pid,
    buf: m.buf,
    view: m.view,
    start: m.start,
    end: m.end,
  };
}

/**
 * Calls `fn` for each message in `buf[off, end)`. Returning `false` from
 * `fn` stops the walk. Throws on a malformed frame.
 */
export function forEachMessage(
  buf: Uint8Array,
  view: DataView,
  off: number,
  end: number,
  fn: (m: NlMsg) => boolean | void,
): void {
  while (off < end) {
    const m = readMessage(buf, view, off, end);
    if (fn(m) === false) return;
    off = align4(m.end);
  }
}

/** Sets the sequence number and port id of a finished request in place. */
export function stampMessage(msg: Uint8Array, seq: number, pid = 0): void {
  // Byte by byte, not through a DataView: a batch stamps thousands, and in Bun each view of a
  // fresh array first turns its storage into an ArrayBuffer.
  msg[8] = seq;
  msg[9] = seq >>> 8;
  msg[10] = seq >>> 16;
  msg[11] = seq >>> 24;
  msg[12] = pid;
  msg[13] = pid >>> 8;
  msg[14] = pid >>> 16;
  msg[15] = pid >>> 24;
}
