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
import { ROUTE_FLAG_NAMES, ROUTER_PREF_NAMES, RTA, RTAX } from "./names.ts";
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
  /** Destination address; public as a prefix with the header's length (`default` when absent). */
  dst: { type: RTA.RTA_DST, kind: "ip", compose: { from: ["hdr.family", "dst", "hdr.dstLen"], fn: prefixText } },
  /** Source address of a source-specific route (`from`), public as a prefix. */
  src: { type: RTA.RTA_SRC, kind: "ip", compose: { from: ["hdr.family", "src", "hdr.srcLen"], fn: sourceText } },
  /** Input interface index. */
  iif: { type: RTA.RTA_IIF, kind: "u32" },
  /** Output interface index (`dev`). */
  oif: { type: RTA.RTA_OIF, kind: "u32" },
  /** Gateway of the route's own family (`via`). */
  gateway: { type: RTA.RTA_GATEWAY, kind: "ip" },
  /** Route priority (`metric`). */
  priority: { type: RTA.RTA_PRIORITY, kind: "u32", key: "metric" },
  /** Preferred source address (`src` on the `ip route` command line). */
  prefsrc: { type: RTA.RTA_PREFSRC, kind: "ip" },
  /** TCP and path metrics. */
  metrics: { type: RTA.RTA_METRICS, kind: "nested", table: RTAX_TABLE, unknownInside: true },
  /** Paths of a multipath route. */
  multipath: { type: RTA.RTA_MULTIPATH, kind: "codec", codec: MULTIPATH_CODEC, key: "nexthops" },
  /** Realms (`RTA_FLOW`). */
  flow: { type: RTA.RTA_FLOW, kind: "u32" },
  /** Cache information. */
  cacheinfo: { type: RTA.RTA_CACHEINFO, kind: "struct", struct: RTA_CACHEINFO },
  /** Routing table id, for ids above 255; public by name, from the header's byte when absent. */
  table: { type: RTA.RTA_TABLE, kind: "u32", compose: { from: ["table", "hdr.table"], fn: tableText } },
  /** Firewall mark of a lookup. */
  mark: { type: RTA.RTA_MARK, kind: "u32" },
  /** Gateway of the other family (`RTA_VIA`). */
  via: { type: RTA.RTA_VIA, kind: "codec", codec: VIA_CODEC },
  /** IPv6 router preference: `low`, `medium`, `high`. */
  pref: { type: RTA.RTA_PREF, kind: "u8", names: ROUTER_PREF_NAMES },
  /** Seconds until the route expires; public from the cache info's ticks when absent. */
  expires: { type: RTA.RTA_EXPIRES, kind: "u32", compose: { from: ["expires", "cacheinfo"], fn: expiresOf } },
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
  encapType: { type: RTA.RTA_ENCAP_TYPE, kind: "u16", input: true },
  /** Lightweight tunnel attributes, public decoded by `encap.ts` per `encapType`. */
  encap: { type: RTA.RTA_ENCAP, kind: "bytes", compose: { from: ["encapType", "encap"], fn: encapOf } },
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
  header: RTMSG,
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
