/**
 * Conntrack filters: what `listConntrack` and `deleteConntrackByFilter`
 * match. The same filter becomes kernel-side dump attributes where the
 * kernel can filter (family, mark/mask, status/mask, zone, exact tuple
 * fields through `CTA_FILTER`) and is always applied again in userspace, so
 * results are identical on kernels that ignore some of those attributes.
 *
 * @module
 */

import { AF_INET, AF_INET6, type Cidr, formatIp, inPrefix, parseCidr, parseIp } from "../../wire/addr.ts";
import { bitsOfNames, valueOfName } from "../../wire/table.ts";
import type { ConntrackAttrs, ConntrackEntry, ConntrackTuple } from "./entry.ts";
import { checkInt, protoNumber } from "./spec.ts";
import { CT_STATUS_BITS, CTA_FILTER_F, TCP_CONNTRACK_STATES } from "./tables.ts";

/** Matches one direction: addresses exact or CIDR, ports exact. */
export interface ConntrackTupleFilter {
  /** Source address or prefix (`10.0.0.0/8`). */
  src?: string;
  /** Destination address or prefix. */
  dst?: string;
  /** Source port. */
  sport?: number;
  /** Destination port. */
  dport?: number;
}

/** What to match; every given field must match. */
export interface ConntrackFilter {
  /** Layer-3 family. */
  family?: "ipv4" | "ipv6";
  /** Layer-4 protocol by name or number. */
  proto?: string | number;
  /** Original direction (`conntrack -s/-d/--sport/--dport`). */
  orig?: ConntrackTupleFilter;
  /** Reply direction (`conntrack -r/-q/--reply-port-src/--reply-port-dst`). */
  reply?: ConntrackTupleFilter;
  /** Either direction may match. */
  any?: ConntrackTupleFilter;
  /** Connection mark, or mark and mask (`conntrack -m MARK/MASK`). */
  mark?: number | { value: number; mask: number };
  /** Zone. */
  zone?: number;
  /** Status flags that must all be set. */
  status?: readonly string[];
  /** Label bit numbers that must all be set. */
  labels?: readonly number[];
  /** TCP state name, or any of several. */
  tcpState?: string | readonly string[];
}

interface TupleMatch {
  src?: Cidr;
  dst?: Cidr;
  sport?: number;
  dport?: number;
}

/** A validated filter, ready to match entries. */
export interface CompiledConntrackFilter {
  /** `AF_INET`, `AF_INET6` or 0. */
  family: number;
  /** Tests an entry in userspace. */
  match(e: ConntrackEntry): boolean;
  /** Dump attributes for the kernel-side filter. */
  kernelAttrs: ConntrackAttrs;
  /**
   * The kernel attributes express the whole filter (on kernels that honour
   * them), so a kernel-filtered dump returns exactly the matching entries.
   */
  exact: boolean;
  /** The filter looks at fields that change during an entry's life (mark, status, labels, TCP state). */
  mutable: boolean;
}

function tupleMatch(f: ConntrackTupleFilter | undefined, what: string): TupleMatch | undefined {
  if (!f) return undefined;
  const m: TupleMatch = {};
  if (f.src !== undefined) m.src = parseCidr(f.src);
  if (f.dst !== undefined) m.dst = parseCidr(f.dst);
  if (f.sport !== undefined) m.sport = checkInt(`${what} source port`, f.sport, 65535);
  if (f.dport !== undefined) m.dport = checkInt(`${what} destination port`, f.dport, 65535);
  return m;
}

function addrIn(addr: string, c: Cidr): boolean {
  let b: Uint8Array;
  try {
    b = parseIp(addr);
  } catch {
    return false;
  }
  return b.length === c.addr.length && inPrefix(b, c.addr, c.prefixLen);
}

function tupleMatches(t: ConntrackTuple, m: TupleMatch): boolean {
  if (m.src && !addrIn(t.src, m.src)) return false;
  if (m.dst && !addrIn(t.dst, m.dst)) return false;
  if (m.sport !== undefined && t.sport !== m.sport) return false;
  if (m.dport !== undefined && t.dport !== m.dport) return false;
  return true;
}

const full = (c: Cidr | undefined): boolean => c !== undefined && c.prefixLen === c.addr.length * 8;

/** Kernel `CTA_FILTER` tuple for the exact fields of `m`, with the flag bits that say which fields count. */
function kernelTuple(
  m: TupleMatch,
  family: number,
  protoNum: number | undefined,
): [number, NonNullable<ConntrackAttrs["tupleOrig"]>] {
  let flags = 0;
  const v6 = family === AF_INET6;
  const ip: Record<string, string> = {};
  const text = (c: Cidr) => formatIp(c.addr);
  if (full(m.src)) {
    flags |= CTA_FILTER_F.CTA_FILTER_F_CTA_IP_SRC;
    ip[v6 ? "v6Src" : "v4Src"] = text(m.src!);
  }
  if (full(m.dst)) {
    flags |= CTA_FILTER_F.CTA_FILTER_F_CTA_IP_DST;
    ip[v6 ? "v6Dst" : "v4Dst"] = text(m.dst!);
  }
  const proto: Record<string, number> = {};
  if (protoNum !== undefined) {
    flags |= CTA_FILTER_F.CTA_FILTER_F_CTA_PROTO_NUM;
    proto.num = protoNum;
    if (m.sport !== undefined) {
      flags |= CTA_FILTER_F.CTA_FILTER_F_CTA_PROTO_SRC_PORT;
      proto.srcPort = m.sport;
    }
    if (m.dport !== undefined) {
      flags |= CTA_FILTER_F.CTA_FILTER_F_CTA_PROTO_DST_PORT;
      proto.dstPort = m.dport;
    }
  }
  // An empty nest would make the kernel look for fields that are not there (EINVAL).
  const tuple: NonNullable<ConntrackAttrs["tupleOrig"]> = {};
  if (Object.keys(ip).length) tuple.ip = ip;
  if (protoNum !== undefined) tuple.proto = proto;
  return [flags, tuple];
}

