/**
 * The fast path of the conntrack parser: one pass over a message that fills
 * a {@link ConntrackEntry} directly, without the intermediate attribute
 * objects of the table engine (a dump of 100,000 entries spends most of its
 * user time there).
 *
 * Attribute numbers, payload kinds and enum names all come from the
 * ctnetlink tables. The path reads only what the kernel sends for ordinary
 * entries; anything else (an attribute it does not read, an odd length, a
 * missing tuple) makes it give up with `undefined`, and the caller parses
 * the message with the table engine instead. Both paths therefore give the
 * same entry (a property test checks it on random and mutated messages).
 *
 * @module
 */

import { NLA_HDRLEN, NLA_TYPE_MASK } from "../../wire/constants.ts";
import { formatIp } from "../../wire/addr.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { NFGENMSG } from "../../wire/nfnetlink.ts";
import { bitNames, nameOf, readScalar, type ScalarKind, scalarSize, structSize } from "../../wire/table.ts";
import type {
  ConntrackCounters,
  ConntrackEntry,
  ConntrackSynproxy,
  ConntrackTcpInfo,
  ConntrackTuple,
} from "./entry.ts";
import { labelBits, protoName } from "./entry.ts";
import { familyName } from "../../wire/family.ts";
import {
  CT_STATUS_BITS,
  CTA_COUNTERS_TABLE,
  CTA_IP_TABLE,
  CTA_PROTO_TABLE,
  CTA_PROTOINFO_TABLE,
  CTA_PROTOINFO_TCP_TABLE,
  CTA_SYNPROXY_TABLE,
  CTA_TABLE,
  CTA_TIMESTAMP_TABLE,
  CTA_TUPLE_TABLE,
  NF_CT_TCP_FLAGS,
} from "./tables.ts";

const HDR = structSize(NFGENMSG);
const FLAGS_SIZE = structSize(NF_CT_TCP_FLAGS);
const NO = -1; // "not sent"; every value read here is unsigned

/** Everything read so far; one instance is reused, reset per message. */
interface Scratch {
  buf: Uint8Array;
  view: DataView;
  // tuple being read
  v4Src: string | undefined;
  v4Dst: string | undefined;
  v6Src: string | undefined;
  v6Dst: string | undefined;
  num: number;
  sport: number;
  dport: number;
  icmpId: number;
  icmpType: number;
  icmpCode: number;
  icmp6Id: number;
  icmp6Type: number;
  icmp6Code: number;
  tzone: number;
  // TCP protoinfo
  tcpState: number;
  wsOrig: number;
  wsReply: number;
  flOrig: { flags: number; mask: number } | undefined;
  flReply: { flags: number; mask: number } | undefined;
  // counters, synproxy or timestamp being read
  a: number;
  b: number;
  c: number;
  start: bigint | undefined;
  stop: bigint | undefined;
}

type Handler = (st: Scratch, type: number, start: number, end: number) => boolean;

const scratch: Scratch = {
  buf: new Uint8Array(0),
  view: new DataView(new ArrayBuffer(0)),
  v4Src: undefined,
  v4Dst: undefined,
  v6Src: undefined,
  v6Dst: undefined,
  num: NO,
  sport: NO,
  dport: NO,
  icmpId: NO,
  icmpType: NO,
  icmpCode: NO,
  icmp6Id: NO,
  icmp6Type: NO,
  icmp6Code: NO,
  tzone: NO,
  tcpState: NO,
  wsOrig: NO,
  wsReply: NO,
  flOrig: undefined,
  flReply: undefined,
  a: NO,
  b: NO,
  c: NO,
  start: undefined,
  stop: undefined,
};

/** Visits the attributes of `[start, end)`; false when `fn` declines one or the layout is not clean. */
function walk(st: Scratch, start: number, end: number, fn: Handler): boolean {
  const view = st.view;
  let off = start;
  while (off + NLA_HDRLEN <= end) {
    const len = view.getUint16(off, true);
    if (len < NLA_HDRLEN || off + len > end) return false;
    if (!fn(st, view.getUint16(off + 2, true) & NLA_TYPE_MASK, off + NLA_HDRLEN, off + len)) return false;
    off += (len + 3) & ~3;
  }
  return off >= end;
}

