/**
 * `ip link show`'s text layout for {@link Link} objects.
 *
 * @module
 */

import type { Link } from "../route/link/api.ts";
import { linkFlagWords } from "../route/link/json.ts";
import type { Painter } from "./color.ts";
import { linkDetails } from "./link_details.ts";
import { type LinkNames, nameOfIndex } from "./names.ts";

/** `name`, `name@lower`, `name@ifN` (lower link in another namespace) or `name@NONE`. */
function linkLabel(l: Link, names: LinkNames): string {
  const name = l.name ?? `if${l.index}`;
  if (l.link === undefined) return name;
  if (l.link === 0) return `${name}@NONE`;
  return `${name}@${l.linkNetnsid !== undefined ? `if${l.link}` : nameOfIndex(names, l.link)}`;
}

function pad(v: number | string, w: number): string {
  return String(v).padStart(w);
}

/**
 * The `-s` counter lines of a link (ip prints them last: after the addresses
 * in `ip addr`); `level` 2 (`-s -s`) adds the error breakdown.
 */
export function linkStatsLines(l: Link, level = 1): string[] {
  const s = l.stats64;
  if (!s) return [];
  const rx = [s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, s.rxMissedErrors, s.multicast, s.rxCompressed];
  const tx = [s.txBytes, s.txPackets, s.txErrors, s.txDropped, s.txCarrierErrors, s.collisions, s.txCompressed];
  const rxErr = [0, s.rxLengthErrors, s.rxCrcErrors, s.rxFrameErrors, s.rxFifoErrors, s.rxOverErrors];
  const rxMore = [s.rxNohandler ?? 0, s.rxOtherhostDropped ?? 0];
  const txErr = [0, s.txAbortedErrors, s.txFifoErrors, s.txWindowErrors, s.txHeartbeatErrors, l.carrierChanges ?? 0];
  const sized = level > 1 ? [rx, tx, [...rxErr, ...rxMore], txErr] : [rx, tx];
  // Column widths as iproute2 sizes them: header width or widest number.
  const cols = [10, 7, 6, 7, 7, 7, 10, 9].map((w, i) => Math.max(w, ...sized.map((v) => String(v[i] ?? "").length)));
  const head = (dir: string, names: string[], compressed: number): string =>
    `    ${dir}: ${pad(names[0], cols[0] - 4)} ${names.slice(1).map((n, i) => pad(n, cols[i + 1])).join(" ")} ${
      pad(compressed ? "compressed" : "", cols[6])
    }`;
  const row = (vals: number[]): string =>
    "    " + vals.slice(0, 6).map((v, i) => pad(v, cols[i]) + " ").join("") +
    (vals[6] ? pad(vals[6], cols[6]) + " " : "");
  const errHead = (dir: string, names: string[], extra = ""): string =>
    `    ${dir} errors:${pad("", cols[0] - 10)} ${names.map((n, i) => pad(n, cols[i + 1])).join(" ")}${extra}`;
  const errRow = (vals: [number, number][]): string =>
    " ".repeat(cols[0] + 5) + vals.map(([v, w]) => pad(v, w) + " ").join("");
  const widths = (vals: number[]): [number, number][] => vals.slice(1).map((v, i) => [v, cols[i + 1]]);
  const lines = [head("RX", ["bytes", "packets", "errors", "dropped", "missed", "mcast"], s.rxCompressed), row(rx)];
  if (level > 1) {
    // nohandler and otherhost show only when non-zero.
    const [nohandler, otherhost] = rxMore;
    const extra = (nohandler ? pad(" nohandler", cols[6] + 1) : "") + (otherhost ? pad(" otherhost", cols[7] + 1) : "");
    const vals = widths(rxErr);
    if (nohandler) vals.push([nohandler, cols[6]]);
    if (otherhost) vals.push([otherhost, cols[7]]);
    lines.push(errHead("RX", ["length", "crc", "frame", "fifo", "overrun"], extra), errRow(vals));
  }
  lines.push(head("TX", ["bytes", "packets", "errors", "dropped", "carrier", "collsns"], s.txCompressed), row(tx));
  if (level > 1) lines.push(errHead("TX", ["aborted", "fifo", "window", "heartbt", "transns"]), errRow(widths(txErr)));
  return lines;
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
  /** Leave out `qlen` (ip monitor does). */
  noQlen?: boolean;
  /** Named namespaces by nsid: a peer there prints as `link-netns NAME`, as ip prints it. */
  netnsNames?: ReadonlyMap<number, string>;
}

