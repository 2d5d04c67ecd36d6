/**
 * Netlink protocol constants, named as in `<linux/netlink.h>`.
 *
 * @module
 */

/** Routing and device hooks (rtnetlink). */
export const NETLINK_ROUTE = 0;
/** Socket monitoring. */
export const NETLINK_SOCK_DIAG = 4;
/** IPsec (XFRM). */
export const NETLINK_XFRM = 6;
/** Netfilter subsystems (nfnetlink). */
export const NETLINK_NETFILTER = 12;
/** Generic netlink. */
export const NETLINK_GENERIC = 16;

/** Bytes in a `struct nlmsghdr`. */
export const NLMSG_HDRLEN = 16;
/** Bytes in a `struct nlattr` header. */
export const NLA_HDRLEN = 4;

/** No operation: the message is ignored. */
export const NLMSG_NOOP = 1;
/** An error or acknowledgement (`struct nlmsgerr`). */
export const NLMSG_ERROR = 2;
/** End of a multi-part dump; carries an int error code. */
export const NLMSG_DONE = 3;
/** Data lost. */
export const NLMSG_OVERRUN = 4;
/** First type that is not a control message. */
export const NLMSG_MIN_TYPE = 0x10;

/** The message is a request. */
export const NLM_F_REQUEST = 0x01;
/** Part of a multi-part message terminated by `NLMSG_DONE`. */
export const NLM_F_MULTI = 0x02;
/** Reply with an acknowledgement. */
export const NLM_F_ACK = 0x04;
/** Echo this request back. */
export const NLM_F_ECHO = 0x08;
/** The dump was inconsistent because the object set changed while it ran. */
export const NLM_F_DUMP_INTR = 0x10;
/** The dump was filtered as requested. */
export const NLM_F_DUMP_FILTERED = 0x20;
/** GET modifier: return the whole table. */
export const NLM_F_ROOT = 0x100;
/** GET modifier: return all matching entries. */
export const NLM_F_MATCH = 0x200;
/** GET modifier: `NLM_F_ROOT | NLM_F_MATCH`. */
export const NLM_F_DUMP = 0x300;
/** NEW modifier: replace an existing object. */
export const NLM_F_REPLACE = 0x100;
/** NEW modifier: fail if the object exists. */
export const NLM_F_EXCL = 0x200;
/** NEW modifier: create if it does not exist. */
export const NLM_F_CREATE = 0x400;
/** NEW modifier: append to the end of a list. */
export const NLM_F_APPEND = 0x800;
/** ACK flag: the echoed request was cut to its header. */
export const NLM_F_CAPPED = 0x100;
/** ACK flag: extended-ack TLVs follow. */
export const NLM_F_ACK_TLVS = 0x200;

/** Attribute flag: the payload is nested attributes. */
export const NLA_F_NESTED = 0x8000;
/** Attribute flag: the payload is in network byte order. */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** Mask that strips the flag bits from an attribute type. */
export const NLA_TYPE_MASK = 0x3fff;

/** Extended ack: human-readable error message. */
export const NLMSGERR_ATTR_MSG = 1;
/** Extended ack: offset of the offending attribute in the request. */
export const NLMSGERR_ATTR_OFFS = 2;
/** Extended ack: opaque cookie. */
export const NLMSGERR_ATTR_COOKIE = 3;
/** Extended ack: policy of the rejected attribute. */
export const NLMSGERR_ATTR_POLICY = 4;
/** Extended ack: type of a missing attribute. */
export const NLMSGERR_ATTR_MISS_TYPE = 5;
/** Extended ack: offset of the nest that lacks an attribute. */
export const NLMSGERR_ATTR_MISS_NEST = 6;

/** Socket option level for netlink (`SOL_NETLINK`). */
export const SOL_NETLINK = 270;
/** Join a multicast group. */
export const NETLINK_ADD_MEMBERSHIP = 1;
/** Leave a multicast group. */
export const NETLINK_DROP_MEMBERSHIP = 2;
/** Report delivery failures to broadcast senders. */
export const NETLINK_BROADCAST_ERROR = 4;
/** Do not report ENOBUFS on overrun. */
export const NETLINK_NO_ENOBUFS = 5;
/** Receive events from every peer namespace. */
export const NETLINK_LISTEN_ALL_NSID = 8;
/** Do not echo the request in acknowledgements. */
export const NETLINK_CAP_ACK = 10;
/** Attach extended-ack TLVs to errors. */
export const NETLINK_EXT_ACK = 11;
/** Strict checking of GET requests (enables kernel-side dump filters). */
export const NETLINK_GET_STRICT_CHK = 12;

/** Rounds up to the 4-byte netlink alignment. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}
