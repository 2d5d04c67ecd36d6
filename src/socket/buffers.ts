/**
 * The kernel's buffers of a socket: their sizes, and raising them (forced
 * past `net.core.rmem_max` when the process may).
 *
 * @module
 */

import { type Sys, SysError } from "../sys/sys.ts";

const SOL_SOCKET = 1;
/** `SO_SNDBUF`, `SO_RCVBUF`: a buffer by its option. */
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
const SO_SNDBUFFORCE = 32;
const SO_RCVBUFFORCE = 33;

/** The size in bytes of the buffer `which` (`SO_SNDBUF` or `SO_RCVBUF`) as `getsockopt` reports it. */
export function bufferSize(sys: Sys, fd: number, which: number): number {
  return sys.getsockoptInt(fd, SOL_SOCKET, which);
}

/** Sets the buffer `which` to `bytes`: forced if allowed, else capped by the sysctl maximum. */
export function setBuffer(sys: Sys, fd: number, which: number, bytes: number): void {
  try {
    sys.setsockoptInt(fd, SOL_SOCKET, which === SO_SNDBUF ? SO_SNDBUFFORCE : SO_RCVBUFFORCE, bytes);
  } catch (e) {
    if (!(e instanceof SysError) || e.code !== "EPERM") throw e;
    sys.setsockoptInt(fd, SOL_SOCKET, which, bytes); // capped by net.core.rmem_max without CAP_NET_ADMIN
  }
}
