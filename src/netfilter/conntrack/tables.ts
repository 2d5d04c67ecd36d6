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

/** Picks the ICMPv6 form of an ICMP field when building a tuple of an ICMPv6 entry. */
const ICMPV6 = { key: "protoNum", is: 58 } as const;

/** The kernel's helper names: at most 15 printable bytes (`NF_CT_HELPER_NAME_LEN`). */
const HELPER_NAME = { re: /^[\x21-\x7e]{1,15}$/, what: "1 to 15 printable characters" } as const;

/** Connection labels of an entry. */
export interface ConntrackLabels {
  /** The bitmap as the kernel sent it. */
  bytes: Uint8Array;
  /** Numbers of the set bits (0 to 127). */
  bits: number[];
}

/**
 * Lists the numbers of the set bits of a label bitmap: bit n is bit
 * (n % 8) of byte (n / 8). The kernel sends its array of host-order longs
 * as is, so this numbering (and `labelBytes`, which packs the same way) is
 * right on little-endian machines only, which is what nlkit runs on
 * (x86-64, arm64); conntrack-tools numbers the bits the same way there.
 */
export function labelBits(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    for (let b = 0; b < 8; b++) if (bytes[i] & (1 << b)) out.push(i * 8 + b);
  }
  return out;
}

/** `CTA_LABELS` in an entry: the bitmap and the numbers of its bits. */
export const CT_LABELS = {
  toPublic: (bytes: Uint8Array): ConntrackLabels => ({ bytes, bits: labelBits(bytes) }),
  toWire: (labels: ConntrackLabels): Uint8Array => labels.bytes,
} as const;

/** `CTA_IP_*`: addresses of a tuple. */
export const CTA_IP_TABLE = {
  v4Src: { type: 1, kind: "ip", uapi: "CTA_IP_V4_SRC", key: "src", width: 4, default: "" },
  v4Dst: { type: 2, kind: "ip", uapi: "CTA_IP_V4_DST", key: "dst", width: 4, default: "" },
  v6Src: { type: 3, kind: "ip", uapi: "CTA_IP_V6_SRC", key: "src", width: 16 },
  v6Dst: { type: 4, kind: "ip", uapi: "CTA_IP_V6_DST", key: "dst", width: 16 },
} as const;

/** `CTA_PROTO_*`: layer-4 part of a tuple. */
export const CTA_PROTO_TABLE = {
  num: {
    type: 1,
    kind: "u8",
    uapi: "CTA_PROTO_NUM",
    key: "protoNum",
    hoist: true,
    default: 0,
    named: { key: "proto", names: CT_PROTO_NAMES, fallback: "unknown" },
  },
  srcPort: { type: 2, kind: "u16be", uapi: "CTA_PROTO_SRC_PORT", key: "sport", what: "source port" },
  dstPort: { type: 3, kind: "u16be", uapi: "CTA_PROTO_DST_PORT", key: "dport", what: "destination port" },
  icmpId: { type: 4, kind: "u16be", uapi: "CTA_PROTO_ICMP_ID", what: "ICMP id" },
  icmpType: { type: 5, kind: "u8", uapi: "CTA_PROTO_ICMP_TYPE", what: "ICMP type" },
  icmpCode: { type: 6, kind: "u8", uapi: "CTA_PROTO_ICMP_CODE", what: "ICMP code" },
  icmpv6Id: { type: 7, kind: "u16be", uapi: "CTA_PROTO_ICMPV6_ID", key: "icmpId", when: ICMPV6, what: "ICMP id" },
  icmpv6Type: { type: 8, kind: "u8", uapi: "CTA_PROTO_ICMPV6_TYPE", key: "icmpType", when: ICMPV6, what: "ICMP type" },
  icmpv6Code: { type: 9, kind: "u8", uapi: "CTA_PROTO_ICMPV6_CODE", key: "icmpCode", when: ICMPV6, what: "ICMP code" },
} as const;

