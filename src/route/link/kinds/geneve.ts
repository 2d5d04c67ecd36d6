/**
 * `geneve`: Generic Network Virtualization Encapsulation tunnels
 * (`IFLA_GENEVE_*`, RFC 8926). The worked example of a kind: this module
 * and its line in `registry.ts` are everything nlkit knows about it.
 *
 * @module
 */

import type { Attrs } from "../../../wire/table.ts";
import { AF_INET6, ipFamily } from "../../../wire/addr.ts";
import { flowlabelText, ipv6ToOwnKeys, switchText, switchWord, tosText, ttlText } from "./format.ts";
import type { KindData, KindJson, KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { GeneveData } from "./_generated/types.ts";

/** `GENEVE_DF_*`: the outer header's DF bit. */
export const GENEVE_DF = { 0: "unset", 1: "set", 2: "inherit" } as const;

/**
 * `IFLA_GENEVE_*`, declared in the order iproute2 6.1 sends them (the
 * builder writes table order, so `ip link add` and nlkit send the same
 * bytes). `port` and `label` are big-endian on the wire.
 */
export const IFLA_GENEVE_ATTRS = {
  ttlInherit: { type: 12, kind: "u8" },
  df: { type: 13, kind: "u8", names: GENEVE_DF },
  id: { type: 1, kind: "u32" },
  remote: { type: 2, kind: "ip" },
  remote6: { type: 7, kind: "ip" },
  label: { type: 11, kind: "u32be" },
  ttl: { type: 3, kind: "u8" },
  tos: { type: 4, kind: "u8" },
  port: { type: 5, kind: "u16be" },
  collectMetadata: { type: 6, kind: "flag" },
  innerProtoInherit: { type: 14, kind: "flag" },
  udpCsum: { type: 8, kind: "u8" },
  udpZeroCsum6Tx: { type: 9, kind: "u8" },
  udpZeroCsum6Rx: { type: 10, kind: "u8" },
} as const;

/** An IPv6 `remote` goes to `IFLA_GENEVE_REMOTE6`, as iproute2 sends it. */
function prepare(data: KindData): KindData {
  return ipv6ToOwnKeys(data, [["remote", "remote6"]]);
}

const UNSPECIFIED = new Set(["0.0.0.0", "::"]);
const isMulticast6 = (ip: string): boolean => /^ff/i.test(ip);

/** `[data key, json key, text word]` of the checksum switches, printed `[no]word` in text. */
const CSUMS = [
  ["udpCsum", "udp_csum", "udpcsum"],
  ["udpZeroCsum6Tx", "udp_zero_csum6_tx", "udp6zerocsumtx"],
  ["udpZeroCsum6Rx", "udp_zero_csum6_rx", "udp6zerocsumrx"],
] as const;

/** `geneve_print_opt` in JSON: `ttl` always, `tos` and `label` as `0x..` when set, `df` by name. */
function json(d: KindData): KindJson {
  const out: KindJson = {};
  if (d.collectMetadata) out.external = true;
  if (d.id !== undefined) out.id = d.id;
  const r = d.remote as string | undefined, r6 = d.remote6 as string | undefined;
  if (r !== undefined && !UNSPECIFIED.has(r)) out.remote = r;
  else if (r === undefined && r6 !== undefined && !UNSPECIFIED.has(r6) && !isMulticast6(r6)) out.remote6 = r6;
  if (!d.ttlInherit && d.ttl !== undefined) out.ttl = d.ttl;
  if (d.tos) out.tos = `0x${(d.tos as number).toString(16)}`;
  if (typeof d.df === "string") out.df = d.df;
  if (d.label) out.label = `0x${(d.label as number).toString(16)}`;
  if (d.port !== undefined) out.port = d.port;
  for (const [key, jsonKey] of CSUMS) if (d[key] !== undefined) out[jsonKey] = d[key] !== 0;
  if (d.innerProtoInherit) out.inner_proto_inherit = true;
  return out;
}

/** `geneve_print_opt` in text: `ttl inherit|auto`, `tos inherit`, `df` only when set or inherit. */
function details(d: KindData): string {
  let s = d.collectMetadata ? "external " : "";
  if (d.id !== undefined) s += `id ${d.id} `;
  const r = d.remote as string | undefined, r6 = d.remote6 as string | undefined;
  if (r !== undefined && !UNSPECIFIED.has(r)) s += `remote ${r} `;
  else if (r === undefined && r6 !== undefined && !UNSPECIFIED.has(r6) && !isMulticast6(r6)) s += `remote ${r6} `;
  s += ttlText(d) + tosText(d);
  if (d.df === "set" || d.df === "inherit") s += `df ${d.df} `;
  s += flowlabelText(d);
  if (d.port !== undefined) s += `dstport ${d.port} `;
  for (const [key, , word] of CSUMS) s += switchText(d, key, word);
  if (d.innerProtoInherit) s += "innerprotoinherit ";
  return s;
}

/** On/off word pairs: `[on word, off word]`. */
const SWITCHES = [
  ["external", "noexternal"],
  ["udpcsum", "noudpcsum"],
  ["udp6zerocsumtx", "noudp6zerocsumtx"],
  ["udp6zerocsumrx", "noudp6zerocsumrx"],
] as const;

/** `iplink_geneve.c`'s grammar; like ip, it always sends id, label, ttl and tos on create. */
function read(r: KindWordReader): KindWordsSpec {
  const k = r.words;
  const on = Object.fromEntries(SWITCHES.map(([w, off]) => [w, switchWord(r, w, off)]));
  const external = on.external === 1;
  if (external && k.id !== undefined) throw r.usage(`Use "external" or "id", not both`, "id");
  const d: Attrs<typeof IFLA_GENEVE_ATTRS> = {};
  if (k.ttl === "inherit") d.ttlInherit = 1;
  if (k.df !== undefined) {
    const names = Object.values(GENEVE_DF);
    if (!(names as string[]).includes(k.df)) throw r.unknown("geneve df", k.df, names);
    d.df = k.df as "set";
  }
  d.id = external ? 0 : r.int(r.required("id", "geneve"), "VNI", 0, 0xffffff);
  if (!external) {
    const remote = r.required("remote", "geneve");
    if (/^(22[4-9]|23\d)\.|^ff/i.test(remote)) {
      throw r.usage(`Invalid "remote": "${remote}" (a unicast address)`, remote);
    }
    if (ipFamily(remote) === AF_INET6) d.remote6 = remote;
    else d.remote = remote;
  }
  d.label = k.flowlabel === undefined ? 0 : r.int(k.flowlabel, "flowlabel", 0, 0xfffff);
  d.ttl = k.ttl === undefined || k.ttl === "inherit" || k.ttl === "auto" ? 0 : r.int(k.ttl, "TTL", 0, 255);
  d.tos = k.tos === undefined ? 0 : k.tos === "inherit" ? 1 : r.int(k.tos, "TOS", 0, 255);
  if (k.dstport !== undefined) {
    const port = r.int(k.dstport, "port", 0, 65535);
    // ip sends no port for 0: the kernel's default (6081) stays.
    if (port) d.port = port;
  }
  if (external) d.collectMetadata = true;
  if (k.innerprotoinherit !== undefined) d.innerProtoInherit = true;
  for (const [key, , word] of CSUMS) if (on[word] !== undefined) d[key] = on[word];
  return { data: d };
}

/** A new Geneve tunnel: what `createLink` takes for kind `geneve`. */
export interface GeneveLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "geneve";
  /** Tunnel settings: `id` and `remote` (IPv4 or IPv6), or `collectMetadata` for an external tunnel. */
  data: GeneveData;
}

