/**
 * `vlan`: an 802.1Q/802.1ad VLAN on a parent link (`IFLA_VLAN_*`).
 *
 * @module
 */

import type { Attrs } from "../../../wire/table.ts";
import { type JsonFieldMap, jsonFields } from "./format.ts";
import type { KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";

/** VLAN tag protocols (`ETH_P_8021Q`, `ETH_P_8021AD`). */
export const VLAN_PROTOCOL = {
  0x8100: "802.1Q",
  0x88a8: "802.1ad",
} as const;

/** `IFLA_VLAN_QOS_*`: one priority mapping per attribute. */
export const IFLA_VLAN_QOS_ATTRS = {
  mappings: { type: 1, kind: "struct", struct: { from: "u32", to: "u32" }, repeat: true },
} as const;

/** `IFLA_VLAN_*`: 802.1Q/802.1ad VLAN settings. */
export const IFLA_VLAN_ATTRS = {
  id: { type: 1, kind: "u16" },
  flags: { type: 2, kind: "struct", struct: { flags: "u32", mask: "u32" } },
  egressQos: { type: 3, kind: "nested", table: IFLA_VLAN_QOS_ATTRS },
  ingressQos: { type: 4, kind: "nested", table: IFLA_VLAN_QOS_ATTRS },
  protocol: { type: 5, kind: "u16be", names: VLAN_PROTOCOL },
} as const;

const VLAN_JSON: JsonFieldMap = [["protocol", "protocol", "str"], ["id", "id", "num"]];

function read(r: KindWordReader): KindWordsSpec {
  const k = r.words;
  const id = r.int(r.required("id", "vlan"), "VLAN id", 0, 4094);
  let data: Attrs<typeof IFLA_VLAN_ATTRS> = { id };
  if (k.protocol !== undefined) {
    const p = Object.values(VLAN_PROTOCOL).find((v) => v.toLowerCase() === k.protocol!.toLowerCase());
    if (!p) throw r.unknown("VLAN protocol", k.protocol, Object.values(VLAN_PROTOCOL));
    data = { id, protocol: p };
  }
  return { parent: r.required("link", "vlan", true), data };
}

/** The `vlan` kind. */
export const VLAN_KIND: LinkKind<"vlan", typeof IFLA_VLAN_ATTRS, never, {
  /** The link the VLAN rides on (name or index). */
  parent: string | number;
  /** VLAN settings (`id` is required by the kernel). */
  data: Attrs<typeof IFLA_VLAN_ATTRS>;
}> = {
  kind: "vlan",
  data: IFLA_VLAN_ATTRS,
  json: (d, ctx) => jsonFields(d, VLAN_JSON, ctx),
  words: { id: { arg: "VLAN id" }, protocol: { arg: "protocol" } },
  read,
  help: "vlan id N [ protocol 802.1Q|802.1ad ]",
};