/** `CTA_TUPLE_*`: one direction of a connection. */
export const CTA_TUPLE_TABLE = {
  ip: { type: 1, kind: "nested", table: CTA_IP_TABLE, uapi: "CTA_TUPLE_IP", flatten: true },
  proto: { type: 2, kind: "nested", table: CTA_PROTO_TABLE, uapi: "CTA_TUPLE_PROTO", flatten: true },
  zone: { type: 3, kind: "u16be", uapi: "CTA_TUPLE_ZONE", what: "tuple zone" },
} as const;

/** `struct nf_ct_tcp_flags`. */
export const NF_CT_TCP_FLAGS = { flags: "u8", mask: "u8" } as const;

/** `CTA_PROTOINFO_TCP_*`. */
export const CTA_PROTOINFO_TCP_TABLE = {
  state: { type: 1, kind: "u8", names: TCP_CONNTRACK_STATES, uapi: "CTA_PROTOINFO_TCP_STATE" },
  wscaleOriginal: { type: 2, kind: "u8", uapi: "CTA_PROTOINFO_TCP_WSCALE_ORIGINAL", key: "wscaleOrig" },
  wscaleReply: { type: 3, kind: "u8", uapi: "CTA_PROTOINFO_TCP_WSCALE_REPLY" },
  flagsOriginal: {
    type: 4,
    kind: "struct",
    struct: NF_CT_TCP_FLAGS,
    uapi: "CTA_PROTOINFO_TCP_FLAGS_ORIGINAL",
    key: "flagsOrig",
  },
  flagsReply: { type: 5, kind: "struct", struct: NF_CT_TCP_FLAGS, uapi: "CTA_PROTOINFO_TCP_FLAGS_REPLY" },
} as const;

/** `CTA_PROTOINFO_DCCP_*`. */
export const CTA_PROTOINFO_DCCP_TABLE = {
  state: { type: 1, kind: "u8", names: DCCP_CONNTRACK_STATES, uapi: "CTA_PROTOINFO_DCCP_STATE" },
  role: { type: 2, kind: "u8", uapi: "CTA_PROTOINFO_DCCP_ROLE" },
  handshakeSeq: { type: 3, kind: "u64be", uapi: "CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ" },
} as const;

/** `CTA_PROTOINFO_SCTP_*`. */
export const CTA_PROTOINFO_SCTP_TABLE = {
  state: { type: 1, kind: "u8", names: SCTP_CONNTRACK_STATES, uapi: "CTA_PROTOINFO_SCTP_STATE" },
  vtagOriginal: { type: 2, kind: "u32be", uapi: "CTA_PROTOINFO_SCTP_VTAG_ORIGINAL", key: "vtagOrig" },
  vtagReply: { type: 3, kind: "u32be", uapi: "CTA_PROTOINFO_SCTP_VTAG_REPLY" },
} as const;

/** `CTA_PROTOINFO_*`. */
export const CTA_PROTOINFO_TABLE = {
  tcp: { type: 1, kind: "nested", table: CTA_PROTOINFO_TCP_TABLE, uapi: "CTA_PROTOINFO_TCP" },
  dccp: { type: 2, kind: "nested", table: CTA_PROTOINFO_DCCP_TABLE, uapi: "CTA_PROTOINFO_DCCP" },
  sctp: { type: 3, kind: "nested", table: CTA_PROTOINFO_SCTP_TABLE, uapi: "CTA_PROTOINFO_SCTP" },
} as const;

/** `CTA_COUNTERS_*`. */
export const CTA_COUNTERS_TABLE = {
  packets: { type: 1, kind: "u64be", uapi: "CTA_COUNTERS_PACKETS", default: 0 },
  bytes: { type: 2, kind: "u64be", uapi: "CTA_COUNTERS_BYTES", default: 0 },
  packets32: { type: 3, kind: "u32be", uapi: "CTA_COUNTERS32_PACKETS", key: "packets" },
  bytes32: { type: 4, kind: "u32be", uapi: "CTA_COUNTERS32_BYTES", key: "bytes" },
} as const;

