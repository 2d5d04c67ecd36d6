/**
 * rtnetlink: links, addresses, routes, neighbours, rules and their events,
 * as typed objects, streaming where the data can be large.
 *
 * @example
 * ```ts ignore
 * import { listLinks, streamRoutes } from "./mod.ts";
 * for (const l of await listLinks({ netns: "lab" })) console.log(l.name, l.mtu);
 * for await (const r of streamRoutes({ table: "all" }, { netns: "lab" })) console.log(r.dst);
 * ```
 *
 * @module
 */

export * from "./rtnl.ts";
export * from "./link.ts";
export * from "./link_change.ts";
export * from "./link_json.ts";
export * from "./link_kinds.ts";
export * from "./link_tables.ts";
export * from "./addr.ts";
export * from "./addr_json.ts";
export * from "./addr_table.ts";
export * from "./neigh.ts";
export * from "./neigh_json.ts";
export * from "./neigh_table.ts";
export * from "./fdb.ts";
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
  type RouteLookup,
  streamRoutes,
} from "./route.ts";
export * from "./route_codec.ts";
export type { NexthopSpec, RouteChange, RouteMetricsSpec, RouteSpec } from "./route_spec.ts";
export { buildRouteMessage } from "./route_spec.ts";
export type { RouteFilter } from "./route_filter.ts";
export * from "./route_encap.ts";
export * from "./route_json.ts";
export * from "./route_names.ts";
export * from "./rule.ts";
export * from "./rule_build.ts";
export * from "./rule_json.ts";
export * from "./rule_parse.ts";
export * from "./rule_table.ts";
export * from "./events.ts";
export * from "./nexthop.ts";
export type { NexthopBucketFilter, NexthopFilter, NexthopObjectSpec } from "./nexthop_build.ts";
export * from "./nexthop_json.ts";
export * from "./nexthop_parse.ts";
export {
  NEXTHOP_GRP_TYPES,
  type NexthopGroupMember,
  NHA_ATTRS,
  NHA_RES_BUCKET_ATTRS,
  NHA_RES_GROUP_ATTRS,
  NHMSG,
} from "./nexthop_table.ts";
