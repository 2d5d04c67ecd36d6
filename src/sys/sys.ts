/**
 * The `Sys` interface: the few libc calls the transport and namespace code
 * need, independent of the runtime's FFI.
 *
 * @module
 */

import { errnoName, errnoText } from "./errno.ts";
import { InvalidArgumentError, NlkitError, PermissionError } from "../errors.ts";
import { type DatagramVector, SOCKADDR_NL } from "./mmsg.ts";

/** A failed system call, with its errno; `operation` is the call. */
export class SysError extends NlkitError {
  /** Positive errno. */
  readonly errno: number;
  /** The call that failed. */
  readonly syscall: string;
  /** Creates the error; `detail` says what the call was doing. */
  constructor(syscall: string, errno: number, detail = "") {
    super(
      `${syscall}${detail ? ` ${detail}` : ""} failed: ${errnoText(errno)} (${errnoName(errno)})`,
      errnoName(errno),
      syscall,
    );
    this.name = "SysError";
    this.errno = errno;
    this.syscall = syscall;
  }
}

/** Calls that EPERM refuses for want of CAP_SYS_ADMIN (namespace switches and mounts). */
const NEEDS_SYS_ADMIN = new Set(["setns", "unshare", "mount", "umount2"]);

/** The error of a failed call: a {@link PermissionError} for EPERM on a namespace call, else a {@link SysError}. */
function callError(syscall: string, errno: number, detail?: string): Error {
  if (errno === 1 && NEEDS_SYS_ADMIN.has(syscall)) {
    return new PermissionError(errno, {}, 0, `${syscall}${detail ? ` ${detail}` : ""}`, "CAP_SYS_ADMIN");
  }
  return new SysError(syscall, errno, detail);
}

/**
 * The libc calls nlkit makes. Calls that fail throw {@link SysError}, except
 * `recvfrom`, `sendto`, `read` and `write`, which return `-errno` so that
 * EAGAIN costs no exception on the hot path.
 */