/** ` link-netns NAME`, ` link-netnsid N`, or ` link-netnsid unknown` for a negative id. */
function netnsWords(id: number, names: ReadonlyMap<number, string> | undefined): string {
  if (id < 0) return " link-netnsid unknown";
  const name = names?.get(id);
  return name === undefined ? ` link-netnsid ${id}` : ` link-netns ${name}`;
}

/** Formats one link as `ip link show` does (lines without the final newline). */
export function formatLink(l: Link, names: LinkNames, paint: Painter, o: LinkTextOptions): string[] {
  const state = l.operstate;
  // ip colours each value with the separator its format string ends with ("%s: ", "%s ").
  let head = `${l.index}: ${paint("ifname", `${linkLabel(l, names)}: `)}<${linkFlagWords(l, names).join(",")}>`;
  if (l.mtu !== undefined) head += ` mtu ${l.mtu}`;
  if (l.qdisc !== undefined) head += ` qdisc ${l.qdisc}`;
  if (l.master) head += ` master ${nameOfIndex(names, l.master)}`;
  const role = state === "UP" ? "up" : state === "DOWN" ? "down" : undefined;
  // Without IFLA_OPERSTATE (a message from `monitor file`, say) ip prints no state.
  head += state === undefined ? " " : ` state ${role ? paint(role, `${state} `) : `${state} `}`;
  if (o.mode && l.linkmode !== undefined) head += `mode ${l.linkmode} `;
  if (l.group !== undefined) head += `group ${l.group === 0 ? "default" : l.group} `;
  // ip ends each word with a space, which "qlen N" consumes when it follows.
  if (l.txqlen && !o.noQlen) head += `qlen ${l.txqlen}`;
  if (l.protoDown) head += " protodown on";
  // ip prints "link/TYPE " then the address, so a link without one keeps the space.
  let second = `    link/${l.linkType} `;
  if (l.address !== undefined) second += paint("mac", l.address);
  if (l.broadcast !== undefined) {
    second += `${l.flags.includes("POINTOPOINT") ? " peer " : " brd "}${paint("mac", l.broadcast)}`;
  }
  if (l.linkNetnsid !== undefined) second += netnsWords(l.linkNetnsid, o.netnsNames);
  if (o.details) second += linkDetails(l, names, o.mode);
  const lines = o.noLinkLine && !o.details ? [head] : [head, second];
  // ip prints the alias in link listings (and with -d), not in addr listings.
  if (l.alias !== undefined && (o.mode || o.details)) lines.push(`    alias ${l.alias}`);
  for (const alt of l.altnames ?? []) lines.push(`    altname ${alt}`);
  if (o.stats) lines.push(...linkStatsLines(l, o.stats));
  return lines;
}

/** `ip -br link`: name (padded to 16), operstate (padded to 14), address and flags (`ip -br addr`: without those two). */
export function formatLinkBrief(l: Link, names: LinkNames, paint: Painter, withLinkInfo = true): string {
  const state = l.operstate;
  const role = state === "UP" ? "up" : state === "DOWN" ? "down" : undefined;
  let s = paint("ifname", `${linkLabel(l, names).padEnd(16)} `);
  if (state !== undefined) s += role ? paint(role, `${state.padEnd(14)} `) : `${state.padEnd(14)} `;
  if (!withLinkInfo) return s;
  if (l.address !== undefined) s += paint("mac", `${l.address} `);
  return s + `<${linkFlagWords(l, names).join(",")}> `;
}

/** `ip -br -j link`: the brief fields under ip's keys (`link` comes first, as ip prints it). */
export function linkBriefJson(l: Link, names: LinkNames, withLinkInfo = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (l.link !== undefined) {
    if (l.link === 0) out.link = null;
    else if (l.linkNetnsid !== undefined) out.link_index = l.link;
    else out.link = nameOfIndex(names, l.link);
  }
  out.ifname = l.name ?? `if${l.index}`;
  if (l.operstate !== undefined) out.operstate = l.operstate;
  if (withLinkInfo) {
    if (l.address !== undefined) out.address = l.address;
    out.flags = linkFlagWords(l, names);
  }
  return out;
}
