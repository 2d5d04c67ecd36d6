/**
 * Conntrack filters: what `listConntrack` and `deleteConntrackByFilter`
 * match, with conntrack-tools' meanings (`nfct_filter` in conntrack.c).
 * Where the kernel selects a superset of the matching entries (family,
 * mark/mask, status/mask, zone, IPv4 tuple fields) the filter also becomes
 * dump attributes;
 * it is always applied again in userspace, so results are identical on
 * kernels that ignore some of those attributes, and a deletion never widens.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { AF_INET, AF_INET6, formatIp, parseCidr, parseIp } from "../../wire/addr.ts";
import { familyName } from "../../wire/family.ts";
import { bitsOfNames, valueOfName } from "../../wire/table.ts";
import type { ConntrackAttrs, ConntrackEntry, ConntrackTuple } from "./entry.ts";
import { checkInt, ctFamilyNumber, knownKeys, protoNumber } from "./spec.ts";
import {
  CT_STATUS_BITS,
  CTA_FILTER_F,
  DCCP_CONNTRACK_STATES,
  SCTP_CONNTRACK_STATES,
  TCP_CONNTRACK_STATES,
} from "./tables.ts";

/** Matches one direction, as `conntrack -s/-d/--sport/...` do. */
export interface ConntrackTupleFilter {
  /** Source address or prefix (`10.0.0.0/8`). */
  src?: string;
  /** Netmask in address form for `src` (`255.0.255.0`, `conntrack --mask-src`); any bits, not only a prefix. */
  srcMask?: string;
  /** Destination address or prefix. */
  dst?: string;
  /** Netmask in address form for `dst` (`conntrack --mask-dst`). */
  dstMask?: string;
  /** Source port. */
  sport?: number;
  /** Destination port. */
  dport?: number;
  /** ICMP/ICMPv6 type. */
  icmpType?: number;
  /** ICMP/ICMPv6 code. */
  icmpCode?: number;
  /** ICMP/ICMPv6 identifier. */
  icmpId?: number;
  /**
   * Zone of this direction (`conntrack --orig-zone`/`--reply-zone`): the
   * entry's `orig.zone`/`reply.zone`, 0 for entries without one.
   */
  zone?: number;
}

/** Which NAT an entry must have undergone, optionally to which address and port. */
export interface ConntrackNatFilter {
  /** The address the connection was mapped to. */
  ip?: string;
  /** The port the connection was mapped to. */
  port?: number;
}

/** What to match; every given field must match. Unknown keys are refused. */
export interface ConntrackFilter {
  /** Layer-3 family: `inet` (IPv4) or `inet6` (IPv6), or `AF_INET`/`AF_INET6`. */
  family?: "inet" | "inet6" | number;
  /** Layer-4 protocol by name or number. */
  proto?: string | number;
  /** Original direction (`conntrack -s/-d/--sport/--dport/--orig-zone`). */
  orig?: ConntrackTupleFilter;
  /** Reply direction (`conntrack -r/-q/--reply-port-src/--reply-port-dst/--reply-zone`). */
  reply?: ConntrackTupleFilter;
  /** Either direction may match. */
  any?: ConntrackTupleFilter;
  /** Connection mark, or mark and mask (`conntrack -m MARK/MASK`). */
  mark?: number | { value: number; mask: number };
  /** Zone of both directions (`conntrack -w`): the entry's `zone`, 0 for entries without one. */
  zone?: number;
  /** Status flags that must all be set. */
  status?: readonly string[];
  /** Status flags that must all be clear (`conntrack -u '!ASSURED'`, `-u UNREPLIED`: no `SEEN_REPLY`). */
  statusClear?: readonly string[];
  /** Label bit numbers that must all be set. */
  labels?: readonly number[];
  /** Label bit numbers that must all be clear (an entry without labels has every bit clear). */
  labelsClear?: readonly number[];
  /** TCP state name, or any of several. */
  tcpState?: string | readonly string[];
  /** SCTP state name (`conntrack -p sctp --state`), or any of several. */
  sctpState?: string | readonly string[];
  /** DCCP state name (`conntrack -p dccp --state`), or any of several. */
  dccpState?: string | readonly string[];
  /** The entry's id (`CTA_ID`; `conntrack -i`). */
  id?: number;
  /**
   * Security mark (`conntrack -c`): an entry that reports one
   * (`CTA_SECMARK`) must carry this one; as conntrack compares, an entry
   * that reports none passes (the kernel no longer reports it at all).
   */
  secmark?: number;
  /**
   * Seconds left (`conntrack -t` with `-D` and a comparison): as conntrack
   * compares, only an entry whose timeout is exactly this.
   */
  timeout?: number;
  /**
   * Source NAT done (`conntrack -n [IP[:PORT]]`): `true` for any, or the
   * address and/or port the source was mapped to.
   */
  srcNat?: boolean | ConntrackNatFilter;
  /** Destination NAT done (`conntrack -g [IP[:PORT]]`), as `srcNat`. */
  dstNat?: boolean | ConntrackNatFilter;
  /** Source or destination NAT done (`conntrack -j [IP[:PORT]]`), as `srcNat`. */
  anyNat?: boolean | ConntrackNatFilter;
}

