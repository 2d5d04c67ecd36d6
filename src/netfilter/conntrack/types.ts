/**
 * The public conntrack objects: what the generated parser
 * (`_generated/tables.ts`, compiled from the public keys of `CTA_TABLE`)
 * returns.
 *
 * @module
 */

import type { RawAttr } from "../../wire/table.ts";
import type { ConntrackLabels } from "./tables.ts";

export type { ConntrackLabels };

/** One direction of a connection. */
export interface ConntrackTuple {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Source port (TCP, UDP, UDP-Lite, SCTP, DCCP). */
  sport?: number;
  /** Destination port. */
  dport?: number;
  /** ICMP or ICMPv6 identifier. */
  icmpId?: number;
  /** ICMP or ICMPv6 type. */
  icmpType?: number;
  /** ICMP or ICMPv6 code. */
  icmpCode?: number;
  /** Zone of this direction only (`CTA_TUPLE_ZONE`, `conntrack --orig-zone/--reply-zone`), when the entry uses directional zones. */
  zone?: number;
}

/** Packet and byte counters of one direction. */
export interface ConntrackCounters {
  /** Packets seen. */
  packets: number;
  /** Bytes seen. */
  bytes: number;
}

/** TCP sequence adjustment of one direction (`CTA_SEQ_ADJ_*`). */
export interface ConntrackSeqAdj {
  /** Sequence number where the correction starts. */
  correctionPos?: number;
  /** Offset before that position. */
  offsetBefore?: number;
  /** Offset after that position. */
  offsetAfter?: number;
}

/** TCP window-tracking flags of one direction (`struct nf_ct_tcp_flags`). */
export interface ConntrackTcpFlags {
  /** `IP_CT_TCP_FLAG_*` bits. */
  flags: number;
  /** Which bits are meaningful. */
  mask: number;
}

/** TCP protocol state. */
export interface ConntrackTcpInfo {
  /** State name (`ESTABLISHED`, `TIME_WAIT`, ...). */
  state: string;
  /** Window scale of the original direction. */
  wscaleOrig?: number;
  /** Window scale of the reply direction. */
  wscaleReply?: number;
  /** Flags of the original direction. */
  flagsOrig?: ConntrackTcpFlags;
  /** Flags of the reply direction. */
  flagsReply?: ConntrackTcpFlags;
}

/** SCTP protocol state. */
export interface ConntrackSctpInfo {
  /** State name (`ESTABLISHED`, `COOKIE_WAIT`, ...). */
  state: string;
  /** Verification tag of the original direction. */
  vtagOrig?: number;
  /** Verification tag of the reply direction. */
  vtagReply?: number;
}

/** DCCP protocol state. */
export interface ConntrackDccpInfo {
  /** State name (`OPEN`, `REQUEST`, ...). */
  state: string;
  /** Role number. */
  role?: number;
  /** Handshake sequence number. */
  handshakeSeq?: number;
}

/** SYN proxy state (`CTA_SYNPROXY`). */
export interface ConntrackSynproxy {
  /** Initial sequence number. */
  isn?: number;
  /** Initial timestamp. */
  its?: number;
  /** Timestamp offset. */
  tsoff?: number;
}

/**
 * A conntrack entry, as the kernel reports it. It can be passed as it is to
 * `getConntrack`, `deleteConntrack` and `updateConntrack`
 * (its report-only fields, `CONNTRACK_OUTPUT_ONLY`, are ignored there).
 */
export interface ConntrackEntry {
  /** Layer-3 family: `inet` (IPv4) or `inet6` (IPv6); another family's number as decimal text. */
  family: string;
  /** Layer-4 protocol name (`tcp`, `udp`, `udplite`, `icmp`, `icmpv6`, `sctp`, `dccp`, `gre`, or `unknown`). */
  proto: string;
  /** Layer-4 protocol number. */
  protoNum: number;
  /** Original direction. */
  orig: ConntrackTuple;
  /** Reply direction. */
  reply: ConntrackTuple;
  /** Master connection of an expected one. */
  master?: ConntrackTuple;
  /** Status flag names (`ASSURED`, `SEEN_REPLY`, ...). */
  status: string[];
  /** Raw status bits. */
  statusBits: number;
  /** Seconds left before the entry expires. */
  timeout?: number;
  /** Connection mark. */
  mark?: number;
  /** Security mark. */
  secmark?: number;
  /** Security context name. */
  secctx?: string;
  /** Kernel id of the entry. */
  id?: number;
  /** Reference count. */
  use?: number;
  /** Conntrack zone. */
  zone?: number;
  /** TCP state. */
  tcp?: ConntrackTcpInfo;
  /** SCTP state. */
  sctp?: ConntrackSctpInfo;
  /** DCCP state. */
  dccp?: ConntrackDccpInfo;
  /** Counters, when accounting is on. */
  counters?: { orig?: ConntrackCounters; reply?: ConntrackCounters };
  /** Start and stop times in nanoseconds since the epoch, when timestamps are on. */
  timestamp?: { start?: bigint; stop?: bigint };
  /** Connection labels: the bitmap as sent, and the numbers of its set bits. */
  labels?: ConntrackLabels;
  /** Name of the attached helper. */
  helper?: string;
  /** The helper's private data (`CTA_HELP_INFO`), when it sends any. */
  helperInfo?: Uint8Array;
  /** NAT sequence adjustment per direction. */
  natSeqAdj?: { orig?: ConntrackSeqAdj; reply?: ConntrackSeqAdj };
  /** SYN proxy state. */
  synproxy?: ConntrackSynproxy;
  /** Top-level attributes no table describes, kept so nothing is lost. */
  unknown?: RawAttr[];
  /**
   * Attributes no table describes inside nested ones, by the path of table
   * keys to the nest that held them (`tupleOrig.proto`, `protoinfo.tcp`).
   */
  unknownNested?: { [path: string]: RawAttr[] };
}
