/**
 * Routes in the JSON shape of `ip -j route show`, so scripts written
 * against iproute2 keep working.
 *
 * @example
 * ```ts ignore
 * import { listLinks } from "../link/api.ts";
 * import { listRoutes } from "./api.ts";
 * import { routeToIpJson } from "./json.ts";
 * const names = new Map((await listLinks()).map((l) => [l.index, l.name!]));
 * const routes = await listRoutes({ family: "inet" });
 * console.log(JSON.stringify(routes.map((r) => routeToIpJson(r, names))));
 * ```
 *
 * @module
 */

import { nameOf } from "../../wire/table.ts";
import type { Route, RouteMetrics, RouteNexthop } from "./table.ts";
import type { RouteEncap, Seg6Encap, Seg6LocalEncap } from "./encap.ts";
import { RT_TABLE_NAMES } from "./names.ts";
import { type JsonFields, JsonTextFields, ObjectFields } from "../../wire/json_fields.ts";
import type { TextSink } from "../../wire/text_sink.ts";

/** One route as `ip -j route show` prints it. */
export type IpRouteJson = Record<string, unknown>;

/** The route and nexthop flags `ip` prints, in its order (`print_rt_flags`); the others are request or cache bits. */
const PRINTED_FLAGS = [
  "dead",
  "onlink",
  "pervasive",
  "offload",
  "trap",
  "notify",
  "linkdown",
  "unresolved",
  "rt_offload",
  "rt_trap",
  "rt_offload_failed",
] as const;

/** The flags of a route or nexthop that `ip route` prints, in iproute2's order. */
export function routeFlagWords(flags: readonly string[]): string[] {
  return flags.length === 0 ? [] : PRINTED_FLAGS.filter((f) => flags.includes(f));
}

/** JSON names of metrics whose camelCase key differs. */
const METRIC_JSON_NAMES: Record<string, string> = {
  rtoMin: "rto_min",
  congctl: "congestion",
  fastopenNoCookie: "fastopen_no_cookie",
};

/** A map from interface index to name, or a function that names an index. */
export type LinkNames = ReadonlyMap<number, string> | ((index: number) => string | undefined);

function linkName(names: LinkNames, index: number): string {
  const n = typeof names === "function" ? names(index) : names.get(index);
  return n ?? (index ? `if${index}` : "*");
}

/** Host routes print without `/32` or `/128`, as iproute2 does. */
function hostOrPrefix(text: string, family: string): string {
  const full = family === "inet" ? "/32" : "/128";
  return text.endsWith(full) ? text.slice(0, -full.length) : text;
}

function via(host: string): { family: string; host: string } {
  return { family: host.includes(":") ? "inet6" : "inet", host };
}

function metricsJson(m: RouteMetrics): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in m) {
    const v = m[k as keyof RouteMetrics];
    if (k === "lock" || k === "unknown") continue;
    if (k === "hoplimit" && v === 0xffffffff) continue;
    // ip prints rtt and rttvar in ms; the kernel keeps 1/8 and 1/4 ms.
    if (k === "rtt") out.rtt = Math.floor((v as number) / 8);
    else if (k === "rttvar") out.rttvar = Math.floor((v as number) / 4);
    else if (k === "features") {
      if ((v as number) & 1) out.ecn = null;
      if ((v as number) & ~1) out.features = `0x${(v as number).toString(16)}`;
    } else out[METRIC_JSON_NAMES[k] ?? k] = v;
  }
  return out;
}

/** A realm by name (iproute2's `rt_realms` names only 0, "cosmos") or number. */
function realmName(id: number): string {
  return id === 0 ? "cosmos" : String(id);
}

/** `RTA_FLOW` as `ip -j` prints it: `{from, to}` realms, `from` only when set. */
function flowJson(flow: number): Record<string, string> {
  const from = flow >>> 16;
  return from ? { from: realmName(from), to: realmName(flow & 0xffff) } : { to: realmName(flow & 0xffff) };
}

/** Where the encapsulation's keys go until the route's own keys are settled. */
const ENCAP_SLOT = "\0encap";

/** An encapsulation as `ip -j` prints it: `encap` names the type, its fields follow at the same level. */
function encapJson(e: RouteEncap, names: LinkNames): Record<string, unknown> {
  const out: Record<string, unknown> = { encap: e.type };
  if (e.type === "seg6") {
    const s = e as Seg6Encap;
    out.mode = s.mode;
    out.segs = s.segs;
    if (s.hmac !== undefined) out.hmac = `0x${s.hmac.toString(16)}`;
  } else if (e.type === "seg6local") {
    const l = e as Seg6LocalEncap;
    out.action = l.action;
    if (l.srh) {
      out.srh = l.srh.hmac === undefined
        ? { segs: l.srh.segs }
        : { segs: l.srh.segs, hmac: `0x${l.srh.hmac.toString(16)}` };
    }
    if (l.table !== undefined) out.table = nameOf(RT_TABLE_NAMES, l.table);
    if (l.vrftable !== undefined) out.vrftable = nameOf(RT_TABLE_NAMES, l.vrftable);
    if (l.nh4 !== undefined) out.nh4 = l.nh4;
    if (l.nh6 !== undefined) out.nh6 = l.nh6;
    if (l.iif !== undefined) out.iif = linkName(names, l.iif);
    if (l.oif !== undefined) out.oif = linkName(names, l.oif);
  }
  return out;
}