export interface Sys {
  /** Which runtime's FFI backs this. */
  readonly runtime: "deno" | "bun";
  /** `socket(2)`. */
  socket(domain: number, type: number, protocol: number): number;
  /** `bind(2)`. */
  bind(fd: number, addr: Uint8Array): void;
  /** `getsockname(2)` into `addr`. */
  getsockname(fd: number, addr: Uint8Array): void;
  /** `sendto(2)`: bytes sent or `-errno`. */
  sendto(fd: number, buf: Uint8Array, flags: number, addr: Uint8Array | null): number;
  /** `recvfrom(2)`: length or `-errno`; the sender's address lands in `addr`. */
  recvfrom(fd: number, buf: Uint8Array | null, len: number, flags: number, addr: Uint8Array | null): number;
  /**
   * `recvmsg(2)` into one buffer, with ancillary data: length or `-errno`.
   * Fills `msg.addr` (the sender), `msg.control` (control messages; their
   * length lands in `msg.controlLength`) and `msg.flags` (`msg_flags`).
   */
  recvmsg(fd: number, msg: RecvMsg, flags: number): number;
  /** `setsockopt(2)` with an int value. */
  setsockoptInt(fd: number, level: number, name: number, value: number): void;
  /** `setsockopt(2)` with a struct value (multicast routing's `vifctl`, `mfcctl`, ...). */
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): void;
  /** `getsockopt(2)` of an int value. */
  getsockoptInt(fd: number, level: number, name: number): number;
  /** `close(2)`. */
  close(fd: number): void;
  /** `read(2)`: length or `-errno`. */
  read(fd: number, buf: Uint8Array): number;
  /** `write(2)`: length or `-errno`. */
  write(fd: number, buf: Uint8Array): number;
  /** `eventfd(2)`. */
  eventfd(initval: number, flags: number): number;
  /** `open(2)`. */
  open(path: string, flags: number, mode?: number): number;
  /** `mkdir(2)`; returns `-errno` so EEXIST can be ignored. */
  mkdir(path: string, mode: number): number;
  /** `unlink(2)`. */
  unlink(path: string): void;
  /** `setns(2)`. */
  setns(fd: number, nstype: number): void;
  /** `unshare(2)`. */
  unshare(flags: number): void;
  /** `mount(2)`. */
  mount(source: string, target: string, fstype: string, flags: number): void;
  /** `umount2(2)`. */
  umount2(target: string, flags: number): void;
  /** `ioctl(2)` with a pointer argument (a struct the kernel reads and may write back). */
  ioctlPtr(fd: number, request: number, arg: Uint8Array): void;
  /** `ioctl(2)` with an integer argument passed by value. */
  ioctlInt(fd: number, request: number, value: number): void;
  /**
   * `bpf(2)`: runs command `cmd` on `attr` (a `union bpf_attr`) and returns
   * its result (an fd or 0). Each `[offset, bytes]` of `pointers` first
   * writes the address of `bytes` into `attr` at `offset` (a u64), for
   * fields such as `pathname`; those bytes only need to live through the
   * call.
   */
  bpf(cmd: number, attr: Uint8Array, pointers?: readonly (readonly [number, Uint8Array])[]): number;
  /** `getpid(2)`. */
  getpid(): number;
  /** `gettid(2)`. */
  gettid(): number;
  /**
   * `getnameinfo(3)` of an IPv4 or IPv6 address (its 4 or 16 bytes), with
   * `NI_NAMEREQD`: the host name (from `/etc/hosts` or DNS, as nsswitch
   * says), or undefined when there is none. Blocks while the resolver asks.
   */
  hostName(addr: Uint8Array): string | undefined;
  /**
   * `getaddrinfo(3)` of `name` for IPv4 (`4`) or IPv6 (`6`) datagram
   * sockets, as nft asks it: each address's 4 or 16 bytes, or libc's words
   * for why there is none (`gai_strerror`). Reads `/etc/hosts` or DNS, as
   * nsswitch says, and blocks while the resolver asks.
   */
  hostAddresses(name: string, family: 4 | 6): Uint8Array[] | string;
  /**
   * `poll(2)` off the JS thread: resolves when a descriptor in `fds` (an
   * array of `struct pollfd`) is ready. Never reads errno.
   */
  pollAsync(fds: Uint8Array, nfds: number): Promise<number>;
  /** Buffers for {@link recvmmsg}: `count` slots of `size` bytes. */
  datagramVector(count: number, size: number): DatagramVector;
  /**
   * `recvmmsg(2)` into a vector this Sys made: datagrams read (their
   * lengths, flags and senders in `vec`), or `-errno` when none was.
   */
  recvmmsg(fd: number, vec: DatagramVector, flags: number): number;
}

/** The buffers of one {@link Sys.recvmsg} call; reusable, the call writes its results back. */
export interface RecvMsg {
  /** Where the datagram lands. */
  buf: Uint8Array;
  /** `struct sockaddr` of the sender. */
  addr: Uint8Array;
  /** Room for control messages. */
  control: Uint8Array;
  /** Out: bytes of `control` the kernel filled (`msg_controllen`). */
  controlLength: number;
  /** Out: `msg_flags` (`MSG_TRUNC`, `MSG_CTRUNC`). */
  flags: number;
}

// struct msghdr and struct iovec on LP64 (x86_64, aarch64, riscv64).
const MSGHDR_SIZE = 56;
const IOVEC_SIZE = 16;

const encoder = new TextEncoder();

/** A NUL-terminated copy of `s` for a `const char *` parameter. */
export function cString(s: string): Uint8Array {
  const b = encoder.encode(s + "\0");
  return b;
}

/**
 * Shared wrapper around raw symbol calls: both runtimes' symbols return the
 * same C results, and errno is read right after each synchronous call.
 */
