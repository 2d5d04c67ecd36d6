/**
 * Wire layout of multicast routes: the kernel's multicast forwarding cache
 * (MFC) entries, which `RTM_GETROUTE` dumps and `RTNLGRP_IPV4_MROUTE` /
 * `RTNLGRP_IPV6_MROUTE` announce in an `rtmsg` of family
 * `RTNL_FAMILY_IPMR` / `RTNL_FAMILY_IP6MR`, with the `RTA_*` attributes
 * below (`ipmr_fill_mroute`, `mr_fill_mroute` in the kernel).
 *
 * @module
 */

import type { MessageBuilder } from "../../wire/builder.ts";
import { align4 } from "../../wire/constants.ts";
import { MalformedError, TruncatedError } from "../../wire/errors.ts";
import type { Codec, RawAttr } from "../../wire/table.ts";

/** `RTNL_FAMILY_IPMR`: the rtnetlink family of IPv4 multicast routes. */
export const RTNL_FAMILY_IPMR = 128;
/** `RTNL_FAMILY_IP6MR`: the rtnetlink family of IPv6 multicast routes. */
export const RTNL_FAMILY_IP6MR = 129;
/** `RTNH_F_UNRESOLVED`: the entry waits for a routing daemon to resolve it. */
export const RTNH_F_UNRESOLVED = 0x20;

/** Size of `struct rtnexthop`. */
const RTNH_LEN = 8;

/** One output interface of a multicast route. */
export interface MulticastOif {
  /** Output interface index (`rtnh_ifindex`). */
  oif: number;
  /** Output device name (the name of `oif`), set by listings and events. */
  dev?: string;
  /** TTL threshold (`rtnh_hops`): packets with a lower TTL are not sent out here; 1 forwards all. */
  ttl: number;
}

/** `RTA_MULTIPATH` of a multicast route: one `struct rtnexthop` per output interface, `rtnh_hops` the TTL threshold. */
export const MFC_OIFS_CODEC: Codec<MulticastOif[]> = {
  parse(_buf: Uint8Array, view: DataView, start: number, end: number): MulticastOif[] {
    const out: MulticastOif[] = [];
    for (let off = start; off < end;) {
      if (off + RTNH_LEN > end) throw new TruncatedError("rtnexthop", off, RTNH_LEN, end - off);
      const len = view.getUint16(off, true);
      if (len < RTNH_LEN) throw new MalformedError(`Nexthop length ${len} is shorter than its header`, off);
      if (off + len > end) throw new TruncatedError("rtnexthop", off, len, end - off);
      out.push({ oif: view.getInt32(off + 4, true), ttl: view.getUint8(off + 3) });
      off += align4(len);
    }
    return out;
  },
  build(b: MessageBuilder, value: MulticastOif[]): void {
    for (const o of value) b.attr(o.ttl << 8, (n) => n.scalar("s32", o.oif)); // length, flags 0, hops, ifindex
  },
};

/** `struct rta_mfc_stats`. */
export const RTA_MFC_STATS_STRUCT = {
  /** Packets forwarded. */
  packets: "u64",
  /** Bytes forwarded. */
  bytes: "u64",
  /** Packets that arrived on another interface than the input one. */
  wrongIf: "u64",
} as const;

/** Forwarding counters of a multicast route (`RTA_MFC_STATS`). */
export interface MulticastRouteStats {
  /** Packets forwarded. */
  packets: number;
  /** Bytes forwarded. */
  bytes: number;
  /** Packets that arrived on another interface than the input one. */
  wrongIf: number;
}

/** The `RTA_*` attributes of a multicast route message. */
export const MROUTE_ATTRS = {
  /** Multicast group (`RTA_DST`; the prefix length in the header is the full one). */
  dst: { type: 1, kind: "ip", uapi: "RTA_DST" },
  /** Source (origin) address (`RTA_SRC`). */
  src: { type: 2, kind: "ip", uapi: "RTA_SRC" },
  /** Input interface index; absent while unresolved. */
  iif: { type: 3, kind: "u32", uapi: "RTA_IIF" },
  /** Output interfaces with their TTL thresholds. */
  oifs: { type: 9, kind: "codec", uapi: "RTA_MULTIPATH", codec: MFC_OIFS_CODEC },
  /** Multicast routing table id (also in the header when below 256). */
  table: { type: 15, kind: "u32", uapi: "RTA_TABLE" },
  /** Forwarding counters. */
  stats: { type: 17, kind: "struct", uapi: "RTA_MFC_STATS", struct: RTA_MFC_STATS_STRUCT },
  /** Clock ticks (1/100 s) since the entry last forwarded a packet (named `RTA_EXPIRES` in the uapi). */
  lastUse: { type: 23, kind: "u64", uapi: "RTA_EXPIRES" },
  /** Alignment padding of the 64-bit attributes. */
  pad: { type: 24, kind: "bytes", uapi: "RTA_PAD" },
} as const;

/**
 * A multicast route: one entry of the kernel's multicast forwarding cache
 * (`ip mroute show`), `(src, group)` arriving on `iif` and sent out of
 * each of `oifs`. Entries exist only while a multicast routing daemon
 * (`pimd`, `smcroute`, ...) holds the table.
 */
export interface MulticastRoute {
  /** `inet` (`RTNL_FAMILY_IPMR` on the wire) or `inet6` (`RTNL_FAMILY_IP6MR`). */
  family: "inet" | "inet6";
  /** Source (origin) address; absent when the kernel sent none. */
  src?: string;
  /** Multicast group address; absent when the kernel sent none. */
  dst?: string;
  /** Multicast routing table: its name (`default`, `main`, a name of `rt_tables`), else its id. */
  table: string | number;
  /** Who installed it: `static` (`MFC_STATIC`) or `mrouted` (a daemon), else the number as text. */
  protocol: string;
  /** Input interface index; absent while unresolved. */
  iif?: number;
  /** Input device name (the name of `iif`), set by listings and events. */
  iifName?: string;
  /** Output interfaces; absent while unresolved. */
  oifs?: MulticastOif[];
  /** Waiting for a daemon to resolve it (`RTNH_F_UNRESOLVED`): packets are queued meanwhile. */
  unresolved: boolean;
  /** Forwarded in hardware (`RTNH_F_OFFLOAD`). */
  offload: boolean;
  /** Forwarding counters; absent while unresolved. */
  stats?: MulticastRouteStats;
  /** Seconds since the entry last forwarded a packet (or was created), in 1/100 s steps; absent while unresolved. */
  age?: number;
  /** Attributes this version does not know, kept raw. */
  unknown?: RawAttr[];
}
