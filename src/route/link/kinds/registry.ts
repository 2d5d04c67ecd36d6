/**
 * The link kinds nlkit knows. Adding a kind means writing its module (see
 * `kind.ts` and `geneve.ts` as the worked example) and listing it here:
 * parsing, building, `ip -j`/`ip -d` output, the CLI's `link add` words
 * and the help all find it through this list.
 *
 * @module
 */

import { type AttrTable, parseAttrs } from "../../../wire/table.ts";
import type { LinkKindDataMap, LinkSlaveDataMap } from "./_generated/types.ts";
import type { AnyLinkKind, KindDataTableOf, KindSlaveTableOf } from "./kind.ts";
import { VETH_KIND, type VethLinkSpec } from "./veth.ts";
import { BRIDGE_KIND, type BridgeLinkSpec } from "./bridge.ts";
import {
  DUMMY_KIND,
  type DummyLinkSpec,
  IFB_KIND,
  type IfbLinkSpec,
  WIREGUARD_KIND,
  type WireguardLinkSpec,
} from "./plain.ts";
import { VLAN_KIND, type VlanLinkSpec } from "./vlan.ts";
import { MACVLAN_KIND, type MacvlanLinkSpec, MACVTAP_KIND } from "./macvlan.ts";
import { IPVLAN_KIND, type IpvlanLinkSpec, IPVTAP_KIND } from "./ipvlan.ts";
import { BOND_KIND, type BondLinkSpec } from "./bond.ts";
import { GRE_KIND, type GreLinkSpec, GRETAP_KIND } from "./gre.ts";
import { VXLAN_KIND, type VxlanLinkSpec } from "./vxlan.ts";
import { TUN_KIND, type TunLinkSpec } from "./tun.ts";
import { GENEVE_KIND, type GeneveLinkSpec } from "./geneve.ts";
import { BAREUDP_KIND, type BareudpLinkSpec } from "./bareudp.ts";
import { XFRM_KIND, type XfrmLinkSpec } from "./xfrm.ts";

export * from "./kind.ts";
export * from "./veth.ts";
export * from "./bridge.ts";
export * from "./plain.ts";
export * from "./vlan.ts";
export * from "./macvlan.ts";
export * from "./ipvlan.ts";
export * from "./bond.ts";
export * from "./gre.ts";
export * from "./vxlan.ts";
export * from "./tun.ts";
export * from "./geneve.ts";
export * from "./bareudp.ts";
export * from "./xfrm.ts";
export * from "./_generated/types.ts";

/** Every registered kind module, in the order help lists them. */
export const LINK_KINDS = [
  VETH_KIND,
  BRIDGE_KIND,
  DUMMY_KIND,
  IFB_KIND,
  WIREGUARD_KIND,
  VLAN_KIND,
  MACVLAN_KIND,
  MACVTAP_KIND,
  IPVLAN_KIND,
  IPVTAP_KIND,
  BOND_KIND,
  GRE_KIND,
  GRETAP_KIND,
  VXLAN_KIND,
  GENEVE_KIND,
  BAREUDP_KIND,
  XFRM_KIND,
  TUN_KIND,
] as const;

/** The type of every registered kind module (one union member per kind). */
export type RegisteredLinkKind = (typeof LINK_KINDS)[number];

/**
 * The kind of a new link and its kind-specific settings: one documented
 * interface per registered kind (`tests/public_types_test.ts` proves this
 * is `KindSpecOf<RegisteredLinkKind>`, so a kind added to {@link LINK_KINDS}
 * must be added here too).
 */
export type LinkKindSpec =
  | VethLinkSpec
  | BridgeLinkSpec
  | DummyLinkSpec
  | IfbLinkSpec
  | WireguardLinkSpec
  | VlanLinkSpec
  | MacvlanLinkSpec
  | IpvlanLinkSpec
  | BondLinkSpec
  | GreLinkSpec
  | VxlanLinkSpec
  | GeneveLinkSpec
  | BareudpLinkSpec
  | XfrmLinkSpec
  | TunLinkSpec;

/** The data table of each kind that has one. */
export type KindTables = {
  readonly [K in RegisteredLinkKind as [KindDataTableOf<K>] extends [never] ? never : K["kind"]]: KindDataTableOf<K>;
};

/** The slave-data table of each master kind that has one. */
export type KindSlaveTables = {
  readonly [K in RegisteredLinkKind as [KindSlaveTableOf<K>] extends [never] ? never : K["kind"]]: KindSlaveTableOf<K>;
};

const BY_NAME: ReadonlyMap<string, AnyLinkKind> = new Map(LINK_KINDS.map((k) => [k.kind, k as AnyLinkKind]));

function tablesOf(pick: (k: AnyLinkKind) => AttrTable | undefined): { [kind: string]: AttrTable } {
  const out: { [kind: string]: AttrTable } = Object.create(null);
  for (const k of BY_NAME.values()) {
    const t = pick(k);
    if (t) out[k.kind] = t;
  }
  return out;
}

/** The data table of each kind that has one, declared once in its module. Kinds without data (dummy, ifb, wireguard) are absent. */
export const KIND_TABLES: KindTables = tablesOf((k) => k.data) as unknown as KindTables;

/** The slave-data table of each master kind that has one. */
export const KIND_SLAVE_TABLES: KindSlaveTables = tablesOf((k) => k.slaveData) as unknown as KindSlaveTables;

/** Parsed `IFLA_INFO_DATA`, per kind: the interfaces written from {@link KIND_TABLES} (`scripts/gen_types.ts`). */
export type LinkKindData = LinkKindDataMap;

/** Parsed `IFLA_INFO_SLAVE_DATA`, per master kind, from {@link KIND_SLAVE_TABLES}. */
export type LinkSlaveData = LinkSlaveDataMap;

/** {@link KIND_TABLES}, looked up by any kind name. */
export const KIND_DATA: { readonly [kind: string]: AttrTable } = KIND_TABLES;

/** {@link KIND_SLAVE_TABLES}, looked up by any master kind name. */
export const KIND_SLAVE_DATA: { readonly [kind: string]: AttrTable } = KIND_SLAVE_TABLES;

/** The module of a link kind, if nlkit knows it. */
export function linkKind(kind: string | undefined): AnyLinkKind | undefined {
  return kind === undefined ? undefined : BY_NAME.get(kind);
}

/** Every registered kind, in help order. */
export function linkKinds(): AnyLinkKind[] {
  return [...BY_NAME.values()];
}

/** Decodes kind-specific bytes with `tables[kind]`; unknown kinds keep the raw bytes. */
export function parseKindData(
  tables: { readonly [kind: string]: AttrTable },
  kind: string | undefined,
  data: Uint8Array,
): Record<string, unknown> | Uint8Array {
  const table = kind === undefined ? undefined : tables[kind];
  if (!table) return data;
  return parseAttrs(table, data, new DataView(data.buffer, data.byteOffset, data.byteLength), 0, data.length);
}
