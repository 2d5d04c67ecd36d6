/**
 * nlkit: the netlink stack for TypeScript on Deno and Bun. This entry point
 * holds the everyday API: links, addresses, routes, neighbours, rules,
 * nexthops, namespaces, events, conntrack, nftables, tc, NFQUEUE and NFLOG,
 * the types they take and return, and the error classes. The rest lives in
 * subpaths: `@nlkit/netlink/route`, `/conntrack`, `/nftables`, `/tc`,
 * `/queue`, `/log`, `/genl`, `/pcap`, `/netns`, `/socket` (the transport),
 * `/wire` (the pure codec) and `/testing` (a fake kernel).
 *
 * @example Build a veth pair in a throwaway namespace and list it
 * ```ts
 * import assert from "node:assert/strict";
 * import { addAddress, createLink, createNetns, deleteNetns, listAddresses, listLinks } from "@nlkit/netlink";
 *
 * const netns = `doc-${crypto.randomUUID().slice(0, 8)}`;
 * await createNetns(netns);
 * try {
 *   await createLink({ name: "v0", kind: "veth", peer: { name: "v1" } }, { netns });
 *   await addAddress("v0", "10.0.0.1/24", {}, { netns });
 *   const names = (await listLinks({}, { netns })).map((l) => l.name);
 *   assert.deepEqual(names.sort(), ["lo", "v0", "v1"]);
 *   const [addr] = await listAddresses({ dev: "v0" }, { netns });
 *   assert.equal(addr.address, "10.0.0.1/24");
 * } finally {
 *   await deleteNetns(netns);
 * }
 * ```
 *
 * @module
 */

// Errors, from every layer.
export { MalformedError, TruncatedError } from "./src/wire/errors.ts";
export {
  InvalidArgumentError,
  type Lookup,
  NetlinkError,
  type NetlinkErrorArgs,
  NlkitError,
  NotFoundError,
  PermissionError,
  type RefusalDetail,
} from "./src/errors.ts";
export type { ExtAck } from "./src/wire/error_message.ts";
export { SysError } from "./src/sys/sys.ts";
export {
  BatchError,
  type BatchFailure,
  DumpInterruptedError,
  isOverrun,
  Overrun,
  ReplyLostError,
  SocketClosedError,
  TimeoutError,
} from "./src/socket/errors.ts";
export { setLibcPath } from "./src/sys/load.ts";
export type { RequestOptions, StreamOptions } from "./src/socket/options.ts";
export type { Family } from "./src/wire/family.ts";

// Namespaces.
export { createNetns, deleteNetns, listNetns, type NetnsTarget } from "./src/netns/netns.ts";
export { getNsid, identifyNetns, listNsids, type NsidEntry, type NsidFilter, setNsid } from "./src/netns/nsid.ts";

