/**
 * Turning user input (a tuple, an entry to create or change, a lookup key)
 * into ctnetlink attributes, validating every value before anything is sent.
 *
 * @module
 */

import { AF_INET, AF_INET6, ipLength, parseIp } from "../../wire/addr.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { bitsOfNames, checkPolicy, valueOfName } from "../../wire/table.ts";
import type { ConntrackAttrs, ConntrackLabels } from "./entry.ts";
import type { ConntrackTuple } from "./types.ts";
import { familyName } from "../../wire/family.ts";
import {
  CT_PROTO_NAMES,
  CT_STATUS_BITS,
  CTA_HELP_TABLE,
  CTA_PROTO_TABLE as PROTO,
  CTA_TABLE,
  CTA_TUPLE_TABLE,
  DCCP_CONNTRACK_STATES,
  SCTP_CONNTRACK_STATES,
  TCP_CONNTRACK_STATES,
} from "./tables.ts";

const NAT_PORT = { ...CTA_TABLE.natSrc.table.proto.table.portMin, what: "NAT port" } as const;

/**
 * One direction of a connection, as given by the user: the very shape of a
 * listed entry's {@link ConntrackTuple}, so a tuple read from a listing can be
 * passed back as it is.
 */
export type ConntrackTupleSpec = ConntrackTuple;

/** A NAT mapping for `CTA_NAT_SRC`/`CTA_NAT_DST`. */
export interface ConntrackNatSpec {
  /** Address to map to (first of the range). */
  ip: string;
  /** Last address of the range (default `ip`). */
  ipMax?: string;
  /** Port to map to (first of the range). */
  port?: number;
  /** Last port of the range (default `port`). */
  portMax?: number;
}

/**
 * Identifies one entry: a tuple of either direction (plus zone), optionally
 * checked against an id. A listed {@link ConntrackEntry} is a key as it is.
 */
export interface ConntrackKey {
  /** Layer-3 family: `inet`, `inet6`, or the `AF_*` number; checked against the tuple's addresses. */
  family?: string | number;
  /** Layer-4 protocol by name or number; required with a tuple. */
  proto?: string | number;
  /** Original-direction tuple. */
  orig?: ConntrackTupleSpec;
  /** Reply-direction tuple (used when `orig` is absent). */
  reply?: ConntrackTupleSpec;
  /** Zone the entry lives in. */
  zone?: number;
  /** Kernel id; with a tuple the kernel refuses a different entry (ENOENT), alone it is looked up in a dump. */
  id?: number;
}

/** Attributes of an entry to create or change. */
export interface ConntrackSpec extends ConntrackKey {
  /** Layer-4 protocol by name or number. */
  proto: string | number;
  /** Seconds until the entry expires (required to create). */
  timeout?: number;
  /** Connection mark. */
  mark?: number;
  /** Only the mark bits in this mask change (update). */
  markMask?: number;
  /** Status flag names (`ASSURED`, `SEEN_REPLY`, ...) or bits. */
  status?: readonly string[] | number;
  /** TCP state name (`ESTABLISHED`, ...). */
  tcpState?: string;
  /** SCTP state name (`ESTABLISHED`, ...); the kernel takes it only with both verification tags. */
  sctpState?: string;
  /** SCTP verification tag of the original direction (u32). */
  sctpVtagOrig?: number;
  /** SCTP verification tag of the reply direction (u32). */
  sctpVtagReply?: number;
  /** DCCP state name (`OPEN`, ...). */
  dccpState?: string;
  /** DCCP role of the original direction's sender. */
  dccpRole?: "client" | "server";
  /** Label bit numbers (0 to 127), the raw bitmap, or a listed entry's `labels`. */
  labels?: readonly number[] | Uint8Array | ConntrackLabels;
  /** Only the label bits in this mask change (update). */
  labelsMask?: readonly number[] | Uint8Array;
  /** Source NAT mapping. */
  natSrc?: ConntrackNatSpec;
  /** Destination NAT mapping. */
  natDst?: ConntrackNatSpec;
  /**
   * Helper to attach (`CTA_HELP`, e.g. `ftp`, `sip`): the kernel refuses an
   * unknown name (EOPNOTSUPP), and on update refuses to change a helper
   * already attached (EBUSY).
   */
  helper?: string;
}