/**
 * Validates a filter (throwing `TypeError`/`RangeError` on bad input) and
 * prepares its userspace matcher and kernel dump attributes.
 */
export function compileConntrackFilter(f: ConntrackFilter = {}): CompiledConntrackFilter {
  const orig = tupleMatch(f.orig, "orig"), reply = tupleMatch(f.reply, "reply"), any = tupleMatch(f.any, "any");
  const protoNum = f.proto === undefined ? undefined : protoNumber(f.proto);
  let family = f.family === undefined ? 0 : f.family === "ipv4" ? AF_INET : f.family === "ipv6" ? AF_INET6 : -1;
  if (family < 0) throw new TypeError(`Invalid family: "${f.family}" (must be ipv4 or ipv6)`);
  for (const m of [orig, reply, any]) {
    for (const c of [m?.src, m?.dst]) {
      if (!c) continue;
      if (family && c.family !== family) {
        throw new TypeError(`Address family of the filter does not match "${f.family ?? "the other addresses"}"`);
      }
      family = c.family;
    }
  }
  const mark = f.mark === undefined
    ? undefined
    : typeof f.mark === "number"
    ? { value: checkInt("mark", f.mark, 0xffffffff), mask: 0xffffffff }
    : { value: checkInt("mark", f.mark.value, 0xffffffff), mask: checkInt("mark mask", f.mark.mask, 0xffffffff) };
  const zone = f.zone === undefined ? undefined : checkInt("zone", f.zone, 65535);
  const status = f.status === undefined ? undefined : bitsOfNames(CT_STATUS_BITS, f.status, "status flag");
  const labels = f.labels?.map((b) => checkInt("label bit", b, 127));
  const states = f.tcpState === undefined ? undefined : new Set(
    (typeof f.tcpState === "string" ? [f.tcpState] : f.tcpState).map((s) => {
      const up = s.toUpperCase();
      valueOfName(TCP_CONNTRACK_STATES, up, "TCP state");
      return up;
    }),
  );

  const match = (e: ConntrackEntry): boolean => {
    if (family && e.familyNum !== family) return false;
    if (protoNum !== undefined && e.protoNum !== protoNum) return false;
    if (orig && !tupleMatches(e.orig, orig)) return false;
    if (reply && !tupleMatches(e.reply, reply)) return false;
    if (any && !tupleMatches(e.orig, any) && !tupleMatches(e.reply, any)) return false;
    if (mark && (((e.mark ?? 0) & mark.mask) >>> 0) !== ((mark.value & mark.mask) >>> 0)) return false;
    if (zone !== undefined && (e.zone ?? 0) !== zone) return false;
    if (status !== undefined && ((e.statusBits & status) >>> 0) !== status) return false;
    if (labels && !labels.every((b) => e.labels?.bits.includes(b))) return false;
    if (states && !(e.tcp && states.has(e.tcp.state))) return false;
    return true;
  };

  const kernelAttrs: ConntrackAttrs = {};
  if (mark) {
    // The kernel compares (mark & mask) with the value as given: mask it here too.
    kernelAttrs.mark = (mark.value & mark.mask) >>> 0;
    kernelAttrs.markMask = mark.mask;
  }
  if (status !== undefined && status !== 0) {
    kernelAttrs.status = status;
    kernelAttrs.statusMask = status;
  }
  if (zone !== undefined) kernelAttrs.zone = zone;
  // CTA_FILTER compares exact fields and needs the family (nfgenmsg) to read addresses.
  if (family && (orig || reply || protoNum !== undefined)) {
    const [origFlags, tupleOrig] = kernelTuple(orig ?? {}, family, protoNum);
    kernelAttrs.tupleOrig = tupleOrig;
    kernelAttrs.filter = { origFlags };
    if (reply) {
      const [replyFlags, tupleReply] = kernelTuple(reply, family, protoNum);
      kernelAttrs.tupleReply = tupleReply;
      kernelAttrs.filter.replyFlags = replyFlags;
    }
  }
  // What the kernel cannot do: CIDR prefixes, "either direction", labels,
  // TCP states, zone 0 (it means "no zone filter" to the kernel), and tuple
  // fields or a protocol without a family to read them with.
  const tupleExact = (m: TupleMatch | undefined) =>
    !m || ((!m.src || full(m.src)) && (!m.dst || full(m.dst)) &&
      (protoNum !== undefined || (m.sport === undefined && m.dport === undefined)));
  const exact = !any && !labels?.length && !states && zone !== 0 && tupleExact(orig) && tupleExact(reply) &&
    (family !== 0 || (!orig && !reply && protoNum === undefined));
  const mutable = mark !== undefined || !!status || !!labels?.length || states !== undefined;
  return { family, match, kernelAttrs, exact, mutable };
}
