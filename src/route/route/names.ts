/**
 * Numbers and names of routes: the enumerations of `struct rtmsg` (types, protocols, scopes, tables, flags),
 * named the way iproute2 prints them (`/etc/iproute2/rt_*` defaults).
 *
 * @module
 */

/** Metric names by `RTAX_*` number, as iproute2 spells them (also the `lock` bit names). */
export const RTAX_NAMES = {
  2: "mtu",
  3: "window",
  4: "rtt",
  5: "rttvar",
  6: "ssthresh",
  7: "cwnd",
  8: "advmss",
  9: "reordering",
  10: "hoplimit",
  11: "initcwnd",
  12: "features",
  13: "rto_min",
  14: "initrwnd",
  15: "quickack",
  16: "congctl",
  17: "fastopen_no_cookie",
} as const;

/** Route types (`RTN_*`, `rtm_type`). */
export const RTN_NAMES = {
  0: "none",
  1: "unicast",
  2: "local",
  3: "broadcast",
  4: "anycast",
  5: "multicast",
  6: "blackhole",
  7: "unreachable",
  8: "prohibit",
  9: "throw",
  10: "nat",
  11: "xresolve",
} as const;

/** `RTN_UNICAST`. */
export const RTN_UNICAST = 1;

/** Route origins (`RTPROT_*`, `rtm_protocol`), as in iproute2's `rt_protos`. */
export const RTPROT_NAMES = {
  0: "unspec",
  1: "redirect",
  2: "kernel",
  3: "boot",
  4: "static",
  8: "gated",
  9: "ra",
  10: "mrt",
  11: "zebra",
  12: "bird",
  13: "dnrouted",
  14: "xorp",
  15: "ntk",
  16: "dhcp",
  18: "keepalived",
  42: "babel",
  99: "openr",
  186: "bgp",
  187: "isis",
  188: "ospf",
  189: "rip",
  192: "eigrp",
} as const;

/** `RTPROT_BOOT`, the origin iproute2 gives routes it adds. */
export const RTPROT_BOOT = 3;

/** Route scopes (`RT_SCOPE_*`, `rtm_scope`), as in iproute2's `rt_scopes`. */
export const RT_SCOPE_NAMES = {
  0: "global",
  200: "site",
  253: "link",
  254: "host",
  255: "nowhere",
} as const;

/** `RT_SCOPE_UNIVERSE` (printed `global`). */
export const RT_SCOPE_UNIVERSE = 0;
/** `RT_SCOPE_LINK`. */
export const RT_SCOPE_LINK = 253;
/** `RT_SCOPE_HOST`. */
export const RT_SCOPE_HOST = 254;
/** `RT_SCOPE_NOWHERE`. */
export const RT_SCOPE_NOWHERE = 255;

/** Reserved routing tables (`RT_TABLE_*`), as in iproute2's `rt_tables`. */
export const RT_TABLE_NAMES = {
  0: "unspec",
  253: "default",
  254: "main",
  255: "local",
} as const;

/** `RT_TABLE_MAIN`. */
export const RT_TABLE_MAIN = 254;
/** `RT_TABLE_LOCAL`. */
export const RT_TABLE_LOCAL = 255;
/** `RT_TABLE_COMPAT`: `rtm_table` of routes in tables above 255 (the id is in `RTA_TABLE`). */
export const RT_TABLE_COMPAT = 252;

/** Route and nexthop flag bits (`RTNH_F_*`, `RTM_F_*`), named as iproute2 prints them. */
export const ROUTE_FLAG_NAMES = {
  0x1: "dead",
  0x2: "pervasive",
  0x4: "onlink",
  0x8: "offload",
  0x10: "linkdown",
  0x20: "unresolved",
  0x40: "trap",
  0x100: "notify",
  0x200: "cloned",
  0x400: "equalize",
  0x800: "prefix",
  0x1000: "lookup_table",
  0x2000: "fib_match",
  0x4000: "rt_offload",
  0x8000: "rt_trap",
  0x20000000: "rt_offload_failed",
} as const;

/** `RTNH_F_ONLINK`. */
export const RTNH_F_ONLINK = 0x4;
/** `RTM_F_CLONED`: a cached (exception) route. */
export const RTM_F_CLONED = 0x200;
/** `RTM_F_LOOKUP_TABLE`: a route lookup reports the table that matched. */
export const RTM_F_LOOKUP_TABLE = 0x1000;
/** `RTM_F_FIB_MATCH`: a route lookup returns the matching FIB entry. */
export const RTM_F_FIB_MATCH = 0x2000;

/**
 * IPv4 routing-cache flags (`RTCF_*`), which share the upper bits of
 * `rtm_flags` in answers to route lookups; named as iproute2 prints them.
 */
export const RTCF_NAMES = {
  0x00010000: "notify",
  0x00020000: "dst-direct",
  0x00040000: "redirected",
  0x00080000: "proxy",
  0x00200000: "fastroute",
  0x00400000: "masq",
  0x00800000: "src-nat",
  0x01000000: "redirect",
  0x04000000: "src-direct",
  0x08000000: "dst-nat",
  0x10000000: "brd",
  0x20000000: "mc",
  0x40000000: "reject",
  0x80000000: "local",
} as const;

/** IPv6 router preferences (`ICMPV6_ROUTER_PREF_*`, `RTA_PREF`). */
export const ROUTER_PREF_NAMES = {
  0: "medium",
  1: "high",
  2: "invalid",
  3: "low",
} as const;