const IPS_CONFIRMED = 0x8;
const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);
const ICMP_REPLY: Record<number, number> = { 8: 0, 13: 14, 15: 16, 17: 18, 128: 129 };

// The CT JSON (and libnetfilter_conntrack) name ICMP fields type/code/id; tuples take icmpType/icmpCode/icmpId.
const ICMP_KEYS: { readonly [k: string]: string } = { type: "icmpType", code: "icmpCode", id: "icmpId" };

/**
 * Refuses keys an input object does not know (`InvalidArgumentError`
 * naming the key): a misspelt key would otherwise be ignored (or widen a
 * filter). ICMP fields given as `type`/`code`/`id` get the right names.
 */
export function knownKeys(o: object, keys: readonly string[], what: string): void {
  if (typeof o === "object" && o !== null && keys.includes("icmpType")) {
    for (const k in ICMP_KEYS) {
      if (Object.hasOwn(o, k) && !keys.includes(k)) {
        throw new InvalidArgumentError(`Cannot use ${what}: ICMP field "${k}" is spelt "${ICMP_KEYS[k]}" here`, k);
      }
    }
  }
  checkKeys(o, keys, what);
}

const TUPLE_KEYS = ["src", "dst", "sport", "dport", "icmpId", "icmpType", "icmpCode", "zone"];

/**
 * Fields of a listed {@link ConntrackEntry} that only report state: every
 * call that takes a key or a spec accepts them, so a listed entry can be
 * passed back as it is, and ignores them.
 */
export const CONNTRACK_OUTPUT_ONLY: readonly string[] = [
  "protoNum",
  "statusBits",
  "use",
  "secmark",
  "secctx",
  "master",
  "tcp",
  "sctp",
  "dccp",
  "counters",
  "timestamp",
  "natSeqAdj",
  "synproxy",
  "unknown",
  "unknownNested",
];
const SPEC_KEYS = [
  "family",
  "proto",
  "orig",
  "reply",
  "zone",
  "id",
  "timeout",
  "mark",
  "markMask",
  "status",
  "tcpState",
  "sctpState",
  "sctpVtagOrig",
  "sctpVtagReply",
  "dccpState",
  "dccpRole",
  "labels",
  "labelsMask",
]
  .concat(["natSrc", "natDst", "helper"], CONNTRACK_OUTPUT_ONLY);
const NAT_KEYS = ["ip", "ipMax", "port", "portMax"];

/**
 * The `AF_*` number of a conntrack family: `inet`/`inet6` or
 * `AF_INET`/`AF_INET6` (conntrack-tools' `ipv4`/`ipv6` are refused with the
 * name to use).
 */
export function ctFamilyNumber(f: unknown): number {
  const hint = f === "ipv4" ? ' (did you mean "inet"?)' : f === "ipv6" ? ' (did you mean "inet6"?)' : "";
  const n = f === "inet" || f === AF_INET ? AF_INET : f === "inet6" || f === AF_INET6 ? AF_INET6 : 0;
  if (!n) {
    throw new InvalidArgumentError(
      `Cannot use family ${JSON.stringify(f)}${hint}: expected "inet", "inet6", AF_INET (2) or AF_INET6 (10)`,
      "family",
    );
  }
  return n;
}

