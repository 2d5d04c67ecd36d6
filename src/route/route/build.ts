/**
 * What a caller asks for when adding, replacing or deleting a route, and the
 * checks and defaults (the same as `ip route`) that turn it into an
 * `RTM_NEWROUTE` / `RTM_DELROUTE` message. Bad input throws `InvalidArgumentError`
 * before anything is sent.
 *
 * @module
 */

import { checkNexthopEcho } from "./nhid.ts";
import { AF_INET, AF_INET6, type Cidr, ipLength } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { checkRouteAttrs, encodeRouteRequest, routeRequestHeader } from "./_generated/table.ts";
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { type Attrs, checkPolicy, type StructValue } from "../../wire/table.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { type Family, familyNumber } from "../../wire/family.ts";
import type { RawAttr } from "../../wire/table.ts";
import { encodeEncap, type RouteEncap } from "./encap.ts";
import { checkUint, parsePrefix, tableId } from "./check.ts";
import {
  NEXTHOP_TABLE,
  ROUTE_ATTRS,
  ROUTE_OUTPUT_ONLY,
  type RouteCacheinfo,
  type RouteMetrics,
  type RouteNexthop,
  RTAX_TABLE,
  type RTMSG,
} from "./table.ts";
import {
  ROUTE_FLAG_NAMES,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RTN_UNICAST,
  RTNH_F_ONLINK,
  RTPROT_BOOT,
} from "./names.ts";
import { type RouteOptions, RTM } from "../rtnl.ts";

/** Route metrics to set, in kernel units (see {@link RTAX_TABLE}); `lock` lists metrics to lock. */
export type RouteMetricsSpec = RouteMetrics;

/** One path of a multipath route; a listed {@link RouteNexthop} is one as it is. */
export interface NexthopSpec {
  /** Gateway address; another family than the route's goes as `RTA_VIA`. */
  gateway?: string;
  /** Gateway of the other family (what a listed path carries in place of `gateway`). */
  via?: string;
  /** Output device, by name or index. */
  dev?: string | number;
  /** Output device index, used when `dev` is absent (a listed path carries both). */
  oif?: number;
  /** Relative weight, 1 to 256. Default 1. */
  weight?: number;
  /** Treat the gateway as directly reachable. */
  onlink?: boolean;
  /** Flag names: `onlink` is sent; those the kernel sets (`dead`, `linkdown`, ...) are accepted and not sent. */
  flags?: readonly string[];
  /** Realms of this path (`RTA_FLOW`). */
  flow?: number;
}

/**
 * A route to add, replace, append or delete. Names follow `ip route`. A
 * listed {@link Route} is a valid spec as it is: its output-only fields
 * (`ROUTE_OUTPUT_ONLY`) are accepted and ignored; any other key is refused.
 */
export interface RouteSpec {
  /** `"default"` or a prefix such as `10.0.0.0/24` (a bare address is a host route). */
  dst: string;
  /** `inet` or `inet6` (or the `AF_*` number): needed only by a `"default"` route with nothing else to tell it (default `inet`). */
  family?: Family | number | string;
  /** Source prefix (`from`), for source-specific routes. */
  src?: string;
  /** Gateway (`via`); an IPv6 gateway of an IPv4 route goes as `RTA_VIA`. */
  gateway?: string;
  /** Gateway of the other family (`RTA_VIA`); the same as `gateway` with such an address. */
  via?: string;
  /** Output device by name or index (`dev`). */
  dev?: string | number;
  /** Output device index, used when `dev` is absent (a listed route carries both). */
  oif?: number;
  /** Input device by name or index (`iif`). */
  iif?: string | number;
  /** Preferred source address (`src` on the `ip route` command line). */
  prefsrc?: string;
  /** Table name (`main`, `local`, `default`, names of `rt_tables`) or id. Default main. */
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
  /** Flag names: `onlink` is sent; those the kernel sets (`dead`, `linkdown`, `offload`, ...) are accepted and not sent. */
  flags?: readonly string[];
  /** TCP and path metrics. */
  metrics?: RouteMetricsSpec;
  /** Paths of a multipath route (`nexthop via ... weight ...`). */
  nexthops?: NexthopSpec[];
  /** Id of a nexthop object (`nhid`), instead of a gateway, device or paths. */
  nhid?: number;
  /** IPv6: seconds until the route expires. */
  expires?: number;
  /** IPv6 router preference: `low`, `medium`, `high`. */
  pref?: string;
  /** Realms (`RTA_FLOW`): source realm in the high 16 bits, destination realm in the low 16 (`realms 3/5`). */
  flow?: number;
  /** Lightweight tunnel encapsulation: `seg6` (push segments) or `seg6local` (an SRv6 function). */
  encap?: RouteEncap;
  /** Output only (a lookup answer's cache flags): accepted from a listed route and ignored. */
  cache?: string[];
  /** Output only (the name of `iif`): accepted from a listed route and ignored. */
  iifName?: string;
  /** Output only: accepted from a listed route and ignored. */
  cacheinfo?: RouteCacheinfo;
  /** Output only (a lookup answer's mark): accepted from a listed route and ignored. */
  mark?: number;
  /** Output only (a lookup answer's uid): accepted from a listed route and ignored. */
  uid?: number;
  /** Output only (a lookup answer's IP protocol): accepted from a listed route and ignored. */
  ipProto?: number;
  /** Output only (a lookup answer's source port): accepted from a listed route and ignored. */
  sport?: number;
  /** Output only (a lookup answer's destination port): accepted from a listed route and ignored. */
  dport?: number;
  /** Output only (attributes this version does not know): accepted from a listed route and ignored. */
  unknown?: RawAttr[];
}

