/**
 * The neighbour tables (`ndtmsg`, `NDTA_*`, `NDTPA_*`): the ARP and NDP
 * caches' thresholds, each device's neighbour parameters (reachable time,
 * probes, queue lengths...), and the caches' configuration and statistics,
 * as `ip ntable` reads and changes them.
 *
 * @module
 */

import { NLMSG_HDRLEN } from "../../wire/constants.ts";
import { TruncatedError } from "../../wire/errors.ts";
import { familyName } from "../../wire/family.ts";
import type { NlMsg } from "../../wire/message.ts";
import { type Attrs, parseAttrs, type RawAttr, type StructValue } from "../../wire/table.ts";

/** `struct ndt_config`: the table's size and hashing (in the default entry only). */
export const NDT_CONFIG = {
  keyLen: "u16",
  entrySize: "u16",
  entries: "u32",
  lastFlush: "u32",
  lastRand: "u32",
  hashRnd: "u32",
  hashMask: "u32",
  hashChainGc: "u32",
  proxyQlen: "u32",
} as const;

/** `struct ndt_stats`: the table's counters (in the default entry only). */
export const NDT_STATS = {
  allocs: "u64",
  destroys: "u64",
  hashGrows: "u64",
  resFailed: "u64",
  lookups: "u64",
  hits: "u64",
  rcvProbesMcast: "u64",
  rcvProbesUcast: "u64",
  periodicGcRuns: "u64",
  forcedGcRuns: "u64",
  tableFulls: "u64",
} as const;

/** `NDTPA_*`: one set of neighbour parameters (times in milliseconds), a device's or the table's default. */
export const NDTPA_ATTRS = {
  ifindex: { type: 1, kind: "u32", uapi: "NDTPA_IFINDEX" },
  refcnt: { type: 2, kind: "u32", uapi: "NDTPA_REFCNT", dir: "reply" },
  reachableTime: { type: 3, kind: "u64", uapi: "NDTPA_REACHABLE_TIME", dir: "reply" },
  baseReachableTime: { type: 4, kind: "u64", uapi: "NDTPA_BASE_REACHABLE_TIME" },
  retransTime: { type: 5, kind: "u64", uapi: "NDTPA_RETRANS_TIME" },
  gcStaleTime: { type: 6, kind: "u64", uapi: "NDTPA_GC_STALETIME" },
  delayProbeTime: { type: 7, kind: "u64", uapi: "NDTPA_DELAY_PROBE_TIME" },
  queueLen: { type: 8, kind: "u32", uapi: "NDTPA_QUEUE_LEN" },
  appProbes: { type: 9, kind: "u32", uapi: "NDTPA_APP_PROBES" },
  ucastProbes: { type: 10, kind: "u32", uapi: "NDTPA_UCAST_PROBES" },
  mcastProbes: { type: 11, kind: "u32", uapi: "NDTPA_MCAST_PROBES" },
  anycastDelay: { type: 12, kind: "u64", uapi: "NDTPA_ANYCAST_DELAY" },
  proxyDelay: { type: 13, kind: "u64", uapi: "NDTPA_PROXY_DELAY" },
  proxyQlen: { type: 14, kind: "u32", uapi: "NDTPA_PROXY_QLEN" },
  locktime: { type: 15, kind: "u64", uapi: "NDTPA_LOCKTIME" },
  queueLenBytes: { type: 16, kind: "u32", uapi: "NDTPA_QUEUE_LENBYTES" },
  mcastReprobes: { type: 17, kind: "u32", uapi: "NDTPA_MCAST_REPROBES" },
  intervalProbeTime: { type: 19, kind: "u64", uapi: "NDTPA_INTERVAL_PROBE_TIME_MS" },
} as const;

/** `NDTA_*`: one table entry: the table's own values and one set of parameters. */
export const NDTA_ATTRS = {
  name: { type: 1, kind: "string", uapi: "NDTA_NAME" },
  thresh1: { type: 2, kind: "u32", uapi: "NDTA_THRESH1" },
  thresh2: { type: 3, kind: "u32", uapi: "NDTA_THRESH2" },
  thresh3: { type: 4, kind: "u32", uapi: "NDTA_THRESH3" },
  // Before the parameters, in the order ip sends them.
  gcInterval: { type: 8, kind: "u64", uapi: "NDTA_GC_INTERVAL" },
  config: { type: 5, kind: "struct", struct: NDT_CONFIG, uapi: "NDTA_CONFIG", dir: "reply" },
  parms: { type: 6, kind: "nested", table: NDTPA_ATTRS, uapi: "NDTA_PARMS" },
  stats: { type: 7, kind: "struct", struct: NDT_STATS, uapi: "NDTA_STATS", dir: "reply" },
} as const;

/** One set of neighbour parameters (milliseconds for times); a field is present when the kernel sent it. */
export type NeighTableParms = Attrs<typeof NDTPA_ATTRS>;
/** `struct ndt_config`: `lastFlush` and `lastRand` are milliseconds ago. */
export type NeighTableConfig = StructValue<typeof NDT_CONFIG>;
/** `struct ndt_stats`. */
export type NeighTableStats = StructValue<typeof NDT_STATS>;

/**
 * One entry of a neighbour table dump: a table's defaults (`parms` without
 * `ifindex`, with thresholds, `config` and `stats`), or one device's
 * parameters (`parms.ifindex` set).
 */
export interface NeighTable {
  /** `inet` (ARP), `inet6` (NDP), or another family's name or number. */
  family: string;
  /** The table: `arp_cache`, `ndisc_cache`... */
  name?: string;
  /** Garbage collection leaves the table alone below this many entries. */
  thresh1?: number;
  /** Soft maximum of entries. */
  thresh2?: number;
  /** Hard maximum of entries. */
  thresh3?: number;
  /** Garbage collection interval, milliseconds. */
  gcInterval?: number;
  /** Size and hashing. */
  config?: NeighTableConfig;
  /** The parameters: the table's defaults, or a device's (`ifindex`). */
  parms?: NeighTableParms;
  /** Counters. */
  stats?: NeighTableStats;
  /** Attributes this version does not know, kept raw. */
  unknown?: RawAttr[];
}

/** The size of `struct ndtmsg`: family and padding. */
export const NDTMSG_LEN = 4;

/** Parses an `RTM_NEWNEIGHTBL`. */
export function parseNeighTableMessage(m: NlMsg): NeighTable {
  const start = m.start + NLMSG_HDRLEN;
  if (m.end - start < NDTMSG_LEN) throw new TruncatedError("ndtmsg", start, NDTMSG_LEN, m.end - start);
  const a = parseAttrs(NDTA_ATTRS, m.buf, m.view, start + NDTMSG_LEN, m.end);
  return { family: familyName(m.buf[start]), ...a };
}
