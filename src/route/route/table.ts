/**
 * Wire format of routes: the `rtmsg` header, the `RTA_*` attribute table
 * (with `RTA_METRICS`, `RTA_MULTIPATH` and `RTA_VIA`), and the public
 * {@link Route} declared from them (the public facts of {@link ROUTE_TABLE}
 * and {@link ROUTE_MESSAGE}), which `parseRouteMessage` (`parse.ts`) is
 * generated from.
 *
 * @module
 */

import { AF_INET, AF_INET6, formatIp, parseIp } from "../../wire/addr.ts";
import type { RouteEncap } from "./encap.ts";
import type { MessageBuilder } from "../../wire/builder.ts";
import { align4 } from "../../wire/constants.ts";
import { MalformedError, TruncatedError } from "../../wire/errors.ts";
import { bitNames, bitsOfNames, type Codec, parseAttrs, type RawAttr } from "../../wire/table.ts";
import { ROUTE_FLAG_NAMES, ROUTER_PREF_NAMES, RT_SCOPE_NAMES, RTN_NAMES, RTPROT_NAMES } from "./names.ts";
import type { PublicMessage } from "../../wire/public_message.ts";
import {
  cacheText,
  encapOf,
  expiresOf,
  familyText,
  flagsText,
  prefixText,
  protocolText,
  scopeText,
  sourceText,
  tableText,
  typeText,
} from "./derive.ts";

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
  0x10000: "congctl",
} as const;

/**
 * How `ip route add` reads a metric (`src/cli/route_metrics.ts`), each
 * field defaulting to ip's most common case: ip's word (default: the
 * table key), how its value reads (default `u32`; `rtt 100ms` is kept in
 * 1/8 ms, a bare number as it is), ip's reason when it does not, and
 * whether `lock` may precede it (default yes).
 */
export interface MetricWordSpec {
  /** ip's spelling, when it is not the table key. */
  readonly word?: string;
  /** The value's reader (default `u32`). */
  readonly read?: "u32" | "hoplimit" | "rtt" | "rttvar" | "ms" | "bool" | "name" | "features";
  /**
   * ip's reason when the value is refused; default by reader: `"<word>" value`
   * for `bool` (ip adds "is invalid" or "should be 0 or 1"), `"<word>" value
   * not valid` for `features`, else `"<word>" value is invalid`.
   */
  readonly why?: string;
  /** `false`: `lock` may not precede the value; `always`: the metric is always sent locked. */
  readonly lock?: false | "always";
}

/**
 * `RTA_METRICS`: per-route TCP and path metrics, in kernel units (`rtt` in
 * 1/8 ms, `rttvar` in 1/4 ms, `rto_min` in ms), each named in errors as
 * `<key> metric`, with ip's command-line word ({@link MetricWordSpec}).
 */
