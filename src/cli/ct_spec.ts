/**
 * What `nlkit ct` options mean to the conntrack library: the entry filter
 * of -L/-D/-E/-U, the tuples and values of -I, and what -U changes in an
 * entry, all with conntrack-tools' semantics.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import type { CtArgs, CtNat } from "./ct_arg_types.ts";
import { labelBitsOf, loadConnlabel } from "./ct_labels.ts";
import type { ConntrackEntry } from "../netfilter/conntrack/entry.ts";
import type { ConntrackFilter, ConntrackTupleFilter } from "../netfilter/conntrack/filter.ts";
import { entryKey } from "../netfilter/conntrack/ops.ts";
import {
  type ConntrackNatSpec,
  type ConntrackSpec,
  type ConntrackTupleSpec,
  invertTuple,
} from "../netfilter/conntrack/spec.ts";
import { CT_STATUS_BITS } from "../netfilter/conntrack/tables.ts";
import { bitsOfNames } from "../wire/table.ts";

let labelNames: Map<number, string> | undefined;
let labelRecord: Record<number, string> | undefined;

/** Label names by bit (connlabel.conf, read once), for printing. */
export function labelNameRecord(): Record<number, string> {
  return labelRecord ??= Object.fromEntries(labelNames ??= loadConnlabel());
}

/** Label bits from names (connlabel.conf, read once) or numbers; an unknown name is a usage error as in conntrack. */
export function labelNumbers(labels: string[]): number[] {
  try {
    return labelBitsOf(labels, labelNames ??= loadConnlabel());
  } catch {
    const bad = labels.find((l) => {
      try {
        labelBitsOf([l], labelNames!);
        return false;
      } catch {
        return true;
      }
    });
    throw new UsageError(`unknown label '${bad}'`, bad);
  }
}

function natFilter(n: CtNat | undefined): ConntrackFilter["srcNat"] {
  return n === undefined ? undefined : n === true ? true : n.port === undefined ? { ip: n.ip } : n;
}

/** Drops undefined fields: the library refuses nothing for them, but they should not look given. */
function defined<T extends object>(o: T): T | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The entry filter of conntrack's `-L`, `-D` and `-E` (every filter
 * option), or of `-U` (`forUpdate`: only the tuples, NAT, labels and
 * masks select; mark, status and timeout are values to set).
 */
export function filterOf(a: CtArgs, forUpdate = false): ConntrackFilter {
  const icmp = { icmpType: a.icmpType, icmpCode: a.icmpCode, icmpId: a.icmpId };
  const f: ConntrackFilter = {};
  if (a.family) f.family = a.family;
  if (a.protoNum !== undefined) f.proto = a.protoNum;
  const orig = defined<ConntrackTupleFilter>({
    src: a.origSrc,
    srcMask: a.maskSrc,
    dst: a.origDst,
    dstMask: a.maskDst,
    sport: a.sport,
    dport: a.dport,
    ...icmp,
    zone: a.origZone,
  });
  const reply = defined<ConntrackTupleFilter>({
    src: a.replySrc,
    dst: a.replyDst,
    sport: a.replySport,
    dport: a.replyDport,
    zone: a.replyZone,
  });
  if (orig) f.orig = orig;
  if (reply) f.reply = reply;
  if (a.srcNat) f.srcNat = natFilter(a.srcNat);
  if (a.dstNat) f.dstNat = natFilter(a.dstNat);
  if (a.anyNat) f.anyNat = natFilter(a.anyNat);
  if (a.label) f.labels = labelNumbers(a.label);
  // -U selects by id too (the other options are values to set).
  if (forUpdate) {
    return a.id === undefined ? f : { ...f, id: a.id };
  }
  if (a.zone !== undefined) f.zone = a.zone;
  if (a.mark) f.mark = a.mark.mask === undefined ? a.mark.value : { value: a.mark.value, mask: a.mark.mask };
  if (a.status) f.status = a.status;
  if (a.statusClear) f.statusClear = a.statusClear;
  if (a.state) f[a.protoNum === 132 ? "sctpState" : a.protoNum === 33 ? "dccpState" : "tcpState"] = a.state;
  if (a.id !== undefined) f.id = a.id;
  if (a.secmark !== undefined) f.secmark = a.secmark;
  // conntrack compares the timeout only when it compares at all (its CT_COMPARISON options).
  if (a.timeout !== undefined && Object.keys(f).some((k) => k !== "family")) f.timeout = a.timeout;
  return f;
}

