/**
 * `vlan`: an 802.1Q/802.1ad VLAN on a parent link (`IFLA_VLAN_*`).
 *
 * @module
 */

import type { Attrs } from "../../../wire/table.ts";
import type { KindData, KindJson, KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { VlanData } from "./_generated/types.ts";

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

/** `VLAN_FLAG_*`, in the order iproute2 prints them. */
const VLAN_FLAGS = [[1, "REORDER_HDR"], [2, "GVRP"], [8, "MVRP"], [4, "LOOSE_BINDING"], [
  16,
  "BRIDGE_BINDING",
]] as const;

/** The flag words ip prints, then any unknown bits in hex. */
function flagWords(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of VLAN_FLAGS) {
    if (flags & bit) out.push(name);
    flags &= ~bit;
  }
  if (flags) out.push(flags.toString(16));
  return out;
}

type QosMap = { mappings?: { from: number; to: number }[] } | undefined;

/** `protocol`, `id`, `flags` and the QoS maps, as `vlan_print_opt` prints them (nothing without an id). */
function json(d: KindData): KindJson {
  if (d.id === undefined) return {};
  const out: KindJson = { protocol: typeof d.protocol === "string" ? d.protocol : "802.1q", id: d.id };
  const f = d.flags as { flags: number } | undefined;
  if (f) out.flags = flagWords(f.flags);
  for (const [key, jsonKey] of [["ingressQos", "ingress_qos"], ["egressQos", "egress_qos"]]) {
    const map = d[key] as QosMap;
    if (map) out[jsonKey] = (map.mappings ?? []).map(({ from, to }) => ({ from, to }));
  }
  return out;
}

function details(d: KindData): string {
  if (d.id === undefined) return "";
  let s = `protocol ${typeof d.protocol === "string" ? d.protocol : "802.1q"} id ${d.id} `;
  const f = d.flags as { flags: number } | undefined;
  if (f) s += `<${flagWords(f.flags).join(",")}> `;
  for (const [key, word] of [["ingressQos", "ingress-qos-map"], ["egressQos", "egress-qos-map"]]) {
    const map = d[key] as QosMap;
    if (map) s += `\n      ${word} { ${(map.mappings ?? []).map(({ from, to }) => `${from}:${to} `).join("")}} `;
  }
  return s;
}

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

/** A new VLAN: what `createLink` takes for kind `vlan`. */
export interface VlanLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "vlan";
  /** The link the VLAN rides on (name or index). */
  parent: string | number;
  /** VLAN settings (`id` is required by the kernel). */
  data: VlanData;
}

/** The `vlan` kind. */
export const VLAN_KIND: LinkKind<"vlan", typeof IFLA_VLAN_ATTRS, never, Omit<VlanLinkSpec, "kind">> = {
  kind: "vlan",
  data: IFLA_VLAN_ATTRS,
  types: {
    data: { name: "VlanData", prefix: "IFLA_VLAN_", doc: "VLAN settings" },
  },
  json,
  details,
  words: { id: { arg: "VLAN id" }, protocol: { arg: "protocol" } },
  read,
  help: "vlan id N [ protocol 802.1Q|802.1ad ]",
};