export interface RawLibc {
  /** Calls a symbol with FFI-ready arguments. */
  // deno-lint-ignore no-explicit-any
  readonly fn: Record<string, (...args: any[]) => any>;
  /** Reads the calling thread's errno. */
  errno(): number;
  /** The address of a buffer's first byte, for pointers inside structs. */
  address(buf: Uint8Array): bigint;
  /**
   * A `size_t` argument as this runtime's FFI passes it fastest: Deno
   * takes a BigInt on its fast path (a number costs a slow call, about
   * 0.8 µs), Bun a number.
   */
  size(n: number): number | bigint;
  /** `SYS_bpf` on this architecture, undefined where unknown. */
  readonly sysBpf: number | undefined;
}

/** Builds a {@link Sys} on top of raw symbol calls. */
export function makeSys(runtime: "deno" | "bun", raw: RawLibc, pollAsync: Sys["pollAsync"]): Sys {
  const f = raw.fn;
  const check = (r: number, name: string, detail?: string): number => {
    if (r < 0) throw callError(name, raw.errno(), detail);
    return r;
  };
  const neg = (r: number): number => (r < 0 ? -raw.errno() : r);
  const int = new Uint8Array(4);
  const intView = new DataView(int.buffer);
  const lenBuf = new Uint8Array(4);
  const lenView = new DataView(lenBuf.buffer);
  const msghdr = new Uint8Array(MSGHDR_SIZE);
  const msgView = new DataView(msghdr.buffer);
  const iovec = new Uint8Array(IOVEC_SIZE);
  const iovView = new DataView(iovec.buffer);
  return {
    runtime,
    socket: (d, t, p) => check(f.socket(d, t, p), "socket"),
    bind: (fd, addr) => void check(f.bind(fd, addr, addr.length), "bind"),
    getsockname: (fd, addr) => {
      lenView.setUint32(0, addr.length, true);
      check(f.getsockname(fd, addr, lenBuf), "getsockname");
    },
    sendto: (fd, buf, flags, addr) => neg(f.sendto(fd, buf, raw.size(buf.length), flags, addr, addr ? addr.length : 0)),
    recvfrom: (fd, buf, len, flags, addr) => {
      if (addr) lenView.setUint32(0, addr.length, true);
      return neg(f.recvfrom(fd, buf, raw.size(len), flags, addr, addr ? lenBuf : null));
    },
    recvmsg: (fd, msg, flags) => {
      iovView.setBigUint64(0, raw.address(msg.buf), true);
      iovView.setBigUint64(8, BigInt(msg.buf.length), true);
      msgView.setBigUint64(0, raw.address(msg.addr), true); // msg_name
      msgView.setUint32(8, msg.addr.length, true); // msg_namelen
      msgView.setBigUint64(16, raw.address(iovec), true); // msg_iov
      msgView.setBigUint64(24, 1n, true); // msg_iovlen
      msgView.setBigUint64(32, raw.address(msg.control), true); // msg_control
      msgView.setBigUint64(40, BigInt(msg.control.length), true); // msg_controllen
      msgView.setInt32(48, 0, true); // msg_flags
      const n = neg(f.recvmsg(fd, msghdr, flags));
      msg.controlLength = n < 0 ? 0 : Number(msgView.getBigUint64(40, true));
      msg.flags = n < 0 ? 0 : msgView.getInt32(48, true);
      return n;
    },
    setsockoptInt: (fd, level, name, value) => {
      intView.setInt32(0, value, true);
      check(f.setsockopt(fd, level, name, int, 4), "setsockopt", `(option ${name})`);
    },
    setsockopt: (fd, level, name, value) =>
      void check(f.setsockopt(fd, level, name, value, value.length), "setsockopt", `(option ${name})`),
    getsockoptInt: (fd, level, name) => {
      lenView.setUint32(0, 4, true);
      check(f.getsockopt(fd, level, name, int, lenBuf), "getsockopt", `(option ${name})`);
      return intView.getInt32(0, true);
    },
    close: (fd) => void check(f.close(fd), "close"),
    read: (fd, buf) => neg(f.read(fd, buf, raw.size(buf.length))),
    write: (fd, buf) => neg(f.write(fd, buf, raw.size(buf.length))),
    eventfd: (init, flags) => check(f.eventfd(init, flags), "eventfd"),
    open: (path, flags, mode = 0) => check(f.open(cString(path), flags, mode), "open", path),
    mkdir: (path, mode) => neg(f.mkdir(cString(path), mode)),
    unlink: (path) => void check(f.unlink(cString(path)), "unlink", path),
    setns: (fd, nstype) => void check(f.setns(fd, nstype), "setns"),
    unshare: (flags) => void check(f.unshare(flags), "unshare"),
    mount: (source, target, fstype, flags) =>
      void check(f.mount(cString(source), cString(target), cString(fstype), flags, null), "mount", target),
    umount2: (target, flags) => void check(f.umount2(cString(target), flags), "umount2", target),
    ioctlPtr: (fd, request, arg) =>
      void check(f.ioctl(fd, BigInt(request), arg), "ioctl", `(0x${request.toString(16)})`),
    ioctlInt: (fd, request, value) =>
      void check(f.ioctl_int(fd, BigInt(request), BigInt(value)), "ioctl", `(0x${request.toString(16)})`),
    bpf: (cmd, attr, pointers = []) => {
      if (raw.sysBpf === undefined) throw new SysError("bpf", 38, "(SYS_bpf unknown on this architecture)");
      const v = new DataView(attr.buffer, attr.byteOffset, attr.byteLength);
      for (const [off, bytes] of pointers) v.setBigUint64(off, raw.address(bytes), true);
      return check(f.syscall_bpf(BigInt(raw.sysBpf), cmd, attr, attr.length), "bpf", `(command ${cmd})`);
    },
    getpid: () => f.getpid(),
    gettid: () => f.gettid(),
    hostName: (addr) => {
      const sa = sockaddrIn(addr);
      const host = new Uint8Array(NI_MAXHOST);
      if (f.getnameinfo(sa, sa.length, host, host.length, null, 0, NI_NAMEREQD) !== 0) return undefined;
      return new TextDecoder().decode(host.subarray(0, host.indexOf(0)));
    },
    hostAddresses: (name, family) => hostAddresses(raw, name, family),
    pollAsync,
    datagramVector: (count, size) => {
      const vec = nativeVector(raw, count, size);
      headers.set(vec.vec, vec.headers);
      return vec.vec;
    },
    recvmmsg: (fd, vec, flags) => {
      const h = headers.get(vec);
      if (!h) throw new InvalidArgumentError("Cannot receive into a datagram vector this Sys did not make");
      const count = vec.slots.length;
      for (let i = 0; i < count; i++) h.view.setUint32(i * MMSGHDR + 8, SOCKADDR_NL, true); // msg_namelen, in and out
      const n = f.recvmmsg(fd, h.bytes, count, flags, null);
      if (n < 0) return -raw.errno();
      for (let i = 0; i < n; i++) {
        vec.lengths[i] = h.view.getUint32(i * MMSGHDR + 56, true); // msg_len
        vec.flags[i] = h.view.getInt32(i * MMSGHDR + 48, true); // msg_hdr.msg_flags
      }
      return n;
    },
  };
}

