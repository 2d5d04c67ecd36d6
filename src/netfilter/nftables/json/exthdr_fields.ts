/**
 * Fields of extension headers and options that nft names: IPv6 extension
 * headers (`exthdr frag more-fragments`), TCP options (`tcp option maxseg
 * size`), IPv4 options (`ip option rr addr`) and SCTP chunks (`sctp chunk
 * init init-tag`), by the `exthdr` expression's op, header type, offset
 * and length in bits.
 *
 * @module
 */

import type { HeaderField } from "./fields.ts";
import type { Json, NftTypeName } from "./types.ts";

/** The `exthdr` ops nft's JSON names, with their JSON key. */
export const EXTHDR_KEYS = { ipv6: "exthdr", tcpopt: "tcp option", ipv4: "ip option", sctp: "sctp chunk" } as const;

/**
 * nft's JSON key of a DCCP option test (`dccp option 4 exists` is
 * `{"dccp option": {"type": 4}}`, nftables >= 1.0.8's schema): the kernel's
 * `exthdr` op `dccp` only tests presence, so there are no fields to name.
 */
export const DCCP_OPTION = "dccp option";

/** An `exthdr` op of {@link EXTHDR_KEYS}. */
export type ExthdrOp = keyof typeof EXTHDR_KEYS;

type Row = [field: string, offset: number, len: number, type?: NftTypeName];

/** One header or option: its name, its type number, its fields. */
export interface ExthdrDesc {
  /** nft's name (`frag`, `maxseg`). */
  name: string;
  /** The header's protocol number, the option's kind or the chunk's type. */
  type: number;
  /** Its fields. */
  fields: readonly HeaderField[];
}

const KIND: Row[] = [["kind", 0, 8], ["length", 8, 8]];
const SACK: Row[] = [0, 1, 2, 3].flatMap((n): Row[] => [["left", 16 + n * 64, 32], ["right", 48 + n * 64, 32]]);
const NEXT: Row[] = [["nexthdr", 0, 8, "inet_proto"], ["hdrlength", 8, 8]];
const ROUTE: Row[] = [["type", 0, 8], ["length", 8, 8], ["ptr", 16, 8], ["addr", 24, 32, "ipv4_addr"]];
// Routing header addresses (`srh sid[1]`, `rt0 addr[1]`): 128 bits each after the first 8 bytes; nft 1.0.6 counts them from 1.
const ADDRS = (name: string): Row[] =>
  Array.from({ length: 16 }, (_, i): Row => [`${name}[${i + 1}]`, 64 + i * 128, 128, "ipv6_addr"]);
const CHUNK: Row[] = [["type", 0, 8], ["flags", 8, 8], ["length", 16, 16]];
const INIT: Row[] = [
  ["init-tag", 32, 32],
  ["a-rwnd", 64, 32],
  ["num-outbound-streams", 96, 16],
  ["num-inbound-streams", 112, 16],
  ["initial-tsn", 128, 32],
];

const TABLES: Record<ExthdrOp, [name: string, type: number, rows: Row[]][]> = {
  ipv6: [
    ["hbh", 0, NEXT],
    ["rt", 43, [...NEXT, ["type", 16, 8], ["seg-left", 24, 8]]],
    // Routing header types share header 43: listed as nft 1.0.6 lists them (srh first), applied by any name.
    ["srh", 43, [["last-entry", 32, 8], ["flags", 40, 8], ["tag", 48, 16], ...ADDRS("sid")]],
    ["rt0", 43, ADDRS("addr")],
    ["rt2", 43, [["addr", 64, 128, "ipv6_addr"]]],
    ["frag", 44, [
      ["nexthdr", 0, 8, "inet_proto"],
      ["reserved", 8, 8],
      ["frag-off", 16, 13],
      ["reserved2", 29, 2],
      ["more-fragments", 31, 1],
      ["id", 32, 32],
    ]],
    ["dst", 60, NEXT],
    ["mh", 135, [...NEXT, ["type", 16, 8, "mh_type"], ["reserved", 24, 8], ["checksum", 32, 16]]],
  ],
  tcpopt: [
    ["eol", 0, [["kind", 0, 8]]],
    ["nop", 1, [["kind", 0, 8]]],
    ["maxseg", 2, [...KIND, ["size", 16, 16]]],
    ["window", 3, [...KIND, ["count", 16, 8]]],
    ["sack-perm", 4, KIND],
    ["sack", 5, [...KIND, ...SACK]],
    ["timestamp", 8, [...KIND, ["tsval", 16, 32], ["tsecr", 48, 32]]],
    ["md5sig", 19, KIND],
    ["mptcp", 30, [...KIND, ["subtype", 16, 4]]],
    ["fastopen", 34, KIND],
  ],
  ipv4: [
    ["rr", 7, ROUTE],
    ["lsrr", 131, ROUTE],
    ["ssrr", 137, ROUTE],
    ["ra", 148, [["type", 0, 8], ["length", 8, 8], ["value", 16, 16]]],
  ],
  sctp: [
    ["data", 0, [...CHUNK, ["tsn", 32, 32], ["stream", 64, 16], ["ssn", 80, 16], ["ppid", 96, 32]]],
    ["init", 1, [...CHUNK, ...INIT]],
    ["init-ack", 2, [...CHUNK, ...INIT]],
    ["sack", 3, [
      ...CHUNK,
      ["cum-tsn-ack", 32, 32],
      ["a-rwnd", 64, 32],
      ["num-gap-ack-blocks", 96, 16],
      ["num-dup-tsns", 112, 16],
    ]],
    ["heartbeat", 4, CHUNK],
    ["heartbeat-ack", 5, CHUNK],
    ["abort", 6, CHUNK],
    ["shutdown", 7, [...CHUNK, ["cum-tsn-ack", 32, 32]]],
    ["shutdown-ack", 8, CHUNK],
    ["error", 9, CHUNK],
    ["cookie-echo", 10, CHUNK],
    ["cookie-ack", 11, CHUNK],
    ["ecne", 12, [...CHUNK, ["lowest-tsn", 32, 32]]],
    ["cwr", 13, [...CHUNK, ["lowest-tsn", 32, 32]]],
    ["shutdown-complete", 14, CHUNK],
    ["asconf-ack", 128, [...CHUNK, ["seqno", 32, 32]]],
    ["forward-tsn", 192, [...CHUNK, ["new-cum-tsn", 32, 32]]],
    ["asconf", 193, [...CHUNK, ["seqno", 32, 32]]],
  ],
};

