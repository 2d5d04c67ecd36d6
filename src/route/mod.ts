/**
 * rtnetlink: links, addresses, routes, neighbours, rules, nexthops and their
 * events, as typed objects, streaming where the data can be large. The
 * everyday calls are also in the root module; this one adds the wire tables,
 * parsers, request builders and `ip -j` JSON.
 *
 * @example Policy routing: marked packets use table 100
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNetns, deleteNetns } from "@nlkit/netlink/netns";
 * import { addAddress, addNeighbour, addRoute, addRule, changeLink, createLink, getRoute, listNeighbours } from "@nlkit/netlink/route";
 *
 * const netns = `doc-${crypto.randomUUID().slice(0, 8)}`;
 * await createNetns(netns);
 * try {
 *   await createLink({ name: "d0", kind: "veth", peer: { name: "d1" } }, { netns });
 *   for (const dev of ["d0", "d1"]) await changeLink(dev, { up: true }, { netns });
 *   await addAddress("d0", "10.1.0.1/24", {}, { netns });
 *   await addNeighbour({ dst: "10.1.0.2", lladdr: "02:00:00:00:00:02", dev: "d0" }, { netns });
 *   await addRoute({ dst: "10.9.0.0/16", gateway: "10.1.0.2", table: 100 }, { netns });
 *   await addRule({ priority: 1000, fwmark: 7, table: 100 }, { netns });
 *
 *   const marked = await getRoute("10.9.1.1", { mark: 7 }, { netns });
 *   assert.equal(marked.gateway, "10.1.0.2");
 *   await assert.rejects(getRoute("10.9.1.1", {}, { netns }), /ENETUNREACH/); // main has no route there
 *   const [neigh] = await listNeighbours({}, { netns });
 *   assert.equal(neigh.lladdr, "02:00:00:00:00:02");
 * } finally {
 *   await deleteNetns(netns);
 * }
 * ```
 *
 * @module
 */

export * from "./rtnl.ts";
export * from "./link/api.ts";
export * from "./link/change.ts";
export { LINK_OUTPUT_ONLY, LINK_SETTINGS, type LinkUpdate, linkUpdateChanges } from "./link/update.ts";
export * from "./link/brport.ts";
export * from "./link/tuntap.ts";
export * from "./link/maddr.ts";
export * from "./link/maddr_change.ts";
export * from "./netconf.ts";
export * from "./ntable/api.ts";
export * from "./ntable/table.ts";
export * from "./monitor_events.ts";
export type { HwStatsInfo, LinkStats } from "./stats/parse.ts";
export * from "./rtmon.ts";
export * from "./link/json.ts";
export * from "./link/kinds/registry.ts";
export * from "./link/table.ts";
export * from "./addr/api.ts";
export * from "./addr/json.ts";
export * from "./addr/table.ts";
export { parseAddressMessage } from "./addr/parse.ts";
export * from "./neigh/api.ts";
export * from "./neigh/json.ts";
export * from "./neigh/table.ts";
export { parseNeighbourMessage } from "./neigh/parse.ts";
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
export { parseRouteMessage } from "./route/parse.ts";
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
export * from "./rule/selectors.ts";
export * from "./rule/table.ts";
export * from "./events.ts";
export * from "./mroute/api.ts";
export * from "./mroute/json.ts";
export { isMulticastRouteMessage, parseMulticastRouteMessage } from "./mroute/parse.ts";
export * from "./mroute/table.ts";
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