const NI_MAXHOST = 1025;
const NI_NAMEREQD = 8;

/** `struct addrinfo` on LP64: flags, family, socktype, protocol, addrlen, then ai_addr (24) and ai_next (40). */
const ADDRINFO = 48;

function hostAddresses(raw: RawLibc, name: string, family: 4 | 6): Uint8Array[] | string {
  const f = raw.fn;
  const hints = new Uint8Array(ADDRINFO);
  const hv = new DataView(hints.buffer);
  hv.setInt32(4, family === 4 ? 2 : 10, true); // AF_INET, AF_INET6
  hv.setInt32(8, 2, true); // SOCK_DGRAM: one entry per address, not one per socket type
  const res = new Uint8Array(8);
  const code = f.getaddrinfo(cString(name), null, hints, res);
  if (code !== 0) {
    const text = BigInt(f.gai_strerror(code));
    const out = new Uint8Array(Number(f.strlen(text)));
    f.memcpy_from(out, text, raw.size(out.length));
    return new TextDecoder().decode(out);
  }
  const first = new DataView(res.buffer).getBigUint64(0, true);
  const out: Uint8Array[] = [];
  try {
    const ai = new Uint8Array(ADDRINFO);
    const av = new DataView(ai.buffer);
    for (let at = first; at !== 0n; at = av.getBigUint64(40, true)) {
      f.memcpy_from(ai, at, raw.size(ADDRINFO));
      const sa = new Uint8Array(av.getUint32(16, true));
      f.memcpy_from(sa, av.getBigUint64(24, true), raw.size(sa.length));
      out.push(family === 4 ? sa.slice(4, 8) : sa.slice(8, 24)); // sin_addr, sin6_addr
    }
  } finally {
    f.freeaddrinfo(first);
  }
  return out;
}

