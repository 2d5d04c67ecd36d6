/**
 * The typed conntrack entry and its parser: one `IPCTNL_MSG_CT_NEW` or
 * `IPCTNL_MSG_CT_DELETE` message (dump reply or event) becomes a
 * {@link ConntrackEntry}.
 *
 * @example
 * ```ts ignore
 * import { parseConntrackMessage } from "./entry.ts";
 * for await (const e of sock.dump(msg, parseConntrackMessage)) console.log(e.proto, e.orig.src);
 * ```
 *
 * @module
 */

import { MalformedError, TruncatedError } from "../../wire/errors.ts";
import { familyName } from "../../wire/family.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { NFGENMSG } from "../../wire/nfnetlink.ts";
import { type Attrs, bitNames, parseAttrs, parseStruct, type RawAttr, structSize } from "../../wire/table.ts";
import { parseConntrackFast } from "./entry_fast.ts";
import { CT_PROTO_NAMES, CT_STATUS_BITS, CTA_TABLE, type CTA_TUPLE_TABLE } from "./tables.ts";

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
  /** Zone of this direction (`CTA_TUPLE_ZONE`), when the entry uses directional zones. */
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

/** Connection labels of an entry. */
export interface ConntrackLabels {
  /** The bitmap as the kernel sent it. */
  bytes: Uint8Array;
  /** Numbers of the set bits (0 to 127). */
  bits: number[];
}

/**
 * A conntrack entry, as the kernel reports it. It can be passed as it is to
 * {@link getConntrack}, {@link deleteConntrack} and {@link updateConntrack}
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

/** Parsed top-level attributes of a conntrack message. */
export type ConntrackAttrs = Attrs<typeof CTA_TABLE>;

/** The family as conntrack-tools prints it (`ipv4`, `ipv6`, `unknown`), from an entry's `family`. */
export function conntrackFamilyText(family: string): string {
  return family === "inet" ? "ipv4" : family === "inet6" ? "ipv6" : "unknown";
}

const HDR = structSize(NFGENMSG);

/** Names a layer-4 protocol number the way conntrack-tools does (`unknown` otherwise). */
export function protoName(num: number): string {
  return (CT_PROTO_NAMES as Record<number, string>)[num] ?? "unknown";
}