/** A scalar of the kind the table declares, or {@link NO} when the payload has another size. */
function scalar(st: Scratch, kind: ScalarKind, start: number, end: number): number {
  return end - start === scalarSize(kind) ? readScalar(st.view, start, kind) : NO;
}

const IP = CTA_IP_TABLE, PROTO = CTA_PROTO_TABLE, TUPLE = CTA_TUPLE_TABLE;

const onIp: Handler = (st, type, s, e) => {
  const len = e - s;
  if (len !== 4 && len !== 16) return false;
  const text = formatIp(st.buf, s, len);
  if (type === IP.v4Src.type) st.v4Src = text;
  else if (type === IP.v4Dst.type) st.v4Dst = text;
  else if (type === IP.v6Src.type) st.v6Src = text;
  else if (type === IP.v6Dst.type) st.v6Dst = text;
  else return false;
  return true;
};

const onProto: Handler = (st, type, s, e) => {
  let v: number;
  switch (type) {
    case PROTO.num.type:
      v = st.num = scalar(st, PROTO.num.kind, s, e);
      break;
    case PROTO.srcPort.type:
      v = st.sport = scalar(st, PROTO.srcPort.kind, s, e);
      break;
    case PROTO.dstPort.type:
      v = st.dport = scalar(st, PROTO.dstPort.kind, s, e);
      break;
    case PROTO.icmpId.type:
      v = st.icmpId = scalar(st, PROTO.icmpId.kind, s, e);
      break;
    case PROTO.icmpType.type:
      v = st.icmpType = scalar(st, PROTO.icmpType.kind, s, e);
      break;
    case PROTO.icmpCode.type:
      v = st.icmpCode = scalar(st, PROTO.icmpCode.kind, s, e);
      break;
    case PROTO.icmpv6Id.type:
      v = st.icmp6Id = scalar(st, PROTO.icmpv6Id.kind, s, e);
      break;
    case PROTO.icmpv6Type.type:
      v = st.icmp6Type = scalar(st, PROTO.icmpv6Type.kind, s, e);
      break;
    case PROTO.icmpv6Code.type:
      v = st.icmp6Code = scalar(st, PROTO.icmpv6Code.kind, s, e);
      break;
    default:
      return false;
  }
  return v !== NO;
};

// A repeated nest replaces the earlier one, as in the table engine: reset before each.
const onTuple: Handler = (st, type, s, e) => {
  if (type === TUPLE.ip.type) {
    st.v4Src =
      st.v4Dst =
      st.v6Src =
      st.v6Dst =
        undefined;
    return walk(st, s, e, onIp);
  }
  if (type === TUPLE.proto.type) {
    st.num =
      st.sport =
      st.dport =
      st.icmpId =
      st.icmpType =
      st.icmpCode =
        NO;
    st.icmp6Id = st.icmp6Type = st.icmp6Code = NO;
    return walk(st, s, e, onProto);
  }
  if (type === TUPLE.zone.type) return (st.tzone = scalar(st, TUPLE.zone.kind, s, e)) !== NO;
  return false;
};

/** Reads a tuple the way `tupleOf` turns the parsed attributes into one; `undefined` to give up. */
function tuple(st: Scratch, s: number, e: number): ConntrackTuple | undefined {
  st.v4Src =
    st.v4Dst =
    st.v6Src =
    st.v6Dst =
      undefined;
  st.num =
    st.sport =
    st.dport =
    st.icmpId =
    st.icmpType =
    st.icmpCode =
      NO;
  st.icmp6Id =
    st.icmp6Type =
    st.icmp6Code =
    st.tzone =
      NO;
  if (!walk(st, s, e, onTuple)) return undefined;
  const t: ConntrackTuple = { src: st.v4Src ?? st.v6Src ?? "", dst: st.v4Dst ?? st.v6Dst ?? "" };
  if (st.sport !== NO) t.sport = st.sport;
  if (st.dport !== NO) t.dport = st.dport;
  const type = st.icmpType !== NO ? st.icmpType : st.icmp6Type;
  const code = st.icmpCode !== NO ? st.icmpCode : st.icmp6Code;
  const id = st.icmpId !== NO ? st.icmpId : st.icmp6Id;
  if (type !== NO) t.icmpType = type;
  if (code !== NO) t.icmpCode = code;
  if (id !== NO) t.icmpId = id;
  if (st.tzone !== NO) t.zone = st.tzone;
  return t;
}

const TCPI = CTA_PROTOINFO_TCP_TABLE;

