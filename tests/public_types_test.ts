/**
 * Public types declared as documented interfaces are the types their
 * tables parse to, field for field (checked by the compiler): the link
 * interfaces written by `scripts/gen_types.ts`, `LinkSettings`,
 * `AddressCacheinfo`, `ExtAck` and `ConntrackCpuStats`; and
 * every registered kind with a table has its interface.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Attrs, StructValue } from "../src/wire/table.ts";
import {
  type IFLA_BRPORT_ATTRS,
  KIND_SLAVE_TABLES,
  KIND_TABLES,
  type KindSlaveTables,
  type KindTables,
  type LinkKindDataMap,
  type LinkSlaveDataMap,
} from "../src/route/link/kinds/registry.ts";
import type { BridgePortData } from "../src/route/link/kinds/_generated/types.ts";
import type { BR_STATE } from "../src/route/link/kinds/bridge.ts";
import type { BridgePortState } from "../src/route/link/brport.ts";
import type { SEG6_LOCAL_ACTIONS, SEG6_MODES, Seg6LocalAction, Seg6Mode } from "../src/route/route/encap.ts";
import type { Link, LinkAttrs } from "../src/route/link/api.ts";
import type { CreateLinkSpec, CreateOnlySettings, LinkSettings } from "../src/route/link/change.ts";
import type { KindSpecOf, LinkKindSpec, RegisteredLinkKind } from "../src/route/link/kinds/registry.ts";
import type { IFLA_ATTRS } from "../src/route/link/table.ts";
import type { AddressCacheinfo, IFA_CACHEINFO_STRUCT } from "../src/route/addr/table.ts";
import type { ExtAck, EXTACK_ATTRS } from "../src/wire/error_message.ts";
import type { ConntrackCpuStats, CTA_STATS_CPU } from "../src/netfilter/conntrack/stats.ts";
import type {
  NFTA_DATA_TABLE,
  NFTA_VERDICT_TABLE,
  NftData,
  NftHeader,
  NftVerdict,
} from "../src/netfilter/nftables/data.ts";
import type { NFTA_TABLE_TABLE, NftTable } from "../src/netfilter/nftables/table.ts";
import type { NFTA_CHAIN_TABLE, NftChain } from "../src/netfilter/nftables/chain.ts";
import type { NFTA_SET_TABLE, NftSet } from "../src/netfilter/nftables/set.ts";
import type { NFTA_RULE_TABLE, NftRule } from "../src/netfilter/nftables/rule.ts";
import type {
  NFTA_SET_ELEM_LIST_TABLE,
  NFTA_SET_ELEM_TABLE,
  NftElement,
  NftElementList,
} from "../src/netfilter/nftables/element.ts";
import type { NFTA_FLOWTABLE_TABLE, NftFlowtable } from "../src/netfilter/nftables/flowtable.ts";
import type { NFTA_GEN_TABLE, NftGeneration } from "../src/netfilter/nftables/gen.ts";
import type { NFTA_TRACE_TABLE, NftTrace } from "../src/netfilter/nftables/trace.ts";
import type {
  NFT_OBJECT_DATA,
  NFTA_CT_EXPECT_TABLE,
  NFTA_CT_HELPER_TABLE,
  NFTA_CT_TIMEOUT_TABLE,
  NFTA_OBJ_TABLE,
  NftCtExpectationData,
  NftCtHelperData,
  NftCtTimeoutData,
  NftLimitData,
  NftObjectBase,
  NftObjectData,
  NftQuotaData,
  NftSynproxyData,
} from "../src/netfilter/nftables/obj.ts";
import type { NFTA_QUOTA_TABLE } from "../src/netfilter/nftables/expr/quota.ts";
import type { NFTA_LIMIT_TABLE } from "../src/netfilter/nftables/expr/limit.ts";
import type { NFTA_SYNPROXY_TABLE } from "../src/netfilter/nftables/expr/synproxy.ts";
import type { NFT_FAMILIES, NftFamily } from "../src/netfilter/nftables/consts.ts";
import type { RULE_ACTIONS, RuleAction } from "../src/route/rule/table.ts";

/** `true` when A and B are assignable both ways (the same fields with the same types). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

type FromTables = { -readonly [K in keyof KindTables]: Attrs<KindTables[K]> };
type SlaveFromTables = { -readonly [K in keyof KindSlaveTables]: Attrs<KindSlaveTables[K]> };

// Compile-time: a field missing, extra or of another type in an interface is a type error here.
const kinds: { [K in keyof FromTables]: Same<FromTables[K], LinkKindDataMap[K]> } & Record<string, true> = {
  veth: true,
  bridge: true,
  vlan: true,
  macvlan: true,
  macvtap: true,
  ipvlan: true,
  ipvtap: true,
  bond: true,
  gre: true,
  gretap: true,
  vxlan: true,
  geneve: true,
  bareudp: true,
  xfrm: true,
  tun: true,
};
const slaves: { [K in keyof SlaveFromTables]: Same<SlaveFromTables[K], LinkSlaveDataMap[K]> } = {
  bridge: true,
  bond: true,
};
const sameKinds: Same<keyof FromTables, keyof LinkKindDataMap> = true;
const sameSlaves: Same<keyof SlaveFromTables, keyof LinkSlaveDataMap> = true;
const seg6Modes: Same<Seg6Mode, typeof SEG6_MODES[number]> = true;
const seg6Actions: Same<Seg6LocalAction, typeof SEG6_LOCAL_ACTIONS[number]> = true;
const brportStates: Same<BridgePortState, (typeof BR_STATE)[keyof typeof BR_STATE]> = true;
const brport: Same<Attrs<typeof IFLA_BRPORT_ATTRS>, BridgePortData> = true;
const bridgePort: Same<NonNullable<Link["bridgePort"]>, BridgePortData> = true;
type Sub = "map" | "stats64" | "afSpec" | "xdp" | "devlinkPort" | "dpllPin" | "maxPacingOffloadHorizon" | "unknown";
const linkFields: { [K in Sub]: Same<Link[K], LinkAttrs[K]> } = {
  map: true,
  stats64: true,
  afSpec: true,
  xdp: true,
  devlinkPort: true,
  dpllPin: true,
  maxPacingOffloadHorizon: true,
  unknown: true,
};

type SettingKeys = "mtu" | "address" | "broadcast" | "txqlen" | "alias" | "group" | "gsoMaxSize" | "gsoMaxSegs";
const others: {
  settings: Same<Pick<LinkSettings, SettingKeys | "groMaxSize">, Pick<LinkAttrs, SettingKeys | "groMaxSize">>;
  cacheinfo: Same<AddressCacheinfo, StructValue<typeof IFA_CACHEINFO_STRUCT>>;
  extAck: Same<ExtAck, Attrs<typeof EXTACK_ATTRS>>;
  cpuStats: Same<ConntrackCpuStats, Attrs<typeof CTA_STATS_CPU> & { cpu: number }>;
  iflaTable: Same<LinkAttrs, Attrs<typeof IFLA_ATTRS>>;
  createLink: Same<CreateLinkSpec, LinkSettings & CreateOnlySettings & { name: string } & LinkKindSpec>;
  kindSpecs: Same<LinkKindSpec, KindSpecOf<RegisteredLinkKind>>;
  // Written out so `deno doc` shows the values; the same as the table's.
  ruleAction: Same<RuleAction, (typeof RULE_ACTIONS)[keyof typeof RULE_ACTIONS]>;
} = {
  settings: true,
  cacheinfo: true,
  extAck: true,
  cpuStats: true,
  iflaTable: true,
  createLink: true,
  kindSpecs: true,
  ruleAction: true,
};

/** What `NftObjectData` was computed as: one `{ type, data }` per entry of the object registry. */
type ObjectDataFromTables = {
  [K in keyof typeof NFT_OBJECT_DATA]: { type: K; data: Attrs<(typeof NFT_OBJECT_DATA)[K]> };
}[keyof typeof NFT_OBJECT_DATA];

