/**
 * What a caller asks for when adding, replacing or deleting a route, and the
 * checks and defaults (the same as `ip route`) that turn it into an
 * `RTM_NEWROUTE` / `RTM_DELROUTE` message. Bad input throws `InvalidArgumentError`
 * before anything is sent.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { AF_INET, AF_INET6, type Cidr, parseCidr, parseIp } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { type Attrs, bitsOfNames, type StructValue, valueOfName } from "../../wire/table.ts";
import { resolveLinkIndex } from "../link/api.ts";
import { encodeEncap, type Seg6Encap, type Seg6LocalEncap } from "./encap.ts";
import { ROUTE_TABLE, type RouteMetrics, type RouteNexthop, RTAX_LOCK_BITS, RTAX_TABLE, RTMSG } from "./table.ts";
import {
  ROUTE_FLAG_NAMES,
  ROUTER_PREF_NAMES,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NAMES,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RT_TABLE_NAMES,
  RTN_NAMES,
  RTN_UNICAST,
  RTPROT_BOOT,
  RTPROT_NAMES,
} from "./names.ts";
import { type RouteOptions, RTM } from "../rtnl.ts";

/** Route metrics to set, in kernel units (see {@link RTAX_TABLE}); `lock` lists metrics to lock. */
export type RouteMetricsSpec = Omit<RouteMetrics, "unknown">;

/** One path of a multipath route. */
export interface NexthopSpec {
  /** Gateway address; another family than the route's goes as `RTA_VIA`. */
  gateway?: string;
  /** Output device, by name or index. */
  dev?: string | number;
  /** Relative weight, 1 to 256. Default 1. */
  weight?: number;
  /** Treat the gateway as directly reachable. */
  onlink?: boolean;
}

/** A route to add, replace, append or delete. Names follow `ip route`. */
export interface RouteSpec {
  /** `"default"` or a prefix such as `10.0.0.0/24` (a bare address is a host route). */
  dst: string;
  /** Family of a `"default"` route with nothing else to tell it: `inet` (default) or `inet6`. */
  family?: "inet" | "inet6";
  /** Source prefix (`from`), for source-specific routes. */
  src?: string;
  /** Gateway (`via`); an IPv6 gateway of an IPv4 route goes as `RTA_VIA`. */
  gateway?: string;
  /** Output device by name or index (`dev`). */
  dev?: string | number;
  /** Input device by name or index (`iif`). */
  iif?: string | number;
  /** Preferred source address (`src` on the `ip route` command line). */
  prefsrc?: string;
  /** Table id or name (`main`, `local`, `default`). Default main. */
  table?: number | string;
  /** Route priority (`metric`). */
  metric?: number;
  /** Origin by name (`static`, `kernel`...) or number. Default `boot` (none when deleting). */
  protocol?: string | number;
  /** Scope by name (`global`/`universe`, `site`, `link`, `host`, `nowhere`) or number. Default as `ip route`. */
  scope?: string | number;
  /** Type by name (`unicast`, `blackhole`, `unreachable`, ...) or number. Default `unicast` (any when deleting). */
  type?: string | number;
  /** TOS selector. */
  tos?: number;
  /** Treat the gateway as directly reachable (`onlink`). */
  onlink?: boolean;
  /** TCP and path metrics. */
  metrics?: RouteMetricsSpec;
  /** Paths of a multipath route (`nexthop via ... weight ...`). */
  nexthops?: NexthopSpec[];
  /** Id of a nexthop object (`nhid`), instead of a gateway, device or paths. */
  nhid?: number;
  /** IPv6: seconds until the route expires. */
  expires?: number;
  /** IPv6 router preference: `low`, `medium`, `high`. */
  pref?: "low" | "medium" | "high";
  /** Realms (`RTA_FLOW`): source realm in the high 16 bits, destination realm in the low 16 (`realms 3/5`). */
  flow?: number;
  /** Lightweight tunnel encapsulation: `seg6` (push segments) or `seg6local` (an SRv6 function). */
  encap?: Seg6Encap | Seg6LocalEncap;
}

/** How a route message changes the table. */
export type RouteChange = "add" | "replace" | "change" | "append" | "delete";

const NLM_FLAGS: Record<RouteChange, number> = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  change: NLM_F_REPLACE,
  append: NLM_F_CREATE | NLM_F_APPEND,
  delete: 0,
};

const U32_MAX = 0xffffffff;

/** Checks an unsigned integer field; returns it. */
export function checkUint(what: string, v: unknown, max = U32_MAX, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}" (must be ${min} to ${max})`);
  }
  return v;
}

/** Looks up a name of an 8-bit enumeration (or checks a number). */
export function enumValue(names: Record<number, string>, v: string | number, what: string, max = 255): number {
  const n = valueOfName(names, v, what);
  return checkUint(what, n, max);
}

/** Resolves a table id or name (`main`, `local`, `default`). */
export function tableId(v: string | number): number {
  return enumValue(RT_TABLE_NAMES, v, "table", U32_MAX);
}

