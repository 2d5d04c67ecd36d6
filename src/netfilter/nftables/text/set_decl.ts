/**
 * What nft keeps of a set's declaration in its user data and prints back
 * in text only: `typeof` expressions (key and data) and `auto-merge`.
 * nft's JSON (1.0.6) shows neither, so these never reach the JSON objects.
 *
 * @module
 */

import { NFT_CT_KEYS, NFT_META_KEYS } from "../expr/names.ts";
import { exthdrTypeofField } from "../json/exthdr_fields.ts";
import { fieldsOf, type HeaderField, META_JSON_KEYS } from "../json/fields.ts";
import {
  parseUdata,
  UDATA_DATA_INTERVAL,
  UDATA_DATA_TYPEOF,
  UDATA_KEY_TYPEOF,
  UDATA_MERGE_ELEMENTS,
} from "../udata.ts";

/** nft's expression kinds in a typeof TLV (`EXPR_PAYLOAD`, `EXPR_META`, `EXPR_CT`, `EXPR_CONCAT`). */
export const EXPR_PAYLOAD = 7;
/** See {@link EXPR_PAYLOAD}: an extension header's field, an IP or TCP option's, an SCTP chunk's. */
export const EXPR_EXTHDR = 8;
/** See {@link EXPR_PAYLOAD}. */
export const EXPR_META = 9;
/** See {@link EXPR_PAYLOAD}: a verdict map's data. */
export const EXPR_VERDICT = 1;
/** See {@link EXPR_PAYLOAD}. */
export const EXPR_CT = 12;
/** A ct key's number (`NFT_CT_*`) by its name, as a ct typeof stores it. */
export const CT_KEY_IDS: ReadonlyMap<string, number> = new Map(
  Object.entries(NFT_CT_KEYS).map(([id, key]) => [key as string, Number(id)]),
);
/** See {@link EXPR_PAYLOAD}. */
export const EXPR_CONCAT = 13;
/** See {@link EXPR_PAYLOAD}: `osf name`. */
const EXPR_OSF = 11;
/** See {@link EXPR_PAYLOAD}: `numgen inc mod 2`. */
const EXPR_NUMGEN = 23;
/** See {@link EXPR_PAYLOAD}: `ipsec in reqid`. */
export const EXPR_XFRM = 27;

/** `NFT_XFRM_KEY_*` as nft prints them (after `ip`/`ip6` for addresses). */
const XFRM_KEYS: { readonly [k: number]: string } = {
  1: "ip daddr",
  2: "ip6 daddr",
  3: "ip saddr",
  4: "ip6 saddr",
  5: "reqid",
  6: "spi",
};

/**
 * nft's protocol description ids (`PROTO_DESC_*`) of the headers whose
 * template numbers are known here (icmpv6's are not: it is left to `type`).
 */
export const PROTO_DESCS: { readonly [id: number]: string } = {
  1: "ah",
  2: "esp",
  3: "comp",
  4: "icmp",
  6: "udp",
  7: "udplite",
  8: "tcp",
  9: "dccp",
  10: "sctp",
  11: "th",
  12: "ip",
  13: "ip6",
  15: "arp",
  16: "vlan",
  17: "ether",
};

/** nft's template order where it is not our header table's (vlan has `cfi` after `dei`, an alias). */
const TEMPLATES: { readonly [proto: string]: readonly string[] } = { vlan: ["pcp", "dei", "cfi", "id", "type"] };

/** The field names of a header in nft's template order (template n is entry n - 1). */
export function templateFields(proto: string): readonly string[] | undefined {
  return TEMPLATES[proto] ?? fieldsOf(proto)?.map((f) => f.field);
}

/** nft's payload bases (`PROTO_BASE_*`) by number: a raw payload's `@th,160,128`. */
export const RAW_BASES: { readonly [n: number]: string } = { 1: "ll", 2: "nh", 3: "th", 4: "ih" };

const UNQUALIFIED = ["iif", "oif", "iifname", "oifname", "iifgroup", "oifgroup"];

/** A set's declaration as nft's text shows it. */
export interface SetDecl {
  /** `typeof` of the key (`ip saddr . tcp dport`), when nft recorded one that is known here. */
  keyTypeof?: string;
  /** `typeof` of a map's data. */
  dataTypeof?: string;
  /** `auto-merge` was declared. */
  autoMerge: boolean;
  /** A map to ranges (`: interval ipv4_addr`). */
  dataInterval: boolean;
}

function u32(b: Uint8Array | undefined): number | undefined {
  return b && b.length >= 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : undefined;
}