// The nf_tables interfaces written by scripts/gen_types.ts, against what each table parses to.
const nft: {
  table: Same<NftTable, Attrs<typeof NFTA_TABLE_TABLE> & NftHeader>;
  chain: Same<NftChain, Attrs<typeof NFTA_CHAIN_TABLE> & NftHeader>;
  set: Same<NftSet, Attrs<typeof NFTA_SET_TABLE> & NftHeader>;
  rule: Same<NftRule, Attrs<typeof NFTA_RULE_TABLE> & NftHeader>;
  element: Same<NftElement, Attrs<typeof NFTA_SET_ELEM_TABLE>>;
  elementList: Same<NftElementList, Attrs<typeof NFTA_SET_ELEM_LIST_TABLE> & NftHeader>;
  verdict: Same<NftVerdict, Attrs<typeof NFTA_VERDICT_TABLE>>;
  data: Same<NftData, Attrs<typeof NFTA_DATA_TABLE>>;
  flowtable: Same<NftFlowtable, Attrs<typeof NFTA_FLOWTABLE_TABLE> & NftHeader>;
  generation: Same<NftGeneration, Attrs<typeof NFTA_GEN_TABLE>>;
  trace: Same<NftTrace, Attrs<typeof NFTA_TRACE_TABLE> & NftHeader>;
  objectBase: Same<NftObjectBase, Omit<Attrs<typeof NFTA_OBJ_TABLE>, "type" | "data"> & NftHeader>;
  objectData: Same<NftObjectData, ObjectDataFromTables>;
  quota: Same<NftQuotaData, Attrs<typeof NFTA_QUOTA_TABLE>>;
  limit: Same<NftLimitData, Attrs<typeof NFTA_LIMIT_TABLE>>;
  ctHelper: Same<NftCtHelperData, Attrs<typeof NFTA_CT_HELPER_TABLE>>;
  ctExpectation: Same<NftCtExpectationData, Attrs<typeof NFTA_CT_EXPECT_TABLE>>;
  ctTimeout: Same<NftCtTimeoutData, Attrs<typeof NFTA_CT_TIMEOUT_TABLE>>;
  synproxy: Same<NftSynproxyData, Attrs<typeof NFTA_SYNPROXY_TABLE>>;
  family: Same<NftFamily, (typeof NFT_FAMILIES)[keyof typeof NFT_FAMILIES]>;
} = {
  table: true,
  chain: true,
  set: true,
  rule: true,
  element: true,
  elementList: true,
  verdict: true,
  data: true,
  flowtable: true,
  generation: true,
  trace: true,
  objectBase: true,
  objectData: true,
  quota: true,
  limit: true,
  ctHelper: true,
  ctExpectation: true,
  ctTimeout: true,
  synproxy: true,
  family: true,
};

test("every kind with a table has its documented interface", () => {
  assert.deepEqual(Object.keys(kinds).sort(), Object.keys(KIND_TABLES).sort());
  assert.deepEqual(Object.keys(slaves).sort(), Object.keys(KIND_SLAVE_TABLES).sort());
  assert.ok(sameKinds && sameSlaves && brport && bridgePort && seg6Modes && seg6Actions && brportStates);
  assert.ok(Object.values(linkFields).every((v) => v));
  assert.ok(Object.values(others).every((v) => v));
  assert.ok(Object.values(nft).every((v) => v));
});
