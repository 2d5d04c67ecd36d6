/**
 * ctnetlink attribute tables (`CTA_*`). Every conntrack attribute is
 * big-endian except the `CTA_FILTER_*` flag words; the tables say so once
 * and the table engine does the rest.
 *
 * @module
 */

import { TruncatedError } from "../../wire/errors.ts";
import type { Codec } from "../../wire/table.ts";

/** `IP_CT_*` status bits, by the names conntrack-tools and the kernel use. */
export const CT_STATUS_BITS = {
  0x1: "EXPECTED",
  0x2: "SEEN_REPLY",
  0x4: "ASSURED",
  0x8: "CONFIRMED",
  0x10: "SRC_NAT",
  0x20: "DST_NAT",
  0x40: "SEQ_ADJUST",
  0x80: "SRC_NAT_DONE",
  0x100: "DST_NAT_DONE",
  0x200: "DYING",
  0x400: "FIXED_TIMEOUT",
  0x800: "TEMPLATE",
  0x1000: "NAT_CLASH",
  0x2000: "HELPER",
  0x4000: "OFFLOAD",
  0x8000: "HW_OFFLOAD",
} as const;

/** `TCP_CONNTRACK_*` states. */
export const TCP_CONNTRACK_STATES = {
  0: "NONE",
  1: "SYN_SENT",
  2: "SYN_RECV",
  3: "ESTABLISHED",
  4: "FIN_WAIT",
  5: "CLOSE_WAIT",
  6: "LAST_ACK",
  7: "TIME_WAIT",
  8: "CLOSE",
  9: "SYN_SENT2",
} as const;

/** `SCTP_CONNTRACK_*` states. */
export const SCTP_CONNTRACK_STATES = {
  0: "NONE",
  1: "CLOSED",
  2: "COOKIE_WAIT",
  3: "COOKIE_ECHOED",
  4: "ESTABLISHED",
  5: "SHUTDOWN_SENT",
  6: "SHUTDOWN_RECD",
  7: "SHUTDOWN_ACK_SENT",
  8: "HEARTBEAT_SENT",
  9: "HEARTBEAT_ACKED",
} as const;

/** `CT_DCCP_*` states. */
export const DCCP_CONNTRACK_STATES = {
  0: "NONE",
  1: "REQUEST",
  2: "RESPOND",
  3: "PARTOPEN",
  4: "OPEN",
  5: "CLOSEREQ",
  6: "CLOSING",
  7: "TIMEWAIT",
  8: "IGNORE",
  9: "INVALID",
} as const;

/** Layer-4 protocol names conntrack-tools prints, by IP protocol number. */
export const CT_PROTO_NAMES = {
  1: "icmp",
  6: "tcp",
  17: "udp",
  33: "dccp",
  47: "gre",
  58: "icmpv6",
  132: "sctp",
  136: "udplite",
} as const;

/** `CTA_FILTER_F_*` bits (kernel `nf_internals.h`): which tuple fields a `CTA_FILTER` dump compares. */
export const CTA_FILTER_F = {
  CTA_FILTER_F_CTA_IP_SRC: 1 << 0,
  CTA_FILTER_F_CTA_IP_DST: 1 << 1,
  CTA_FILTER_F_CTA_TUPLE_ZONE: 1 << 2,
  CTA_FILTER_F_CTA_PROTO_NUM: 1 << 3,
  CTA_FILTER_F_CTA_PROTO_SRC_PORT: 1 << 4,
  CTA_FILTER_F_CTA_PROTO_DST_PORT: 1 << 5,
  CTA_FILTER_F_CTA_PROTO_ICMP_TYPE: 1 << 6,
  CTA_FILTER_F_CTA_PROTO_ICMP_CODE: 1 << 7,
  CTA_FILTER_F_CTA_PROTO_ICMP_ID: 1 << 8,
  CTA_FILTER_F_CTA_PROTO_ICMPV6_TYPE: 1 << 9,
  CTA_FILTER_F_CTA_PROTO_ICMPV6_CODE: 1 << 10,
  CTA_FILTER_F_CTA_PROTO_ICMPV6_ID: 1 << 11,
} as const;

