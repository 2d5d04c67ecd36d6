/**
 * A set's `typeof EXPR` declaration: the data types the expression yields
 * (`typeof ip saddr . tcp dport` is `ipv4_addr . inet_service`), which is
 * what the kernel and nft's JSON keep of it, and the expression as nft
 * records it in the set's user data (`NFTNL_UDATA_SET_KEY_TYPEOF`, mnl.c
 * `set_key_expression`) so that nft lists `typeof` back.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { NFT_META_KEYS } from "../expr/names.ts";
import { type ExthdrOp, exthdrTypeofData } from "../json/exthdr_fields.ts";
import { CT_TYPES, HEADER_FIELDS, META_JSON_KEYS, META_TYPES, XFRM_KEYS } from "../json/fields.ts";
import { buildUdata } from "../udata.ts";
import { UNQUALIFIED_META } from "./statement.ts";
import {
  CT_KEY_IDS,
  EXPR_CONCAT,
  EXPR_CT,
  EXPR_EXTHDR,
  EXPR_META,
  EXPR_PAYLOAD,
  EXPR_VERDICT,
  EXPR_XFRM,
  PROTO_DESCS,
  templateFields,
} from "./set_decl.ts";

const META_BY_JSON = Object.fromEntries(Object.entries(META_JSON_KEYS).map(([k, j]) => [j, k]));
const META_IDS = new Map(Object.entries(NFT_META_KEYS).map(([id, k]) => [k as string, Number(id)]));
const DESC_IDS = new Map(Object.entries(PROTO_DESCS).map(([id, name]) => [name, Number(id)]));
/** nft's `EXPR_OSF` and `EXPR_NUMGEN` (set_decl.ts reads them back). */
const EXPR_OSF = 11;
const EXPR_NUMGEN = 23;
/** The IPv6 extension headers a typeof names bare (`frag frag-off`). */
const IPV6_EXTHDRS = ["hbh", "rt", "rt0", "rt2", "srh", "frag", "dst", "mh"];
/** nft's `NFT_XFRM_KEY_*` of `ipsec in [ip|ip6] KEY`. */
const XFRM_IDS: { readonly [key: string]: number } = {
  "ip daddr": 1,
  "ip6 daddr": 2,
  "ip saddr": 3,
  "ip6 saddr": 4,
  reqid: 5,
  spi: 6,
};