/** `struct sockaddr_in` (16 bytes) or `struct sockaddr_in6` (28) of an address, port 0. */
function sockaddrIn(addr: Uint8Array): Uint8Array {
  if (addr.length !== 4 && addr.length !== 16) {
    throw new InvalidArgumentError(`Cannot look up a ${addr.length}-byte address: expected 4 or 16 bytes`);
  }
  const v4 = addr.length === 4;
  const sa = new Uint8Array(v4 ? 16 : 28);
  new DataView(sa.buffer).setUint16(0, v4 ? 2 : 10, true); // AF_INET, AF_INET6
  sa.set(addr, v4 ? 4 : 8);
  return sa;
}

/** `struct mmsghdr` and `struct iovec` on 64-bit Linux (the only kind Deno and Bun run on). */
const MMSGHDR = 64;
const IOVEC = 16;

/** The C side of a vector: its `struct mmsghdr` array. */
interface Headers {
  bytes: Uint8Array;
  view: DataView;
}

const headers = new WeakMap<DatagramVector, Headers>();

/**
 * One buffer holding the `mmsghdr` array, the iovecs, the sender addresses
 * and the slots, so every pointer written into it stays valid (a large
 * `ArrayBuffer` never moves) as long as the vector lives.
 */
function nativeVector(raw: RawLibc, count: number, size: number): { vec: DatagramVector; headers: Headers } {
  const iovAt = count * MMSGHDR;
  const addrAt = iovAt + count * IOVEC;
  const slotAt = addrAt + count * 16;
  const all = new Uint8Array(slotAt + count * size);
  const view = new DataView(all.buffer);
  const base = raw.address(all);
  const slots: Uint8Array[] = [];
  const addrs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const h = i * MMSGHDR;
    const iov = iovAt + i * IOVEC;
    const addr = addrAt + i * 16;
    const slot = slotAt + i * size;
    view.setBigUint64(h, base + BigInt(addr), true); // msg_name
    view.setBigUint64(h + 16, base + BigInt(iov), true); // msg_iov
    view.setBigUint64(h + 24, 1n, true); // msg_iovlen
    view.setBigUint64(iov, base + BigInt(slot), true); // iov_base
    view.setBigUint64(iov + 8, BigInt(size), true); // iov_len
    slots.push(all.subarray(slot, slot + size));
    addrs.push(all.subarray(addr, addr + SOCKADDR_NL));
  }
  const vec = { slots, addrs, lengths: new Uint32Array(count), flags: new Int32Array(count) };
  return { vec, headers: { bytes: all.subarray(0, iovAt), view } };
}
