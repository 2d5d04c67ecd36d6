/**
 * The `typeof` user data nft writes for an anonymous set's key
 * (`NFTNL_UDATA_SET_KEY_TYPEOF`) of a concatenation, which nft needs to
 * list one holding an integer field (a raw payload `ip saddr . @ih,32,32`,
 * `ether saddr . vlan id`): without it nft takes the field as an integer
 * of no length and 1.0.6 aborts ("concat_expr_msort_value: Assertion
 * `ilen > 0' failed").
 *
 * @module
 */

import { NFT_CT_KEYS, NFT_META_KEYS } from "../expr/names.ts";
import { buildUdata, parseUdata } from "../udata.ts";
import {
  CT_KEY_IDS,
  EXPR_CONCAT,
  EXPR_CT,
  EXPR_EXTHDR,
  EXPR_META,
  EXPR_PAYLOAD,
  EXPR_VERDICT,
  EXPR_XFRM,
  exthdrField,
  PROTO_DESCS,
  templateFields,
} from "../text/set_decl.ts";
import { CT_TYPES, fieldsOf, META_JSON_KEYS, META_TYPES } from "./fields.ts";
import type { Json, NftType } from "./types.ts";

/** nft's payload bases (`PROTO_BASE_*`). */
const BASES: { readonly [base: string]: number } = { ll: 1, nh: 2, th: 3, ih: 4 };

const DESC_IDS = new Map(Object.entries(PROTO_DESCS).map(([id, name]) => [name, Number(id)]));
const META_IDS = new Map(
  Object.entries(NFT_META_KEYS).map(([id, key]) => [META_JSON_KEYS[key] ?? key, Number(id)]),
);

type Obj = { readonly [k: string]: Json };

function isObj(v: Json): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** `{0: kind, 1: data}`: one expression as nft's `set_key_expression` nests it. */
function typed(kind: number, data: Uint8Array): Uint8Array {
  return buildUdata([[0, u32(kind)], [1, data]]);
}

/** One field of the key: a payload (raw or named) or a meta key; undefined for any other. */
function part(x: Json): Uint8Array | undefined {
  if (!isObj(x)) return undefined;
  const p = x.payload;
  if (isObj(p)) {
    if (typeof p.base === "string") {
      const base = BASES[p.base];
      if (base === undefined || typeof p.offset !== "number" || typeof p.len !== "number") return undefined;
      // desc 0 and template 0 say raw: base, offset and length (bits) follow.
      return typed(
        EXPR_PAYLOAD,
        buildUdata([[0, u32(0)], [1, u32(0)], [2, u32(base)], [3, u32(p.offset)], [4, u32(p.len)]]),
      );
    }
    const desc = DESC_IDS.get(String(p.protocol));
    const field = fieldsOf(String(p.protocol))?.find((f) => f.field === p.field && !f.key);
    const i = templateFields(String(p.protocol))?.indexOf(String(p.field)) ?? -1;
    if (desc === undefined || !field || i < 0) return undefined;
    const tlvs: [number, Uint8Array][] = [[0, u32(desc)], [1, u32(i + 1)]];
    // nft adds the length of a field typed as a plain integer (`udp length`).
    if (field.type === "integer") tlvs.push([4, u32(field.len)]);
    return typed(EXPR_PAYLOAD, buildUdata(tlvs));
  }
  if (isObj(x.meta)) {
    const id = META_IDS.get(String(x.meta.key));
    return id === undefined ? undefined : typed(EXPR_META, buildUdata([[0, u32(id)]]));
  }
  if (isObj(x.ct)) {
    // Key and direction (none: -1), as nft's ct_expr_build_udata writes them.
    const id = CT_KEY_IDS.get(String(x.ct.key));
    const dir = x.ct.dir === "original" ? 0 : x.ct.dir === "reply" ? 1 : 0xffffffff;
    return id === undefined ? undefined : typed(EXPR_CT, buildUdata([[0, u32(id)], [1, u32(dir)]]));
  }
  return undefined;
}

/**
 * The key typeof (and, for a verdict map, the data typeof nft needs next to
 * it) of an anonymous set keyed by the concatenation `key`; undefined for
 * other keys and for fields not encoded here (nft then goes by the types).
 */
export function anonSetTypeof(
  key: Json,
  verdictMap: boolean,
): { keyTypeof: Uint8Array; dataTypeof?: Uint8Array } | undefined {
  if (!isObj(key) || !Array.isArray(key.concat)) return undefined;
  const parts = key.concat.map(part);
  if (parts.some((p) => p === undefined)) return undefined;
  const keyTypeof = typed(EXPR_CONCAT, buildUdata(parts.map((p, i) => [i, p!])));
  return verdictMap ? { keyTypeof, dataTypeof: typed(EXPR_VERDICT, new Uint8Array()) } : { keyTypeof };
}

function readU32(b: Uint8Array | undefined): number | undefined {
  return b && b.length >= 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : undefined;
}

/** The size (bytes) and byte order of one typeof expression, when known here. */
function fieldShape(tlv: Uint8Array): { size: number; host: boolean } | undefined {
  const t = parseUdata(tlv);
  const kind = readU32(t.get(0));
  const data = parseUdata(t.get(1));
  const key = readU32(data.get(0));
  if (kind === EXPR_EXTHDR) {
    // An option's or extension header's field is in network order (`tcp option maxseg size`).
    const f = exthdrField(data);
    return f && { size: Math.ceil(f.len / 8), host: false };
  }
  // `ipsec in reqid` (`NFT_XFRM_KEY_REQID`): nft's host-order 32-bit integer.
  if (kind === EXPR_XFRM) return key === 5 ? { size: 4, host: true } : undefined;
  if (kind === EXPR_PAYLOAD) {
    // A raw payload, or a field typed as an integer, carries its length in bits; else the template has it.
    const bits = readU32(data.get(4)) ??
      fieldsOf(PROTO_DESCS[key ?? -1] ?? "")?.find((f) =>
        f.field === templateFields(PROTO_DESCS[key ?? -1])?.[(readU32(data.get(1)) ?? 0) - 1]
      )?.len;
    return bits ? { size: Math.ceil(bits / 8), host: false } : undefined;
  }
  const name = kind === EXPR_META
    ? NFT_META_KEYS[key as keyof typeof NFT_META_KEYS]
    : kind === EXPR_CT
    ? NFT_CT_KEYS[key as keyof typeof NFT_CT_KEYS]
    : undefined;
  const known = kind === EXPR_META ? META_TYPES[META_JSON_KEYS[name ?? ""] ?? name ?? ""] : CT_TYPES[name ?? ""];
  return known ? { size: known[1], host: true } : undefined;
}

/**
 * `types` (a set's key or data fields) with each integer field sized and
 * ordered as the set's typeof user data `tlv` says (`udp length . @th,160,128`:
 * 2 and 16 bytes, network order), which nft reads to print them; `types`
 * unchanged when there is none or it does not match.
 */
export function sizedByTypeof(types: NftType[], tlv: Uint8Array | undefined): NftType[] {
  if (!tlv || !types.some((t) => t.name === "integer")) return types;
  const t = parseUdata(tlv);
  const parts = readU32(t.get(0)) === EXPR_CONCAT ? [...parseUdata(t.get(1)).values()] : [tlv];
  if (parts.length !== types.length) return types;
  return types.map((ty, i) => {
    const shape = ty.name === "integer" ? fieldShape(parts[i]) : undefined;
    return shape ? { ...ty, ...shape } : ty;
  });
}