/** The keys a {@link RouteSpec} takes: its own and the output-only ones of a listed {@link Route}. */
const SPEC_KEYS: readonly string[] = [
  "dst",
  "family",
  "src",
  "gateway",
  "via",
  "dev",
  "oif",
  "iif",
  "prefsrc",
  "table",
  "metric",
  "protocol",
  "scope",
  "type",
  "tos",
  "onlink",
  "flags",
  "metrics",
  "nexthops",
  "nhid",
  "expires",
  "pref",
  "flow",
  "encap",
  ...ROUTE_OUTPUT_ONLY,
];

const NEXTHOP_KEYS = ["gateway", "via", "dev", "oif", "weight", "onlink", "flags", "flow"] as const;

/** Route and path flags the kernel sets (accepted from a listed object, never sent). */
const KERNEL_FLAGS: readonly string[] = Object.values(ROUTE_FLAG_NAMES).filter((f) => f !== "onlink");

/** The `onlink` bit of a spec's `onlink` and `flags` (other known flags are the kernel's: not sent). */
function onlinkBit(onlink: unknown, flags: unknown, what: string): number {
  if (onlink !== undefined && typeof onlink !== "boolean") {
    throw new InvalidArgumentError(`Cannot use ${what} onlink ${JSON.stringify(onlink)}: expected a boolean`, "onlink");
  }
  if (flags !== undefined) {
    if (!Array.isArray(flags)) {
      throw new InvalidArgumentError(`Cannot use ${what} flags ${JSON.stringify(flags)}: expected an array`, "flags");
    }
    for (const f of flags) {
      if (f !== "onlink" && !KERNEL_FLAGS.includes(f)) {
        throw new InvalidArgumentError(
          `Cannot use ${what} flag ${JSON.stringify(f)}: expected onlink (or a flag the kernel sets: ${
            KERNEL_FLAGS.join(", ")
          })`,
          String(f),
        );
      }
    }
  }
  return onlink || (flags as string[] | undefined)?.includes("onlink") ? RTNH_F_ONLINK : 0;
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

function familyOfAddr(text: string, what: string): number {
  try {
    return ipLength(text) === 4 ? AF_INET : AF_INET6; // no allocation: only the family is needed
  } catch {
    throw new InvalidArgumentError(`Invalid ${what}: "${text}"`);
  }
}

function routeFamily(spec: RouteSpec, dst: Cidr | undefined): number {
  const f = spec.family === undefined ? undefined : familyNumber(spec.family);
  if (f !== undefined && f !== AF_INET && f !== AF_INET6) {
    throw new InvalidArgumentError(
      `Cannot use route family ${JSON.stringify(spec.family)}: expected inet or inet6`,
      "family",
    );
  }
  if (dst) {
    if (f !== undefined && f !== dst.family) {
      throw new InvalidArgumentError(
        `Cannot use route family ${JSON.stringify(spec.family)} with destination "${spec.dst}"`,
        "family",
      );
    }
    return dst.family;
  }
  if (f !== undefined) return f;
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

/** The metrics given, without the output-only `unknown` (their values are checked by the policies of `RTAX_TABLE`). */
function checkMetrics(m: RouteMetricsSpec): RouteMetricsSpec {
  checkKeys(m, [...Object.keys(RTAX_TABLE), "unknown"], "route metrics");
  const { unknown: _outputOnly, ...known } = m;
  return known;
}

/** A route spec with everything checked, and link names still to resolve. */
export interface CheckedRouteSpec {
  /** The `rtmsg` header's numbers, checked by the policies of `ROUTE_MESSAGE.header`. */
  header: StructValue<typeof RTMSG>;
  /** The `RTA_*` attributes (devices not yet resolved), checked by the policies of {@link ROUTE_ATTRS}. */
  attrs: Attrs<typeof ROUTE_ATTRS>;
  /** Output device to resolve into `RTA_OIF`. */
  dev?: string | number;
  /** Input device to resolve into `RTA_IIF`. */
  iif?: string | number;
  /** Device of each nexthop, to resolve into `rtnh_ifindex`. */
  nexthopDevs: (string | number | undefined)[];
}

/** Validates a route spec and works out the `rtmsg` header and attributes, as `ip route` does. */
export function checkRouteSpec(change: RouteChange, spec: RouteSpec): CheckedRouteSpec {
  checkKeys(spec, SPEC_KEYS, "route spec");
  if (typeof spec.dst !== "string") throw new InvalidArgumentError(`Invalid route destination: "${String(spec.dst)}"`);
  const dst = spec.dst === "default" ? undefined : parsePrefix(spec.dst, "route destination");
  const family = routeFamily(spec, dst);
  const attrs: Attrs<typeof ROUTE_ATTRS> = {};
  const del = change === "delete";
  const table = spec.table === undefined ? RT_TABLE_MAIN : tableId(spec.table);
  if (table > 255) attrs.table = table;
  if (dst) attrs.dst = spec.dst.split("/")[0];
  let srcLen = 0;
  if (spec.src !== undefined) {
    const src = parsePrefix(spec.src, "source prefix");
    if (src.family !== family) {
      throw new InvalidArgumentError(`Invalid source prefix: "${spec.src}" (family differs from the route's)`);
    }
    srcLen = src.prefixLen;
    attrs.src = spec.src.split("/")[0];
  }
  // Names and numbers are checked by the policies of ROUTE_MESSAGE.header (protocol, type, the u8 TOS).
  const header = routeRequestHeader({
    family,
    dstLen: dst?.prefixLen ?? 0,
    srcLen,
    tos: spec.tos ?? 0,
    // Tables above 255 only fit in RTA_TABLE; rtm_table then says RT_TABLE_UNSPEC.
    table: table > 255 ? 0 : table,
    protocol: spec.protocol ?? (del ? 0 : RTPROT_BOOT),
    type: spec.type ?? (del ? 0 : RTN_UNICAST),
    flags: onlinkBit(spec.onlink, spec.flags, "route"),
  }) as StructValue<typeof RTMSG>;
  if (spec.gateway !== undefined && spec.via !== undefined) {
    throw new InvalidArgumentError(`Cannot use both gateway "${spec.gateway}" and via "${spec.via}" in a route`, "via");
  }
  if (spec.gateway !== undefined) gatewayAttrs(family, spec.gateway, attrs);
  if (spec.via !== undefined) gatewayAttrs(family, spec.via, attrs);
  if (spec.prefsrc !== undefined) {
    if (familyOfAddr(spec.prefsrc, "preferred source") !== family) {
      throw new InvalidArgumentError(`Invalid preferred source: "${spec.prefsrc}" (family differs from the route's)`);
    }
    attrs.prefsrc = spec.prefsrc;
  }
  attrs.priority = spec.metric;
  attrs.flow = spec.flow;
  if (spec.encap !== undefined) {
    const e = encodeEncap(spec.encap);
    attrs.encapType = e.type;
    attrs.encap = e.data;
  }
  if (spec.metrics !== undefined) attrs.metrics = checkMetrics(spec.metrics);
  if (spec.expires !== undefined && family !== AF_INET6) {
    throw new InvalidArgumentError(`Invalid expires: "${spec.expires}" (only IPv6 routes expire)`);
  }
  attrs.expires = spec.expires;
  attrs.pref = spec.pref;
  attrs.nhid = spec.nhid;
  const nexthopDevs: (string | number | undefined)[] = [];
  if (spec.nexthops !== undefined) {
    if (!Array.isArray(spec.nexthops) || spec.nexthops.length === 0) {
      throw new InvalidArgumentError(`Invalid nexthops: "${String(spec.nexthops)}" (must be a non-empty array)`);
    }
    attrs.multipath = spec.nexthops.map((n): RouteNexthop => {
      checkKeys(n, NEXTHOP_KEYS, "route nexthop");
      const nh: RouteNexthop = {
        oif: 0,
        weight: n.weight === undefined ? 1 : checkUint("nexthop weight", n.weight, 256, 1),
        flags: onlinkBit(n.onlink, n.flags, "route nexthop") ? ["onlink"] : [],
      };
      if (n.gateway !== undefined && n.via !== undefined) {
        throw new InvalidArgumentError(`Cannot use both gateway and via in a route nexthop`, "via");
      }
      if (n.gateway !== undefined) gatewayAttrs(family, n.gateway, nh);
      if (n.via !== undefined) gatewayAttrs(family, n.via, nh);
      if (n.flow !== undefined) nh.flow = checkPolicy(NEXTHOP_TABLE.flow, n.flow, "nexthop realms");
      if (n.oif !== undefined) checkPolicy(ROUTE_ATTRS.oif, n.oif, "nexthop oif");
      nexthopDevs.push(n.dev ?? n.oif);
      return nh;
    });
  }
  const typeNum = header.type;
  if (spec.scope !== undefined) {
    header.scope = routeRequestHeader({ scope: spec.scope === "universe" ? "global" : spec.scope }).scope;
  } else if (typeNum === 2 || typeNum === 10) header.scope = RT_SCOPE_HOST; // local, nat
  else if (typeNum === 3 || typeNum === 4 || typeNum === 5) header.scope = RT_SCOPE_LINK; // broadcast, anycast, multicast
  else if (del) header.scope = RT_SCOPE_NOWHERE;
  else if (typeNum === RTN_UNICAST && !attrs.gateway && !attrs.via && !attrs.multipath && !attrs.nhid) {
    header.scope = RT_SCOPE_LINK;
  } else header.scope = RT_SCOPE_UNIVERSE;
  if (spec.oif !== undefined) checkPolicy(ROUTE_ATTRS.oif, spec.oif, "oif");
  // Every attribute's value is checked by its policy in ROUTE_ATTRS (metric, realms, expiry, nhid, metrics...).
  return { header, attrs: checkRouteAttrs(attrs), dev: spec.dev ?? spec.oif, iif: spec.iif, nexthopDevs };
}

/** Encodes a checked spec whose devices are resolved (`c.attrs.oif`, each path's `oif`). */
export function encodeRoute(change: RouteChange, c: CheckedRouteSpec): Uint8Array {
  const type = change === "delete" ? RTM.RTM_DELROUTE : RTM.RTM_NEWROUTE;
  return encodeRouteRequest(new MessageBuilder(type, NLM_FLAGS[change]), c.header, c.attrs).finish();
}

/**
 * Builds the `RTM_NEWROUTE` (add, replace, append) or `RTM_DELROUTE` message
 * for a spec, resolving device names in the target namespace.
 */
export async function buildRouteMessage(change: RouteChange, spec: RouteSpec, opts: RouteOptions): Promise<Uint8Array> {
  return await resolveRoute(change, checkRouteSpec(change, spec), opts);
}

/** Resolves the devices of a checked spec in the target namespace and encodes it. */
export async function resolveRoute(change: RouteChange, c: CheckedRouteSpec, opts: RouteOptions): Promise<Uint8Array> {
  if (c.dev !== undefined) c.attrs.oif = await resolveLinkIndex(c.dev, opts);
  if (c.iif !== undefined) c.attrs.iif = await resolveLinkIndex(c.iif, opts);
  for (let i = 0; i < c.nexthopDevs.length; i++) {
    const dev = c.nexthopDevs[i];
    if (dev !== undefined) c.attrs.multipath![i].oif = await resolveLinkIndex(dev, opts);
  }
  await checkNexthopEcho(c, opts);
  return encodeRoute(change, c);
}
