/**
 * Control messages (`struct cmsghdr`, LP64 layout) of a received datagram:
 * the one netlink sends is the namespace id of the datagram's origin under
 * `NETLINK_LISTEN_ALL_NSID`.
 *
 * @module
 */

import { NETLINK_LISTEN_ALL_NSID, SOL_NETLINK } from "../wire/constants.ts";

/** `sizeof(struct cmsghdr)` on LP64: `size_t cmsg_len`, `int cmsg_level`, `int cmsg_type`. */
const CMSG_HDR = 16;

/** Bytes of control data a datagram's namespace id needs (`CMSG_SPACE(sizeof(int))`, with room to spare). */
export const NSID_CONTROL_SPACE = 64;

/**
 * The namespace id in the control messages `control[0, length)`, as
 * iproute2's `rtnl_listen` reads it (the last `SOL_NETLINK`
 * `NETLINK_LISTEN_ALL_NSID` message of exactly `CMSG_LEN(sizeof(int))`
 * bytes), or undefined when there is none: the datagram comes from the
 * socket's own namespace. A malformed list ends the walk.
 */
export function nsidOfControl(control: Uint8Array, length: number): number | undefined {
  const v = new DataView(control.buffer, control.byteOffset, Math.min(length, control.length));
  let nsid: number | undefined;
  for (let off = 0; off + CMSG_HDR <= v.byteLength;) {
    const len = Number(v.getBigUint64(off, true));
    if (len < CMSG_HDR || off + len > v.byteLength) break;
    if (v.getInt32(off + 8, true) === SOL_NETLINK && v.getInt32(off + 12, true) === NETLINK_LISTEN_ALL_NSID) {
      if (len === CMSG_HDR + 4) nsid = v.getInt32(off + CMSG_HDR, true);
    }
    off += (len + 7) & ~7;
  }
  return nsid !== undefined && nsid >= 0 ? nsid : undefined;
}
