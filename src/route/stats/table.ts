/**
 * Wire layout of link statistics messages (`RTM_NEWSTATS`,
 * `<linux/if_link.h>`): the `if_stats_msg` header and the parts of the
 * `IFLA_STATS_*` tables the kernel's notifications carry (the offload
 * hardware-statistics info of `ip stats set ... l3_stats`).
 *
 * @module
 */

/** `struct if_stats_msg`: family, two pads, ifindex, filter mask. */
export const IF_STATS_MSG = {
  family: "u8",
  pad1: "pad1",
  pad2: "pad2",
  ifindex: "u32",
  filterMask: "u32",
} as const;

/** `IFLA_OFFLOAD_XSTATS_HW_S_INFO_*`: one kind of hardware statistics. */
export const HW_S_INFO_ONE_ATTRS = {
  request: { type: 1, kind: "u8" }, // IFLA_OFFLOAD_XSTATS_HW_S_INFO_REQUEST
  used: { type: 2, kind: "u8" }, // IFLA_OFFLOAD_XSTATS_HW_S_INFO_USED
} as const;

/** The nest `IFLA_OFFLOAD_XSTATS_HW_S_INFO`, keyed by `IFLA_OFFLOAD_XSTATS_*` kind. */
export const HW_S_INFO_ATTRS = {
  l3Stats: { type: 3, kind: "nested", table: HW_S_INFO_ONE_ATTRS }, // IFLA_OFFLOAD_XSTATS_L3_STATS
} as const;

/** `IFLA_OFFLOAD_XSTATS_*` (the attributes kept; counters are not parsed). */
export const OFFLOAD_XSTATS_ATTRS = {
  hwSInfo: { type: 2, kind: "nested", table: HW_S_INFO_ATTRS }, // IFLA_OFFLOAD_XSTATS_HW_S_INFO
} as const;

/** `IFLA_STATS_*` (the attributes kept). */
export const IFLA_STATS_ATTRS = {
  offloadXstats: { type: 4, kind: "nested", table: OFFLOAD_XSTATS_ATTRS }, // IFLA_STATS_LINK_OFFLOAD_XSTATS
} as const;
