/**
 * ip's neighbour table words (`print_ntable` in ip/ipntable.c, iproute2
 * 6.1): each entry as text and as one `-j` object, in ip's order and keys.
 *
 * @module
 */

import type { NeighTable } from "../route/ntable/table.ts";
import { type IndexNames, nameOfIndex } from "./names.ts";

/** How to print: `-s` (configuration and counters), `-o`, and the clock `last_flush` counts back from. */
export interface NtableOptions {
  /** `-s`: the table's configuration and counters too. */
  stats: boolean;
  /** `-o`: one line per entry. */
  oneline: boolean;
  /** Now, in milliseconds since the epoch. */
  now: number;
}

/** [JSON key, text word, value]. */
type Field = [string, string, number | string];
type Line = { indent: string; fields: Field[] };

/** Where a group of ip's fields comes from, and when ip prints it. */
type Part = "table" | "config" | "dev" | "parms" | "stats";

/** ip's groups in order: [part, indent, [field, JSON key, text word]...]. */
const LAYOUT: readonly [Part, string, ...(readonly [string, string, string])[]][] = [
  ["table", "    ", ["thresh1", "thresh1", "thresh1"], ["thresh2", "thresh2", "thresh2"], [
    "thresh3",
    "thresh3",
    "thresh3",
  ], ["gcInterval", "gc_interval", "gc_int"]],
  ["config", "    config ", ["keyLen", "key_length", "key_len"], ["entrySize", "entry_size", "entry_size"], [
    "entries",
    "entries",
    "entries",
  ]],
  ["config", "        ", ["lastFlush", "last_flush", "last_flush"], ["lastRand", "last_rand", "last_rand"]],
  ["config", "        ", ["hashRnd", "hash_rnd", "hash_rnd"], ["hashMask", "hash_mask", "hash_mask"], [
    "hashChainGc",
    "hash_chain_gc",
    "hash_chain_gc",
  ], ["proxyQlen", "proxy_qlen", "proxy_qlen"]],
  ["dev", "    ", ["ifindex", "dev", "dev"]],
  ["parms", "    ", ["refcnt", "refcnt", "refcnt"], ["reachableTime", "reachable", "reachable"], [
    "baseReachableTime",
    "base_reachable",
    "base_reachable",
  ], ["retransTime", "retrans", "retrans"]],
  ["parms", "    ", ["gcStaleTime", "gc_stale", "gc_stale"], ["delayProbeTime", "delay_probe", "delay_probe"], [
    "queueLen",
    "queue",
    "queue",
  ]],
  ["parms", "    ", ["appProbes", "app_probes", "app_probes"], ["ucastProbes", "ucast_probes", "ucast_probes"], [
    "mcastProbes",
    "mcast_probes",
    "mcast_probes",
  ]],
  ["parms", "    ", ["anycastDelay", "anycast_delay", "anycast_delay"], ["proxyDelay", "proxy_delay", "proxy_delay"], [
    "proxyQlen",
    "proxy_queue",
    "proxy_queue",
  ], ["locktime", "locktime", "locktime"]],
  ["stats", "    stats ", ["allocs", "allocs", "allocs"], ["destroys", "destroys", "destroys"], [
    "hashGrows",
    "hash_grows",
    "hash_grows",
  ]],
  ["stats", "    ", ["resFailed", "res_failed", "res_failed"], ["lookups", "lookups", "lookups"], [
    "hits",
    "hits",
    "hits",
  ]],
  ["stats", "    ", ["rcvProbesMcast", "rcv_probes_mcast", "rcv_probes_mcast"], [
    "rcvProbesUcast",
    "rcv_probes_ucast",
    "rcv_probes_ucast",
  ]],
  ["stats", "    ", ["periodicGcRuns", "periodic_gc_runs", "periodic_gc_runs"], [
    "forcedGcRuns",
    "forced_gc_runs",
    "forced_gc_runs",
  ]],
  ["stats", "    ", ["tableFulls", "table_fulls", "table_fulls"]],
];

const pad = (n: number) => String(n).padStart(2, "0");

/** ip's `ntable_strtime_delta`: the local time `msec` ago, or `(error)` for 0. */
function timeAgo(msec: number, now: number): string {
  if (msec === 0) return "(error)";
  const d = new Date((Math.floor(now / 1000) - Math.floor(msec / 1000)) * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The entry's lines after its first, as ip groups them. */
function lines(t: NeighTable, names: IndexNames, o: NtableOptions): Line[] {
  const sources: Record<Part, object | undefined> = {
    table: t,
    // ip prints the configuration and counters with -s only, and a device line for a device's parameters.
    config: o.stats ? t.config : undefined,
    dev: t.parms?.ifindex === undefined ? undefined : t.parms,
    parms: t.parms,
    stats: o.stats ? t.stats : undefined,
  };
  const out: Line[] = [];
  for (const [part, indent, ...fields] of LAYOUT) {
    const src = sources[part] as Record<string, number> | undefined;
    if (!src) continue;
    const line: Line = { indent, fields: [] };
    for (const [field, key, word] of fields) {
      const v = src[field];
      if (typeof v !== "number") continue;
      const value = key === "dev" ? nameOfIndex(names, v) : key.startsWith("last_") ? timeAgo(v, o.now) : v;
      line.fields.push([key, word, value]);
    }
    // The thresholds' line only when one is there; ip always prints the others' indents.
    if (part !== "table" || line.fields.length) out.push(line);
  }
  return out;
}

/** One entry of `ip ntable show`, its blank line included. */
export function ntableText(t: NeighTable, names: IndexNames, o: NtableOptions): string {
  const sl = o.oneline ? "\\" : "\n";
  let s = `${t.family} ${t.name === undefined ? "" : `${t.name} `}${sl}`;
  for (const line of lines(t, names, o)) {
    s += line.indent;
    for (const [key, word, v] of line.fields) {
      s += `${word} ${key === "hash_mask" ? (v as number).toString(16).padStart(8, "0") : v} `;
    }
    s += sl;
  }
  return s + "\n";
}

/** One object of `ip -j ntable show`. */
export function ntableJson(t: NeighTable, names: IndexNames, o: NtableOptions): Record<string, unknown> {
  const obj: Record<string, unknown> = { family: t.family };
  if (t.name !== undefined) obj.name = t.name;
  for (const line of lines(t, names, o)) {
    for (const [key, , v] of line.fields) obj[key] = key === "hash_mask" ? `0x${(v as number).toString(16)}` : v;
  }
  return obj;
}