/** The field of an exthdr typeof's data (`NFTNL_UDATA_EXTHDR_DESC` 0, `_TYPE` 1, `_OP` 2). */
export function exthdrField(data: Map<number, Uint8Array>): HeaderField | undefined {
  const desc = u32(data.get(0));
  const type = u32(data.get(1));
  return desc === undefined || type === undefined ? undefined : exthdrTypeofField(u32(data.get(2)) ?? 0, desc, type);
}

/** One typeof expression: `{0: kind, 1: nested data}`, or undefined when not known here. */
function exprText(tlv: Uint8Array): string | undefined {
  const t = parseUdata(tlv);
  const kind = u32(t.get(0));
  const data = parseUdata(t.get(1));
  if (kind === EXPR_VERDICT) return "verdict"; // a verdict map's data
  if (kind === EXPR_PAYLOAD) {
    const base = RAW_BASES[u32(data.get(2)) ?? 0];
    if (!u32(data.get(0)) && base) return `@${base},${u32(data.get(3)) ?? 0},${u32(data.get(4)) ?? 0}`; // raw
    const proto = PROTO_DESCS[u32(data.get(0)) ?? -1];
    const name = proto ? templateFields(proto)?.[(u32(data.get(1)) ?? 0) - 1] : undefined;
    const field = proto ? fieldsOf(proto)?.find((f) => f.field === name) : undefined;
    return field && !field.key ? `${proto} ${field.field}` : undefined;
  }
  if (kind === EXPR_EXTHDR) {
    const f = exthdrField(data);
    // An IPv6 extension header's field is written without `exthdr` (`frag frag-off`).
    return f && `${f.protocol.replace(/^exthdr /, "")} ${f.field}`;
  }
  if (kind === EXPR_META) {
    const key = NFT_META_KEYS[u32(data.get(0)) as keyof typeof NFT_META_KEYS] as string | undefined;
    if (!key) return undefined;
    // nft writes interface keys without `meta`.
    return UNQUALIFIED.includes(key) ? key : `meta ${META_JSON_KEYS[key] ?? key}`;
  }
  if (kind === EXPR_CT) {
    const key = NFT_CT_KEYS[u32(data.get(0)) as keyof typeof NFT_CT_KEYS] as string | undefined;
    const dir = u32(data.get(1));
    return key ? `ct ${dir === 0 ? "original " : dir === 1 ? "reply " : ""}${key}` : undefined; // else none
  }
  // nft writes nothing of osf's (its TTL mode is not kept): it reads back as `osf name`.
  if (kind === EXPR_OSF) return "osf name";
  if (kind === EXPR_NUMGEN) {
    const type = ({ 0: "inc", 1: "random" } as Record<number, string>)[u32(data.get(0)) ?? -1];
    const offset = u32(data.get(2)) ?? 0;
    return type && `numgen ${type} mod ${u32(data.get(1)) ?? 0}${offset ? ` offset ${offset}` : ""}`;
  }
  if (kind === EXPR_XFRM) {
    const dir = ({ 0: "in", 1: "out" } as Record<number, string>)[u32(data.get(2)) ?? -1];
    const key = XFRM_KEYS[u32(data.get(0)) ?? -1];
    const spnum = u32(data.get(1)) ?? 0;
    return dir && key && `ipsec ${dir}${spnum ? ` spnum ${spnum}` : ""} ${key}`;
  }
  return undefined;
}

/** A typeof TLV: one expression, or a concatenation (`{0: EXPR_CONCAT, 1: {0: expr, 1: expr, ...}}`). */
function typeofText(tlv: Uint8Array | undefined): string | undefined {
  if (!tlv) return undefined;
  const t = parseUdata(tlv);
  if (u32(t.get(0)) !== EXPR_CONCAT) return exprText(tlv);
  const parts = [...parseUdata(t.get(1)).values()].map(exprText);
  return parts.length && parts.every((p) => p !== undefined) ? parts.join(" . ") : undefined;
}

/** The declaration nft recorded in a set's user data. */
export function setDecl(userdata: Uint8Array | undefined): SetDecl {
  const u = parseUdata(userdata);
  return {
    keyTypeof: typeofText(u.get(UDATA_KEY_TYPEOF)),
    dataTypeof: typeofText(u.get(UDATA_DATA_TYPEOF)),
    autoMerge: (u32(u.get(UDATA_MERGE_ELEMENTS)) ?? 0) !== 0,
    dataInterval: (u.get(UDATA_DATA_INTERVAL)?.[0] ?? 0) !== 0,
  };
}