function flags(st: Scratch, s: number, e: number): { flags: number; mask: number } | undefined {
  if (e - s !== FLAGS_SIZE) return undefined;
  return { flags: st.buf[s], mask: st.buf[s + 1] };
}

const onTcp: Handler = (st, type, s, e) => {
  switch (type) {
    case TCPI.state.type:
      return (st.tcpState = scalar(st, TCPI.state.kind, s, e)) !== NO;
    case TCPI.wscaleOriginal.type:
      return (st.wsOrig = scalar(st, TCPI.wscaleOriginal.kind, s, e)) !== NO;
    case TCPI.wscaleReply.type:
      return (st.wsReply = scalar(st, TCPI.wscaleReply.kind, s, e)) !== NO;
    case TCPI.flagsOriginal.type:
      return (st.flOrig = flags(st, s, e)) !== undefined;
    case TCPI.flagsReply.type:
      return (st.flReply = flags(st, s, e)) !== undefined;
  }
  return false;
};

// SCTP and DCCP state are rare: the table engine reads them.
const onProtoinfo: Handler = (st, type, s, e) => {
  if (type !== CTA_PROTOINFO_TABLE.tcp.type) return false;
  st.tcpState = st.wsOrig = st.wsReply = NO;
  st.flOrig = st.flReply = undefined;
  return walk(st, s, e, onTcp);
};

function tcpInfo(st: Scratch, s: number, e: number): ConntrackTcpInfo | null | undefined {
  st.tcpState = NO;
  if (!walk(st, s, e, onProtoinfo)) return undefined;
  if (st.tcpState === NO) return null; // entryOf leaves out a TCP part without a state
  const t: ConntrackTcpInfo = { state: nameOf(TCPI.state.names, st.tcpState) };
  if (st.wsOrig !== NO) t.wscaleOrig = st.wsOrig;
  if (st.wsReply !== NO) t.wscaleReply = st.wsReply;
  if (st.flOrig) t.flagsOrig = st.flOrig;
  if (st.flReply) t.flagsReply = st.flReply;
  return t;
}

const CNT = CTA_COUNTERS_TABLE;

const onCounters: Handler = (st, type, s, e) => {
  if (type === CNT.packets.type) return (st.a = scalar(st, CNT.packets.kind, s, e)) !== NO;
  if (type === CNT.bytes.type) return (st.b = scalar(st, CNT.bytes.kind, s, e)) !== NO;
  return false; // the 32-bit forms are left to the table engine
};

function counters(st: Scratch, s: number, e: number): ConntrackCounters | undefined {
  st.a = st.b = NO;
  if (!walk(st, s, e, onCounters)) return undefined;
  return { packets: st.a === NO ? 0 : st.a, bytes: st.b === NO ? 0 : st.b };
}

const SYN = CTA_SYNPROXY_TABLE;

// TCP entries carry a (mostly zero) synproxy nest.
const onSynproxy: Handler = (st, type, s, e) => {
  if (type === SYN.isn.type) return (st.a = scalar(st, SYN.isn.kind, s, e)) !== NO;
  if (type === SYN.its.type) return (st.b = scalar(st, SYN.its.kind, s, e)) !== NO;
  if (type === SYN.tsoff.type) return (st.c = scalar(st, SYN.tsoff.kind, s, e)) !== NO;
  return false;
};

function synproxy(st: Scratch, s: number, e: number): ConntrackSynproxy | undefined {
  st.a = st.b = st.c = NO;
  if (!walk(st, s, e, onSynproxy)) return undefined;
  const out: ConntrackSynproxy = {};
  if (st.a !== NO) out.isn = st.a;
  if (st.b !== NO) out.its = st.b;
  if (st.c !== NO) out.tsoff = st.c;
  return out;
}

const TS = CTA_TIMESTAMP_TABLE;

const onTimestamp: Handler = (st, type, s, e) => {
  if (e - s < 8) return false;
  if (type === TS.start.type) st.start = TS.start.codec.parse(st.buf, st.view, s, e);
  else if (type === TS.stop.type) st.stop = TS.stop.codec.parse(st.buf, st.view, s, e);
  else return false;
  return true;
};

const A = CTA_TABLE;

/**
 * Parses an ordinary conntrack message in one pass, or returns `undefined`
 * when the message holds anything this path leaves to the table engine.
 */