/** A u64 big-endian value kept exact as a `bigint` (nanosecond timestamps exceed 2^53). */
export const U64BE_BIGINT: Codec<bigint> = {
  parse(_buf, view, start, end): bigint {
    if (end - start < 8) throw new TruncatedError("u64be attribute", start, 8, end - start);
    return view.getBigUint64(start, false);
  },
  build(b, value): void {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, value, false);
    b.raw(bytes);
  },
};

/** `CTA_IP_*`: addresses of a tuple. */
export const CTA_IP_TABLE = {
  v4Src: { type: 1, kind: "ip" }, // CTA_IP_V4_SRC
  v4Dst: { type: 2, kind: "ip" }, // CTA_IP_V4_DST
  v6Src: { type: 3, kind: "ip" }, // CTA_IP_V6_SRC
  v6Dst: { type: 4, kind: "ip" }, // CTA_IP_V6_DST
} as const;

/** `CTA_PROTO_*`: layer-4 part of a tuple. */
export const CTA_PROTO_TABLE = {
  num: { type: 1, kind: "u8" }, // CTA_PROTO_NUM
  srcPort: { type: 2, kind: "u16be" }, // CTA_PROTO_SRC_PORT
  dstPort: { type: 3, kind: "u16be" }, // CTA_PROTO_DST_PORT
  icmpId: { type: 4, kind: "u16be" }, // CTA_PROTO_ICMP_ID
  icmpType: { type: 5, kind: "u8" }, // CTA_PROTO_ICMP_TYPE
  icmpCode: { type: 6, kind: "u8" }, // CTA_PROTO_ICMP_CODE
  icmpv6Id: { type: 7, kind: "u16be" }, // CTA_PROTO_ICMPV6_ID
  icmpv6Type: { type: 8, kind: "u8" }, // CTA_PROTO_ICMPV6_TYPE
  icmpv6Code: { type: 9, kind: "u8" }, // CTA_PROTO_ICMPV6_CODE
} as const;

/** `CTA_TUPLE_*`: one direction of a connection. */
export const CTA_TUPLE_TABLE = {
  ip: { type: 1, kind: "nested", table: CTA_IP_TABLE }, // CTA_TUPLE_IP
  proto: { type: 2, kind: "nested", table: CTA_PROTO_TABLE }, // CTA_TUPLE_PROTO
  zone: { type: 3, kind: "u16be" }, // CTA_TUPLE_ZONE
} as const;

/** `struct nf_ct_tcp_flags`. */
export const NF_CT_TCP_FLAGS = { flags: "u8", mask: "u8" } as const;

/** `CTA_PROTOINFO_TCP_*`. */
export const CTA_PROTOINFO_TCP_TABLE = {
  state: { type: 1, kind: "u8", names: TCP_CONNTRACK_STATES }, // CTA_PROTOINFO_TCP_STATE
  wscaleOriginal: { type: 2, kind: "u8" }, // CTA_PROTOINFO_TCP_WSCALE_ORIGINAL
  wscaleReply: { type: 3, kind: "u8" }, // CTA_PROTOINFO_TCP_WSCALE_REPLY
  flagsOriginal: { type: 4, kind: "struct", struct: NF_CT_TCP_FLAGS }, // CTA_PROTOINFO_TCP_FLAGS_ORIGINAL
  flagsReply: { type: 5, kind: "struct", struct: NF_CT_TCP_FLAGS }, // CTA_PROTOINFO_TCP_FLAGS_REPLY
} as const;

/** `CTA_PROTOINFO_DCCP_*`. */
export const CTA_PROTOINFO_DCCP_TABLE = {
  state: { type: 1, kind: "u8", names: DCCP_CONNTRACK_STATES }, // CTA_PROTOINFO_DCCP_STATE
  role: { type: 2, kind: "u8" }, // CTA_PROTOINFO_DCCP_ROLE
  handshakeSeq: { type: 3, kind: "u64be" }, // CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ
} as const;