/** Resolves a scope name (`universe` is accepted for `global`) or number. */
export function scopeValue(v: string | number): number {
  return enumValue(RT_SCOPE_NAMES, v === "universe" ? "global" : v, "scope");
}

/** Parses a destination or source prefix and rejects one with host bits set. */
export function parsePrefix(text: string, what: string): Cidr {
  if (typeof text !== "string") throw new InvalidArgumentError(`Invalid ${what}: "${String(text)}"`);
  const c = parseCidr(text);
  for (let bit = c.prefixLen; bit < c.addr.length * 8; bit++) {
    if (c.addr[bit >> 3] & (0x80 >> (bit & 7))) {
      throw new InvalidArgumentError(`Invalid ${what}: "${text}" (host bits are set beyond /${c.prefixLen})`);
    }
  }
  return c;
}

function familyOfAddr(text: string, what: string): number {
  try {
    return parseIp(text).length === 4 ? AF_INET : AF_INET6;
  } catch {
    throw new InvalidArgumentError(`Invalid ${what}: "${text}"`);
  }
}

function routeFamily(spec: RouteSpec, dst: Cidr | undefined): number {
  if (dst) return dst.family;
  if (spec.family !== undefined && spec.family !== "inet" && spec.family !== "inet6") {
    throw new InvalidArgumentError(`Invalid family: "${spec.family}" (must be inet or inet6)`);
  }
  if (spec.family) return spec.family === "inet6" ? AF_INET6 : AF_INET;
  for (const a of [spec.prefsrc, spec.src?.split("/")[0], spec.gateway, spec.nexthops?.[0]?.gateway]) {
    if (a) return familyOfAddr(a, "address");
  }
  return AF_INET;
}

/** Puts a gateway in `RTA_GATEWAY` (same family) or `RTA_VIA` (an IPv6 gateway of an IPv4 route). */
function gatewayAttrs(family: number, gw: string, out: { gateway?: string; via?: string }): void {
  const gwFamily = familyOfAddr(gw, "gateway");
  if (gwFamily === family) out.gateway = gw;
  else if (family === AF_INET) out.via = gw;
  else throw new InvalidArgumentError(`Invalid gateway: "${gw}" (an IPv6 route needs an IPv6 gateway)`);
}

function checkMetrics(m: RouteMetricsSpec): RouteMetricsSpec {
  if (typeof m !== "object" || m === null) throw new InvalidArgumentError(`Invalid metrics: "${String(m)}"`);
  for (const [k, v] of Object.entries(m)) {
    if (!(k in RTAX_TABLE)) throw new InvalidArgumentError(`Unknown route metric: "${k}"`);
    if (k === "lock") bitsOfNames(RTAX_LOCK_BITS, v as string[], "metric to lock");
    else if (k === "congctl") {
      if (typeof v !== "string" || !v) throw new InvalidArgumentError(`Invalid congctl metric: "${String(v)}"`);
    } else checkUint(`${k} metric`, v);
  }
  return m;
}

/** A route spec with everything checked, and link names still to resolve. */
interface CheckedRouteSpec {
  /** The `rtmsg` header. */
  header: StructValue<typeof RTMSG>;
  /** The `RTA_*` attributes (devices not yet resolved). */
  attrs: Attrs<typeof ROUTE_TABLE>;
  /** Output device to resolve into `RTA_OIF`. */
  dev?: string | number;
  /** Input device to resolve into `RTA_IIF`. */
  iif?: string | number;
  /** Device of each nexthop, to resolve into `rtnh_ifindex`. */
  nexthopDevs: (string | number | undefined)[];
}