// rtnetlink: links, addresses, routes, neighbours, rules, nexthops, events.
export type { RouteOptions } from "./src/route/rtnl.ts";
export { getLink, type Link, type LinkFilter, type LinkInfo, listLinks, streamLinks } from "./src/route/link/api.ts";
export type * from "./src/route/link/kinds/_generated/types.ts";
export {
  addAltnames,
  changeLink,
  createLink,
  type CreateLinkBase,
  type CreateLinkSpec,
  type CreateOnlySettings,
  deleteAltnames,
  deleteLink,
  type LinkChanges,
  type LinkSettings,
} from "./src/route/link/change.ts";
export type { LinkUpdate } from "./src/route/link/update.ts";
export { type BridgePortSettings, listBridgePorts, setBridgePort, streamBridgePorts } from "./src/route/link/brport.ts";
export { createTuntap, deleteTuntap, type TuntapOptions, type TuntapSpec } from "./src/route/link/tuntap.ts";
export {
  listMulticastAddresses,
  type MulticastAddress,
  type MulticastFilter,
  type MulticastOptions,
} from "./src/route/link/maddr.ts";
export {
  addAddress,
  type AddressFilter,
  type AddressFlushFilter,
  type AddressSettings,
  deleteAddress,
  flushAddresses,
  listAddresses,
  replaceAddress,
  streamAddresses,
} from "./src/route/addr/api.ts";
export type { Address, AddressCacheinfo, Lifetime } from "./src/route/addr/table.ts";
export {
  addRoute,
  appendRoute,
  changeRoute,
  deleteRoute,
  flushRouteCache,
  flushRoutes,
  getRoute,
  listRoutes,
  replaceRoute,
  type RouteCacheOptions,
  type RouteLookup,
  streamRoutes,
} from "./src/route/route/api.ts";
export type { NexthopSpec, RouteChange, RouteMetricsSpec, RouteSpec } from "./src/route/route/build.ts";
export type { RouteFilter } from "./src/route/route/filter.ts";
export type { Route, RouteCacheinfo, RouteMetrics, RouteNexthop } from "./src/route/route/table.ts";
export type { OtherEncap, RouteEncap, Seg6Encap, Seg6LocalEncap, SegmentList } from "./src/route/route/encap.ts";
export {
  addNeighbour,
  changeNeighbour,
  deleteNeighbour,
  type FdbFilter,
  flushNeighbours,
  getNeighbour,
  listFdb,
  listNeighbours,
  type NeighbourFilter,
  type NeighbourFlushFilter,
  type NeighbourSpec,
  replaceNeighbour,
  streamFdb,
  streamNeighbours,
} from "./src/route/neigh/api.ts";
export {
  addFdb,
  appendFdb,
  deleteFdb,
  type FdbForwarding,
  type FdbSpec,
  type FdbState,
  type NeighbourOutputFields,
  replaceFdb,
} from "./src/route/neigh/fdb.ts";
export type { Neighbour, NeighbourCacheinfo } from "./src/route/neigh/table.ts";
export { addRule, deleteRule, listRules, type RuleFilter, streamRules } from "./src/route/rule/api.ts";
export type { RuleSelectors } from "./src/route/rule/selectors.ts";
export type { RuleSpec } from "./src/route/rule/build.ts";
export type { Rule, RuleRange } from "./src/route/rule/parse.ts";
export type { RuleAction } from "./src/route/rule/table.ts";
export {
  addNexthop,
  deleteNexthop,
  flushNexthops,
  getNexthop,
  getNexthopBucket,
  listNexthopBuckets,
  listNexthops,
  replaceNexthop,
  streamNexthopBuckets,
  streamNexthops,
} from "./src/route/nexthop/api.ts";
export type { NexthopBucketFilter, NexthopFilter, NexthopObjectSpec } from "./src/route/nexthop/build.ts";
export type { Nexthop, NexthopBucket, NexthopFamily, ResilientGroup } from "./src/route/nexthop/parse.ts";
export type { NexthopGroupMember } from "./src/route/nexthop/table.ts";
export { listMulticastRoutes, type MulticastRouteFilter, streamMulticastRoutes } from "./src/route/mroute/api.ts";
export type { MulticastOif, MulticastRoute, MulticastRouteStats } from "./src/route/mroute/table.ts";
export {
  type ObjectEvent,
  type OverrunEvent,
  type RouteEvent,
  type RouteEventKind,
  RouteEventStream,
  type RouteGroup,
  type SubscribeOptions,
  subscribeRoute,
  type SyncedEvent,
  type WatchEvent,
  watchRoute,
} from "./src/route/events.ts";
export { subscribeNetconf } from "./src/route/monitor_events.ts";
export {
  listNetconf,
  type Netconf,
  type NetconfEvent,
  type NetconfFilter,
  type NetconfSubscribeOptions,
  streamNetconf,
} from "./src/route/netconf.ts";
export {
  changeNeighTable,
  listNeighTables,
  type NeighTableFilter,
  type NeighTableSettings,
  type NeighTableTarget,
  streamNeighTables,
} from "./src/route/ntable/api.ts";
export type { NeighTable, NeighTableConfig, NeighTableParms, NeighTableStats } from "./src/route/ntable/table.ts";

