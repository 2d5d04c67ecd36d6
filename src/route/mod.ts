/**
 * rtnetlink: links, addresses, routes, neighbours, rules and their events,
 * as typed objects, streaming where the data can be large.
 *
 * @example
 * ```ts ignore
 * import { listLinks, streamRoutes } from "./mod.ts";
 * for (const l of await listLinks({}, { netns: "lab" })) console.log(l.name, l.mtu);
 * for await (const r of streamRoutes({ table: "all" }, { netns: "lab" })) console.log(r.dst);
 * ```
 *
 * @module
 */

export * from "./rtnl.ts";
export * from "./link/api.ts";
export * from "./link/change.ts";
export * from "./link/brport.ts";
export * from "./link/tuntap.ts";
export * from "./link/maddr.ts";
export * from "./link/maddr_change.ts";
export * from "./netconf.ts";
export * from "./monitor_events.ts";
export * from "./rtmon.ts";
export * from "./link/json.ts";
export * from "./link/kinds/registry.ts";
export * from "./link/table.ts";
export * from "./addr/api.ts";
export * from "./addr/json.ts";
export * from "./addr/table.ts";
export * from "./neigh/api.ts";
export * from "./neigh/json.ts";
export * from "./neigh/table.ts";
export * from "./neigh/fdb.ts";
export {
  addRoute,
  appendRoute,
  changeRoute,
  deleteRoute,
  deleteRouteRequest,
  flushRouteCache,
  flushRoutes,
  getRoute,
  listRoutes,
  replaceRoute,
  type RouteCacheOptions,
  type RouteLookup,
  streamRoutes,
} from "./route/api.ts";
export * from "./route/table.ts";
export type { NexthopSpec, RouteChange, RouteMetricsSpec, RouteSpec } from "./route/build.ts";
export { buildRouteMessage } from "./route/build.ts";
export type { RouteFilter } from "./route/filter.ts";
export * from "./route/encap.ts";
export * from "./route/json.ts";
export * from "./route/names.ts";
export * from "./rule/api.ts";
export * from "./rule/build.ts";
export * from "./rule/json.ts";
export * from "./rule/parse.ts";
export * from "./rule/table.ts";
export * from "./events.ts";
export * from "./nexthop/api.ts";
export type { NexthopBucketFilter, NexthopFilter, NexthopObjectSpec } from "./nexthop/build.ts";
export * from "./nexthop/json.ts";
export * from "./nexthop/parse.ts";
export {
  NEXTHOP_GRP_TYPES,
  type NexthopGroupMember,
  NHA_ATTRS,
  NHA_RES_BUCKET_ATTRS,
  NHA_RES_GROUP_ATTRS,
  NHMSG,
} from "./nexthop/table.ts";