function nexthopJson(nh: RouteNexthop, names: LinkNames): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (nh.gateway !== undefined) out.gateway = nh.gateway;
  if (nh.via !== undefined) out.via = via(nh.via);
  if (nh.flow !== undefined) out.flow = flowJson(nh.flow);
  out.dev = linkName(names, nh.oif);
  out.weight = nh.weight;
  out.flags = routeFlagWords(nh.flags);
  return out;
}

/** Options of {@link routeToIpJson}. */
export interface RouteJsonOptions {
  /**
   * Keys to leave out, as `ip route show` does for the fields its filter
   * fixed: `table`, `protocol`, `scope`, `dev`, `gateway`, `prefsrc`,
   * `metric`, `tos`, `iif`, `flow`.
   */
  omit?: ReadonlySet<string>;
  /** `-d`: `type`, `table`, `protocol` and `scope` always appear. */
  details?: boolean;
}

/** A route without flags prints `"flags":[]`. */
const NO_FLAGS: readonly string[] = [];

/**
 * Gives a route's `ip -j route show` fields to `f`, in ip's order (see
 * {@link routeToIpJson}); the caller leaves out `options.omit` (the
 * receiver was made with it). An encapsulation's fields come as one object
 * under a placeholder key, which {@link routeToIpJson} spreads in place.
 */
function emitRoute(f: JsonFields, r: Route, linkNames: LinkNames, d: boolean): void {
  if (r.type !== "unicast" || d) f.str("type", r.type);
  f.str("dst", r.dst === "default" ? "default" : hostOrPrefix(r.dst, r.family));
  if (r.src !== undefined) f.str("from", hostOrPrefix(r.src, r.family));
  if (r.nhid !== undefined) f.num("nhid", r.nhid);
  // The encapsulation's own keys (its `table`, say) are not the route's: `omit` must not touch them.
  if (r.encap !== undefined) f.any(ENCAP_SLOT, encapJson(r.encap, linkNames));
  if (r.tos) f.str("tos", `0x${r.tos.toString(16).padStart(2, "0")}`);
  if (r.gateway !== undefined) f.str("gateway", r.gateway);
  if (r.via !== undefined) f.any("via", via(r.via));
  if (r.oif !== undefined) f.str("dev", linkName(linkNames, r.oif));
  if ((r.table !== "main" || d) && r.table !== 0 && r.table !== "unspec") f.str("table", String(r.table));
  const flags = r.flags;
  if (flags.length === 0 || !flags.includes("cloned")) {
    if (r.protocol !== "boot" || d) f.str("protocol", r.protocol);
    if (r.scope !== "global" || d) f.str("scope", r.scope);
  }
  if (r.prefsrc !== undefined) f.str("prefsrc", r.prefsrc);
  if (r.metric !== undefined) f.num("metric", r.metric);
  f.strs("flags", flags.length === 0 ? NO_FLAGS : routeFlagWords(flags));
  if (r.mark) f.num("mark", r.mark);
  if (r.flow !== undefined) f.any("flow", flowJson(r.flow));
  if (r.uid !== undefined) f.num("uid", r.uid);
  if (r.cache !== undefined) f.strs("cache", r.cache);
  if (r.cacheinfo?.expires) f.any("expires", r.expires);
  if (r.cacheinfo?.error) f.any("error", r.cacheinfo.error);
  if (r.metrics !== undefined) f.any("metrics", [metricsJson(r.metrics)]);
  if (r.iif !== undefined) f.str("iif", linkName(linkNames, r.iif));
  if (r.nexthops !== undefined) f.any("nexthops", r.nexthops.map((nh) => nexthopJson(nh, linkNames)));
  if (r.pref !== undefined) f.str("pref", r.pref);
}

/**
 * Renders a route as `ip -j route show` would: `dst` is `default`, a
 * prefix, or a bare host address; `table` appears when it is not main,
 * `protocol` when not `boot`, `scope` when not `global`, `type` when not
 * `unicast`; devices are named through `linkNames`.
 */
export function routeToIpJson(route: Route, linkNames: LinkNames, options: RouteJsonOptions = {}): IpRouteJson {
  const f = new ObjectFields(options.omit);
  emitRoute(f, route, linkNames, options.details === true);
  const out = f.out;
  if (route.encap === undefined) return out;
  return Object.fromEntries(
    Object.entries(out).flatMap(([k, v]) => k === ENCAP_SLOT ? Object.entries(v as object) : [[k, v]]),
  );
}

/**
 * Writes the JSON text of {@link routeToIpJson}'s object into `w` (what
 * `JSON.stringify` would make of it), building no object for a route
 * without encapsulation: `ip -j route show` of a large table prints each
 * route this way.
 */
export function writeRouteIpJson(
  w: TextSink,
  route: Route,
  linkNames: LinkNames,
  options: RouteJsonOptions = {},
): void {
  if (route.encap !== undefined) return w.text(JSON.stringify(routeToIpJson(route, linkNames, options)));
  const f = new JsonTextFields(w, options.omit);
  f.begin();
  emitRoute(f, route, linkNames, options.details === true);
  f.end();
}
