/**
 * `vxlan`: VXLAN tunnels (`IFLA_VXLAN_*`). `port` and `label` are
 * big-endian on the wire; the table says so and values are plain numbers.
 *
 * @module
 */

import type { MessageBuilder } from "../../../wire/builder.ts";
import type { Codec } from "../../../wire/table.ts";
import { AF_INET6, ipFamily } from "../../../wire/addr.ts";
import {
  flowlabelText,
  ipv6ToOwnKeys,
  isMulticast,
  type JsonFieldMap,
  jsonFields,
  switchText,
  tosText,
  ttlText,
} from "./format.ts";
import type { KindData, KindJson, KindPrintContext, KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { VxlanData } from "./_generated/types.ts";

/**
 * A flag the kernel accepts only empty but reports as a u8 (0 or 1), like
 * `IFLA_VXLAN_TTL_INHERIT`. Builds as an empty flag: leave it out for false.
 */
export const FLAG_OR_U8: Codec<boolean> = {
  parse(buf: Uint8Array, _view: DataView, start: number, end: number): boolean {
    return end === start || buf[start] !== 0;
  },
  build(_b: MessageBuilder, _value: boolean): void {},
};

/** `IFLA_VXLAN_*`: VXLAN settings. `port` and `label` are big-endian on the wire. */
export const IFLA_VXLAN_ATTRS = {
  id: { type: 1, kind: "u32" },
  group: { type: 2, kind: "ip" },
  link: { type: 3, kind: "u32" },
  local: { type: 4, kind: "ip" },
  ttl: { type: 5, kind: "u8" },
  tos: { type: 6, kind: "u8" },
  learning: { type: 7, kind: "u8" },
  ageing: { type: 8, kind: "u32" },
  limit: { type: 9, kind: "u32" },
  portRange: { type: 10, kind: "struct", struct: { low: "u16be", high: "u16be" } },
  proxy: { type: 11, kind: "u8" },
  rsc: { type: 12, kind: "u8" },
  l2miss: { type: 13, kind: "u8" },
  l3miss: { type: 14, kind: "u8" },
  port: { type: 15, kind: "u16be" },
  group6: { type: 16, kind: "ip" },
  local6: { type: 17, kind: "ip" },
  udpCsum: { type: 18, kind: "u8" },
  udpZeroCsum6Tx: { type: 19, kind: "u8" },
  udpZeroCsum6Rx: { type: 20, kind: "u8" },
  remcsumTx: { type: 21, kind: "u8" },
  remcsumRx: { type: 22, kind: "u8" },
  gbp: { type: 23, kind: "flag" },
  remcsumNopartial: { type: 24, kind: "flag" },
  collectMetadata: { type: 25, kind: "u8" },
  label: { type: 26, kind: "u32be" },
  gpe: { type: 27, kind: "flag" },
  ttlInherit: { type: 28, kind: "codec", codec: FLAG_OR_U8 },
  df: { type: 29, kind: "u8" },
  vnifilter: { type: 30, kind: "u8" },
  localbypass: { type: 31, kind: "u8" },
  labelPolicy: { type: 32, kind: "u32" },
} as const;

/** Moves IPv6 endpoints to their `*6` attributes, as iproute2 does for `remote`/`local`, and drops a false `ttlInherit`. */
function prepare(data: KindData): KindData {
  const out = ipv6ToOwnKeys(data, [["group", "group6"], ["local", "local6"]]);
  // Sent as an empty flag: only "true" can be said.
  if (out.ttlInherit === false) delete out.ttlInherit;
  return out;
}

const VXLAN_JSON: JsonFieldMap = [
  ["link", "link", "ifname"],
  ["port_range", "portRange", "num"],
  ["port", "port", "num"],
  ["learning", "learning", "bool"],
  ["proxy", "proxy", "true"],
  ["rsc", "rsc", "true"],
  ["l2miss", "l2miss", "true"],
  ["l3miss", "l3miss", "true"],
  ["ttl", "ttl", "num"],
  ["ageing", "ageing", "num"],
  ["udp_csum", "udpCsum", "bool"],
  ["udp_zero_csum6_tx", "udpZeroCsum6Tx", "bool"],
  ["udp_zero_csum6_rx", "udpZeroCsum6Rx", "bool"],
  ["remcsum_tx", "remcsumTx", "true"],
  ["remcsum_rx", "remcsumRx", "true"],
  ["gbp", "gbp", "true"],
  ["gpe", "gpe", "true"],
];

/** Endpoints: `group` when multicast, else `remote`, as iproute2 chooses. */
function json(d: KindData, ctx: KindPrintContext): KindJson {
  if (d.collectMetadata) return { external: true };
  const out: KindJson = { id: d.id };
  const g = d.group as string | undefined;
  const g6 = d.group6 as string | undefined;
  if (g && g !== "0.0.0.0") out[isMulticast(g) ? "group" : "remote"] = g;
  else if (!g && g6 && g6 !== "::") out[isMulticast(g6) ? "group6" : "remote6"] = g6;
  const l = d.local as string | undefined;
  const l6 = d.local6 as string | undefined;
  if (l && l !== "0.0.0.0") out.local = l;
  else if (!l && l6 && l6 !== "::") out.local6 = l6;
  Object.assign(out, jsonFields(d, VXLAN_JSON, ctx));
  // Printed only when non-zero, in iproute2's `%#x`.
  if (d.tos) out.tos = `0x${(d.tos as number).toString(16)}`;
  if (d.label) out.label = `0x${(d.label as number).toString(16)}`;
  if (d.limit) out.limit = d.limit;
  if (d.df !== undefined) out.df = ["unset", "set", "inherit"][d.df as number] ?? d.df;
  return out;
}

function details(d: KindData, ctx: KindPrintContext): string {
  let s = d.collectMetadata ? "external " : "";
  if (d.id !== undefined) s += `id ${d.id} `;
  const group = (d.group ?? d.group6) as string | undefined;
  if (group !== undefined) s += `${isMulticast(group) ? "group" : "remote"} ${group} `;
  const local = d.local ?? d.local6;
  if (local !== undefined) s += `local ${local} `;
  if (typeof d.link === "number" && d.link) s += `dev ${ctx.linkName(d.link)} `;
  const range = d.portRange as { low: number; high: number } | undefined;
  if (range) s += `srcport ${range.low} ${range.high} `;
  if (d.port !== undefined) s += `dstport ${d.port} `;
  if (d.learning === 0) s += "nolearning ";
  for (const k of ["proxy", "rsc", "l2miss", "l3miss"]) if (d[k]) s += `${k} `;
  s += tosText(d) + ttlText(d);
  if (d.df === 1) s += "df set ";
  else if (d.df === 2) s += "df inherit ";
  s += flowlabelText(d);
  if (typeof d.ageing === "number") s += d.ageing ? `ageing ${d.ageing} ` : "ageing none ";
  if (typeof d.limit === "number" && d.limit) s += `maxaddr ${d.limit} `;
  s += switchText(d, "udpCsum", "udpcsum") + switchText(d, "udpZeroCsum6Tx", "udp6zerocsumtx");
  s += switchText(d, "udpZeroCsum6Rx", "udp6zerocsumrx");
  if (d.remcsumTx) s += "remcsumtx ";
  if (d.remcsumRx) s += "remcsumrx ";
  if (d.gbp) s += "gbp ";
  if (d.gpe) s += "gpe ";
  if (d.vnifilter) s += "vnifilter ";
  return s;
}

function read(r: KindWordReader): KindWordsSpec {
  const k = r.words;
  // `external` (collect metadata) takes no VNI and turns learning off, as in ip.
  const external = k.external !== undefined;
  if (external && k.noexternal !== undefined) throw r.usage(`Use "external" or "noexternal", not both`, "noexternal");
  if (external && k.id !== undefined) throw r.usage("vxlan: both 'external' and vni cannot be specified", "external");
  const data: KindData = external
    ? { collectMetadata: 1 }
    : { id: r.int(r.required("id", "vxlan"), "VNI", 0, 0xffffff) };
  if (k.noexternal !== undefined) data.collectMetadata = 0;
  const ip = (v: string, v4: string, v6: string): void => {
    data[ipFamily(v) === AF_INET6 ? v6 : v4] = v;
  };
  if (k.remote !== undefined && k.group !== undefined) {
    throw r.usage(`Use "remote" or "group", not both`, "group");
  }
  if (k.local !== undefined) ip(k.local, "local", "local6");
  if (k.remote !== undefined) ip(k.remote, "group", "group6");
  if (k.group !== undefined) ip(k.group, "group", "group6");
  if (k.dstport !== undefined) data.port = r.int(k.dstport, "port", 0, 65535);
  if (k.ttl !== undefined) data.ttl = r.int(k.ttl, "TTL", 0, 255);
  if (k.learning !== undefined || k.nolearning !== undefined) data.learning = k.nolearning === undefined ? 1 : 0;
  else if (external) data.learning = 0;
  const parent = k.dev ?? r.common.link;
  return parent === undefined ? { data } : { parent, data };
}

/** A new VXLAN tunnel: what `createLink` takes for kind `vxlan`. */
export interface VxlanLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "vxlan";
  /** The underlay link (`IFLA_VXLAN_LINK`), name or index. */
  parent?: string | number;
  /** Tunnel settings (`id` is required by the kernel). */
  data: VxlanData;
}

/** The `vxlan` kind. */
export const VXLAN_KIND: LinkKind<"vxlan", typeof IFLA_VXLAN_ATTRS, never, Omit<VxlanLinkSpec, "kind">> = {
  kind: "vxlan",
  data: IFLA_VXLAN_ATTRS,
  types: {
    data: { name: "VxlanData", prefix: "IFLA_VXLAN_", doc: "VXLAN settings" },
  },
  parentKey: "link",
  prepare,
  json,
  details,
  words: {
    id: { arg: "VNI" },
    vni: { arg: "VNI", key: "id" },
    local: { arg: "address", inet: true },
    remote: { arg: "address", inet: true },
    group: { arg: "address", inet: true },
    dstport: { arg: "port" },
    dev: { arg: "device" },
    ttl: { arg: "TTL" },
    learning: {},
    nolearning: {},
    external: {},
    noexternal: {},
  },
  read,
  help:
    "vxlan { id N | external } [ noexternal ] [ local ADDR ] [ remote ADDR | group ADDR ] [ dstport PORT ] [ dev DEV ]",
};