/** Validates a route spec and works out the `rtmsg` header and attributes, as `ip route` does. */
function checkRouteSpec(change: RouteChange, spec: RouteSpec): CheckedRouteSpec {
  if (typeof spec !== "object" || spec === null) throw new InvalidArgumentError(`Invalid route: "${String(spec)}"`);
  if (typeof spec.dst !== "string") throw new InvalidArgumentError(`Invalid route destination: "${String(spec.dst)}"`);
  const dst = spec.dst === "default" ? undefined : parsePrefix(spec.dst, "route destination");
  const family = routeFamily(spec, dst);
  const attrs: Attrs<typeof ROUTE_TABLE> = {};
  const del = change === "delete";
  const table = spec.table === undefined ? RT_TABLE_MAIN : tableId(spec.table);
  const header = {
    family,
    dstLen: dst?.prefixLen ?? 0,
    srcLen: 0,
    tos: spec.tos === undefined ? 0 : checkUint("tos", spec.tos, 255),
    // Tables above 255 only fit in RTA_TABLE; rtm_table then says RT_TABLE_UNSPEC.
    table: table > 255 ? 0 : table,
    protocol: spec.protocol === undefined
      ? (del ? 0 : RTPROT_BOOT)
      : enumValue(RTPROT_NAMES, spec.protocol, "protocol"),
    scope: 0,
    type: spec.type === undefined ? (del ? 0 : RTN_UNICAST) : enumValue(RTN_NAMES, spec.type, "route type"),
    flags: spec.onlink ? bitsOfNames(ROUTE_FLAG_NAMES, ["onlink"], "flag") : 0,
  };
  if (table > 255) attrs.table = table;
  if (dst) attrs.dst = spec.dst.split("/")[0];
  if (spec.src !== undefined) {
    const src = parsePrefix(spec.src, "source prefix");
    if (src.family !== family) {
      throw new InvalidArgumentError(`Invalid source prefix: "${spec.src}" (family differs from the route's)`);
    }
    header.srcLen = src.prefixLen;
    attrs.src = spec.src.split("/")[0];
  }
  if (spec.gateway !== undefined) gatewayAttrs(family, spec.gateway, attrs);
  if (spec.prefsrc !== undefined) {
    if (familyOfAddr(spec.prefsrc, "preferred source") !== family) {
      throw new InvalidArgumentError(`Invalid preferred source: "${spec.prefsrc}" (family differs from the route's)`);
    }
    attrs.prefsrc = spec.prefsrc;
  }
  if (spec.metric !== undefined) attrs.priority = checkUint("metric", spec.metric);
  if (spec.flow !== undefined) attrs.flow = checkUint("realms", spec.flow);
  if (spec.encap !== undefined) {
    const e = encodeEncap(spec.encap);
    attrs.encapType = e.type;
    attrs.encap = e.data;
  }
  if (spec.metrics !== undefined) attrs.metrics = checkMetrics(spec.metrics);
  if (spec.expires !== undefined) {
    if (family !== AF_INET6) {
      throw new InvalidArgumentError(`Invalid expires: "${spec.expires}" (only IPv6 routes expire)`);
    }
    attrs.expires = checkUint("expires", spec.expires);
  }
  if (spec.pref !== undefined) {
    enumValue(ROUTER_PREF_NAMES, spec.pref, "router preference");
    attrs.pref = spec.pref;
  }
  if (spec.nhid !== undefined) attrs.nhid = checkUint("nhid", spec.nhid, U32_MAX, 1);
  const nexthopDevs: (string | number | undefined)[] = [];
  if (spec.nexthops !== undefined) {
    if (!Array.isArray(spec.nexthops) || spec.nexthops.length === 0) {
      throw new InvalidArgumentError(`Invalid nexthops: "${String(spec.nexthops)}" (must be a non-empty array)`);
    }
    attrs.multipath = spec.nexthops.map((n): RouteNexthop => {
      const nh: RouteNexthop = {
        oif: 0,
        weight: n.weight === undefined ? 1 : checkUint("nexthop weight", n.weight, 256, 1),
        flags: n.onlink ? ["onlink"] : [],
      };
      if (n.gateway !== undefined) gatewayAttrs(family, n.gateway, nh);
      nexthopDevs.push(n.dev);
      return nh;
    });
  }
  const typeNum = header.type;
  if (spec.scope !== undefined) header.scope = scopeValue(spec.scope);
  else if (typeNum === 2 || typeNum === 10) header.scope = RT_SCOPE_HOST; // local, nat
  else if (typeNum === 3 || typeNum === 4 || typeNum === 5) header.scope = RT_SCOPE_LINK; // broadcast, anycast, multicast
  else if (del) header.scope = RT_SCOPE_NOWHERE;
  else if (typeNum === RTN_UNICAST && !attrs.gateway && !attrs.via && !attrs.multipath && !attrs.nhid) {
    header.scope = RT_SCOPE_LINK;
  } else header.scope = RT_SCOPE_UNIVERSE;
  return { header, attrs, dev: spec.dev, iif: spec.iif, nexthopDevs };
}

/**
 * Builds the `RTM_NEWROUTE` (add, replace, append) or `RTM_DELROUTE` message
 * for a spec, resolving device names in the target namespace.
 */
export async function buildRouteMessage(change: RouteChange, spec: RouteSpec, opts: RouteOptions): Promise<Uint8Array> {
  const c = checkRouteSpec(change, spec);
  if (c.dev !== undefined) c.attrs.oif = await resolveLinkIndex(c.dev, opts);
  if (c.iif !== undefined) c.attrs.iif = await resolveLinkIndex(c.iif, opts);
  for (let i = 0; i < c.nexthopDevs.length; i++) {
    const dev = c.nexthopDevs[i];
    if (dev !== undefined) c.attrs.multipath![i].oif = await resolveLinkIndex(dev, opts);
  }
  const type = change === "delete" ? RTM.RTM_DELROUTE : RTM.RTM_NEWROUTE;
  return new MessageBuilder(type, NLM_FLAGS[change]).struct(RTMSG, c.header).attrs(ROUTE_TABLE, c.attrs).finish();
}