/** A validated filter, ready to match entries. */
export interface CompiledConntrackFilter {
  /** `AF_INET`, `AF_INET6` or 0. */
  family: number;
  /** Tests an entry in userspace. */
  match(e: ConntrackEntry): boolean;
  /**
   * Dump attributes for the kernel-side filter: family (in the header),
   * mark, status, zone and, for IPv4, the exact tuple fields (`CTA_FILTER`),
   * which select a superset of the matching entries. IPv6 tuples stay in
   * userspace: the kernel's `CTA_FILTER` matches no IPv6 address (6.18).
   */
  kernelAttrs: ConntrackAttrs;
  /** The kernel attributes express the whole filter, so a kernel-filtered dump returns exactly the matching entries. */
  exact: boolean;
  /** The filter looks at fields that change during an entry's life (mark, status, labels, TCP state). */
  mutable: boolean;
}

/** The keys a {@link ConntrackFilter} takes. */
export const CONNTRACK_FILTER_KEYS: readonly string[] = [
  "family",
  "proto",
  "orig",
  "reply",
  "any",
  "mark",
  "zone",
  "status",
  "statusClear",
  "labels",
  "labelsClear",
  "tcpState",
  "sctpState",
  "dccpState",
  "id",
  "secmark",
  "timeout",
  "srcNat",
  "dstNat",
  "anyNat",
];
const TUPLE_KEYS = [
  "src",
  "srcMask",
  "dst",
  "dstMask",
  "sport",
  "dport",
  "icmpType",
  "icmpCode",
  "icmpId",
  "zone",
] as const;
const NAT_KEYS = ["ip", "port"] as const;

/** An address with its mask bytes: matches when `(addr & mask) == (net & mask)`. */
interface Net {
  family: number;
  net: Uint8Array;
  mask: Uint8Array;
  /** A full-length address as entries spell it (canonical text), compared without parsing each entry's. */
  exact?: string;
}

/** A {@link ConntrackTupleFilter} with its addresses and masks read. */
type TupleMatch = Omit<ConntrackTupleFilter, "src" | "srcMask" | "dst" | "dstMask"> & { src?: Net; dst?: Net };

function prefixMask(len: number, bytes: number): Uint8Array {
  const m = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    m[i] = len >= (i + 1) * 8 ? 0xff : len > i * 8 ? (0xff << (8 - (len - i * 8))) & 0xff : 0;
  }
  return m;
}

function net(text: string, maskText: string | undefined, what: string): Net {
  const c = parseCidr(text);
  let mask = prefixMask(c.prefixLen, c.addr.length);
  if (maskText !== undefined) {
    if (text.includes("/")) throw new InvalidArgumentError(`Invalid ${what}: "${text}" has a prefix and a mask`);
    try {
      mask = parseIp(maskText);
    } catch {
      throw new InvalidArgumentError(`Invalid ${what} mask: "${maskText}" (expected an address-form netmask)`);
    }
    if (mask.length !== c.addr.length) {
      throw new InvalidArgumentError(`Address family of the ${what} mask "${maskText}" does not match "${text}"`);
    }
  }
  const n: Net = { family: c.family, net: c.addr.map((b, i) => b & mask[i]), mask };
  if (mask.every((b) => b === 0xff)) n.exact = formatIp(c.addr);
  return n;
}