/** Checks an integer range; names the bad value. */
export function checkInt(what: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be 0 to ${max})`);
  }
  return v;
}

/** Protocol number from a name (`tcp`) or number. */
export function protoNumber(p: string | number): number {
  const n = typeof p === "number" ? p : valueOfName(CT_PROTO_NAMES, p.toLowerCase(), "protocol");
  return checkInt("protocol", n, 255);
}

/**
 * The protocol number of a key or spec. A listed entry of a protocol nlkit
 * has no name for says `proto: "unknown"` (as conntrack prints it) and
 * carries the number in `protoNum`: that number is used then, so such an
 * entry goes back into get, update and delete as it is. Otherwise `proto`
 * decides and `protoNum` (output-only) is ignored.
 */
function keyProto(key: ConntrackKey & { protoNum?: unknown }): number {
  if (key.proto === "unknown" && key.protoNum !== undefined) {
    if (typeof key.protoNum !== "number") {
      throw new InvalidArgumentError(`Invalid protoNum: "${key.protoNum}" (expected a protocol number)`, "protoNum");
    }
    return checkInt("protocol", key.protoNum, 255);
  }
  return protoNumber(key.proto!);
}

/** Address family of a tuple, checking both addresses agree (and match `family` when given). */
export function tupleFamily(t: ConntrackTupleSpec, family?: unknown): number {
  const s = ipLength(t.src), d = ipLength(t.dst);
  if (s !== d) throw new InvalidArgumentError(`Mixed address families: "${t.src}" and "${t.dst}"`);
  const af = s === 4 ? AF_INET : AF_INET6;
  if (family !== undefined && ctFamilyNumber(family) !== af) {
    throw new InvalidArgumentError(
      `Cannot use family ${JSON.stringify(family)}: the addresses ("${t.src}") are of family ${familyName(af)}`,
      "family",
    );
  }
  return af;
}

/** Builds a `CTA_TUPLE_*` value. */
export function tupleAttrs(
  t: ConntrackTupleSpec,
  protoNum: number,
  family: number,
): NonNullable<ConntrackAttrs["tupleOrig"]> {
  if (tupleFamily(t) !== family) {
    throw new InvalidArgumentError(`Address family of "${t.src}" does not match the entry`);
  }
  return tupleFields(t, protoNum, family);
}

/** {@link tupleAttrs} for addresses already checked (address parsing is most of the cost of a bulk insert). */
function tupleFields(
  t: ConntrackTupleSpec,
  protoNum: number,
  family: number,
): NonNullable<ConntrackAttrs["tupleOrig"]> {
  const v6 = family === AF_INET6;
  const ip = v6 ? { v6Src: t.src, v6Dst: t.dst } : { v4Src: t.src, v4Dst: t.dst };
  const proto: NonNullable<NonNullable<ConntrackAttrs["tupleOrig"]>["proto"]> = { num: protoNum };
  if (PORT_PROTOS.has(protoNum) || protoNum === 47) {
    if (t.sport !== undefined) proto.srcPort = checkPolicy(PROTO.srcPort, t.sport);
    if (t.dport !== undefined) proto.dstPort = checkPolicy(PROTO.dstPort, t.dport);
  } else if (protoNum === 1 || protoNum === 58) {
    const icmp6 = protoNum === 58;
    if (t.icmpId !== undefined) proto[icmp6 ? "icmpv6Id" : "icmpId"] = checkPolicy(PROTO.icmpId, t.icmpId);
    if (t.icmpType !== undefined) proto[icmp6 ? "icmpv6Type" : "icmpType"] = checkPolicy(PROTO.icmpType, t.icmpType);
    if (t.icmpCode !== undefined) proto[icmp6 ? "icmpv6Code" : "icmpCode"] = checkPolicy(PROTO.icmpCode, t.icmpCode);
  }
  return t.zone === undefined ? { ip, proto } : { ip, proto, zone: checkPolicy(CTA_TUPLE_TABLE.zone, t.zone) };
}

/** The reply tuple the kernel would expect for `t` (addresses and ports swapped, ICMP echo answered). */
export function invertTuple(t: ConntrackTupleSpec): ConntrackTupleSpec {
  const r: ConntrackTupleSpec = { src: t.dst, dst: t.src };
  if (t.sport !== undefined) r.dport = t.sport;
  if (t.dport !== undefined) r.sport = t.dport;
  if (t.icmpId !== undefined) r.icmpId = t.icmpId;
  if (t.icmpType !== undefined) r.icmpType = ICMP_REPLY[t.icmpType] ?? t.icmpType;
  if (t.icmpCode !== undefined) r.icmpCode = t.icmpCode;
  return r;
}

/** Packs label bit numbers (0 to 127) into the kernel bitmap (numbered as `labelBits` reads it: little-endian hosts). */
export function labelBytes(v: readonly number[] | Uint8Array | ConntrackLabels): Uint8Array {
  if (!(v instanceof Uint8Array) && !Array.isArray(v) && typeof v === "object" && v !== null) {
    knownKeys(v, ["bytes", "bits"], "conntrack labels");
    v = (v as ConntrackLabels).bytes; // a listed entry's labels: the bitmap as the kernel sent it
  }
  if (v instanceof Uint8Array) {
    if (v.length > 16 || v.length % 4) {
      throw new InvalidArgumentError(`Invalid labels bitmap length: "${v.length}" (must be 4 to 16, a multiple of 4)`);
    }
    return v;
  }
  const out = new Uint8Array(16);
  for (const bit of v) {
    checkInt("label bit", bit, 127);
    out[bit >> 3] |= 1 << (bit & 7);
  }
  return out;
}

function natAttrs(n: ConntrackNatSpec, family: number): NonNullable<ConntrackAttrs["natSrc"]> {
  const lo = parseIp(n.ip), hi = parseIp(n.ipMax ?? n.ip);
  if ((lo.length === 4 ? AF_INET : AF_INET6) !== family || lo.length !== hi.length) {
    throw new InvalidArgumentError(`NAT address "${n.ip}" does not match the entry's family`);
  }
  const a: NonNullable<ConntrackAttrs["natSrc"]> = family === AF_INET
    ? { v4MinIp: n.ip, v4MaxIp: n.ipMax ?? n.ip }
    : { v6MinIp: n.ip, v6MaxIp: n.ipMax ?? n.ip };
  if (n.port !== undefined) {
    a.proto = {
      portMin: checkPolicy(NAT_PORT, n.port),
      portMax: checkPolicy(NAT_PORT, n.portMax ?? n.port),
    };
  }
  return a;
}