/** `CTA_TIMESTAMP_*`: nanoseconds since the epoch. */
export const CTA_TIMESTAMP_TABLE = {
  start: { type: 1, kind: "codec", codec: U64BE_BIGINT, uapi: "CTA_TIMESTAMP_START" },
  stop: { type: 2, kind: "codec", codec: U64BE_BIGINT, uapi: "CTA_TIMESTAMP_STOP" },
} as const;

/** `CTA_PROTONAT_*`: the port range of a NAT mapping. */
export const CTA_PROTONAT_TABLE = {
  portMin: { type: 1, kind: "u16be", uapi: "CTA_PROTONAT_PORT_MIN" },
  portMax: { type: 2, kind: "u16be", uapi: "CTA_PROTONAT_PORT_MAX" },
} as const;

/** `CTA_NAT_*`: a NAT mapping (`CTA_NAT_SRC`, `CTA_NAT_DST`). */
export const CTA_NAT_TABLE = {
  v4MinIp: { type: 1, kind: "ip", uapi: "CTA_NAT_V4_MINIP" },
  v4MaxIp: { type: 2, kind: "ip", uapi: "CTA_NAT_V4_MAXIP" },
  proto: { type: 3, kind: "nested", table: CTA_PROTONAT_TABLE, uapi: "CTA_NAT_PROTO" },
  v6MinIp: { type: 4, kind: "ip", uapi: "CTA_NAT_V6_MINIP" },
  v6MaxIp: { type: 5, kind: "ip", uapi: "CTA_NAT_V6_MAXIP" },
} as const;

/** `CTA_SEQADJ_*` (also `CTA_NAT_SEQ_*`): TCP sequence adjustment of one direction. */
export const CTA_SEQADJ_TABLE = {
  correctionPos: { type: 1, kind: "u32be", uapi: "CTA_SEQADJ_CORRECTION_POS" },
  offsetBefore: { type: 2, kind: "u32be", uapi: "CTA_SEQADJ_OFFSET_BEFORE" },
  offsetAfter: { type: 3, kind: "u32be", uapi: "CTA_SEQADJ_OFFSET_AFTER" },
} as const;

/** `CTA_SYNPROXY_*`. */
export const CTA_SYNPROXY_TABLE = {
  isn: { type: 1, kind: "u32be", uapi: "CTA_SYNPROXY_ISN" },
  its: { type: 2, kind: "u32be", uapi: "CTA_SYNPROXY_ITS" },
  tsoff: { type: 3, kind: "u32be", uapi: "CTA_SYNPROXY_TSOFF" },
} as const;

/** `CTA_HELP_*`. */
export const CTA_HELP_TABLE = {
  name: { type: 1, kind: "string", uapi: "CTA_HELP_NAME", key: "helper", pattern: HELPER_NAME, what: "helper name" },
  info: { type: 2, kind: "bytes", uapi: "CTA_HELP_INFO", key: "helperInfo" },
} as const;

/** `CTA_SECCTX_*`. */
export const CTA_SECCTX_TABLE = {
  name: { type: 1, kind: "string", uapi: "CTA_SECCTX_NAME", key: "secctx" },
} as const;

/** `CTA_FILTER_*`: host-order flag words (`CTA_FILTER_F`). */
export const CTA_FILTER_TABLE = {
  origFlags: { type: 1, kind: "u32", uapi: "CTA_FILTER_ORIG_FLAGS" },
  replyFlags: { type: 2, kind: "u32", uapi: "CTA_FILTER_REPLY_FLAGS" },
} as const;

/**
 * `CTA_*`: the top level of a conntrack message. Its public keys describe
 * the `ConntrackEntry` the generated parser returns; the request-only
 * attributes (`dir: "request"`) have none.
 */
