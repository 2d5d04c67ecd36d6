/**
 * `ip route show`'s text layout for a {@link Route}. Fields that a show
 * filter fixed (table, protocol, device...) are left out, as ip does.
 *
 * @module
 */

import type { Route } from "../route/route_codec.ts";
import { routeFlagWords } from "../route/route_json.ts";
import { RT_TABLE_NAMES } from "../route/route_names.ts";
import { nameOf } from "../wire/table.ts";
import type { Painter } from "./color.ts";
import { type LinkNames, nameOfIndex } from "./names.ts";
import { AF_INET6 } from "../wire/addr.ts";

/** Which fields the show filter fixed, so they are not printed. */
export interface RouteTextOptions {
  /** A table was given (other than `all`). */
  table?: boolean;
  /** A protocol was given. */
  protocol?: boolean;
  /** A device was given. */
  dev?: boolean;
  /** A scope was given. */
  scope?: boolean;
  /** A type was given. */
  type?: boolean;
  /** `-d`: print everything. */
  details?: number;
}

function host(text: string, family: number): string {
  const full = family === AF_INET6 ? "/128" : "/32";
  return text.endsWith(full) ? text.slice(0, -full.length) : text;
}

function flags(list: readonly string[]): string {
  return routeFlagWords(list).map((f) => f + " ").join("");
}

function metricsText(r: Route): string {
  const m = r.metrics;
  if (!m) return "";
  const lock = new Set(m.lock ?? []);
  let s = "";
  for (const [k, v] of Object.entries(m)) {
    if (k === "lock" || k === "unknown" || v === undefined) continue;
    if (k === "hoplimit" && v === 0xffffffff) continue;
    const name = k === "rtoMin"
      ? "rto_min"
      : k === "congctl"
      ? "congctl"
      : k === "fastopenNoCookie"
      ? "fastopen_no_cookie"
      : k;
    const val = k === "rtt"
      ? `${Math.floor((v as number) / 8)}ms`
      : k === "rttvar"
      ? `${Math.floor((v as number) / 4)}ms`
      : v;
    s += `${name} ${lock.has(k) ? "lock " : ""}${val} `;
  }
  return s;
}

/** Formats a route as one `ip route show` line (multipath routes add `nexthop` lines). */
export function formatRoute(r: Route, names: LinkNames, paint: Painter, o: RouteTextOptions = {}): string {
  const d = (o.details ?? 0) > 0;
  const addr = (a: string): string => paint(r.family === AF_INET6 ? "inet6" : "inet", a);
  let s = "";
  if ((r.type !== "unicast" || d) && !o.type) s += `${r.type} `;
  s += `${r.dst === "default" ? "default" : addr(host(r.dst, r.family))} `;
  if (r.src !== undefined) s += `from ${addr(host(r.src, r.family))} `;
  if (r.tos) s += `tos 0x${r.tos.toString(16).padStart(2, "0")} `;
  if (r.nhid !== undefined) s += `nhid ${r.nhid} `;
  if (r.gateway !== undefined) s += `via ${addr(r.gateway)} `;
  if (r.via !== undefined) s += `via ${r.via.includes(":") ? "inet6" : "inet"} ${r.via} `;
  if (r.oif !== undefined && !o.dev) s += `dev ${paint("ifname", nameOfIndex(names, r.oif))} `;
  if (r.table && (r.table !== 254 || d) && !o.table) s += `table ${nameOf(RT_TABLE_NAMES, r.table)} `;
  if (!r.flags.includes("cloned")) {
    if ((r.protocol !== "boot" || d) && !o.protocol) s += `proto ${r.protocol} `;
    if ((r.scope !== "global" || d) && !o.scope) s += `scope ${r.scope} `;
  }
  if (r.prefsrc !== undefined) s += `src ${addr(r.prefsrc)} `;
  if (r.metric !== undefined) s += `metric ${r.metric} `;
  s += flags(r.flags);
  if (r.mark) s += `mark 0x${r.mark.toString(16)} `;
  if (r.uid !== undefined) s += `uid ${r.uid} `;
  if (r.cacheinfo?.expires) s += `expires ${r.expires}sec `;
  if (r.cacheinfo?.error) s += `error ${r.cacheinfo.error} `;
  s += metricsText(r);
  if (r.iif !== undefined) s += `iif ${nameOfIndex(names, r.iif)} `;
  if (r.pref !== undefined) s += `pref ${r.pref}`;
  for (const nh of r.nexthops ?? []) {
    s += "\n\tnexthop ";
    if (nh.gateway !== undefined) s += `via ${addr(nh.gateway)} `;
    if (nh.via !== undefined) s += `via ${nh.via.includes(":") ? "inet6" : "inet"} ${nh.via} `;
    s += `dev ${paint("ifname", nameOfIndex(names, nh.oif))} weight ${nh.weight} ${flags(nh.flags)}`;
  }
  if (r.cache !== undefined) s += `\n    cache ${r.cache.length ? `<${r.cache.join(",")}> ` : ""}`;
  return s;
}