/** Resolves a key to `[family, attrs]` for GET/DELETE; `undefined` attrs means "id only". */
export function keyAttrs(key: ConntrackKey): { family: number; attrs: ConntrackAttrs } | undefined {
  // A spec or a listed entry is a key too: a lookup ignores what it would set.
  knownKeys(key, SPEC_KEYS, "conntrack key");
  for (const t of [key.orig, key.reply]) if (t) knownKeys(t, TUPLE_KEYS, "conntrack tuple");
  const t = key.orig ?? key.reply;
  if (!t) {
    if (key.id === undefined) throw new InvalidArgumentError("Conntrack key needs a tuple (orig or reply) or an id");
    return undefined;
  }
  if (key.proto === undefined) throw new InvalidArgumentError("Conntrack key with a tuple needs a protocol");
  const protoNum = keyProto(key);
  const family = tupleFamily(t, key.family);
  const attrs: ConntrackAttrs = {};
  if (key.orig) attrs.tupleOrig = tupleAttrs(key.orig, protoNum, family);
  else attrs.tupleReply = tupleAttrs(key.reply!, protoNum, family);
  if (key.zone !== undefined) attrs.zone = checkPolicy(CTA_TABLE.zone, key.zone);
  if (key.id !== undefined) attrs.id = checkPolicy(CTA_TABLE.id, key.id);
  return { family, attrs };
}