// Connection tracking.
export type { ConntrackOptions } from "./src/netfilter/conntrack/ctnetlink.ts";
export {
  type ConntrackTable,
  createConntrack,
  deleteConntrack,
  deleteConntrackByFilter,
  deleteConntrackEntries,
  flushConntrack,
  type FlushConntrackFilter,
  getConntrack,
  listConntrack,
  type ListConntrackFilter,
  streamConntrack,
  updateConntrack,
} from "./src/netfilter/conntrack/ops.ts";
export { createConntrackMany, type CreateManyOptions, type CreateManyResult } from "./src/netfilter/conntrack/bulk.ts";
export type {
  ConntrackCounters,
  ConntrackDccpInfo,
  ConntrackEntry,
  ConntrackLabels,
  ConntrackSctpInfo,
  ConntrackSeqAdj,
  ConntrackSynproxy,
  ConntrackTcpFlags,
  ConntrackTcpInfo,
  ConntrackTuple,
} from "./src/netfilter/conntrack/types.ts";
export type {
  ConntrackKey,
  ConntrackNatSpec,
  ConntrackSpec,
  ConntrackTupleSpec,
} from "./src/netfilter/conntrack/spec.ts";
export type { ConntrackFilter, ConntrackNatFilter, ConntrackTupleFilter } from "./src/netfilter/conntrack/filter.ts";
export {
  type ConntrackJson,
  type ConntrackOutput,
  conntrackToJson,
  type ConntrackTupleJson,
  formatConntrack,
  type FormatConntrackOptions,
} from "./src/netfilter/conntrack/format.ts";
export {
  type ConntrackCount,
  conntrackCount,
  type ConntrackCpuStats,
  conntrackCpuStats,
} from "./src/netfilter/conntrack/stats.ts";
export {
  type ConntrackEntryEvent,
  type ConntrackEvent,
  type ConntrackEventType,
  type ConntrackExpectEvent,
  type ConntrackOverrunEvent,
  ConntrackSubscription,
  subscribeConntrack,
  type SubscribeConntrackOptions,
} from "./src/netfilter/conntrack/events.ts";
export type { ConntrackExpect } from "./src/netfilter/conntrack/expect.ts";
export {
  createExpect,
  deleteExpect,
  type ExpectSpec,
  flushExpect,
  getExpect,
  listExpect,
  type ListExpectFilter,
  streamExpect,
} from "./src/netfilter/conntrack/expect_ops.ts";

