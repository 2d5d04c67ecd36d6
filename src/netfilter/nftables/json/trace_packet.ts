/**
 * A traced packet's headers as the matches `nft monitor trace` prints
 * (`ip saddr 10.0.0.1 ip daddr ...`): each header split into the fields
 * of its protocol in template order, the rest of a header raw
 * (`@th,64,96 0x...`), checksums and the fields nft filters left out, in
 * nft's order per protocol, and a protocol match dropped where a field of
 * the next header implies it (nft's trace_gen_stmts).
 *
 * @module
 */

import type { Json } from "./types.ts";
import { typeByName } from "./types.ts";
import { fieldJson, fieldsOf, type HeaderField } from "./fields.ts";
import { fieldType, L4_NAMES, NH_OF_ETHER_TYPE } from "./rule_json_base.ts";
import { isFlagType, renderValue, renderWhole } from "./value_codec.ts";

type Base = "ll" | "nh" | "th";
const BASES: readonly Base[] = ["ll", "nh", "th"];
const DEPTH: Record<Base, number> = { ll: 0, nh: 1, th: 2 };

/** What nft's protocol description says beyond the fields: how a trace shows them. */
interface Format {
  /** The field naming the next protocol (`protocol_key`), and the protocols by its value. */
  key?: [field: string, upper: Record<number, string>];
  /** The checksum field, never shown. */
  checksum?: string;
  /** Fields never shown (`format.filter`). */
  filter?: readonly string[];
  /** The fields shown first, in this order (`format.order`). */
  order?: readonly string[];
}

const LL_UPPER: Record<number, string> = { ...NH_OF_ETHER_TYPE, 0x8100: "vlan", 0x88a8: "vlan" };

const FORMATS: Record<string, Format> = {
  ether: { key: ["type", LL_UPPER], order: ["saddr", "daddr", "type"] },
  vlan: { key: ["type", LL_UPPER] },
  arp: {
    filter: ["htype", "ptype", "hlen", "plen", "saddr ether", "daddr ether", "saddr ip", "daddr ip"],
  },
  ip: {
    key: ["protocol", L4_NAMES],
    checksum: "checksum",
    filter: ["version", "hdrlength", "frag-off"],
    order: ["saddr", "daddr", "dscp", "ecn", "ttl", "id", "protocol", "length"],
  },
  ip6: {
    key: ["nexthdr", L4_NAMES],
    filter: ["version"],
    order: ["saddr", "daddr", "dscp", "ecn", "hoplimit", "flowlabel", "nexthdr", "length"],
  },
  tcp: { checksum: "checksum", filter: ["sequence", "ackseq", "doff", "reserved", "urgptr"] },
  udp: { checksum: "checksum" },
  sctp: { checksum: "checksum" },
  igmp: { checksum: "checksum" },
  icmp: { key: ["type", {}], checksum: "checksum" },
  icmpv6: { key: ["type", {}], checksum: "checksum" },
  ah: { filter: ["reserved", "sequence"], order: ["spi", "hdrlength", "nexthdr"] },
};

/** One match of the packet, with what nft's dependency handling needs to know of it. */
interface Shown {
  json: Json;
  field?: HeaderField;
  /** Its value as a number, for a protocol key. */
  value: number;
}

/** What a trace says of the packet. */
export interface TracedPacket {
  /** The trace's family (`inet`, `ip`, `bridge`, ...). */
  family: string;
  /** `NFTA_TRACE_NFPROTO`: the packet's own family in an inet or netdev chain. */
  nfproto?: number;
  /** `NFTA_TRACE_IIFTYPE`: the input device's type (`ARPHRD_*`). */
  iiftype?: number;
  /** The link-layer, network and transport headers the kernel copied. */
  headers: { ll?: Uint8Array; nh?: Uint8Array; th?: Uint8Array };
}

const ARPHRD_ETHER = 1;
const NFPROTO_IPV4 = 2;
const NFPROTO_IPV6 = 10;

/** The header protocols a chain of `family` starts from, before the packet says more. */
function startProtocols(p: TracedPacket): Partial<Record<Base, string>> {
  const ctx: Partial<Record<Base, string>> = {};
  if (p.family === "ip") ctx.nh = "ip";
  else if (p.family === "ip6") ctx.nh = "ip6";
  else if (p.family === "arp") ctx.nh = "arp";
  else if (p.family === "bridge") ctx.ll = "ether";
  else if (p.family === "inet" && p.nfproto !== undefined) {
    // inet names its network protocol by the packet's family; netdev's table is keyed by ether type.
    ctx.nh = p.nfproto === NFPROTO_IPV4 ? "ip" : p.nfproto === NFPROTO_IPV6 ? "ip6" : undefined;
  }
  if (ctx.ll === undefined && p.iiftype === ARPHRD_ETHER) ctx.ll = "ether";
  return ctx;
}

/** `len` bits of `b` from bit `offset`, right-aligned in whole bytes (network order). */
function bitsOf(b: Uint8Array, offset: number, len: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(len / 8));
  const pad = out.length * 8 - len;
  for (let i = 0; i < len; i++) {
    const bit = (b[(offset + i) >> 3] >> (7 - ((offset + i) & 7))) & 1;
    if (bit) out[(pad + i) >> 3] |= 0x80 >> ((pad + i) & 7);
  }
  return out;
}

