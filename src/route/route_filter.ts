/**
 * Route dump filters. The kernel filters a dump itself when the socket has
 * strict checking on (`NETLINK_GET_STRICT_CHK`): by table (`RTA_TABLE`),
 * protocol, type and output device (`RTA_OIF`). Every filter is also
 * applied here, with the same meaning, so that kernels which ignore a field
 * and fields the kernel cannot filter (scope, destination) give the same
 * result.
 *
 * @module
 */

import { AF_INET, AF_INET6, formatIp } from "../wire/addr.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { nameOf } from "../wire/table.ts";
import type { Route } from "./route_codec.ts";
import { RTMSG } from "./route_codec.ts";
import { RT_SCOPE_NAMES, RT_TABLE_MAIN, RTA, RTN_NAMES, RTPROT_NAMES } from "./route_names.ts";
import { enumValue, parsePrefix, scopeValue, tableId } from "./route_spec.ts";
import { RTM } from "./rtnl.ts";

/** Which routes a dump returns. Unset fields match everything. */
export interface RouteFilter {
  /** `inet`, `inet6`, or `all` (both, the default). */
  family?: "inet" | "inet6" | "all";
  /** Table id or name, or `all`. Default `main`, like `ip route show`. */
  table?: number | string;
  /** Origin by name or number (kernel-filtered). */
  protocol?: string | number;
  /** Route type by name or number (kernel-filtered). */
  type?: string | number;
  /** Output device by name or index (kernel-filtered); multipath routes match on any path. */
  dev?: string | number;
  /** Scope by name or number. */
  scope?: string | number;
  /** Exact destination prefix (`default`, `10.0.0.0/24`). */
  dst?: string;
}

/** A filter with names resolved to numbers (the device index still to resolve). */
export interface CheckedFilter {
  /** Families to dump, in order. */
  families: number[];
  /** Table id, or undefined for all tables. */
  table?: number;
  /** Protocol number. */
  protocol?: number;
  /** Type number. */
  type?: number;
  /** Output device index. */
  oif?: number;
  /** Scope name, as routes carry it. */
  scope?: string;
  /** Normalised destination prefix text, as routes carry it. */
  dst?: string;
  /** Destination family, when `dst` is set. */
  dstFamily?: number;
}

/** Checks a filter and resolves its names (not the device). */
export function checkFilter(f: RouteFilter): CheckedFilter {
  if (typeof f !== "object" || f === null) throw new TypeError(`Invalid route filter: "${String(f)}"`);
  const fam = f.family ?? "all";
  if (fam !== "inet" && fam !== "inet6" && fam !== "all") {
    throw new TypeError(`Invalid family: "${String(fam)}" (must be inet, inet6 or all)`);
  }
  const c: CheckedFilter = {
    families: fam === "inet" ? [AF_INET] : fam === "inet6" ? [AF_INET6] : [AF_INET, AF_INET6],
  };
  if (f.table === undefined) c.table = RT_TABLE_MAIN;
  else if (f.table !== "all") c.table = tableId(f.table);
  if (f.protocol !== undefined) c.protocol = enumValue(RTPROT_NAMES, f.protocol, "protocol");
  if (f.type !== undefined) c.type = enumValue(RTN_NAMES, f.type, "route type");
  if (f.scope !== undefined) c.scope = nameOf(RT_SCOPE_NAMES, scopeValue(f.scope));
  if (f.dst !== undefined) {
    if (f.dst === "default") c.dst = "default";
    else {
      const p = parsePrefix(f.dst, "destination filter");
      c.dstFamily = p.family;
      c.dst = p.prefixLen === 0 ? "default" : `${formatIp(p.addr)}/${p.prefixLen}`;
    }
    if (c.dstFamily !== undefined) c.families = c.families.filter((x) => x === c.dstFamily);
  }
  return c;
}

/** The strict-check dump request of one family, carrying the kernel-side filters. */
export function dumpRequest(family: number, c: CheckedFilter): Uint8Array {
  const b = new MessageBuilder(RTM.RTM_GETROUTE, 0).struct(RTMSG, {
    family,
    table: c.table !== undefined && c.table < 256 ? c.table : 0,
    protocol: c.protocol ?? 0,
    type: c.type ?? 0,
  });
  if (c.table !== undefined) b.u(RTA.RTA_TABLE, "u32", c.table);
  if (c.oif !== undefined) b.u(RTA.RTA_OIF, "u32", c.oif);
  return b.finish();
}

const PROTO_BY_NAME = new Map<string, number>(Object.entries(RTPROT_NAMES).map(([k, v]) => [v, Number(k)]));
const TYPE_BY_NAME = new Map<string, number>(Object.entries(RTN_NAMES).map(([k, v]) => [v, Number(k)]));

function enumNumber(map: Map<string, number>, name: string): number {
  return map.get(name) ?? Number(name);
}

/** Tells whether a route passes a filter (the userspace side of the filtering). */
export function matchRoute(r: Route, c: CheckedFilter): boolean {
  if (!c.families.includes(r.family)) return false;
  if (c.table !== undefined && r.table !== c.table) return false;
  if (c.protocol !== undefined && enumNumber(PROTO_BY_NAME, r.protocol) !== c.protocol) return false;
  if (c.type !== undefined && enumNumber(TYPE_BY_NAME, r.type) !== c.type) return false;
  if (c.oif !== undefined && r.oif !== c.oif && !r.nexthops?.some((n) => n.oif === c.oif)) return false;
  if (c.scope !== undefined && r.scope !== c.scope) return false;
  if (c.dst !== undefined && r.dst !== c.dst) return false;
  return true;
}