function tupleMatch(f: ConntrackTupleFilter | undefined, what: string): TupleMatch | undefined {
  if (f === undefined) return undefined;
  knownKeys(f, TUPLE_KEYS, `${what} filter`);
  const m: TupleMatch = {};
  if (f.src !== undefined) m.src = net(f.src, f.srcMask, `${what} source`);
  else if (f.srcMask !== undefined) throw new InvalidArgumentError(`A ${what} source mask needs a source address`);
  if (f.dst !== undefined) m.dst = net(f.dst, f.dstMask, `${what} destination`);
  else if (f.dstMask !== undefined) {
    throw new InvalidArgumentError(`A ${what} destination mask needs a destination address`);
  }
  if (f.sport !== undefined) m.sport = checkInt(`${what} source port`, f.sport, 65535);
  if (f.dport !== undefined) m.dport = checkInt(`${what} destination port`, f.dport, 65535);
  if (f.icmpType !== undefined) m.icmpType = checkInt(`${what} ICMP type`, f.icmpType, 255);
  if (f.icmpCode !== undefined) m.icmpCode = checkInt(`${what} ICMP code`, f.icmpCode, 255);
  if (f.icmpId !== undefined) m.icmpId = checkInt(`${what} ICMP id`, f.icmpId, 65535);
  if (f.zone !== undefined) m.zone = checkInt(`${what} zone`, f.zone, 65535);
  return m;
}

function addrIn(addr: string, n: Net): boolean {
  if (n.exact !== undefined) return addr === n.exact;
  let b: Uint8Array;
  try {
    b = parseIp(addr);
  } catch {
    return false;
  }
  if (b.length !== n.net.length) return false;
  for (let i = 0; i < b.length; i++) if ((b[i] & n.mask[i]) !== n.net[i]) return false;
  return true;
}

function tupleMatches(t: ConntrackTuple, m: TupleMatch): boolean {
  if (m.src && !addrIn(t.src, m.src)) return false;
  if (m.dst && !addrIn(t.dst, m.dst)) return false;
  if (m.sport !== undefined && t.sport !== m.sport) return false;
  if (m.dport !== undefined && t.dport !== m.dport) return false;
  if (m.icmpType !== undefined && t.icmpType !== m.icmpType) return false;
  if (m.icmpCode !== undefined && t.icmpCode !== m.icmpCode) return false;
  if (m.icmpId !== undefined && t.icmpId !== m.icmpId) return false;
  if (m.zone !== undefined && (t.zone ?? 0) !== m.zone) return false;
  return true;
}

interface NatMatch {
  ip?: Uint8Array;
  port?: number;
}

function natMatch(v: boolean | ConntrackNatFilter | undefined, what: string): NatMatch | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true) return {};
  knownKeys(v, NAT_KEYS, `${what} filter`);
  const m: NatMatch = {};
  if (v.ip !== undefined) {
    try {
      m.ip = parseIp(v.ip);
    } catch {
      throw new InvalidArgumentError(`Invalid ${what} address: "${v.ip}"`);
    }
  }
  if (v.port !== undefined) m.port = checkInt(`${what} port`, v.port, 65535);
  return m;
}

const SRC_NAT_DONE = 0x80, DST_NAT_DONE = 0x100;

function sameAddr(text: string, b: Uint8Array): boolean {
  try {
    const a = parseIp(text);
    return a.length === b.length && a.every((x, i) => x === b[i]);
  } catch {
    return false;
  }
}

/**
 * conntrack's NAT test: source NAT is done when the `SRC_NAT_DONE` bit is
 * set and the reply destination differs from the original source (address
 * NAT) or the reply destination port from the original source port (port
 * NAT); an address or port given must be the one mapped to. Destination
 * NAT likewise with the reply source.
 */
function natDone(e: ConntrackEntry, m: NatMatch, src: boolean): boolean {
  if (!(e.statusBits & (src ? SRC_NAT_DONE : DST_NAT_DONE))) return false;
  const [mapped, before] = src ? [e.reply.dst, e.orig.src] : [e.reply.src, e.orig.dst];
  const [mappedPort, beforePort] = src ? [e.reply.dport, e.orig.sport] : [e.reply.sport, e.orig.dport];
  const addrNat = mapped !== before, portNat = (mappedPort ?? 0) !== (beforePort ?? 0);
  if (m.ip !== undefined && !(addrNat && sameAddr(mapped, m.ip))) return false;
  if (m.port !== undefined && !(portNat && mappedPort === m.port)) return false;
  return m.ip !== undefined || m.port !== undefined || addrNat || portNat;
}

/** A full-length address of a tuple filter, as text; `undefined` for a prefix or a mask. */
function exactAddr(n: Net | undefined): string | undefined {
  return n?.exact;
}

