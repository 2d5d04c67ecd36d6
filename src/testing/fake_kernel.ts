/**
 * A scripted stand-in for the kernel behind the {@link Sys} interface:
 * each request the socket sends is answered by a function that returns the
 * datagrams the "kernel" queues. Lets transport logic be tested without root;
 * nlkit's own transport tests run on it.
 *
 * @module
 */

import type { Sys } from "../sys/sys.ts";
import { plainDatagramVector, receiveEach } from "../sys/mmsg.ts";
import { EAGAIN } from "../sys/errno.ts";

const MSG_PEEK = 2;

/**
 * One queued datagram, the port id it claims to come from and the
 * multicast group it was sent to; or, with `errno`, an error the next
 * receive reports instead (ENOBUFS after an overflow).
 */
export interface Datagram {
  /** The datagram: one or more netlink messages (see {@link datagram}). */
  bytes: Uint8Array;
  /** The sender's port id; default 0, the kernel. */
  from?: number;
  /** The multicast group bitmask it was sent to; default 0 (unicast). */
  groups?: number;
  /** An errno the receive reports instead of data (`ENOBUFS` is 105). */
  errno?: number;
  /** The namespace id `recvmsg` reports for it (`NETLINK_LISTEN_ALL_NSID`); default none (the socket's own). */
  nsid?: number;
}

/** Port id the fake kernel assigns. */
export const FAKE_PORT = 4242;

/** Answers each request message (its bytes, with seq stamped) with datagrams. */
export type Responder = (request: Uint8Array, seq: number) => Datagram[];

/** Builds a netlink message: header fields plus a payload. */
export function frame(type: number, flags: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const len = 16 + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint32(0, len, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  out.set(payload, 16);
  return out;
}

/** An `NLMSG_ERROR` answering `seq` (errno 0 is an ack), with the request header echoed. */
export function errorFrame(seq: number, errno: number, type = 0x20): Uint8Array {
  const p = new Uint8Array(20);
  new DataView(p.buffer).setInt32(0, -errno, true);
  p.set(frame(type, 0, seq).subarray(0, 16), 4);
  return frame(2, 0x100, seq, p); // NLMSG_ERROR, NLM_F_CAPPED
}

/** Concatenates messages into one datagram. */
export function datagram(...msgs: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(msgs.reduce((n, m) => n + m.length, 0));
  let off = 0;
  for (const m of msgs) {
    out.set(m, off);
    off += m.length;
  }
  return out;
}

/** The fake's handle: what was sent, what is queued, and held-back replies. */
export interface FakeSys extends Sys {
  /** Datagrams the socket can read now. */
  queue: Datagram[];
  /** Every request message sent, in order. */
  sent: Uint8Array[];
  /** How many datagrams were sent (a batch packs several messages into one). */
  datagrams: number;
  /** With `deferred`, replies wait here until {@link release}d. */
  held: Datagram[];
  /** Queues the held reply at `index` and wakes a poll, as a late kernel reply would. */
  release(index: number): void;
}

/**
 * A fake {@link Sys} whose netlink "kernel" is `respond`. With `deferred`
 * the replies are held back (the socket sees EAGAIN and waits on the
 * poller) until the test releases them.
 */
export function fakeSys(respond: Responder, deferred = false): FakeSys {
  const queue: Datagram[] = [];
  const sent: Uint8Array[] = [];
  const held: Datagram[] = [];
  const opts = new Map<number, number>([[7, 212992], [8, 212992]]); // SO_SNDBUF, SO_RCVBUF
  let wake: (() => void) | undefined;
  let woken = false; // the eventfd was written
  const SOCKET_FD = 100, EVENT_FD = 101;
  const unsupported = () => {
    throw new Error("Not supported by the fake kernel");
  };
  const sys: FakeSys = {
    runtime: "deno",
    queue,
    sent,
    held,
    datagrams: 0,
    release: (index) => {
      queue.push(...held.splice(index, 1));
      wake?.();
    },
    socket: () => SOCKET_FD,
    bind: () => {},
    getsockname: (_fd, addr) => new DataView(addr.buffer).setUint32(4, FAKE_PORT, true),
    sendto: (_fd, buf) => {
      sys.datagrams++;
      const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      for (let off = 0; off < buf.length;) {
        const len = v.getUint32(off, true);
        const copy = buf.slice(off, off + len);
        sent.push(copy);
        (deferred ? held : queue).push(...respond(copy, new DataView(copy.buffer).getUint32(8, true)));
        off += (len + 3) & ~3;
      }
      return buf.length;
    },
    recvmsg: (fd, msg, flags) => {
      const d = queue[0];
      const n = sys.recvfrom(fd, msg.buf, msg.buf.length, flags, msg.addr);
      msg.flags = n > msg.buf.length ? 0x20 : 0; // MSG_TRUNC
      msg.controlLength = 0;
      if (n >= 0 && d?.nsid !== undefined) {
        const v = new DataView(msg.control.buffer, msg.control.byteOffset);
        v.setBigUint64(0, 20n, true); // CMSG_LEN(sizeof(int))
        v.setInt32(8, 270, true); // SOL_NETLINK
        v.setInt32(12, 8, true); // NETLINK_LISTEN_ALL_NSID
        v.setInt32(16, d.nsid, true);
        msg.controlLength = 24;
      }
      return n;
    },
    recvfrom: (_fd, buf, len, flags, addr) => {
      const d = queue[0];
      if (!d) return -EAGAIN;
      if (!(flags & MSG_PEEK)) queue.shift();
      if (d.errno) return -d.errno;
      if (buf) buf.set(d.bytes.subarray(0, Math.min(len, d.bytes.length)));
      if (addr) {
        new DataView(addr.buffer).setUint32(4, d.from ?? 0, true);
        new DataView(addr.buffer).setUint32(8, d.groups ?? 0, true);
      }
      return d.bytes.length;
    },
    setsockoptInt: (_fd, level, name, value) => {
      if (level === 1 && (name === 32 || name === 33)) opts.set(name - 25, value * 2); // *BUFFORCE, doubled
    },
    setsockopt: unsupported,
    getsockoptInt: (_fd, _level, name) => opts.get(name) ?? 0,
    close: () => {},
    read: () => -EAGAIN,
    write: (fd, buf) => {
      if (fd === EVENT_FD) {
        woken = true;
        wake?.();
      }
      return buf.length;
    },
    eventfd: () => EVENT_FD,
    open: unsupported,
    mkdir: unsupported,
    unlink: unsupported,
    setns: unsupported,
    unshare: unsupported,
    mount: unsupported,
    umount2: unsupported,
    ioctlPtr: unsupported,
    ioctlInt: unsupported,
    bpf: unsupported,
    getpid: () => 1,
    gettid: () => 1,
    hostName: unsupported,
    hostAddresses: unsupported,
    datagramVector: plainDatagramVector,
    recvmmsg: (fd, vec, flags) => receiveEach(sys, fd, vec, flags),
    pollAsync: (fds, nfds) =>
      new Promise((resolve) => {
        const check = () => {
          const v = new DataView(fds.buffer, fds.byteOffset);
          let ready = 0;
          for (let i = 0; i < nfds; i++) {
            const fd = v.getInt32(i * 8, true);
            const on = fd === EVENT_FD ? woken : fd === SOCKET_FD && queue.length > 0;
            v.setInt16(i * 8 + 6, on ? 1 : 0, true);
            if (on) ready++;
          }
          if (!ready) return void (wake = check);
          woken = false;
          wake = undefined;
          resolve(ready);
        };
        check();
      }),
  };
  return sys;
}