function numberOf(b: Uint8Array): number {
  return b.length > 6 ? NaN : b.reduce((n, x) => n * 256 + x, 0);
}

function match(left: Json, right: Json): Json {
  return { match: { op: "==", left, right } };
}

/**
 * The fields of `protocol` a header of `len` bits from `offset` splits
 * into, the first that fits at each offset (nft's payload_expr_expand),
 * then what is left, raw (a field cut short by the header's end too).
 */
function expand(protocol: string | undefined, offset: number, len: number): (HeaderField | [number, number])[] {
  const out: (HeaderField | [number, number])[] = [];
  for (const f of (protocol && fieldsOf(protocol)) || []) {
    if (len === 0 || f.offset !== offset || f.len > len) continue;
    out.push(f);
    offset += f.len;
    len -= f.len;
  }
  if (len > 0) out.push([offset, len]);
  return out;
}

/** The matches nft prints for a traced packet's headers (after `packet:` and its interfaces). */
export function tracePacketMatches(p: TracedPacket): Json[] {
  const ctx = startProtocols(p);
  const shown: Shown[] = [];
  const deps: (Shown | undefined)[] = [];
  let icmpSeen = false;
  const killable = (dep: Shown, f: HeaderField): boolean => {
    // These families' chains see more than one network protocol: the one a match names stays.
    const mixed = ["inet", "bridge", "netdev"].includes(p.family);
    const depBase = dep.field!.base;
    if (mixed && depBase === "nh" && f.base === "th") return false;
    if (mixed && depBase === f.base) {
      if (FORMATS[f.protocol]?.key?.[0] === f.field) return false;
      // `vlan id` implies `ether type 8021q`, not another type; a `vlan type` stays.
      if (f.base === "ll") {
        return dep.field!.protocol === "ether" ? dep.value === 0x8100 : dep.field!.protocol !== "vlan";
      }
    }
    return true;
  };
  for (const base of BASES) {
    const bytes = p.headers[base];
    if (!bytes) continue;
    const unordered: Shown[] = [];
    let offset = 0;
    let len = bytes.length * 8;
    restart: for (;;) {
      const protocol = ctx[base];
      for (const part of expand(protocol, offset, len)) {
        // A header stacked on this one (`ether type vlan`): split the rest as its fields.
        if (ctx[base] !== protocol) continue restart;
        const [at, bits] = Array.isArray(part) ? part : [part.offset, part.len];
        const data = bitsOf(bytes, at, bits);
        [offset, len] = [at + bits, len - bits];
        if (Array.isArray(part)) {
          const raw = { ...typeByName("be_integer"), size: data.length };
          unordered.push({
            json: match({ payload: { base, offset: at, len: bits } }, renderValue(raw, data)),
            value: NaN,
          });
          continue;
        }
        const fmt = FORMATS[part.protocol] ?? {};
        if (part.field === fmt.checksum || fmt.filter?.includes(part.field)) continue;
        const t = fieldType(part);
        const right = isFlagType(t) && t.bits ? renderWhole(t, data) : renderValue(t, data);
        const value = numberOf(data);
        unordered.push({ json: match(fieldJson(part), right), field: part, value });
        const upper = fmt.key?.[0] === part.field ? fmt.key[1][value] : undefined;
        if (upper) ctx[FIELD_BASE[upper] ?? base] = upper;
      }
      break;
    }
    // In each protocol's order; what the order does not name follows as split, once the order is done.
    let n = 0;
    for (;;) {
      const i = unordered.findIndex((s) => {
        const order = s.field ? FORMATS[s.field.protocol]?.order : undefined;
        return !order?.[n] || order[n] === s.field!.field;
      });
      if (i < 0) break;
      const [s] = unordered.splice(i, 1);
      shown.push(s);
      n++;
      const f = s.field;
      if (!f) continue;
      const depth = DEPTH[f.base];
      const dep = deps[depth];
      if (dep && !icmpSeen && killable(dep, f)) {
        shown.splice(shown.indexOf(dep), 1);
        deps[depth] = undefined;
      }
      const key = FORMATS[f.protocol]?.key;
      if (key?.[0] !== f.field) continue;
      if (f.protocol === "icmp" || f.protocol === "icmpv6") {
        // nft keeps the message type, and drops nothing more once it knows it.
        icmpSeen = true;
        continue;
      }
      const upper = key[1][s.value];
      const stacked = upper !== undefined && FIELD_BASE[upper] === f.base;
      deps[depth + (stacked ? 0 : 1)] = s;
    }
  }
  return shown.map((s) => s.json);
}

/** The header each protocol's fields belong to. */
const FIELD_BASE: Record<string, Base> = Object.fromEntries(
  [...new Set([...Object.values(LL_UPPER), ...Object.values(L4_NAMES)])].map((
    p,
  ) => [p, fieldsOf(p)?.[0]?.base ?? "th"]),
);