/** A typeof declaration: its types, and nft's user data of it (undefined when a part has no encoding here). */
export interface TypeofDecl {
  /** The type names, one per concatenated expression. */
  types: string[];
  /** `{0: kind, 1: data}`, or a concatenation of those: the TLV nft stores. */
  udata?: Uint8Array;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** `{0: kind, 1: {tlvs}}`: one expression as `set_key_expression` nests it. */
function typed(kind: number, tlvs: [number, Uint8Array][]): Uint8Array {
  return buildUdata([[0, u32(kind)], [1, buildUdata(tlvs)]]);
}

/** The exthdr op of a typeof starting `w next`: an IPv6 extension header, a TCP or IP option, an SCTP chunk. */
function exthdrOp(w: string, next: string | undefined): ExthdrOp | undefined {
  if (IPV6_EXTHDRS.includes(w)) return "ipv6";
  if (next === "option") return w === "tcp" ? "tcpopt" : w === "ip" ? "ipv4" : undefined;
  return w === "sctp" && next === "chunk" ? "sctp" : undefined;
}

/** Parses a typeof expression's words (concatenated by `.`); throws naming a word it cannot type. */
export function typeofDecl(words: readonly string[]): TypeofDecl {
  const types: string[] = [];
  const parts: (Uint8Array | undefined)[] = [];
  let i = 0;
  const next = () => words[i++];
  while (i < words.length) {
    const w = next();
    let type: string | undefined;
    let part: Uint8Array | undefined;
    if (w === "verdict") (type = "verdict"), (part = typed(EXPR_VERDICT, []));
    else if (w === "osf" && words[i] === "name") (type = "string"), i++, (part = typed(EXPR_OSF, []));
    else if (w === "numgen" && /^(inc|random)$/.test(words[i] ?? "") && words[i + 1] === "mod") {
      // `numgen inc mod 2 [offset N]`: a 32-bit integer.
      const kind = next() === "inc" ? 0 : 1;
      i++;
      const mod = Number(next());
      const offset = words[i] === "offset" ? (i++, Number(next())) : 0;
      if (Number.isSafeInteger(mod) && Number.isSafeInteger(offset)) {
        type = "integer";
        part = typed(EXPR_NUMGEN, [[0, u32(kind)], [1, u32(mod)], [2, u32(offset)]]);
      }
    } else if (/^@(ll|nh|th|ih)$/.test(w) && words[i] === "," && words[i + 2] === ",") {
      // A raw payload `@ih,32,32`: an integer of that many bits, in network order.
      const offset = Number(words[i + 1]);
      const len = Number(words[i + 3]);
      i += 4;
      if (Number.isSafeInteger(offset) && Number.isSafeInteger(len) && len > 0) {
        type = "integer";
        const base = ["ll", "nh", "th", "ih"].indexOf(w.slice(1)) + 1;
        part = typed(EXPR_PAYLOAD, [[0, u32(0)], [1, u32(0)], [2, u32(base)], [3, u32(offset)], [4, u32(len)]]);
      }
    } else if (w === "meta" || UNQUALIFIED_META.includes(w)) {
      const key = w === "meta" ? next() ?? "" : w;
      type = META_TYPES[key]?.[0] ?? META_TYPES[META_BY_JSON[key] ?? ""]?.[0];
      // Our names are nft's JSON ones (`length`); the ids go by the kernel's (`len`).
      const id = META_IDS.get(META_BY_JSON[key] ?? key);
      if (id !== undefined) part = typed(EXPR_META, [[0, u32(id)]]);
    } else if (w === "ct") {
      let key = next();
      const dir = key === "original" ? 0 : key === "reply" ? 1 : -1;
      if (dir >= 0) key = next();
      if ((key === "ip" || key === "ip6") && CT_TYPES[`${key} ${words[i]}`]) key = `${key} ${next()}`;
      type = CT_TYPES[key ?? ""]?.[0];
      const id = CT_KEY_IDS.get(key ?? "");
      if (id !== undefined) part = typed(EXPR_CT, [[0, u32(id)], [1, u32(dir)]]);
    } else if (w === "ipsec" && (words[i] === "in" || words[i] === "out")) {
      // `ipsec in [spnum N] [ip|ip6] reqid`: key, spnum, direction.
      const dir = next() === "in" ? 0 : 1;
      const spnum = words[i] === "spnum" ? (i++, Number(next())) : 0;
      const key = words[i] === "ip" || words[i] === "ip6" ? `${next()} ${next()}` : next() ?? "";
      const xfrm = Object.values(XFRM_KEYS).find(([k, , , fam]) => (fam ? `${fam} ${k}` : k) === key);
      if (xfrm && Number.isSafeInteger(spnum)) {
        type = xfrm[1];
        part = typed(EXPR_XFRM, [[0, u32(XFRM_IDS[key])], [1, u32(spnum)], [2, u32(dir)]]);
      }
    } else if (exthdrOp(w, words[i])) {
      // `frag frag-off`, `tcp option maxseg size`, `ip option ra value`, `sctp chunk init num-inbound-streams`.
      const op = exthdrOp(w, words[i])!;
      if (op !== "ipv6") i++;
      const name = next() ?? "";
      const x = exthdrTypeofData(op, op === "ipv6" ? w : name, op === "ipv6" ? name : next() ?? "");
      if (x) (type = x.field.type), (part = typed(EXPR_EXTHDR, x.tlvs.map(([k, v]) => [k, u32(v)])));
    } else if (HEADER_FIELDS[w]) {
      const f = HEADER_FIELDS[w][words[i] ?? ""];
      if (f && f.key === undefined) {
        type = f.type;
        i++;
        const desc = DESC_IDS.get(w);
        const tmpl = templateFields(w)?.indexOf(f.field) ?? -1;
        const tlvs: [number, Uint8Array][] = [[0, u32(desc ?? 0)], [1, u32(tmpl + 1)]];
        // nft adds the length of a field typed as a plain integer (`udp length`).
        if (f.type === "integer") tlvs.push([4, u32(f.len)]);
        if (desc !== undefined && tmpl >= 0) part = typed(EXPR_PAYLOAD, tlvs);
      }
    }
    if (type === undefined) {
      throw new InvalidArgumentError(
        `Cannot use "${words.join(" ")}" as typeof: "${w}" is not an expression nlkit can type`,
      );
    }
    types.push(type);
    parts.push(part);
    if (i < words.length && next() !== ".") {
      throw new InvalidArgumentError(`Cannot use "${words.join(" ")}" as typeof: expected "." between expressions`);
    }
  }
  if (parts.some((p) => p === undefined)) return { types };
  const udata = parts.length === 1 ? parts[0] : buildUdata([
    [0, u32(EXPR_CONCAT)],
    [1, buildUdata(parts.map((p, n) => [n, p!]))],
  ]);
  return { types, udata };
}