/** A tuple of `-I`/`-G` from one direction's options; ICMP fields go with either direction. */
export function tupleSpec(a: CtArgs, dir: "orig" | "reply"): ConntrackTupleSpec | undefined {
  const [src, dst, sport, dport, zone] = dir === "orig"
    ? [a.origSrc, a.origDst, a.sport, a.dport, a.origZone]
    : [a.replySrc, a.replyDst, a.replySport, a.replyDport, a.replyZone];
  if (src === undefined && dst === undefined) return undefined;
  const t: ConntrackTupleSpec = { src: src ?? "", dst: dst ?? "" };
  if (sport !== undefined) t.sport = sport;
  if (dport !== undefined) t.dport = dport;
  if (zone !== undefined) t.zone = zone;
  if (a.icmpType !== undefined || a.icmpCode !== undefined || a.icmpId !== undefined) {
    // The options give the original direction; the reply carries the answering type (echo -> echo reply).
    const icmp = { src: "", dst: "", icmpType: a.icmpType, icmpCode: a.icmpCode, icmpId: a.icmpId };
    const r = dir === "orig" ? icmp : invertTuple(icmp);
    if (r.icmpType !== undefined) t.icmpType = r.icmpType;
    if (r.icmpCode !== undefined) t.icmpCode = r.icmpCode;
    if (r.icmpId !== undefined) t.icmpId = r.icmpId;
  }
  return t;
}

function nat(v: CtNat | undefined): ConntrackNatSpec | undefined {
  if (v === undefined || v === true) return undefined;
  return v.port === undefined ? { ip: v.ip } : { ip: v.ip, port: v.port };
}

/**
 * The protocol's state values to set (`--state`, SCTP's `--orig-vtag`/`--reply-vtag`,
 * DCCP's `--role`), and whether they differ from entry `e`'s.
 */
function protoValues(a: CtArgs, spec: ConntrackSpec, e?: ConntrackEntry): boolean {
  if (a.protoNum === 132) {
    if (a.state) spec.sctpState = a.state;
    if (a.origVtag !== undefined) spec.sctpVtagOrig = a.origVtag;
    if (a.replyVtag !== undefined) spec.sctpVtagReply = a.replyVtag;
    return (a.state !== undefined && e?.sctp?.state !== a.state) ||
      (a.origVtag !== undefined && e?.sctp?.vtagOrig !== a.origVtag) ||
      (a.replyVtag !== undefined && e?.sctp?.vtagReply !== a.replyVtag);
  }
  if (a.protoNum === 33) {
    if (a.state) spec.dccpState = a.state;
    if (a.role) spec.dccpRole = a.role;
    return (a.state !== undefined && e?.dccp?.state !== a.state) ||
      (a.role !== undefined && e?.dccp?.role !== (a.role === "client" ? 0 : 1));
  }
  if (!a.state) return false;
  spec.tcpState = a.state;
  return e?.tcp?.state !== a.state;
}

/** The attributes `-I` creates. */
export function createValues(a: CtArgs, spec: ConntrackSpec): ConntrackSpec {
  if (a.timeout !== undefined) spec.timeout = a.timeout;
  if (a.mark) spec.mark = a.mark.value;
  if (a.status) spec.status = a.status;
  protoValues(a, spec);
  if (a.labelAdd) spec.labels = labelNumbers(a.labelAdd);
  const ns = nat(a.srcNat ?? a.anyNat), nd = nat(a.dstNat ?? a.anyNat);
  if (ns) spec.natSrc = ns;
  if (nd) spec.natDst = nd;
  return spec;
}

/**
 * What `-U` changes in `e`, as conntrack computes it: the mark under its
 * mask, status bits added to the entry's, the timeout, the TCP state and
 * labels added or removed; `undefined` when nothing would change (conntrack
 * then neither sends nor counts it).
 */
export function updateOf(a: CtArgs, e: ConntrackEntry): ConntrackSpec | undefined {
  const spec: ConntrackSpec = { ...entryKey(e), proto: e.protoNum };
  let changed = false;
  if (a.timeout !== undefined) {
    spec.timeout = a.timeout;
    changed ||= a.timeout !== e.timeout;
  }
  if (a.mark) {
    const mask = a.mark.mask ?? 0xffffffff;
    const mark = (((e.mark ?? 0) & ~mask) ^ a.mark.value) >>> 0;
    spec.mark = mark;
    changed ||= mark !== (e.mark ?? 0);
  }
  if (a.status) {
    const bits = (e.statusBits | bitsOfNames(CT_STATUS_BITS, a.status, "status flag")) >>> 0;
    spec.status = bits;
    changed ||= bits !== e.statusBits;
  }
  changed = protoValues(a, spec, e) || changed;
  const had = e.labels?.bits ?? [];
  if (a.labelAdd || a.labelDel) {
    const add = a.labelAdd ? labelNumbers(a.labelAdd) : [];
    const del = a.labelDel ? (a.labelDel.length ? labelNumbers(a.labelDel) : had) : [];
    const now = [...new Set([...had.filter((b) => !del.includes(b)), ...add])].sort((x, y) => x - y);
    spec.labels = now;
    spec.labelsMask = [...new Set([...add, ...del])];
    // conntrack sends labels under a mask, which its unchanged-entry test always sees: every --label-add, and
    // every --label-del on an entry that carries labels, counts as an update though the labels may stay the same.
    changed ||= a.labelAdd !== undefined || had.length > 0;
  }
  return changed ? spec : undefined;
}