export function parseConntrackFast(m: NlMsg): ConntrackEntry | undefined {
  const off = payloadOf(m);
  if (off + HDR > m.end) return undefined;
  const st = scratch;
  st.buf = m.buf;
  st.view = m.view;
  const view = m.view;
  const familyNum = view.getUint8(off);
  let orig: ConntrackTuple | undefined, reply: ConntrackTuple | undefined;
  let origNum = NO, replyNum = NO, status = NO, timeout = NO, mark = NO, secmark = NO, id = NO, use = NO, zone = NO;
  let tcp: ConntrackTcpInfo | null | undefined = null;
  let cOrig: ConntrackCounters | undefined, cReply: ConntrackCounters | undefined;
  let ts: { start?: bigint; stop?: bigint } | undefined;
  let labels: Uint8Array | undefined;
  let syn: ConntrackSynproxy | undefined;
  let pos = off + HDR;
  const end = m.end;
  while (pos + NLA_HDRLEN <= end) {
    const len = view.getUint16(pos, true);
    if (len < NLA_HDRLEN || pos + len > end) return undefined;
    const s = pos + NLA_HDRLEN, e = pos + len;
    let v = 0;
    switch (view.getUint16(pos + 2, true) & NLA_TYPE_MASK) {
      case A.tupleOrig.type:
        if (!(orig = tuple(st, s, e))) return undefined;
        origNum = st.num;
        break;
      case A.tupleReply.type:
        if (!(reply = tuple(st, s, e))) return undefined;
        replyNum = st.num;
        break;
      case A.status.type:
        v = status = scalar(st, A.status.kind, s, e);
        break;
      case A.timeout.type:
        v = timeout = scalar(st, A.timeout.kind, s, e);
        break;
      case A.mark.type:
        v = mark = scalar(st, A.mark.kind, s, e);
        break;
      case A.secmark.type:
        v = secmark = scalar(st, A.secmark.kind, s, e);
        break;
      case A.id.type:
        v = id = scalar(st, A.id.kind, s, e);
        break;
      case A.use.type:
        v = use = scalar(st, A.use.kind, s, e);
        break;
      case A.zone.type:
        v = zone = scalar(st, A.zone.kind, s, e);
        break;
      case A.protoinfo.type:
        if ((tcp = tcpInfo(st, s, e)) === undefined) return undefined;
        break;
      case A.countersOrig.type:
        if (!(cOrig = counters(st, s, e))) return undefined;
        break;
      case A.countersReply.type:
        if (!(cReply = counters(st, s, e))) return undefined;
        break;
      case A.timestamp.type:
        st.start = st.stop = undefined;
        if (!walk(st, s, e, onTimestamp)) return undefined;
        ts = {};
        if (st.start !== undefined) ts.start = st.start;
        if (st.stop !== undefined) ts.stop = st.stop;
        break;
      case A.labels.type:
        labels = m.buf.slice(s, e);
        break;
      case A.synproxy.type:
        if (!(syn = synproxy(st, s, e))) return undefined;
        break;
      default:
        return undefined;
    }
    if (v === NO) return undefined;
    pos += (len + 3) & ~3;
  }
  if (pos < end || !orig) return undefined;
  const protoNum = origNum !== NO ? origNum : replyNum !== NO ? replyNum : 0;
  const statusBits = status === NO ? 0 : status;
  // Same fields in the same order as entryOf, so both paths give equal (and same-shaped) objects.
  const out: ConntrackEntry = {
    family: familyName(familyNum),
    proto: protoName(protoNum),
    protoNum,
    orig,
    reply: reply ?? { src: "", dst: "" },
    status: bitNames(CT_STATUS_BITS, statusBits),
    statusBits,
  };
  if (timeout !== NO) out.timeout = timeout;
  if (mark !== NO) out.mark = mark;
  if (secmark !== NO) out.secmark = secmark;
  if (id !== NO) out.id = id;
  if (use !== NO) out.use = use;
  if (zone !== NO) out.zone = zone;
  if (tcp) out.tcp = tcp;
  if (cOrig || cReply) {
    out.counters = {};
    if (cOrig) out.counters.orig = cOrig;
    if (cReply) out.counters.reply = cReply;
  }
  if (ts) out.timestamp = ts;
  if (labels) out.labels = { bytes: labels, bits: labelBits(labels) };
  if (syn) out.synproxy = syn;
  return out;
}
