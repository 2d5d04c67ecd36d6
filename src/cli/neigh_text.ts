/**
 * `ip neigh show`'s text layout for a {@link Neighbour}.
 *
 * @module
 */

import type { Neighbour } from "../route/neigh/table.ts";
import type { Painter } from "./color.ts";
import { type LinkNames, nameOfIndex } from "./names.ts";

const FLAGS = ["router", "proxy", "managed", "extern_learn", "offload"];

/** Formatting switches of {@link formatNeighbour}. */
export interface NeighTextOptions {
  /** Print `dev` (ip leaves it out when the listing was filtered by device). */
  dev: boolean;
  /** `-s`: references, ages, probes. */
  stats: number;
}

/** Formats a neighbour as one `ip neigh show` line. */
export function formatNeighbour(n: Neighbour, names: LinkNames, paint: Painter, o: NeighTextOptions): string {
  let s = "";
  // ip colours each value with the space after it ("%s ").
  if (n.dst !== undefined) s += paint(n.family === "inet6" ? "inet6" : "inet", `${n.dst} `);
  if (o.dev && n.ifindex) s += `dev ${paint("ifname", `${n.dev ?? nameOfIndex(names, n.ifindex)} `)}`;
  if (n.lladdr !== undefined) s += `lladdr ${paint("mac", `${n.lladdr} `)}`;
  for (const f of FLAGS) if (n.flags.includes(f)) s += `${f} `;
  if (o.stats && n.cacheinfo) {
    const c = n.cacheinfo;
    // ip's spacing: each counter starts with a blank, none follows the last one.
    if (c.refcnt) s += ` ref ${c.refcnt}`;
    s += ` used ${Math.floor(c.used / 100)}/${Math.floor(c.confirmed / 100)}/${Math.floor(c.updated / 100)}`;
    if (n.probes !== undefined) s += `probes ${n.probes} `;
  }
  for (const st of n.state) if (st !== "NONE") s += `${st} `;
  if (n.protocol !== undefined && n.protocol !== "unspec") s += `proto ${n.protocol} `;
  return s;
}

/** `ip -br neigh`: address (padded to 39), device (padded to 16, unless filtered by device), link-layer address. */
export function formatNeighbourBrief(n: Neighbour, names: LinkNames, paint: Painter, o: NeighTextOptions): string {
  let s = "";
  if (n.dst !== undefined) s += paint(n.family === "inet6" ? "inet6" : "inet", `${n.dst.padEnd(39)} `);
  if (o.dev && n.ifindex) s += paint("ifname", `${(n.dev ?? nameOfIndex(names, n.ifindex)).padEnd(16)} `);
  if (n.lladdr !== undefined) s += paint("mac", n.lladdr);
  return s;
}

/** `ip -br -j neigh`: `dst`, `dev` and `lladdr`. */
export function neighBriefJson(n: Neighbour, names: LinkNames, o: NeighTextOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (n.dst !== undefined) out.dst = n.dst;
  if (o.dev && n.ifindex) out.dev = n.dev ?? nameOfIndex(names, n.ifindex);
  if (n.lladdr !== undefined) out.lladdr = n.lladdr;
  return out;
}
