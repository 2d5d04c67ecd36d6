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
import type { Link, LinkAttrs } from "../src/route/link/api.ts";
import type { LinkSettings } from "../src/route/link/change.ts";
import type { IFLA_ATTRS } from "../src/route/link/table.ts";
import type { AddressCacheinfo, IFA_CACHEINFO_STRUCT } from "../src/route/addr/table.ts";
import type { ExtAck, EXTACK_ATTRS } from "../src/wire/error_message.ts";
import type { ConntrackCpuStats, CTA_STATS_CPU } from "../src/netfilter/conntrack/stats.ts";

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
  tun: true,
};
const slaves: { [K in keyof SlaveFromTables]: Same<SlaveFromTables[K], LinkSlaveDataMap[K]> } = {
  bridge: true,
  bond: true,
};
const sameKinds: Same<keyof FromTables, keyof LinkKindDataMap> = true;
const sameSlaves: Same<keyof SlaveFromTables, keyof LinkSlaveDataMap> = true;
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
const others = {
  settings: true as Same<Pick<LinkSettings, SettingKeys | "groMaxSize">, Pick<LinkAttrs, SettingKeys | "groMaxSize">>,
  cacheinfo: true as Same<AddressCacheinfo, StructValue<typeof IFA_CACHEINFO_STRUCT>>,
  extAck: true as Same<ExtAck, Attrs<typeof EXTACK_ATTRS>>,
  cpuStats: true as Same<ConntrackCpuStats, Attrs<typeof CTA_STATS_CPU> & { cpu: number }>,
  iflaTable: true as Same<LinkAttrs, Attrs<typeof IFLA_ATTRS>>,
};

test("every kind with a table has its documented interface", () => {
  assert.deepEqual(Object.keys(kinds).sort(), Object.keys(KIND_TABLES).sort());
  assert.deepEqual(Object.keys(slaves).sort(), Object.keys(KIND_SLAVE_TABLES).sort());
  assert.ok(sameKinds && sameSlaves && brport && bridgePort);
  assert.ok(Object.values(linkFields).every((v) => v));
  assert.ok(Object.values(others).every((v) => v));
});
