/**
 * Wire format of routes: the `rtmsg` header, the `RTA_*` attribute table
 * (with `RTA_METRICS`, `RTA_MULTIPATH` and `RTA_VIA`), and the parser that
 * turns an `RTM_NEWROUTE` message into a {@link Route}.
 *
 * @example
 * ```ts
 * import { parseRouteMessage } from "./table.ts";
 * import { readMessage } from "../../wire/message.ts";
 * // RTM_NEWROUTE for 10.0.0.0/24 dev 3 proto kernel scope link src 10.0.0.1 (captured).
 * const hex = "3c000000180022000110e30cc537000002180000fe02fd010000000008000f00fe000000" +
 *   "080001000a000000080007000a0000010800040003000000";
 * const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
 * const route = parseRouteMessage(readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length));
 * console.log(route.dst, route.protocol, route.scope, route.oif); // 10.0.0.0/24 kernel link 3
 * ```
 *
 * @module
 */

import { AF_INET, AF_INET6, formatIp, parseIp } from "../../wire/addr.ts";
import { familyName } from "../../wire/family.ts";
import { tableName } from "./tables.ts";
import { decodeEncap, type RouteEncap } from "./encap.ts";
import type { MessageBuilder } from "../../wire/builder.ts";
import { align4 } from "../../wire/constants.ts";
import { MalformedError, TruncatedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { bitNames, bitsOfNames, type Codec, type NameMap, nameOf, parseAttrs, type RawAttr } from "../../wire/table.ts";
import {
  ROUTE_FLAG_NAMES,
  ROUTER_PREF_NAMES,
  RT_SCOPE_NAMES,
  RTA,
  RTAX,
  RTCF_NAMES,
  RTM_F_CLONED,
  RTN_NAMES,
  RTPROT_NAMES,
} from "./names.ts";

/** `struct rtmsg`, the fixed header of every route message. */
export const RTMSG = {
  family: "u8",
  dstLen: "u8",
  srcLen: "u8",
  tos: "u8",
  table: "u8",
  protocol: "u8",
  scope: "u8",
  type: "u8",
  flags: "u32",
} as const;

/** Size of `struct rtmsg`. */
export const RTMSG_LEN = 12;

/** Size of `struct rtnexthop`. */
const RTNH_LEN = 8;

/**
 * `RTA_VIA` (`struct rtvia`): a gateway of another family, such as an IPv6
 * next hop of an IPv4 route. Parsed as the address text.
 */
export const VIA_CODEC: Codec<string> = {
  parse(buf: Uint8Array, _view: DataView, start: number, end: number): string {
    if (end - start < 2) throw new TruncatedError("rtvia", start, 2, end - start);
    return formatIp(buf, start + 2, end - start - 2);
  },
  build(b: MessageBuilder, value: string): void {
    const addr = parseIp(value);
    b.scalar("u16", addr.length === 4 ? AF_INET : AF_INET6).raw(addr);
  },
};

/** The `RTAX_LOCK` bits: a locked metric is not changed by path MTU discovery and the like. */
export const RTAX_LOCK_BITS = {
  0x4: "mtu",
  0x8: "window",
  0x10: "rtt",
  0x20: "rttvar",
  0x40: "ssthresh",
  0x80: "cwnd",
  0x100: "advmss",
  0x200: "reordering",
  0x400: "hoplimit",
  0x800: "initcwnd",
  0x1000: "features",
  0x2000: "rto_min",
  0x4000: "initrwnd",
  0x8000: "quickack",
} as const;

/**
 * `RTA_METRICS`: per-route TCP and path metrics, in kernel units (`rtt` in
 * 1/8 ms, `rttvar` in 1/4 ms, `rto_min` in ms).
 */
export const RTAX_TABLE = {
  /** Metrics the kernel must not update (`mtu lock 1400`). */
  lock: { type: RTAX.RTAX_LOCK, kind: "u32", bits: RTAX_LOCK_BITS },
  /** Path MTU. */
  mtu: { type: RTAX.RTAX_MTU, kind: "u32" },
  /** TCP window clamp. */
  window: { type: RTAX.RTAX_WINDOW, kind: "u32" },
  /** Initial RTT estimate, in 1/8 ms. */
  rtt: { type: RTAX.RTAX_RTT, kind: "u32" },
  /** Initial RTT variance, in 1/4 ms. */
  rttvar: { type: RTAX.RTAX_RTTVAR, kind: "u32" },
  /** Slow-start threshold. */
  ssthresh: { type: RTAX.RTAX_SSTHRESH, kind: "u32" },
  /** Congestion window clamp. */
  cwnd: { type: RTAX.RTAX_CWND, kind: "u32" },
  /** Advertised MSS. */
  advmss: { type: RTAX.RTAX_ADVMSS, kind: "u32" },
  /** Reordering tolerance. */
  reordering: { type: RTAX.RTAX_REORDERING, kind: "u32" },
  /** Hop limit (TTL). */
  hoplimit: { type: RTAX.RTAX_HOPLIMIT, kind: "u32" },
  /** Initial congestion window. */
  initcwnd: { type: RTAX.RTAX_INITCWND, kind: "u32" },
  /** Feature bits (`RTAX_FEATURE_*`, 1 = ECN). */
  features: { type: RTAX.RTAX_FEATURES, kind: "u32" },
  /** Minimum TCP retransmission timeout, in ms. */
  rtoMin: { type: RTAX.RTAX_RTO_MIN, kind: "u32" },
  /** Initial receive window. */
  initrwnd: { type: RTAX.RTAX_INITRWND, kind: "u32" },
  /** Quick ack (1) or not (0). */
  quickack: { type: RTAX.RTAX_QUICKACK, kind: "u32" },
  /** Congestion control algorithm name. */
  congctl: { type: RTAX.RTAX_CC_ALGO, kind: "string" },
  /** TCP Fast Open without cookie (0 or 1). */
  fastopenNoCookie: { type: RTAX.RTAX_FASTOPEN_NO_COOKIE, kind: "u32" },
} as const;

/** Route metrics (`RTA_METRICS`), in kernel units, as {@link RTAX_TABLE} parses them. */
export interface RouteMetrics {
  /** Metrics the kernel must not update (`mtu lock 1400`), by name. */
  lock?: string[];
  /** Path MTU. */
  mtu?: number;
  /** TCP window clamp. */
  window?: number;
  /** Initial RTT estimate, in 1/8 ms. */
  rtt?: number;
  /** Initial RTT variance, in 1/4 ms. */
  rttvar?: number;
  /** Slow-start threshold. */
  ssthresh?: number;
  /** Congestion window clamp. */
  cwnd?: number;
  /** Advertised MSS. */
  advmss?: number;
  /** Reordering tolerance. */
  reordering?: number;
  /** Hop limit (TTL). */
  hoplimit?: number;
  /** Initial congestion window. */
  initcwnd?: number;
  /** Feature bits (`RTAX_FEATURE_*`, 1 = ECN). */
  features?: number;
  /** Minimum TCP retransmission timeout, in ms. */
  rtoMin?: number;
  /** Initial receive window. */
  initrwnd?: number;
  /** Quick ack (1) or not (0). */
  quickack?: number;
  /** Congestion control algorithm name. */
  congctl?: string;
  /** TCP Fast Open without cookie (0 or 1). */
  fastopenNoCookie?: number;
  /** Metrics this version does not know, kept raw; output only. */
  unknown?: RawAttr[];
}

/** Attributes inside one `rtnexthop` of `RTA_MULTIPATH`. */
export const NEXTHOP_TABLE = {
  /** Gateway of the route's own family. */
  gateway: { type: RTA.RTA_GATEWAY, kind: "ip" },
  /** Gateway of the other family (`via inet6 ...`). */
  via: { type: RTA.RTA_VIA, kind: "codec", codec: VIA_CODEC },
  /** Realms (`RTA_FLOW`). */
  flow: { type: RTA.RTA_FLOW, kind: "u32" },
  /** MPLS label rewrite. */
  newdst: { type: RTA.RTA_NEWDST, kind: "ip" },
} as const;

/** One path of a multipath route: the `struct rtnexthop` fields and its {@link NEXTHOP_TABLE} attributes. */
export interface RouteNexthop {
  /** Gateway of the route's own family. */
  gateway?: string;
  /** Gateway of the other family (`via inet6 ...`). */
  via?: string;
  /** Realms (`RTA_FLOW`). */
  flow?: number;
  /** MPLS label rewrite. */
  newdst?: string;
  /** Output interface index (`rtnh_ifindex`). */
  oif: number;
  /** Relative weight, 1 to 256 (`rtnh_hops + 1`). */
  weight: number;
  /** Output device name (the name of `oif`), set by listings, gets and events. */
  dev?: string;
  /** Nexthop flags (`onlink`, `dead`, `linkdown`, ...). */
  flags: string[];
}

/** `RTA_MULTIPATH`: a sequence of `struct rtnexthop`, each followed by its attributes. */
export const MULTIPATH_CODEC: Codec<RouteNexthop[]> = {
  parse(buf: Uint8Array, view: DataView, start: number, end: number): RouteNexthop[] {
    const out: RouteNexthop[] = [];
    let off = start;
    while (off < end) {
      if (off + RTNH_LEN > end) throw new TruncatedError("rtnexthop", off, RTNH_LEN, end - off);
      const len = view.getUint16(off, true);
      if (len < RTNH_LEN) throw new MalformedError(`Nexthop length ${len} is shorter than its header`, off);
      if (off + len > end) throw new TruncatedError("rtnexthop", off, len, end - off);
      const nh: RouteNexthop = {
        oif: view.getInt32(off + 4, true),
        weight: buf[off + 3] + 1,
        flags: bitNames(ROUTE_FLAG_NAMES, buf[off + 2]),
      };
      if (len > RTNH_LEN) Object.assign(nh, parseAttrs(NEXTHOP_TABLE, buf, view, off + RTNH_LEN, off + len));
      out.push(nh);
      off += align4(len);
    }
    return out;
  },
  build(b: MessageBuilder, value: RouteNexthop[]): void {
    for (const nh of value) {
      // An rtnexthop starts like an attribute: a u16 length over the whole
      // entry, then two bytes that `attr` writes as the "type" (flags, hops).
      const head = bitsOfNames(ROUTE_FLAG_NAMES, nh.flags, "nexthop flag") | ((nh.weight - 1) << 8);
      b.attr(head, (n) => {
        n.scalar("s32", nh.oif);
        n.attrs(NEXTHOP_TABLE, nh);
      });
    }
  },
};

/** `struct rta_cacheinfo`; times are in clock ticks (1/100 s). */
export const RTA_CACHEINFO = {
  /** References held. */
  clntref: "u32",
  /** Ticks since last use. */
  lastuse: "u32",
  /** Ticks until expiry, 0 for never. */
  expires: "s32",
  /** Error code of a reject route. */
  error: "u32",
  /** Times used. */
  used: "u32",
  /** IP id. */
  id: "u32",
  /** Timestamp. */
  ts: "u32",
  /** Timestamp age. */
  tsage: "u32",
} as const;

/** Route cache information (`RTA_CACHEINFO`), as {@link RTA_CACHEINFO} parses it. */
export interface RouteCacheinfo {
  /** References held. */
  clntref: number;
  /** Ticks since last use. */
  lastuse: number;
  /** Ticks until expiry, 0 for never. */
  expires: number;
  /** Error code of a reject route. */
  error: number;
  /** Times used. */
  used: number;
  /** IP id. */
  id: number;
  /** Timestamp. */
  ts: number;
  /** Timestamp age. */
  tsage: number;
}

/** The `RTA_*` attributes of a route message. */
export const ROUTE_TABLE = {
  /** Destination address (the prefix length is in the header). */
  dst: { type: RTA.RTA_DST, kind: "ip" },
  /** Source address of a source-specific route (`from`). */
  src: { type: RTA.RTA_SRC, kind: "ip" },
  /** Input interface index. */
  iif: { type: RTA.RTA_IIF, kind: "u32" },
  /** Output interface index (`dev`). */
  oif: { type: RTA.RTA_OIF, kind: "u32" },
  /** Gateway of the route's own family (`via`). */
  gateway: { type: RTA.RTA_GATEWAY, kind: "ip" },
  /** Route priority (`metric`). */
  priority: { type: RTA.RTA_PRIORITY, kind: "u32" },
  /** Preferred source address (`src` on the `ip route` command line). */
  prefsrc: { type: RTA.RTA_PREFSRC, kind: "ip" },
  /** TCP and path metrics. */
  metrics: { type: RTA.RTA_METRICS, kind: "nested", table: RTAX_TABLE },
  /** Paths of a multipath route. */
  multipath: { type: RTA.RTA_MULTIPATH, kind: "codec", codec: MULTIPATH_CODEC },
  /** Realms (`RTA_FLOW`). */
  flow: { type: RTA.RTA_FLOW, kind: "u32" },
  /** Cache information. */
  cacheinfo: { type: RTA.RTA_CACHEINFO, kind: "struct", struct: RTA_CACHEINFO },
  /** Routing table id, for ids above 255. */
  table: { type: RTA.RTA_TABLE, kind: "u32" },
  /** Firewall mark of a lookup. */
  mark: { type: RTA.RTA_MARK, kind: "u32" },
  /** Gateway of the other family (`RTA_VIA`). */
  via: { type: RTA.RTA_VIA, kind: "codec", codec: VIA_CODEC },
  /** IPv6 router preference: `low`, `medium`, `high`. */
  pref: { type: RTA.RTA_PREF, kind: "u8", names: ROUTER_PREF_NAMES },
  /** Seconds until the route expires. */
  expires: { type: RTA.RTA_EXPIRES, kind: "u32" },
  /** User id of a lookup. */
  uid: { type: RTA.RTA_UID, kind: "u32" },
  /** IP protocol of a lookup. */
  ipProto: { type: RTA.RTA_IP_PROTO, kind: "u8" },
  /** Source port of a lookup. */
  sport: { type: RTA.RTA_SPORT, kind: "u16be" },
  /** Destination port of a lookup. */
  dport: { type: RTA.RTA_DPORT, kind: "u16be" },
  /** Nexthop object id. */
  nhid: { type: RTA.RTA_NH_ID, kind: "u32" },
  /** Lightweight tunnel type (`LWTUNNEL_ENCAP_*`), the key to `encap`. */
  encapType: { type: RTA.RTA_ENCAP_TYPE, kind: "u16" },
  /** Lightweight tunnel attributes, decoded by `route_encap.ts` per `encapType`. */
  encap: { type: RTA.RTA_ENCAP, kind: "bytes" },
} as const;

/**
 * A route, as the kernel reports it, with iproute2's names for its fields
 * and values: the `rtmsg` header and the {@link ROUTE_TABLE} attributes, the
 * prefixes as CIDR text, the table by name, devices by index and by name.
 * A listed route is a valid {@link RouteSpec} of `deleteRoute` and
 * `replaceRoute` as it is (its output-only fields are listed in `ROUTE_OUTPUT_ONLY`).
 */
export interface Route {
  /** `inet` or `inet6` (`mpls`... as named by `familyName`). */
  family: string;
  /** Destination prefix: `"default"` for a zero-length prefix, else `"10.0.0.0/24"`. */
  dst: string;
  /** Source prefix (`from`, `"2001:db8::/64"`), when the route is source-specific. */
  src?: string;
  /** TOS / DSCP selector. */
  tos: number;
  /** Routing table: its name (`main`, `local`, a name of `rt_tables`), else its id. */
  table: string | number;
  /** Origin: `kernel`, `boot`, `static`, `dhcp`, ... or a number as text. */
  protocol: string;
  /** Scope: `global`, `site`, `link`, `host`, `nowhere`. */
  scope: string;
  /** Type: `unicast`, `local`, `broadcast`, `blackhole`, `unreachable`, ... */
  type: string;
  /** Route flags: `onlink` (sent back), and those the kernel sets: `dead`, `linkdown`, `offload`, ... */
  flags: string[];
  /** IPv4 routing-cache flags of a lookup answer (`local`, `brd`, ...); output only. */
  cache?: string[];
  /** Gateway of the route's own family (`via`). */
  gateway?: string;
  /** Gateway of the other family (`RTA_VIA`, an IPv6 gateway of an IPv4 route). */
  via?: string;
  /** Output device index (`RTA_OIF`). */
  oif?: number;
  /** Output device name (the name of `oif`), set by listings, gets and events. */
  dev?: string;
  /** Input device index (`RTA_IIF`). */
  iif?: number;
  /** Input device name (the name of `iif`, resolved when listed); output only. */
  iifName?: string;
  /** Preferred source address (`src` on the `ip route` command line). */
  prefsrc?: string;
  /** Route priority (`metric`, `RTA_PRIORITY`). */
  metric?: number;
  /** TCP and path metrics (`RTA_METRICS`). */
  metrics?: RouteMetrics;
  /** Paths of a multipath route (`RTA_MULTIPATH`). */
  nexthops?: RouteNexthop[];
  /** Cache information (`RTA_CACHEINFO`); output only. */
  cacheinfo?: RouteCacheinfo;
  /** Seconds until the route expires (IPv6). */
  expires?: number;
  /** IPv6 router preference: `low`, `medium`, `high`. */
  pref?: string;
  /** Firewall mark of a lookup answer; output only. */
  mark?: number;
  /** User id of a lookup answer; output only. */
  uid?: number;
  /** Nexthop object id (`nhid`). */
  nhid?: number;
  /** Realms (`RTA_FLOW`): source realm in the high 16 bits, destination realm in the low 16. */
  flow?: number;
  /** Lightweight tunnel encapsulation (`encap seg6 ...`, `encap seg6local ...`). */
  encap?: RouteEncap;
  /** IP protocol of a lookup answer; output only. */
  ipProto?: number;
  /** Source port of a lookup answer; output only. */
  sport?: number;
  /** Destination port of a lookup answer; output only. */
  dport?: number;
  /** Attributes this version does not know, kept raw; output only. */
  unknown?: RawAttr[];
}

/** Fields of a listed {@link Route} that the kernel reports but does not take back: accepted by the route calls and ignored. */
export const ROUTE_OUTPUT_ONLY = [
  "cache",
  "iifName",
  "cacheinfo",
  "mark",
  "uid",
  "ipProto",
  "sport",
  "dport",
  "unknown",
] as const;

/** The prefix length of a route's `dst` or `src` text (`default` is 0). */
export function prefixLength(prefix: string): number {
  return prefix === "default" ? 0 : Number(prefix.slice(prefix.lastIndexOf("/") + 1));
}

/** Every value of an 8-bit enumeration, named once: looking names up in sparse maps per route is slow. */
function byteNames(names: NameMap): string[] {
  return Array.from({ length: 256 }, (_, i) => nameOf(names, i));
}

const PROTOCOLS = byteNames(RTPROT_NAMES);
const SCOPES = byteNames(RT_SCOPE_NAMES);
const TYPES = byteNames(RTN_NAMES);
const FAMILIES = Array.from({ length: 256 }, (_, i) => familyName(i));

/** Seconds per clock tick of `rta_cacheinfo` (the kernel's `USER_HZ`). */
const USER_HZ = 100;

function prefix(family: number, addr: string | undefined, len: number): string {
  if (addr !== undefined) return `${addr}/${len}`;
  if (len === 0) return "default";
  return `${family === AF_INET6 ? "::" : "0.0.0.0"}/${len}`;
}

/**
 * Parses an `RTM_NEWROUTE` / `RTM_DELROUTE` message. Throws
 * `TruncatedError` / `MalformedError` on bytes that cannot be a route.
 */
export function parseRouteMessage(m: NlMsg): Route {
  const off = payloadOf(m);
  if (off + RTMSG_LEN > m.end) throw new TruncatedError("rtmsg", off, RTMSG_LEN, m.end - off);
  // The fixed rtmsg (layout RTMSG) is read by hand: routes come by the
  // hundred thousand and this is the hot path of every dump.
  const b = m.buf;
  const family = b[off], dstLen = b[off + 1], srcLen = b[off + 2];
  const flags = m.view.getUint32(off + 8, true);
  const a = parseAttrs(ROUTE_TABLE, b, m.view, off + RTMSG_LEN, m.end);
  const cloned4 = family === AF_INET && (flags & RTM_F_CLONED) !== 0;
  const r: Route = {
    family: FAMILIES[family] ?? familyName(family),
    dst: prefix(family, a.dst, dstLen),
    tos: b[off + 3],
    table: tableName(a.table ?? b[off + 4]),
    protocol: PROTOCOLS[b[off + 5]],
    scope: SCOPES[b[off + 6]],
    type: TYPES[b[off + 7]],
    // IPv4 lookup answers reuse the upper flag bits for RTCF_* cache flags.
    flags: flags === 0 ? [] : bitNames(ROUTE_FLAG_NAMES, cloned4 ? flags & 0xffff : flags),
  };
  if (cloned4) r.cache = bitNames(RTCF_NAMES, flags & 0xffff0000);
  if (a.src !== undefined || srcLen) r.src = prefix(family, a.src, srcLen);
  if (a.gateway !== undefined) r.gateway = a.gateway;
  if (a.via !== undefined) r.via = a.via;
  if (a.oif !== undefined) r.oif = a.oif;
  if (a.iif !== undefined) r.iif = a.iif;
  if (a.prefsrc !== undefined) r.prefsrc = a.prefsrc;
  if (a.priority !== undefined) r.metric = a.priority;
  if (a.metrics !== undefined) r.metrics = a.metrics;
  if (a.multipath !== undefined) r.nexthops = a.multipath;
  if (a.cacheinfo !== undefined) {
    r.cacheinfo = a.cacheinfo;
    if (a.cacheinfo.expires) r.expires = Math.trunc(a.cacheinfo.expires / USER_HZ);
  }
  if (a.expires !== undefined) r.expires = a.expires;
  if (a.pref !== undefined) r.pref = a.pref;
  if (a.mark !== undefined) r.mark = a.mark;
  if (a.uid !== undefined) r.uid = a.uid;
  if (a.nhid !== undefined) r.nhid = a.nhid;
  if (a.flow !== undefined) r.flow = a.flow;
  if (a.encap !== undefined && a.encapType !== undefined) r.encap = decodeEncap(a.encapType, a.encap);
  if (a.ipProto !== undefined) r.ipProto = a.ipProto;
  if (a.sport !== undefined) r.sport = a.sport;
  if (a.dport !== undefined) r.dport = a.dport;
  if (a.unknown !== undefined) r.unknown = a.unknown;
  return r;
}