/** `CTA_PROTOINFO_SCTP_*`. */
export const CTA_PROTOINFO_SCTP_TABLE = {
  state: { type: 1, kind: "u8", names: SCTP_CONNTRACK_STATES }, // CTA_PROTOINFO_SCTP_STATE
  vtagOriginal: { type: 2, kind: "u32be" }, // CTA_PROTOINFO_SCTP_VTAG_ORIGINAL
  vtagReply: { type: 3, kind: "u32be" }, // CTA_PROTOINFO_SCTP_VTAG_REPLY
} as const;

/** `CTA_PROTOINFO_*`. */
export const CTA_PROTOINFO_TABLE = {
  tcp: { type: 1, kind: "nested", table: CTA_PROTOINFO_TCP_TABLE }, // CTA_PROTOINFO_TCP
  dccp: { type: 2, kind: "nested", table: CTA_PROTOINFO_DCCP_TABLE }, // CTA_PROTOINFO_DCCP
  sctp: { type: 3, kind: "nested", table: CTA_PROTOINFO_SCTP_TABLE }, // CTA_PROTOINFO_SCTP
} as const;

/** `CTA_COUNTERS_*`. */
export const CTA_COUNTERS_TABLE = {
  packets: { type: 1, kind: "u64be" }, // CTA_COUNTERS_PACKETS
  bytes: { type: 2, kind: "u64be" }, // CTA_COUNTERS_BYTES
  packets32: { type: 3, kind: "u32be" }, // CTA_COUNTERS32_PACKETS
  bytes32: { type: 4, kind: "u32be" }, // CTA_COUNTERS32_BYTES
} as const;

/** `CTA_TIMESTAMP_*`: nanoseconds since the epoch. */
export const CTA_TIMESTAMP_TABLE = {
  start: { type: 1, kind: "codec", codec: U64BE_BIGINT }, // CTA_TIMESTAMP_START
  stop: { type: 2, kind: "codec", codec: U64BE_BIGINT }, // CTA_TIMESTAMP_STOP
} as const;

/** `CTA_PROTONAT_*`: the port range of a NAT mapping. */
export const CTA_PROTONAT_TABLE = {
  portMin: { type: 1, kind: "u16be" }, // CTA_PROTONAT_PORT_MIN
  portMax: { type: 2, kind: "u16be" }, // CTA_PROTONAT_PORT_MAX
} as const;

/** `CTA_NAT_*`: a NAT mapping (`CTA_NAT_SRC`, `CTA_NAT_DST`). */
export const CTA_NAT_TABLE = {
  v4MinIp: { type: 1, kind: "ip" }, // CTA_NAT_V4_MINIP
  v4MaxIp: { type: 2, kind: "ip" }, // CTA_NAT_V4_MAXIP
  proto: { type: 3, kind: "nested", table: CTA_PROTONAT_TABLE }, // CTA_NAT_PROTO
  v6MinIp: { type: 4, kind: "ip" }, // CTA_NAT_V6_MINIP
  v6MaxIp: { type: 5, kind: "ip" }, // CTA_NAT_V6_MAXIP
} as const;

/** `CTA_SEQADJ_*` (also `CTA_NAT_SEQ_*`): TCP sequence adjustment of one direction. */
export const CTA_SEQADJ_TABLE = {
  correctionPos: { type: 1, kind: "u32be" }, // CTA_SEQADJ_CORRECTION_POS
  offsetBefore: { type: 2, kind: "u32be" }, // CTA_SEQADJ_OFFSET_BEFORE
  offsetAfter: { type: 3, kind: "u32be" }, // CTA_SEQADJ_OFFSET_AFTER
} as const;

