/**
 * Buffers for reading many datagrams in one call (`recvmmsg(2)`): one slot
 * per datagram, each with its length, flags and sender address. The
 * runtime's `Sys` makes them (with the C `struct mmsghdr` array
 * behind them); {@link receiveEach} is the one-`recvfrom`-per-slot
 * equivalent for stand-ins that have no real socket.
 *
 * @module
 */

/** `count` slots of `size` bytes that one `recvmmsg` fills in order. */
export interface DatagramVector {
  /** Slot `i` receives datagram `i`. */
  readonly slots: readonly Uint8Array[];
  /** The sender's `struct sockaddr_nl` of each datagram (12 bytes). */
  readonly addrs: readonly Uint8Array[];
  /** Length of each datagram read: its full length when `MSG_TRUNC` was asked for, which may exceed the slot. */
  readonly lengths: Uint32Array;
  /** `msg_flags` of each datagram read (`MSG_TRUNC` when it did not fit). */
  readonly flags: Int32Array;
}

/** `MSG_TRUNC`, also the `msg_flags` bit of a datagram cut short. */
export const MSG_TRUNC = 0x20;
/** Bytes of a `struct sockaddr_nl`. */
export const SOCKADDR_NL = 12;

/** A vector over plain buffers, for {@link receiveEach}. */
export function plainDatagramVector(count: number, size: number): DatagramVector {
  return {
    slots: Array.from({ length: count }, () => new Uint8Array(size)),
    addrs: Array.from({ length: count }, () => new Uint8Array(SOCKADDR_NL)),
    lengths: new Uint32Array(count),
    flags: new Int32Array(count),
  };
}

/** The one call {@link receiveEach} needs: `recvfrom(2)` returning a length or `-errno` (as `Sys.recvfrom`). */
export interface RecvFrom {
  /** Reads one datagram into `buf`, its sender into `addr`. */
  recvfrom(fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array): number;
}

/** Fills `vec` with one `recvfrom` per slot, as `recvmmsg` would; returns the count read or `-errno` of the first. */
export function receiveEach(sys: RecvFrom, fd: number, vec: DatagramVector, flags: number): number {
  let i = 0;
  for (; i < vec.slots.length; i++) {
    const slot = vec.slots[i];
    const n = sys.recvfrom(fd, slot, slot.length, flags, vec.addrs[i]);
    if (n < 0) return i > 0 ? i : n; // like recvmmsg: an error after the first datagram waits for the next call
    vec.lengths[i] = n;
    vec.flags[i] = n > slot.length && flags & MSG_TRUNC ? MSG_TRUNC : 0;
  }
  return i;
}