export const RTAX_TABLE = {
  /** Metrics the kernel must not update (`mtu lock 1400`). */
  lock: { type: 1, kind: "u32", uapi: "RTAX_LOCK", bits: RTAX_LOCK_BITS, what: "metric to lock" },
  /** Path MTU. */
  mtu: { type: 2, kind: "u32", uapi: "RTAX_MTU", what: "mtu metric", ip: {} },
  /** TCP window clamp. */
  window: { type: 3, kind: "u32", uapi: "RTAX_WINDOW", what: "window metric", ip: {} },
  /** Initial RTT estimate, in 1/8 ms. */
  rtt: { type: 4, kind: "u32", uapi: "RTAX_RTT", what: "rtt metric", ip: { read: "rtt" } },
  /** Initial RTT variance, in 1/4 ms. */
  rttvar: { type: 5, kind: "u32", uapi: "RTAX_RTTVAR", what: "rttvar metric", ip: { read: "rttvar" } },
  /** Slow-start threshold. */
  ssthresh: { type: 6, kind: "u32", uapi: "RTAX_SSTHRESH", what: "ssthresh metric", ip: {} },
  /** Congestion window clamp. */
  cwnd: { type: 7, kind: "u32", uapi: "RTAX_CWND", what: "cwnd metric", ip: {} },
  /** Advertised MSS. */
  advmss: { type: 8, kind: "u32", uapi: "RTAX_ADVMSS", what: "advmss metric", ip: { why: `"mss" value is invalid` } },
  /** Reordering tolerance. */
  reordering: { type: 9, kind: "u32", uapi: "RTAX_REORDERING", what: "reordering metric", ip: {} },
  /** Hop limit (TTL). */
  hoplimit: { type: 10, kind: "u32", uapi: "RTAX_HOPLIMIT", what: "hoplimit metric", ip: { read: "hoplimit" } },
  /** Initial congestion window. */
  initcwnd: { type: 11, kind: "u32", uapi: "RTAX_INITCWND", what: "initcwnd metric", ip: {} },
  /** Feature bits (`RTAX_FEATURE_*`, 1 = ECN). */
  features: {
    type: 12,
    kind: "u32",
    uapi: "RTAX_FEATURES",
    what: "features metric",
    ip: { read: "features", lock: false },
  },
  /** Minimum TCP retransmission timeout, in ms. */
  rtoMin: {
    type: 13,
    kind: "u32",
    uapi: "RTAX_RTO_MIN",
    what: "rtoMin metric",
    ip: { word: "rto_min", read: "ms", lock: "always" },
  },
  /** Initial receive window. */
  initrwnd: { type: 14, kind: "u32", uapi: "RTAX_INITRWND", what: "initrwnd metric", ip: {} },
  /** Quick ack (1) or not (0). */
  quickack: {
    type: 15,
    kind: "u32",
    uapi: "RTAX_QUICKACK",
    what: "quickack metric",
    ip: { read: "bool", lock: false },
  },
  /** Congestion control algorithm name. */
  congctl: {
    type: 16,
    kind: "string",
    uapi: "RTAX_CC_ALGO",
    what: "congctl metric",
    pattern: { re: /^\S+$/, what: "an algorithm name" },
    ip: { read: "name" },
  },
  /** TCP Fast Open without cookie (0 or 1). */
  fastopenNoCookie: {
    type: 17,
    kind: "u32",
    uapi: "RTAX_FASTOPEN_NO_COOKIE",
    what: "fastopenNoCookie metric",
    ip: { word: "fastopen_no_cookie", read: "bool", lock: false },
  },
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
  gateway: { type: 5, kind: "ip", uapi: "RTA_GATEWAY" },
  /** Gateway of the other family (`via inet6 ...`). */
  via: { type: 18, kind: "codec", uapi: "RTA_VIA", codec: VIA_CODEC },
  /** Realms (`RTA_FLOW`). */
  flow: { type: 11, kind: "u32", uapi: "RTA_FLOW" },
  /** MPLS label rewrite. */
  newdst: { type: 19, kind: "ip", uapi: "RTA_NEWDST" },
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

/** An interface index as a route request carries it. */
const IFINDEX = { min: 1, max: 0x7fffffff } as const;

/**
 * The `RTA_*` attributes of a route message, in the order requests carry
 * them, with the policies the request builder checks values against.
 * {@link ROUTE_TABLE} adds the public facts of a listed {@link Route}.
 */
export const ROUTE_ATTRS = {
  /** Destination address (the prefix length is the header's). */
  dst: { type: 1, kind: "ip", uapi: "RTA_DST" },
  /** Source address of a source-specific route (`from`). */
  src: { type: 2, kind: "ip", uapi: "RTA_SRC" },
  /** Input interface index. */
  iif: { type: 3, kind: "u32", uapi: "RTA_IIF", ...IFINDEX },
  /** Output interface index (`dev`). */
  oif: { type: 4, kind: "u32", uapi: "RTA_OIF", ...IFINDEX },
  /** Gateway of the route's own family (`via`). */
  gateway: { type: 5, kind: "ip", uapi: "RTA_GATEWAY" },
  /** Route priority (`metric`). */
  priority: { type: 6, kind: "u32", uapi: "RTA_PRIORITY", what: "metric" },
  /** Preferred source address (`src` on the `ip route` command line). */
  prefsrc: { type: 7, kind: "ip", uapi: "RTA_PREFSRC" },
  /** TCP and path metrics. */
  metrics: { type: 8, kind: "nested", uapi: "RTA_METRICS", table: RTAX_TABLE, unknownInside: true },
  /** Paths of a multipath route. */
  multipath: { type: 9, kind: "codec", uapi: "RTA_MULTIPATH", codec: MULTIPATH_CODEC },
  /** Realms (`RTA_FLOW`). */
  flow: { type: 11, kind: "u32", uapi: "RTA_FLOW", what: "realms" },
  /** Cache information. */
  cacheinfo: { type: 12, kind: "struct", uapi: "RTA_CACHEINFO", struct: RTA_CACHEINFO },
  /** Routing table id, for ids above 255 (else the header's byte). */
  table: { type: 15, kind: "u32", uapi: "RTA_TABLE" },
  /** Firewall mark of a lookup. */
  mark: { type: 16, kind: "u32", uapi: "RTA_MARK" },
  /** Gateway of the other family (`RTA_VIA`). */
  via: { type: 18, kind: "codec", uapi: "RTA_VIA", codec: VIA_CODEC },
  /** IPv6 router preference: `low`, `medium`, `high`. */
  pref: { type: 20, kind: "u8", uapi: "RTA_PREF", names: ROUTER_PREF_NAMES, what: "router preference" },
  /** Seconds until the route expires. */
  expires: { type: 23, kind: "u32", uapi: "RTA_EXPIRES" },
  /** User id of a lookup. */
  uid: { type: 25, kind: "u32", uapi: "RTA_UID" },
  /** IP protocol of a lookup. */
  ipProto: { type: 27, kind: "u8", uapi: "RTA_IP_PROTO", what: "IP protocol" },
  /** Source port of a lookup. */
  sport: { type: 28, kind: "u16be", uapi: "RTA_SPORT", what: "source port" },
  /** Destination port of a lookup. */
  dport: { type: 29, kind: "u16be", uapi: "RTA_DPORT", what: "destination port" },
  /** Nexthop object id. */
  nhid: { type: 30, kind: "u32", uapi: "RTA_NH_ID", min: 1 },
  /** Lightweight tunnel type (`LWTUNNEL_ENCAP_*`), the key to `encap`. */
  encapType: { type: 21, kind: "u16", uapi: "RTA_ENCAP_TYPE" },
  /** Lightweight tunnel attributes, as `encap.ts` encodes them for `encapType`. */
  encap: { type: 22, kind: "bytes", uapi: "RTA_ENCAP" },
} as const;

/**
 * {@link ROUTE_ATTRS} with the public facts of a listed {@link Route}: the
 * prefixes, table, expiry and encapsulation composed from several inputs,
 * `metric` and `nexthops` as public keys.
 */
export const ROUTE_TABLE = {
  ...ROUTE_ATTRS,
  dst: { ...ROUTE_ATTRS.dst, compose: { from: ["hdr.family", "dst", "hdr.dstLen"], fn: prefixText } },
  src: { ...ROUTE_ATTRS.src, compose: { from: ["hdr.family", "src", "hdr.srcLen"], fn: sourceText } },
  priority: { ...ROUTE_ATTRS.priority, key: "metric" },
  multipath: { ...ROUTE_ATTRS.multipath, key: "nexthops" },
  table: { ...ROUTE_ATTRS.table, compose: { from: ["table", "hdr.table"], fn: tableText } },
  expires: { ...ROUTE_ATTRS.expires, compose: { from: ["expires", "cacheinfo"], fn: expiresOf } },
  encapType: { ...ROUTE_ATTRS.encapType, input: true },
  encap: { ...ROUTE_ATTRS.encap, compose: { from: ["encapType", "encap"], fn: encapOf } },
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

/**
 * The public {@link Route}: the `rtmsg` header, the {@link ROUTE_TABLE}
 * attributes (their public facts and composes) and the fields made from the
 * header: `scripts/gen_codecs.ts` compiles it into `parseRoute`
 * (`_generated/table.ts`), and `parsePublicMessage` is its reference.
 */
export const ROUTE_MESSAGE = {
  name: "rtmsg",
  what: "Route message",
  header: {
    ...RTMSG,
    protocol: { kind: RTMSG.protocol, private: true, names: RTPROT_NAMES },
    scope: { kind: RTMSG.scope, private: true, names: RT_SCOPE_NAMES },
    type: { kind: RTMSG.type, private: true, names: RTN_NAMES, what: "route type" },
  },
  attrs: ROUTE_TABLE,
  combined: {
    family: { from: ["hdr.family"], fn: familyText },
    tos: { from: ["hdr.tos"] },
    protocol: { from: ["hdr.protocol"], fn: protocolText },
    scope: { from: ["hdr.scope"], fn: scopeText },
    type: { from: ["hdr.type"], fn: typeText },
    flags: { from: ["hdr.family", "hdr.flags"], fn: flagsText },
    cache: { from: ["hdr.family", "hdr.flags"], fn: cacheText },
  },
} as const satisfies PublicMessage;