/** `CTA_SYNPROXY_*`. */
export const CTA_SYNPROXY_TABLE = {
  isn: { type: 1, kind: "u32be" }, // CTA_SYNPROXY_ISN
  its: { type: 2, kind: "u32be" }, // CTA_SYNPROXY_ITS
  tsoff: { type: 3, kind: "u32be" }, // CTA_SYNPROXY_TSOFF
} as const;

/** `CTA_HELP_*`. */
export const CTA_HELP_TABLE = {
  name: { type: 1, kind: "string" }, // CTA_HELP_NAME
  info: { type: 2, kind: "bytes" }, // CTA_HELP_INFO
} as const;

/** `CTA_SECCTX_*`. */
export const CTA_SECCTX_TABLE = {
  name: { type: 1, kind: "string" }, // CTA_SECCTX_NAME
} as const;

/** `CTA_FILTER_*`: host-order flag words (`CTA_FILTER_F`). */
export const CTA_FILTER_TABLE = {
  origFlags: { type: 1, kind: "u32" }, // CTA_FILTER_ORIG_FLAGS
  replyFlags: { type: 2, kind: "u32" }, // CTA_FILTER_REPLY_FLAGS
} as const;

/** `CTA_*`: the top level of a conntrack message. */
export const CTA_TABLE = {
  tupleOrig: { type: 1, kind: "nested", table: CTA_TUPLE_TABLE }, // CTA_TUPLE_ORIG
  tupleReply: { type: 2, kind: "nested", table: CTA_TUPLE_TABLE }, // CTA_TUPLE_REPLY
  status: { type: 3, kind: "u32be" }, // CTA_STATUS
  protoinfo: { type: 4, kind: "nested", table: CTA_PROTOINFO_TABLE }, // CTA_PROTOINFO
  help: { type: 5, kind: "nested", table: CTA_HELP_TABLE }, // CTA_HELP
  natSrc: { type: 6, kind: "nested", table: CTA_NAT_TABLE }, // CTA_NAT_SRC
  timeout: { type: 7, kind: "u32be" }, // CTA_TIMEOUT
  mark: { type: 8, kind: "u32be" }, // CTA_MARK
  countersOrig: { type: 9, kind: "nested", table: CTA_COUNTERS_TABLE }, // CTA_COUNTERS_ORIG
  countersReply: { type: 10, kind: "nested", table: CTA_COUNTERS_TABLE }, // CTA_COUNTERS_REPLY
  use: { type: 11, kind: "u32be" }, // CTA_USE
  id: { type: 12, kind: "u32be" }, // CTA_ID
  natDst: { type: 13, kind: "nested", table: CTA_NAT_TABLE }, // CTA_NAT_DST
  tupleMaster: { type: 14, kind: "nested", table: CTA_TUPLE_TABLE }, // CTA_TUPLE_MASTER
  seqAdjOrig: { type: 15, kind: "nested", table: CTA_SEQADJ_TABLE }, // CTA_SEQ_ADJ_ORIG
  seqAdjReply: { type: 16, kind: "nested", table: CTA_SEQADJ_TABLE }, // CTA_SEQ_ADJ_REPLY
  secmark: { type: 17, kind: "u32be" }, // CTA_SECMARK
  zone: { type: 18, kind: "u16be" }, // CTA_ZONE
  secctx: { type: 19, kind: "nested", table: CTA_SECCTX_TABLE }, // CTA_SECCTX
  timestamp: { type: 20, kind: "nested", table: CTA_TIMESTAMP_TABLE }, // CTA_TIMESTAMP
  markMask: { type: 21, kind: "u32be" }, // CTA_MARK_MASK
  labels: { type: 22, kind: "bytes" }, // CTA_LABELS
  labelsMask: { type: 23, kind: "bytes" }, // CTA_LABELS_MASK
  synproxy: { type: 24, kind: "nested", table: CTA_SYNPROXY_TABLE }, // CTA_SYNPROXY
  filter: { type: 25, kind: "nested", table: CTA_FILTER_TABLE }, // CTA_FILTER
  statusMask: { type: 26, kind: "u32be" }, // CTA_STATUS_MASK
} as const;