/** `CTA_FILTER` tuple (IPv4) for the exact fields of `m`, with the flag bits that say which fields count. */
function kernelTuple(m: TupleMatch, protoNum: number | undefined): [number, NonNullable<ConntrackAttrs["tupleOrig"]>] {
  let flags = 0;
  const ip: { v4Src?: string; v4Dst?: string } = {};
  const src = exactAddr(m.src), dst = exactAddr(m.dst);
  if (src !== undefined) [flags, ip.v4Src] = [flags | CTA_FILTER_F.CTA_FILTER_F_CTA_IP_SRC, src];
  if (dst !== undefined) [flags, ip.v4Dst] = [flags | CTA_FILTER_F.CTA_FILTER_F_CTA_IP_DST, dst];
  // An empty nest would make the kernel look for fields that are not there (EINVAL).
  const tuple: NonNullable<ConntrackAttrs["tupleOrig"]> = {};
  if (src !== undefined || dst !== undefined) tuple.ip = ip;
  if (protoNum !== undefined) {
    const proto: { num: number; srcPort?: number; dstPort?: number } = { num: protoNum };
    flags |= CTA_FILTER_F.CTA_FILTER_F_CTA_PROTO_NUM;
    // GRE keys sit where ports do, but CTA_FILTER never matches them (6.18): they are compared here only.
    if (protoNum === 47) return [flags, { ...tuple, proto }];
    if (m.sport !== undefined) [flags, proto.srcPort] = [flags | CTA_FILTER_F.CTA_FILTER_F_CTA_PROTO_SRC_PORT, m.sport];
    if (m.dport !== undefined) [flags, proto.dstPort] = [flags | CTA_FILTER_F.CTA_FILTER_F_CTA_PROTO_DST_PORT, m.dport];
    tuple.proto = proto;
  }
  return [flags, tuple];
}

/** The state names of `given` (one or several), checked against a protocol's table. */
function stateSet(
  given: string | readonly string[] | undefined,
  names: Record<number, string>,
  what: string,
): Set<string> | undefined {
  if (given === undefined) return undefined;
  const list = typeof given === "string" ? [given] : given;
  if (!Array.isArray(list) && typeof given !== "string") {
    throw new InvalidArgumentError(`Invalid ${what}: "${String(given)}"`);
  }
  for (const n of list) valueOfName(names, n, what);
  return new Set(list);
}

/** The matcher of the SCTP and DCCP states, the id, the security mark and the timeout. */
function moreMatch(f: ConntrackFilter): (e: ConntrackEntry) => boolean {
  const sctp = stateSet(f.sctpState, SCTP_CONNTRACK_STATES, "SCTP state");
  const dccp = stateSet(f.dccpState, DCCP_CONNTRACK_STATES, "DCCP state");
  const id = f.id === undefined ? undefined : checkInt("id", f.id, 0xffffffff);
  const secmark = f.secmark === undefined ? undefined : checkInt("secmark", f.secmark, 0xffffffff);
  const timeout = f.timeout === undefined ? undefined : checkInt("timeout", f.timeout, 0xffffffff);
  return (e) =>
    (timeout === undefined || e.timeout === timeout) &&
    (!sctp || (e.sctp !== undefined && sctp.has(e.sctp.state))) &&
    (!dccp || (e.dccp !== undefined && dccp.has(e.dccp.state))) &&
    (id === undefined || e.id === id) &&
    (secmark === undefined || e.secmark === undefined || e.secmark === secmark);
}

/**
 * Validates a filter (throwing `InvalidArgumentError` on bad input or an
 * unknown key) and prepares its userspace matcher and kernel dump attributes.
 */
