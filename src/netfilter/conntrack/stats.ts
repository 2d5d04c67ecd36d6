/**
 * Conntrack statistics: the table size (`conntrack -C`), the per-CPU
 * counters (`conntrack -S`) and the per-CPU expectation counters
 * (`conntrack -S expect`).
 *
 * @example
 * ```ts ignore
 * import { conntrackCount, conntrackCpuStats } from "./stats.ts";
 * const { count, max } = await conntrackCount({ netns: "blue" });
 * for (const s of await conntrackCpuStats({ netns: "blue" })) console.log(s.cpu, s.found, s.insertFailed);
 * ```
 *
 * @module
 */

import { payloadOf } from "../../wire/message.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NFNL_SUBSYS_CTNETLINK, NFNL_SUBSYS_CTNETLINK_EXP, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import { type Attrs, parseAttrs, type RawAttr } from "../../wire/table.ts";
import { MalformedError } from "../../wire/errors.ts";
import { withSocket } from "../../socket/family.ts";
import { checkTarget } from "../../socket/target.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { type ConntrackOptions, IPCTNL_MSG, withConntrackSocket } from "./ctnetlink.ts";
import { CTNETLINK_EXP } from "./expect_ops.ts";
import { IPCTNL_MSG_EXP } from "./expect_tables.ts";

/** `CTA_STATS_*` per-CPU counters (`enum ctattr_stats_cpu`), all u32 big-endian. */
export const CTA_STATS_CPU = {
  searched: { type: 1, kind: "u32be" },
  found: { type: 2, kind: "u32be" },
  new: { type: 3, kind: "u32be" },
  invalid: { type: 4, kind: "u32be" },
  ignore: { type: 5, kind: "u32be" },
  delete: { type: 6, kind: "u32be" },
  deleteList: { type: 7, kind: "u32be" },
  insert: { type: 8, kind: "u32be" },
  insertFailed: { type: 9, kind: "u32be" },
  drop: { type: 10, kind: "u32be" },
  earlyDrop: { type: 11, kind: "u32be" },
  error: { type: 12, kind: "u32be" },
  searchRestart: { type: 13, kind: "u32be" },
  clashResolve: { type: 14, kind: "u32be" },
  chainTooLong: { type: 15, kind: "u32be" },
} as const;

/** `CTA_STATS_GLOBAL_*` (`enum ctattr_stats_global`). */
export const CTA_STATS_GLOBAL = {
  entries: { type: 1, kind: "u32be" },
  maxEntries: { type: 2, kind: "u32be" },
} as const;

/** `CTA_STATS_EXP_*` per-CPU expectation counters (`enum ctattr_expect_stats`). */
export const CTA_STATS_EXP = {
  new: { type: 1, kind: "u32be" },
  create: { type: 2, kind: "u32be" },
  delete: { type: 3, kind: "u32be" },
} as const;

/** Counters of one CPU ({@link CTA_STATS_CPU}), as the kernel sent them (older kernels send fewer). */
export interface ConntrackCpuStats {
  /** CPU number (`nfgenmsg.res_id`). */
  cpu: number;
  /** `CTA_STATS_SEARCHED`. */
  searched?: number;
  /** `CTA_STATS_FOUND`: lookups that found an entry. */
  found?: number;
  /** `CTA_STATS_NEW` (no longer counted by recent kernels). */
  new?: number;
  /** `CTA_STATS_INVALID`: packets that could not be tracked. */
  invalid?: number;
  /** `CTA_STATS_IGNORE`: packets already tracked or untracked. */
  ignore?: number;
  /** `CTA_STATS_DELETE` (no longer counted by recent kernels). */
  delete?: number;
  /** `CTA_STATS_DELETE_LIST` (no longer counted by recent kernels). */
  deleteList?: number;
  /** `CTA_STATS_INSERT`: entries inserted. */
  insert?: number;
  /** `CTA_STATS_INSERT_FAILED`: insertions that failed (a clash). */
  insertFailed?: number;
  /** `CTA_STATS_DROP`: packets dropped for want of an entry. */
  drop?: number;
  /** `CTA_STATS_EARLY_DROP`: entries dropped to make room. */
  earlyDrop?: number;
  /** `CTA_STATS_ERROR`: ICMP errors about untracked flows. */
  error?: number;
  /** `CTA_STATS_SEARCH_RESTART`: lookups restarted after a table resize. */
  searchRestart?: number;
  /** `CTA_STATS_CLASH_RESOLVE`: clashes resolved. */
  clashResolve?: number;
  /** `CTA_STATS_CHAIN_TOOLONG`: hash chains found too long. */
  chainTooLong?: number;
  /** Attributes no table entry describes. */
  unknown?: RawAttr[];
}

/** Expectation counters of one CPU. */
export type ExpectCpuStats = Attrs<typeof CTA_STATS_EXP> & {
  /** CPU number (`nfgenmsg.res_id`). */
  cpu: number;
};

/** Size of the conntrack table. */
export interface ConntrackCount {
  /** Entries in the table (`conntrack -C`). */
  count: number;
  /** `nf_conntrack_max`. */
  max: number;
}

const NFGENMSG_LEN = 4;

function checkHeader(m: NlMsg): number {
  const off = payloadOf(m);
  if (off + NFGENMSG_LEN > m.end) throw new MalformedError("Statistics message is shorter than nfgenmsg", m.start);
  return off;
}