/** The `geneve` kind. */
export const GENEVE_KIND: LinkKind<"geneve", typeof IFLA_GENEVE_ATTRS, never, Omit<GeneveLinkSpec, "kind">> = {
  kind: "geneve",
  data: IFLA_GENEVE_ATTRS,
  types: {
    data: { name: "GeneveData", prefix: "IFLA_GENEVE_", doc: "Geneve settings" },
  },
  prepare,
  json,
  details,
  words: {
    id: { arg: "VNI" },
    vni: { arg: "VNI", key: "id" },
    remote: { arg: "address", inet: true },
    ttl: { arg: "TTL" },
    hoplimit: { arg: "TTL", key: "ttl" },
    tos: { arg: "TOS" },
    dsfield: { arg: "TOS", key: "tos" },
    df: { arg: "unset, set or inherit" },
    flowlabel: { arg: "label" },
    label: { arg: "label", key: "flowlabel" },
    dstport: { arg: "port" },
    innerprotoinherit: {},
    ...Object.fromEntries(SWITCHES.flat().map((w) => [w, {}])),
  },
  read,
  help:
    "geneve { id VNI remote ADDR | external } [ ttl TTL|auto|inherit ] [ tos TOS|inherit ] [ df unset|set|inherit ]\n" +
    "             [ flowlabel LABEL ] [ dstport PORT ] [ [no]udpcsum ] [ [no]udp6zerocsumtx ] [ [no]udp6zerocsumrx ]\n" +
    "             [ innerprotoinherit ]",
};