export function compileConntrackFilter(f: ConntrackFilter = {}): CompiledConntrackFilter {
  knownKeys(f, CONNTRACK_FILTER_KEYS, "conntrack filter");
  const orig = tupleMatch(f.orig, "orig"), reply = tupleMatch(f.reply, "reply"), any = tupleMatch(f.any, "any");
  const protoNum = f.proto === undefined ? undefined : protoNumber(f.proto);
  let family = f.family === undefined ? 0 : ctFamilyNumber(f.family);
  const srcNat = natMatch(f.srcNat, "source NAT"), dstNat = natMatch(f.dstNat, "destination NAT");
  const anyNat = natMatch(f.anyNat, "any NAT");
  if (anyNat && (srcNat || dstNat)) {
    throw new InvalidArgumentError("A filter has anyNat, or srcNat and dstNat, not both");
  }
  const addrFamilies = [orig, reply, any].flatMap((m) => [m?.src?.family, m?.dst?.family]);
  for (const n of [srcNat, dstNat, anyNat]) if (n?.ip) addrFamilies.push(n.ip.length === 4 ? AF_INET : AF_INET6);
  for (const af of addrFamilies) {
    if (af === undefined) continue;
    if (family && af !== family) {
      throw new InvalidArgumentError(
        `Address family of the filter does not match "${f.family ?? "the other addresses"}"`,
      );
    }
    family = af;
  }
  const mark = f.mark === undefined
    ? undefined
    : typeof f.mark === "number"
    ? { value: checkInt("mark", f.mark, 0xffffffff), mask: 0xffffffff }
    : { value: checkInt("mark", f.mark.value, 0xffffffff), mask: checkInt("mark mask", f.mark.mask, 0xffffffff) };
  const zone = f.zone === undefined ? undefined : checkInt("zone", f.zone, 65535);
  const status = f.status === undefined ? undefined : bitsOfNames(CT_STATUS_BITS, f.status, "status flag");
  const clear = f.statusClear === undefined ? 0 : bitsOfNames(CT_STATUS_BITS, f.statusClear, "status flag");
  if (((status ?? 0) & clear) !== 0) throw new InvalidArgumentError("A status flag cannot be both set and clear");
  const labels = f.labels?.map((b) => checkInt("label bit", b, 127));
  const labelsClear = f.labelsClear?.map((b) => checkInt("label bit", b, 127));
  if (labels && labelsClear?.some((b) => labels.includes(b))) {
    throw new InvalidArgumentError("A label bit cannot be both set and clear");
  }
  const states = f.tcpState === undefined ? undefined : new Set(
    (typeof f.tcpState === "string" ? [f.tcpState] : f.tcpState).map((s) => {
      const up = s.toUpperCase();
      valueOfName(TCP_CONNTRACK_STATES, up, "TCP state");
      return up;
    }),
  );

  const familyText = family ? familyName(family) : undefined;
  const more = moreMatch(f);
  const match = (e: ConntrackEntry): boolean => {
    if (familyText && e.family !== familyText) return false;
    if (protoNum !== undefined && e.protoNum !== protoNum) return false;
    if (orig && !tupleMatches(e.orig, orig)) return false;
    if (reply && !tupleMatches(e.reply, reply)) return false;
    if (any && !tupleMatches(e.orig, any) && !tupleMatches(e.reply, any)) return false;
    if (mark && (((e.mark ?? 0) & mark.mask) >>> 0) !== ((mark.value & mark.mask) >>> 0)) return false;
    if (zone !== undefined && (e.zone ?? 0) !== zone) return false;
    if (status !== undefined && ((e.statusBits & status) >>> 0) !== status) return false;
    if ((e.statusBits & clear) !== 0) return false;
    if (labels && !labels.every((b) => e.labels?.bits.includes(b))) return false;
    if (labelsClear?.some((b) => e.labels?.bits.includes(b))) return false;
    if (states && !(e.tcp && states.has(e.tcp.state))) return false;
    if (!more(e)) return false;
    if (srcNat && !natDone(e, srcNat, true)) return false;
    if (dstNat && !natDone(e, dstNat, false)) return false;
    if (anyNat && !natDone(e, anyNat, true) && !natDone(e, anyNat, false)) return false;
    return true;
  };

  const kernelAttrs: ConntrackAttrs = {};
  if (mark) {
    // The kernel compares (mark & mask) with the value as given: mask it here too.
    kernelAttrs.mark = (mark.value & mark.mask) >>> 0;
    kernelAttrs.markMask = mark.mask;
  }
  if ((status ?? 0) !== 0 || clear !== 0) {
    // (status & mask) == value: the set flags must be there, the clear ones not.
    kernelAttrs.status = status ?? 0;
    kernelAttrs.statusMask = ((status ?? 0) | clear) >>> 0;
  }
  // The kernel matches the zone id in either direction (a superset of `zone`); 0 means "no zone filter" to it.
  if (zone) kernelAttrs.zone = zone;
  // CTA_FILTER compares exact fields and needs the family to read addresses; IPv6 addresses never match (6.18).
  if (family === AF_INET && (orig || reply || protoNum !== undefined)) {
    const [origFlags, tupleOrig] = kernelTuple(orig ?? {}, protoNum);
    kernelAttrs.tupleOrig = tupleOrig;
    kernelAttrs.filter = { origFlags };
    if (reply) {
      const [replyFlags, tupleReply] = kernelTuple(reply, protoNum);
      kernelAttrs.tupleReply = tupleReply;
      kernelAttrs.filter.replyFlags = replyFlags;
    }
  }
  const onlyKernel = Object.keys(f).every((k) => ["family", "mark", "status", "statusClear"].includes(k));
  const mutable = mark !== undefined || !!status || !!clear || !!labels?.length || !!labelsClear?.length ||
    states !== undefined ||
    f.sctpState !== undefined || f.dccpState !== undefined || f.timeout !== undefined;
  return { family, match, kernelAttrs, exact: onlyKernel, mutable };
}