/** nft's JSON naming a field (or, without `field`, testing the header's presence). */
export function exthdrJson(op: ExthdrOp, name: string, field?: string): Json {
  return { [EXTHDR_KEYS[op]]: field === undefined ? { name } : { name, field } };
}

function descOf(op: ExthdrOp, name: string, type: number, rows: Row[]): ExthdrDesc {
  const base = op === "tcpopt" || op === "sctp" ? "th" : "nh";
  const fields = rows.map(([field, offset, len, t]): HeaderField => {
    // A SACK block past the first is named by its number: `sack1 left`.
    const block = op === "tcpopt" && offset >= 64 ? String(Math.floor(offset / 64)) : "";
    const key = exthdrJson(op, name + block, field);
    return { protocol: `${EXTHDR_KEYS[op]} ${name}`, field, base, offset, len, type: t ?? "integer", key };
  });
  return { name, type, fields };
}

const BY_TYPE = new Map<string, ExthdrDesc>();
const BY_NAME = new Map<string, ExthdrDesc>();
for (const op of Object.keys(TABLES) as ExthdrOp[]) {
  for (const [name, type, rows] of TABLES[op]) {
    const d = descOf(op, name, type, rows);
    // A type lists by its first name, with the fields of every name sharing it (the first of equal ones wins).
    const first = BY_TYPE.get(`${op} ${type}`);
    BY_TYPE.set(`${op} ${type}`, first ? { ...first, fields: [...first.fields, ...d.fields] } : d);
    BY_NAME.set(`${EXTHDR_KEYS[op]} ${name}`, d);
  }
}

/** The header or option of `op` with type number `type`. */
export function exthdrByType(op: ExthdrOp, type: number): ExthdrDesc | undefined {
  return BY_TYPE.get(`${op} ${type}`);
}

/** The header or option nft's JSON key (`tcp option`) and name (`maxseg`) give. */
export function exthdrByName(key: string, name: string): ExthdrDesc | undefined {
  return BY_NAME.get(`${key} ${name}`);
}

/** nft's ids of the IPv6 extension headers (`EXTHDR_DESC_*`) in a set's typeof user data. */
const IPV6_DESC_IDS = ["", "hbh", "rt", "rt0", "rt2", "srh", "frag", "dst", "mh"];
/** nft's IPv4 option templates (`IPOPT_FIELD_*`), which keep `value` and `ptr` apart for every option. */
const IPV4_TEMPLATES = ["", "type", "length", "value", "ptr", "addr"];
/** `NFT_EXTHDR_OP_*` by number. */
const OPS: readonly ExthdrOp[] = ["ipv6", "tcpopt", "ipv4", "sctp"];

/**
 * nft's exthdr user data of a typeof naming `field` of header or option
 * `name` (`exthdr_expr_build_udata`): `[key, value]` pairs in its order, and
 * the field; undefined when there is no such field.
 */
export function exthdrTypeofData(
  op: ExthdrOp,
  name: string,
  field: string,
): { tlvs: [number, number][]; field: HeaderField } | undefined {
  const d = exthdrByName(EXTHDR_KEYS[op], name);
  const i = d?.fields.findIndex((f) => f.field === field) ?? -1;
  if (!d || i < 0) return undefined;
  // IPv6 headers go by nft's own ids, with templates from 1; the others by their kind, with their op.
  if (op === "ipv6") return { tlvs: [[1, i + 1], [0, IPV6_DESC_IDS.indexOf(name)]], field: d.fields[i] };
  const type = op === "ipv4" ? IPV4_TEMPLATES.indexOf(field) : i;
  return { tlvs: [[1, type], [2, OPS.indexOf(op)], [0, d.type]], field: d.fields[i] };
}

/**
 * The field a set's typeof names with nft's exthdr user data: `op`
 * (`NFT_EXTHDR_OP_*`, IPv6 when absent), `desc` (the IPv6 header's id, else
 * the option's kind or the chunk's type) and `type` (the field's template
 * number: from 1 for IPv6 headers and IPv4 options, from 0 otherwise).
 */
export function exthdrTypeofField(op: number, desc: number, type: number): HeaderField | undefined {
  const o = OPS[op];
  if (o === undefined) return undefined;
  const row = o === "ipv6"
    ? TABLES.ipv6.find(([name]) => name === IPV6_DESC_IDS[desc])
    : TABLES[o].find(([, t]) => t === desc);
  if (!row) return undefined;
  const d = descOf(o, row[0], row[1], row[2]);
  if (o === "ipv4") return d.fields.find((f) => f.field === IPV4_TEMPLATES[type]);
  return d.fields[o === "ipv6" ? type - 1 : type];
}