/** Resolves an entry spec to `[family, attrs]` for `IPCTNL_MSG_CT_NEW`. */
export function specAttrs(spec: ConntrackSpec, create: boolean): { family: number; attrs: ConntrackAttrs } {
  knownKeys(spec, SPEC_KEYS, "conntrack");
  for (const t of [spec.orig, spec.reply]) if (t) knownKeys(t, TUPLE_KEYS, "conntrack tuple");
  for (const n of [spec.natSrc, spec.natDst]) if (n) knownKeys(n, NAT_KEYS, "conntrack NAT");
  const orig = spec.orig ?? (create ? undefined : spec.reply);
  if (!orig) {
    throw new InvalidArgumentError(
      create ? "Creating a conntrack entry needs an orig tuple" : "Conntrack spec needs a tuple",
    );
  }
  const protoNum = keyProto(spec);
  const family = tupleFamily(orig, spec.family);
  const attrs: ConntrackAttrs = {};
  if (spec.orig) attrs.tupleOrig = tupleFields(spec.orig, protoNum, family); // checked by tupleFamily above
  if (spec.reply) attrs.tupleReply = tupleAttrs(spec.reply, protoNum, family);
  else if (create) attrs.tupleReply = tupleFields(invertTuple(spec.orig!), protoNum, family);
  if (spec.timeout !== undefined) attrs.timeout = checkPolicy(CTA_TABLE.timeout, spec.timeout);
  else if (create) throw new InvalidArgumentError("Creating a conntrack entry needs a timeout");
  if (spec.mark !== undefined) attrs.mark = checkPolicy(CTA_TABLE.mark, spec.mark);
  if (spec.markMask !== undefined) attrs.markMask = checkPolicy(CTA_TABLE.markMask, spec.markMask);
  if (spec.status !== undefined) {
    // Live entries are CONFIRMED and the kernel refuses to clear that bit (EBUSY).
    const bits = checkPolicy(CTA_TABLE.status, bitsOfNames(CT_STATUS_BITS, spec.status, "status flag"), "status");
    attrs.status = (bits | IPS_CONFIRMED) >>> 0;
  }
  if (spec.tcpState !== undefined) {
    if (protoNum !== 6) throw new InvalidArgumentError(`TCP state given for protocol "${spec.proto}"`);
    const state = spec.tcpState.toUpperCase();
    valueOfName(TCP_CONNTRACK_STATES, state, "TCP state"); // throws on unknown names
    attrs.protoinfo = { tcp: { state } };
  }
  const sctp = sctpInfo(spec, protoNum);
  if (sctp) attrs.protoinfo = { sctp };
  const dccp = dccpInfo(spec, protoNum);
  if (dccp) attrs.protoinfo = { dccp };
  if (spec.zone !== undefined) attrs.zone = checkPolicy(CTA_TABLE.zone, spec.zone);
  if (spec.labels !== undefined) attrs.labels = labelBytes(spec.labels);
  if (spec.labelsMask !== undefined) {
    const mask = labelBytes(spec.labelsMask);
    attrs.labelsMask = mask;
    // The kernel computes (old & ~mask) ^ labels: bits outside the mask would flip, so send none.
    if (attrs.labels) attrs.labels = attrs.labels.map((b, i) => b & (mask[i] ?? 0));
  }
  if (spec.natSrc) attrs.natSrc = natAttrs(spec.natSrc, family);
  if (spec.natDst) attrs.natDst = natAttrs(spec.natDst, family);
  if (spec.helper !== undefined) attrs.help = { name: checkPolicy(CTA_HELP_TABLE.name, spec.helper) };
  if (spec.id !== undefined) attrs.id = checkPolicy(CTA_TABLE.id, spec.id);
  return { family, attrs };
}

type SctpInfo = { state?: string; vtagOriginal?: number; vtagReply?: number };
type DccpInfo = { state?: string; role?: number };

/** `CTA_PROTOINFO_SCTP` of a spec, or undefined when it sets none of its fields. */
function sctpInfo(spec: ConntrackSpec, protoNum: number): SctpInfo | undefined {
  const { sctpState: state, sctpVtagOrig: orig, sctpVtagReply: reply } = spec;
  if (state === undefined && orig === undefined && reply === undefined) return undefined;
  if (protoNum !== 132) throw new InvalidArgumentError(`SCTP state or tags given for protocol "${spec.proto}"`);
  const info: SctpInfo = {};
  if (state !== undefined) {
    valueOfName(SCTP_CONNTRACK_STATES, state, "SCTP state"); // throws on unknown names
    info.state = state;
  }
  if (orig !== undefined) info.vtagOriginal = checkInt("SCTP original verification tag", orig, 0xffffffff);
  if (reply !== undefined) info.vtagReply = checkInt("SCTP reply verification tag", reply, 0xffffffff);
  return info;
}

/** `CTA_PROTOINFO_DCCP` of a spec (state, role), or undefined when it sets neither. */
function dccpInfo(spec: ConntrackSpec, protoNum: number): DccpInfo | undefined {
  const { dccpState: state, dccpRole: role } = spec;
  if (state === undefined && role === undefined) return undefined;
  if (protoNum !== 33) throw new InvalidArgumentError(`DCCP state or role given for protocol "${spec.proto}"`);
  const info: DccpInfo = {};
  if (state !== undefined) {
    valueOfName(DCCP_CONNTRACK_STATES, state, "DCCP state"); // throws on unknown names
    info.state = state;
  }
  if (role !== undefined) {
    if (role !== "client" && role !== "server") {
      throw new InvalidArgumentError(`Invalid DCCP role: "${role}" (must be "client" or "server")`);
    }
    info.role = role === "client" ? 0 : 1; // DCCP_CONNTRACK_ROLE_CLIENT, _SERVER
  }
  return info;
}
