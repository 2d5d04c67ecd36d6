/**
 * The documented link interfaces written by `scripts/gen_types.ts` are the
 * types the tables parse to, field for field (checked by the compiler), and
 * every registered kind with a table has its interface.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Attrs } from "../src/wire/table.ts";
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
import type { Link } from "../src/route/link/api.ts";

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

test("every kind with a table has its documented interface", () => {
  assert.deepEqual(Object.keys(kinds).sort(), Object.keys(KIND_TABLES).sort());
  assert.deepEqual(Object.keys(slaves).sort(), Object.keys(KIND_SLAVE_TABLES).sort());
  assert.ok(sameKinds && sameSlaves && brport && bridgePort);
});
