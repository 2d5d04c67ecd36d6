/**
 * The inverse of `entryOf`: a {@link ConntrackEntry} back to ctnetlink
 * attributes, unknown attributes included (at the top and inside nests), so
 * an entry read from the kernel can be sent again (saved and restored, or
 * copied into another namespace) and a message survives
 * parse → entry → attributes → build → parse unchanged.
 *
 * @example
 * ```ts ignore
 * import { conntrackEntryAttrs } from "./entry_attrs.ts";
 * const { family, attrs } = conntrackEntryAttrs(entry);
 * const msg = nfnlMessage(nfnlType(NFNL_SUBSYS_CTNETLINK, 0), NLM_F_CREATE, family).attrs(CTA_TABLE, attrs).finish();
 * ```
 *
 * @module
 */

import type { RawAttr } from "../../wire/table.ts";
import type { ConntrackAttrs, ConntrackEntry, ConntrackTuple } from "./entry.ts";
import { familyNumber } from "../../wire/family.ts";

type TupleAttrs = NonNullable<ConntrackAttrs["tupleOrig"]>;

function tupleAttrs(t: ConntrackTuple, protoNum: number): TupleAttrs {
  const out: TupleAttrs = {};
  if (t.src !== "" || t.dst !== "") {
    const v6 = t.src.includes(":") || t.dst.includes(":");
    out.ip = {};
    if (t.src !== "") out.ip[v6 ? "v6Src" : "v4Src"] = t.src;
    if (t.dst !== "") out.ip[v6 ? "v6Dst" : "v4Dst"] = t.dst;
  }
  const p: NonNullable<TupleAttrs["proto"]> = { num: protoNum };
  if (t.sport !== undefined) p.srcPort = t.sport;
  if (t.dport !== undefined) p.dstPort = t.dport;
  const v6 = protoNum === 58;
  if (t.icmpId !== undefined) p[v6 ? "icmpv6Id" : "icmpId"] = t.icmpId;
  if (t.icmpType !== undefined) p[v6 ? "icmpv6Type" : "icmpType"] = t.icmpType;
  if (t.icmpCode !== undefined) p[v6 ? "icmpv6Code" : "icmpCode"] = t.icmpCode;
  out.proto = p;
  if (t.zone !== undefined) out.zone = t.zone;
  return out;
}

/** Puts `unknownNested` lists back into the nests their paths name (creating empty nests if needed). */
function restoreNested(attrs: ConntrackAttrs, nested: { [path: string]: RawAttr[] }): void {
  for (const path in nested) {
    let node = attrs as Record<string, unknown>;
    for (const key of path.split(".")) node = (node[key] ??= {}) as Record<string, unknown>;
    node.unknown = nested[path];
  }
}

/**
 * Turns an entry back into `[family, attrs]`, the exact attributes it was
 * parsed from (up to attribute order): `entryOf(attrs, family)` gives an
 * equal entry.
 */
export function conntrackEntryAttrs(e: ConntrackEntry): { family: number; attrs: ConntrackAttrs } {
  const a: ConntrackAttrs = { tupleOrig: tupleAttrs(e.orig, e.protoNum) };
  if (e.reply.src !== "" || e.reply.dst !== "" || Object.keys(e.reply).length > 2) {
    a.tupleReply = tupleAttrs(e.reply, e.protoNum);
  }
  if (e.master) a.tupleMaster = tupleAttrs(e.master, e.protoNum);
  if (e.statusBits !== 0) a.status = e.statusBits;
  if (e.timeout !== undefined) a.timeout = e.timeout;
  if (e.mark !== undefined) a.mark = e.mark;
  if (e.secmark !== undefined) a.secmark = e.secmark;
  if (e.secctx !== undefined) a.secctx = { name: e.secctx };
  if (e.id !== undefined) a.id = e.id;
  if (e.use !== undefined) a.use = e.use;
  if (e.zone !== undefined) a.zone = e.zone;
  if (e.tcp) {
    const t = e.tcp;
    const tcp: NonNullable<NonNullable<ConntrackAttrs["protoinfo"]>["tcp"]> = { state: t.state };
    if (t.wscaleOrig !== undefined) tcp.wscaleOriginal = t.wscaleOrig;
    if (t.wscaleReply !== undefined) tcp.wscaleReply = t.wscaleReply;
    if (t.flagsOrig) tcp.flagsOriginal = t.flagsOrig;
    if (t.flagsReply) tcp.flagsReply = t.flagsReply;
    (a.protoinfo ??= {}).tcp = tcp;
  }
  if (e.sctp) {
    const s = e.sctp;
    (a.protoinfo ??= {}).sctp = { state: s.state };
    if (s.vtagOrig !== undefined) a.protoinfo.sctp!.vtagOriginal = s.vtagOrig;
    if (s.vtagReply !== undefined) a.protoinfo.sctp!.vtagReply = s.vtagReply;
  }
  if (e.dccp) {
    const d = e.dccp;
    (a.protoinfo ??= {}).dccp = { state: d.state };
    if (d.role !== undefined) a.protoinfo.dccp!.role = d.role;
    if (d.handshakeSeq !== undefined) a.protoinfo.dccp!.handshakeSeq = d.handshakeSeq;
  }
  if (e.counters?.orig) a.countersOrig = { ...e.counters.orig };
  if (e.counters?.reply) a.countersReply = { ...e.counters.reply };
  if (e.timestamp) a.timestamp = { ...e.timestamp };
  if (e.labels) a.labels = e.labels.bytes;
  if (e.helper !== undefined) a.help = { name: e.helper };
  if (e.natSeqAdj?.orig) a.seqAdjOrig = { ...e.natSeqAdj.orig };
  if (e.natSeqAdj?.reply) a.seqAdjReply = { ...e.natSeqAdj.reply };
  if (e.synproxy) a.synproxy = { ...e.synproxy };
  if (e.unknown) a.unknown = e.unknown;
  if (e.unknownNested) restoreNested(a, e.unknownNested);
  return { family: familyNumber(e.family), attrs: a };
}