export const CTA_TABLE = {
  tupleOrig: { type: 1, kind: "nested", table: CTA_TUPLE_TABLE, uapi: "CTA_TUPLE_ORIG", key: "orig", required: true },
  tupleReply: { type: 2, kind: "nested", table: CTA_TUPLE_TABLE, uapi: "CTA_TUPLE_REPLY", key: "reply", default: {} },
  status: {
    type: 3,
    kind: "u32be",
    uapi: "CTA_STATUS",
    key: "statusBits",
    default: 0,
    named: { key: "status", bits: CT_STATUS_BITS },
  },
  protoinfo: { type: 4, kind: "nested", table: CTA_PROTOINFO_TABLE, uapi: "CTA_PROTOINFO", flatten: true },
  help: { type: 5, kind: "nested", table: CTA_HELP_TABLE, uapi: "CTA_HELP", flatten: true },
  natSrc: { type: 6, kind: "nested", table: CTA_NAT_TABLE, uapi: "CTA_NAT_SRC", dir: "request" },
  timeout: { type: 7, kind: "u32be", uapi: "CTA_TIMEOUT", what: "timeout" },
  mark: { type: 8, kind: "u32be", uapi: "CTA_MARK", what: "mark" },
  countersOrig: {
    type: 9,
    kind: "nested",
    table: CTA_COUNTERS_TABLE,
    uapi: "CTA_COUNTERS_ORIG",
    key: "counters.orig",
    dir: "reply",
  },
  countersReply: {
    type: 10,
    kind: "nested",
    table: CTA_COUNTERS_TABLE,
    uapi: "CTA_COUNTERS_REPLY",
    key: "counters.reply",
    dir: "reply",
  },
  use: { type: 11, kind: "u32be", uapi: "CTA_USE", dir: "reply" },
  id: { type: 12, kind: "u32be", uapi: "CTA_ID", what: "id" },
  natDst: { type: 13, kind: "nested", table: CTA_NAT_TABLE, uapi: "CTA_NAT_DST", dir: "request" },
  tupleMaster: { type: 14, kind: "nested", table: CTA_TUPLE_TABLE, uapi: "CTA_TUPLE_MASTER", key: "master" },
  seqAdjOrig: {
    type: 15,
    kind: "nested",
    table: CTA_SEQADJ_TABLE,
    uapi: "CTA_SEQ_ADJ_ORIG",
    key: "natSeqAdj.orig",
  },
  seqAdjReply: {
    type: 16,
    kind: "nested",
    table: CTA_SEQADJ_TABLE,
    uapi: "CTA_SEQ_ADJ_REPLY",
    key: "natSeqAdj.reply",
  },
  secmark: { type: 17, kind: "u32be", uapi: "CTA_SECMARK", dir: "reply" },
  zone: { type: 18, kind: "u16be", uapi: "CTA_ZONE", what: "zone" },
  secctx: { type: 19, kind: "nested", table: CTA_SECCTX_TABLE, uapi: "CTA_SECCTX", flatten: true, dir: "reply" },
  timestamp: { type: 20, kind: "nested", table: CTA_TIMESTAMP_TABLE, uapi: "CTA_TIMESTAMP", dir: "reply" },
  markMask: { type: 21, kind: "u32be", uapi: "CTA_MARK_MASK", dir: "request", what: "mark mask" },
  labels: { type: 22, kind: "bytes", uapi: "CTA_LABELS", derive: CT_LABELS, maxLen: 16 },
  labelsMask: { type: 23, kind: "bytes", uapi: "CTA_LABELS_MASK", dir: "request", maxLen: 16 },
  synproxy: { type: 24, kind: "nested", table: CTA_SYNPROXY_TABLE, uapi: "CTA_SYNPROXY" },
  filter: { type: 25, kind: "nested", table: CTA_FILTER_TABLE, uapi: "CTA_FILTER", dir: "request" },
  statusMask: { type: 26, kind: "u32be", uapi: "CTA_STATUS_MASK", dir: "request" },
} as const;
