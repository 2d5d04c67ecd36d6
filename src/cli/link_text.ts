/**
 * `ip link show`'s text layout for {@link Link} objects.
 *
 * @module
 */

import type { Link } from "../route/link.ts";
import type { Painter } from "./color.ts";
import { type LinkNames, nameOfIndex } from "./names.ts";

/** iproute2's flag order (print_link_flags), which is not bit order. */
const FLAG_ORDER = [
  "LOOPBACK",
  "BROADCAST",
  "POINTOPOINT",
  "MULTICAST",
  "NOARP",
  "ALLMULTI",
  "PROMISC",
  "NOTRAILERS",
  "DEBUG",
  "DYNAMIC",
  "AUTOMEDIA",
  "PORTSEL",
  "MASTER",
  "SLAVE",
  "UP",
  "LOWER_UP",
  "DORMANT",
  "ECHO",
];

/** The `<...>` flag words: NO-CARRIER first, RUNNING hidden, M-DOWN when the lower link is down. */
export function linkFlagWords(l: Link, names: LinkNames): string[] {
  const has = new Set(l.flags);
  const words = has.has("UP") && !has.has("RUNNING") ? ["NO-CARRIER"] : [];
  for (const f of FLAG_ORDER) if (has.has(f)) words.push(f);
  if (l.link && l.linkNetnsid === undefined) {
    const lower = names.get(l.link);
    if (lower && !lower.flags.includes("UP")) words.push("M-DOWN");
  }
  return words;
}

/** `name`, `name@lower`, `name@ifN` (lower link in another namespace) or `name@NONE`. */
export function linkLabel(l: Link, names: LinkNames): string {
  const name = l.name ?? `if${l.index}`;
  if (l.link === undefined) return name;
  if (l.link === 0) return `${name}@NONE`;
  return `${name}@${l.linkNetnsid !== undefined ? `if${l.link}` : nameOfIndex(names, l.link)}`;
}

function pad(v: number | string, w: number): string {
  return String(v).padStart(w);
}

function statsLines(l: Link): string[] {
  const s = l.stats64;
  if (!s) return [];
  const rx = [s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, s.rxMissedErrors, s.multicast, s.rxCompressed];
  const tx = [s.txBytes, s.txPackets, s.txErrors, s.txDropped, s.txCarrierErrors, s.collisions, s.txCompressed];
  // Column widths as iproute2 sizes them: header width or widest number.
  const cols = [10, 7, 6, 7, 7, 7, 10].map((w, i) => Math.max(w, String(rx[i]).length, String(tx[i]).length));
  const head = (dir: string, names: string[], compressed: number): string =>
    `    ${dir}: ${pad(names[0], cols[0] - 4)} ${names.slice(1).map((n, i) => pad(n, cols[i + 1])).join(" ")} ${
      pad(compressed ? "compressed" : "", cols[6])
    }`;
  const row = (vals: number[]): string =>
    "    " + vals.slice(0, 6).map((v, i) => pad(v, cols[i]) + " ").join("") +
    (vals[6] ? pad(vals[6], cols[6]) + " " : "");
  return [
    head("RX", ["bytes", "packets", "errors", "dropped", "missed", "mcast"], s.rxCompressed),
    row(rx),
    head("TX", ["bytes", "packets", "errors", "dropped", "carrier", "collsns"], s.txCompressed),
    row(tx),
  ];
}

/** Formatting switches of {@link formatLink}. */
export interface LinkTextOptions {
  /** Print `mode` (ip link does, ip addr does not). */
  mode: boolean;
  /** `-d`: kind and counters. */
  details: number;
  /** `-s`: statistics. */
  stats: number;
  /** Leave out the `link/...` line (ip addr does when a family filter is given). */
  noLinkLine?: boolean;
}

/** Formats one link as `ip link show` does (lines without the final newline). */
export function formatLink(l: Link, names: LinkNames, paint: Painter, o: LinkTextOptions): string[] {
  const state = l.operstate ?? "UNKNOWN";
  let head = `${l.index}: ${paint("ifname", linkLabel(l, names))}: <${linkFlagWords(l, names).join(",")}>`;
  if (l.mtu !== undefined) head += ` mtu ${l.mtu}`;
  if (l.qdisc !== undefined) head += ` qdisc ${l.qdisc}`;
  if (l.master) head += ` master ${paint("ifname", nameOfIndex(names, l.master))}`;
  head += ` state ${state === "UP" ? paint("up", state) : state === "DOWN" ? paint("down", state) : state}`;
  if (o.mode && l.linkmode !== undefined) head += ` mode ${l.linkmode}`;
  if (l.group !== undefined) head += ` group ${l.group === 0 ? "default" : l.group}`;
  if (l.txqlen) head += ` qlen ${l.txqlen}`;
  if (l.protoDown) head += " protodown on";
  let second = `    link/${l.linkType}`;
  if (l.address !== undefined) second += ` ${paint("mac", l.address)}`;
  if (l.broadcast !== undefined) {
    second += `${l.flags.includes("POINTOPOINT") ? " peer " : " brd "}${paint("mac", l.broadcast)}`;
  }
  if (l.linkNetnsid !== undefined) second += ` link-netnsid ${l.linkNetnsid}`;
  if (o.details) {
    second += ` promiscuity ${l.promiscuity ?? 0}`;
    if (l.allmulti !== undefined) second += ` allmulti ${l.allmulti}`;
    if (l.minMtu !== undefined) second += ` minmtu ${l.minMtu} maxmtu ${l.maxMtu ?? 0}`;
    if (l.linkinfo?.kind) second += ` \n    ${l.linkinfo.kind}`;
    if (l.linkinfo?.slaveKind) second += ` \n    ${l.linkinfo.slaveKind}_slave`;
    second += ` numtxqueues ${l.numTxQueues ?? 0} numrxqueues ${l.numRxQueues ?? 0}`;
  }
  const lines = o.noLinkLine && !o.details ? [head] : [head, second];
  // ip prints the alias in link listings (and with -d), not in addr listings.
  if (l.alias !== undefined && (o.mode || o.details)) lines.push(`    alias ${l.alias}`);
  for (const alt of l.altnames ?? []) lines.push(`    altname ${alt}`);
  if (o.stats) lines.push(...statsLines(l));
  return lines;
}