// nftables.
export type { NftOptions } from "./src/netfilter/nftables/socket.ts";
export type { NftFamily } from "./src/netfilter/nftables/consts.ts";
export {
  listChains,
  listElements,
  listFlowtables,
  listNftRules,
  listObjects,
  listRuleset,
  listSets,
  listTables,
  type NftFilter,
  type NftRuleset,
  type NftSetRef,
  type NftSetWithElements,
  streamChains,
  streamElements,
  streamFlowtables,
  streamNftRules,
  streamObjects,
  streamSets,
  streamTables,
} from "./src/netfilter/nftables/list.ts";
export {
  addChain,
  addElements,
  addElementsBulk,
  addNftRule,
  addObject,
  addSet,
  addTable,
  type BulkOptions,
  type CasOptions,
  type CasResult,
  compareAndSwap,
  createTable,
  deleteChain,
  deleteElements,
  deleteNftRule,
  deleteObject,
  deleteSet,
  deleteTable,
  flushChain,
  flushRuleset,
  flushSet,
  flushTable,
  insertNftRule,
  type NftState,
  replaceNftRule,
} from "./src/netfilter/nftables/ops.ts";
export { NftTransaction } from "./src/netfilter/nftables/transaction.ts";
export { type NftFailure, NftTransactionError } from "./src/netfilter/nftables/transaction_error.ts";
export type * from "./src/netfilter/nftables/transaction_specs.ts";
export type { NftTable } from "./src/netfilter/nftables/table.ts";
export type { NftChain } from "./src/netfilter/nftables/chain.ts";
export type { NftRule } from "./src/netfilter/nftables/rule.ts";
export type { NftSet } from "./src/netfilter/nftables/set.ts";
export type { NftElement } from "./src/netfilter/nftables/element.ts";
export type { NftObject } from "./src/netfilter/nftables/obj.ts";
export type { NftFlowtable } from "./src/netfilter/nftables/flowtable.ts";
export type { NftExpr } from "./src/netfilter/nftables/expr/registry.ts";
export { getGeneration, type NftGeneration } from "./src/netfilter/nftables/gen.ts";
export {
  type NftChange,
  type NftChangeEvent,
  type NftEvent,
  type NftGenerationEvent,
  type NftOverrunEvent,
  NftSubscription,
  subscribeNftables,
  type SubscribeNftOptions,
} from "./src/netfilter/nftables/events.ts";
export { rulesetJson, type RulesetJsonOptions } from "./src/netfilter/nftables/json/ruleset_json.ts";
export { applyJson, type ApplyOptions } from "./src/netfilter/nftables/json/apply.ts";
export { parseNftJson } from "./src/netfilter/nftables/json/big_int.ts";
export { formatRuleset, type TextOptions } from "./src/netfilter/nftables/text/ruleset_text.ts";
export { type SetDecl, setDecl } from "./src/netfilter/nftables/text/set_decl.ts";

// Traffic control.
export {
  addClass,
  addFilter,
  addQdisc,
  changeClass,
  changeFilter,
  changeQdisc,
  type ClassFilter,
  deleteClass,
  deleteFilter,
  deleteQdisc,
  type FilterFilter,
  getClass,
  getFilter,
  getQdisc,
  listClasses,
  listFilters,
  listQdiscs,
  type QdiscFilter,
  replaceClass,
  replaceFilter,
  replaceQdisc,
  streamClasses,
  streamFilters,
  streamQdiscs,
} from "./src/route/tc/ops.ts";
export type { ClassSpec, FilterSpec, HandleSpec, QdiscSpec } from "./src/route/tc/request.ts";
export type { Filter, Qdisc, TcBase, TcClass, TcObjectType } from "./src/route/tc/message.ts";
export {
  addTcChain,
  deleteTcChain,
  getTcChain,
  listTcChains,
  streamTcChains,
  type TcChain,
  type TcChainFilter,
  type TcChainSpec,
} from "./src/route/tc/chain.ts";
export { getAction, listActions } from "./src/route/tc/actions.ts";
export { subscribeTc, type SubscribeTcOptions, type TcEvent, type TcObjectEvent } from "./src/route/tc/events.ts";

// NFQUEUE and NFLOG.
export {
  NfQueue,
  openQueue,
  type OpenQueueOptions,
  type QueueItem,
  type QueueOverrun,
} from "./src/netfilter/queue/queue.ts";
export type { QueuePacket } from "./src/netfilter/queue/packet.ts";
export type { Verdict, VerdictOptions } from "./src/netfilter/queue/codec.ts";
export { type QueueStats, readQueueStats } from "./src/netfilter/queue/stats.ts";
export { type LogItem, type LogOverrun, NfLog, openLog, type OpenLogOptions } from "./src/netfilter/log/log.ts";
export type { LogPacket } from "./src/netfilter/log/packet.ts";

// Generic netlink families.
export {
  type GenericFamily,
  type GenericGroup,
  type GenericOperation,
  getGenericFamily,
  listGenericFamilies,
} from "./src/genl/ctrl.ts";