/** Parses an `IPCTNL_MSG_CT_GET_STATS_CPU` reply. */
export function parseConntrackCpuStats(m: NlMsg): ConntrackCpuStats {
  const off = checkHeader(m);
  const attrs = parseAttrs(CTA_STATS_CPU, m.buf, m.view, off + NFGENMSG_LEN, m.end);
  return { cpu: m.view.getUint16(off + 2, false), ...attrs };
}

/** Parses an `IPCTNL_MSG_EXP_GET_STATS_CPU` reply. */
export function parseExpectCpuStats(m: NlMsg): ExpectCpuStats {
  const off = checkHeader(m);
  const attrs = parseAttrs(CTA_STATS_EXP, m.buf, m.view, off + NFGENMSG_LEN, m.end);
  return { cpu: m.view.getUint16(off + 2, false), ...attrs };
}

/** Parses an `IPCTNL_MSG_CT_GET_STATS` reply. */
export function parseConntrackCount(m: NlMsg): ConntrackCount {
  const off = checkHeader(m);
  const a = parseAttrs(CTA_STATS_GLOBAL, m.buf, m.view, off + NFGENMSG_LEN, m.end);
  if (a.entries === undefined) throw new MalformedError("Statistics reply has no CTA_STATS_GLOBAL_ENTRIES", m.start);
  return { count: a.entries, max: a.maxEntries ?? 0 };
}

/** Counts the conntrack entries and reads the table limit (`conntrack -C`). */
export function conntrackCount(opts: ConntrackOptions = {}): Promise<ConntrackCount> {
  checkTarget(opts, "conntrackCount");
  return withConntrackSocket(opts, conntrackCountOn);
}

/** {@link conntrackCount} on an open conntrack socket: its namespace's own count. */
export async function conntrackCountOn(s: NetlinkSocket): Promise<ConntrackCount> {
  const msg = nfnlMessage(nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG.IPCTNL_MSG_CT_GET_STATS), 0, 0).finish();
  const [reply] = await s.request(msg, parseConntrackCount);
  if (!reply) throw new MalformedError("Kernel sent no statistics reply", 0);
  return reply;
}

/** Reads the per-CPU conntrack counters (`conntrack -S`), one item per possible CPU. */
export function conntrackCpuStats(opts: ConntrackOptions = {}): Promise<ConntrackCpuStats[]> {
  checkTarget(opts, "conntrackCpuStats");
  const msg = nfnlMessage(nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG.IPCTNL_MSG_CT_GET_STATS_CPU), 0, 0).finish();
  return withConntrackSocket(opts, (s) => s.dumpAll(msg, parseConntrackCpuStats));
}

/** Reads the per-CPU expectation counters (`conntrack -S expect`). */
export function expectCpuStats(opts: ConntrackOptions = {}): Promise<ExpectCpuStats[]> {
  checkTarget(opts, "expectCpuStats");
  const msg = nfnlMessage(nfnlType(NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_GET_STATS_CPU), 0, 0)
    .finish();
  // The expectation family names the request IPCTNL_MSG_EXP_* in kernel errors.
  return withSocket(CTNETLINK_EXP, opts, (s) => s.dumpAll(msg, parseExpectCpuStats));
}

const CPU_KEYS: readonly [keyof typeof CTA_STATS_CPU, string][] = [
  ["searched", "searched"],
  ["found", "found"],
  ["new", "new"],
  ["invalid", "invalid"],
  ["ignore", "ignore"],
  ["delete", "delete"],
  ["deleteList", "delete_list"],
  ["insert", "insert"],
  ["insertFailed", "insert_failed"],
  ["drop", "drop"],
  ["earlyDrop", "early_drop"],
  ["error", "error"],
  ["searchRestart", "search_restart"],
  ["clashResolve", "clash_resolve"],
  ["chainTooLong", "chaintoolong"],
];

const EXP_KEYS: readonly [keyof typeof CTA_STATS_EXP, string][] = [
  ["new", "expect_new"],
  ["create", "expect_create"],
  ["delete", "expect_delete"],
];

function pairs(s: object, keys: readonly [string, string][]): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, name] of keys) {
    const v = (s as Record<string, unknown>)[k];
    if (typeof v === "number") out.push([name, v]);
  }
  return out;
}

function line(cpu: number, fields: [string, number][]): string {
  return `${`cpu=${cpu}`.padEnd(8)}\t${fields.map(([k, v]) => `${k}=${v} `).join("")}`;
}

/** Formats one CPU's counters as `conntrack -S` prints them. */
export function formatCpuStats(s: ConntrackCpuStats): string {
  return line(s.cpu, pairs(s, CPU_KEYS));
}

/** Formats one CPU's expectation counters as `conntrack -S expect` prints them. */
export function formatExpectCpuStats(s: ExpectCpuStats): string {
  return line(s.cpu, pairs(s, EXP_KEYS));
}

/** One CPU's counters as JSON, with the snake_case names `conntrack -S` prints. */
export function cpuStatsToJson(s: ConntrackCpuStats): Record<string, number> {
  return Object.fromEntries([["cpu", s.cpu], ...pairs(s, CPU_KEYS)]);
}

/** One CPU's expectation counters as JSON, with the names `conntrack -S expect` prints. */
export function expectCpuStatsToJson(s: ExpectCpuStats): Record<string, number> {
  return Object.fromEntries([["cpu", s.cpu], ...pairs(s, EXP_KEYS)]);
}