/** Turns a parsed tuple into a {@link ConntrackTuple}. */
export function tupleOf(t: Attrs<typeof CTA_TUPLE_TABLE>): ConntrackTuple {
  const ip = t.ip ?? {};
  const p = t.proto ?? {};
  const out: ConntrackTuple = { src: ip.v4Src ?? ip.v6Src ?? "", dst: ip.v4Dst ?? ip.v6Dst ?? "" };
  if (p.srcPort !== undefined) out.sport = p.srcPort;
  if (p.dstPort !== undefined) out.dport = p.dstPort;
  const id = p.icmpId ?? p.icmpv6Id, type = p.icmpType ?? p.icmpv6Type, code = p.icmpCode ?? p.icmpv6Code;
  if (type !== undefined) out.icmpType = type;
  if (code !== undefined) out.icmpCode = code;
  if (id !== undefined) out.icmpId = id;
  if (t.zone !== undefined) out.zone = t.zone;
  return out;
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

/** Builds a {@link ConntrackEntry} from already parsed attributes and the `nfgenmsg` family. */
export function entryOf(a: ConntrackAttrs, familyNum: number): ConntrackEntry {
  const protoNum = a.tupleOrig?.proto?.num ?? a.tupleReply?.proto?.num ?? 0;
  const statusBits = a.status ?? 0;
  const e: ConntrackEntry = {
    family: familyName(familyNum),
    proto: protoName(protoNum),
    protoNum,
    orig: tupleOf(a.tupleOrig ?? {}),
    reply: tupleOf(a.tupleReply ?? {}),
    status: bitNames(CT_STATUS_BITS, statusBits),
    statusBits,
  };
  if (a.tupleMaster) e.master = tupleOf(a.tupleMaster);
  if (a.timeout !== undefined) e.timeout = a.timeout;
  if (a.mark !== undefined) e.mark = a.mark;
  if (a.secmark !== undefined) e.secmark = a.secmark;
  if (a.secctx?.name !== undefined) e.secctx = a.secctx.name;
  if (a.id !== undefined) e.id = a.id;
  if (a.use !== undefined) e.use = a.use;
  if (a.zone !== undefined) e.zone = a.zone;
  const pi = a.protoinfo;
  if (pi?.tcp?.state !== undefined) {
    const t = pi.tcp;
    e.tcp = { state: t.state! };
    if (t.wscaleOriginal !== undefined) e.tcp.wscaleOrig = t.wscaleOriginal;
    if (t.wscaleReply !== undefined) e.tcp.wscaleReply = t.wscaleReply;
    if (t.flagsOriginal?.mask !== undefined) e.tcp.flagsOrig = t.flagsOriginal as ConntrackTcpFlags;
    if (t.flagsReply?.mask !== undefined) e.tcp.flagsReply = t.flagsReply as ConntrackTcpFlags;
  }
  if (pi?.sctp?.state !== undefined) {
    e.sctp = { state: pi.sctp.state, vtagOrig: pi.sctp.vtagOriginal, vtagReply: pi.sctp.vtagReply };
  }
  if (pi?.dccp?.state !== undefined) {
    e.dccp = { state: pi.dccp.state, role: pi.dccp.role, handshakeSeq: pi.dccp.handshakeSeq };
  }
  const counters = (c: ConntrackAttrs["countersOrig"]): ConntrackCounters | undefined =>
    c && { packets: c.packets ?? c.packets32 ?? 0, bytes: c.bytes ?? c.bytes32 ?? 0 };
  if (a.countersOrig || a.countersReply) {
    e.counters = {};
    if (a.countersOrig) e.counters.orig = counters(a.countersOrig);
    if (a.countersReply) e.counters.reply = counters(a.countersReply);
  }
  if (a.timestamp) {
    e.timestamp = {};
    if (a.timestamp.start !== undefined) e.timestamp.start = a.timestamp.start;
    if (a.timestamp.stop !== undefined) e.timestamp.stop = a.timestamp.stop;
  }
  if (a.labels) e.labels = { bytes: a.labels, bits: labelBits(a.labels) };
  if (a.help?.name !== undefined) e.helper = a.help.name;
  if (a.seqAdjOrig || a.seqAdjReply) {
    e.natSeqAdj = {};
    if (a.seqAdjOrig) e.natSeqAdj.orig = strip(a.seqAdjOrig);
    if (a.seqAdjReply) e.natSeqAdj.reply = strip(a.seqAdjReply);
  }
  if (a.synproxy) e.synproxy = strip(a.synproxy);
  if (a.unknown) e.unknown = a.unknown;
  const nested = nestedUnknown(a);
  if (nested) e.unknownNested = nested;
  return e;
}

/**
 * Collects the `unknown` lists of the nests below parsed attributes `a`,
 * by the path of table keys (`tupleOrig.proto`); `undefined` when there are none.
 */
export function nestedUnknown(
  a: object,
  path = "",
  out?: { [path: string]: RawAttr[] },
): { [path: string]: RawAttr[] } | undefined {
  for (const key in a) {
    const v = (a as Record<string, unknown>)[key];
    // Nests parse to plain objects; values are numbers, strings, bigints, byte arrays or arrays.
    if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Uint8Array) continue;
    const p = path ? `${path}.${key}` : key;
    const u = (v as { unknown?: RawAttr[] }).unknown;
    if (u) (out ??= {})[p] = u;
    out = nestedUnknown(v, p, out);
  }
  return out;
}

function strip<T extends { unknown?: RawAttr[] }>(v: T): Omit<T, "unknown"> {
  const { unknown: _, ...rest } = v;
  return rest;
}

/** Parses the `nfgenmsg` header and attributes of a ctnetlink message. */
export function parseConntrackAttrs(m: NlMsg): { family: number; attrs: ConntrackAttrs } {
  const off = payloadOf(m);
  if (off + HDR > m.end) throw new TruncatedError("nfgenmsg", off, HDR, m.end - off);
  const { family } = parseStruct(NFGENMSG, m.view, off, m.end);
  return { family, attrs: parseAttrs(CTA_TABLE, m.buf, m.view, off + HDR, m.end) };
}

/**
 * Parses one conntrack message (a dump reply or an event) into a
 * {@link ConntrackEntry}. Throws `TruncatedError`/`MalformedError` on bytes
 * that are not a conntrack message.
 */
export function parseConntrackMessage(m: NlMsg): ConntrackEntry {
  const fast = parseConntrackFast(m);
  if (fast) return fast;
  const { family, attrs } = parseConntrackAttrs(m);
  if (!attrs.tupleOrig) throw new MalformedError("Conntrack message has no CTA_TUPLE_ORIG", payloadOf(m));
  return entryOf(attrs, family);
}
