/**
 * `bareudp`: UDP tunnels of bare L3 packets (`IFLA_BAREUDP_*`), MPLS or IP
 * by ethertype, read and printed as iproute2's `iplink_bareudp.c`.
 *
 * @module
 */

import type { KindData, KindJson, KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { BareudpData } from "./_generated/types.ts";

/** The ethertypes a bareudp tunnel carries, named as ip prints them (`ll_proto_n2a`). */
export const BAREUDP_ETHERTYPE = { 0x0800: "ip", 0x86dd: "ipv6", 0x8847: "mpls_uc", 0x8848: "mpls_mc" } as const;

/** `IFLA_BAREUDP_*`, in the order iproute2 sends them. `port` and `ethertype` are big-endian on the wire. */
export const IFLA_BAREUDP_ATTRS = {
  port: { type: 1, kind: "u16be" },
  ethertype: { type: 2, kind: "u16be", names: BAREUDP_ETHERTYPE },
  srcportMin: { type: 3, kind: "u16" },
  multiprotoMode: { type: 4, kind: "flag" },
} as const;

/** `bareudp_print_opt` in JSON. */
function json(d: KindData): KindJson {
  const out: KindJson = {};
  if (d.port !== undefined) out.dstport = d.port;
  if (d.ethertype !== undefined) out.ethertype = d.ethertype;
  if (d.srcportMin !== undefined) out.srcportmin = d.srcportMin;
  out.multiproto = d.multiprotoMode === true;
  return out;
}

/** `bareudp_print_opt` in text. */
function details(d: KindData): string {
  let s = d.port === undefined ? "" : `dstport ${d.port} `;
  if (d.ethertype !== undefined) s += `ethertype ${d.ethertype} `;
  if (d.srcportMin !== undefined) s += `srcportmin ${d.srcportMin} `;
  return s + (d.multiprotoMode ? "multiproto " : "nomultiproto ");
}

/** `ethertype` as `ll_proto_a2n` reads it for the four the kernel takes: a name (`ipv4` is `ip`) or a number. */
function ethertype(r: KindWordReader, word: string): string | number {
  const names: string[] = Object.values(BAREUDP_ETHERTYPE);
  if (names.includes(word)) return word;
  if (word === "ipv4") return "ip";
  if (/^(0x[0-9a-f]+|\d+)$/i.test(word)) return r.int(word, "ethertype", 0, 0xffff);
  throw r.unknown("bareudp ethertype", word, [...names, "ipv4"]);
}

function read(r: KindWordReader): KindWordsSpec {
  const k = r.words;
  if (k.multiproto !== undefined && k.nomultiproto !== undefined) {
    throw r.usage(`Use "multiproto" or "nomultiproto", not both`, "nomultiproto");
  }
  const data: KindData = {
    port: r.int(r.required("dstport", "bareudp"), "port", 0, 65535),
    ethertype: ethertype(r, r.required("ethertype", "bareudp")),
  };
  if (k.srcportmin !== undefined) data.srcportMin = r.int(k.srcportmin, "srcportmin", 0, 65535);
  if (k.multiproto !== undefined) data.multiprotoMode = true;
  return { data };
}

/** A new bareudp tunnel: what `createLink` takes for kind `bareudp`. */
export interface BareudpLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "bareudp";
  /** Tunnel settings: `port` and `ethertype` are required by the kernel. */
  data: BareudpData;
}

/** The `bareudp` kind. */
export const BAREUDP_KIND: LinkKind<"bareudp", typeof IFLA_BAREUDP_ATTRS, never, Omit<BareudpLinkSpec, "kind">> = {
  kind: "bareudp",
  data: IFLA_BAREUDP_ATTRS,
  types: {
    data: { name: "BareudpData", prefix: "IFLA_BAREUDP_", doc: "bareudp tunnel settings" },
  },
  json,
  details,
  words: {
    dstport: { arg: "port" },
    ethertype: { arg: "ethertype" },
    srcportmin: { arg: "port" },
    multiproto: {},
    nomultiproto: {},
  },
  read,
  help: "bareudp dstport PORT ethertype { ipv4 | ipv6 | mpls_uc | mpls_mc } [ srcportmin PORT ] [ [no]multiproto ]",
};
