/**
 * Writes the documented interfaces of link kind data from their attribute
 * tables, so `deno doc` lists every field (a type computed from a table,
 * `Attrs<typeof T>`, shows none) while the table stays the one
 * declaration. Each field's doc names its uapi attribute and wire kind.
 * `tests/public_types_test.ts` checks that each interface is the table's
 * parsed type.
 *
 * Usage: `deno run -A scripts/gen_types.ts` (write) or `--check` (exit 1
 * when the generated file is stale; CI runs this).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { AttrSpec, AttrTable } from "../src/wire/table.ts";
import type { AnyLinkKind } from "../src/route/link/kinds/kind.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const OUT = "src/route/link/kinds/_generated/types.ts";

const KINDS = "src/route/link/kinds";

/** Types of values a codec parses, by table and key (a codec's type is not visible at run time). */
const CODEC_TYPES: Record<string, string> = {
  "VETH_INFO_ATTRS.peer": "VethPeer",
  "IFLA_VXLAN_ATTRS.ttlInherit": "boolean",
  "IFLA_ATTRS.maxPacingOffloadHorizon": "number",
  "NFTA_TABLE_TABLE.userdata": "Uint8Array",
  "NFTA_CHAIN_TABLE.hook.priority": "number",
  "NFTA_CHAIN_TABLE.userdata": "Uint8Array",
  "NFTA_SET_TABLE.desc.concat": "NftSetField[]",
  "NFTA_SET_TABLE.userdata": "Uint8Array",
  "NFTA_SET_TABLE.expr": "NftExpr",
  "NFTA_SET_TABLE.expressions": "NftExpr[]",
  "NFTA_RULE_TABLE.expressions": "NftExpr[]",
  "NFTA_RULE_TABLE.userdata": "Uint8Array",
  "NFTA_SET_ELEM_TABLE.userdata": "Uint8Array",
  "NFTA_SET_ELEM_TABLE.expr": "NftExpr",
  "NFTA_SET_ELEM_TABLE.expressions": "NftExpr[]",
  "NFTA_FLOWTABLE_TABLE.hook.priority": "number",
  "NFTA_OBJ_TABLE.userdata": "Uint8Array",
  "NFTA_DATA_TABLE.value": "Uint8Array",
  "NFTA_SET_ELEM_LIST_TABLE.elements": "NftElement[]",
  "NFTA_CT_TIMEOUT_TABLE.timeouts": "(number | undefined)[]",
};

/** Nested tables and structs with an interface: its name, the uapi prefix of the fields and a doc (shared by name). */
const NESTED: Record<string, { name: string; prefix: string; doc: string }> = {
  "IFLA_VLAN_ATTRS.egressQos": { name: "VlanQosMap", prefix: "IFLA_VLAN_QOS_", doc: "VLAN priority mappings" },
  "IFLA_VLAN_ATTRS.ingressQos": { name: "VlanQosMap", prefix: "IFLA_VLAN_QOS_", doc: "VLAN priority mappings" },
  "IFLA_ATTRS.map": { name: "LinkIfmap", prefix: "", doc: "Device I/O map (`struct rtnl_link_ifmap`)" },
  "IFLA_ATTRS.stats64": { name: "LinkStats64", prefix: "", doc: "64-bit link counters (`struct rtnl_link_stats64`)" },
  "IFLA_ATTRS.afSpec": { name: "LinkAfSpec", prefix: "AF_", doc: "Per-family settings (`IFLA_AF_SPEC`), by family" },
  "IFLA_ATTRS.afSpec.inet6": { name: "LinkInet6", prefix: "IFLA_INET6_", doc: "IPv6 settings of a link" },
  "IFLA_ATTRS.xdp": { name: "LinkXdp", prefix: "IFLA_XDP_", doc: "Attached XDP programs (`IFLA_XDP`)" },
  "IFLA_ATTRS.devlinkPort": { name: "LinkOpaque", prefix: "", doc: "Nested attributes nlkit keeps undecoded" },
  "IFLA_ATTRS.dpllPin": { name: "LinkOpaque", prefix: "", doc: "Nested attributes nlkit keeps undecoded" },
  "NFTA_DATA_TABLE.verdict": { name: "NftVerdict", prefix: "NFTA_VERDICT_", doc: "A verdict" },
  "NFTA_TRACE_TABLE.verdict": { name: "NftVerdict", prefix: "NFTA_VERDICT_", doc: "A verdict" },
  "NFTA_SET_ELEM_TABLE.key": { name: "NftData", prefix: "NFTA_DATA_", doc: "A value or a verdict" },
  "NFTA_SET_ELEM_TABLE.data": { name: "NftData", prefix: "NFTA_DATA_", doc: "A value or a verdict" },
  "NFTA_SET_ELEM_TABLE.keyEnd": { name: "NftData", prefix: "NFTA_DATA_", doc: "A value or a verdict" },
  "NFTA_CHAIN_TABLE.hook": { name: "NftChainHook", prefix: "NFTA_HOOK_", doc: "A base chain's hook (`NFTA_HOOK_*`)" },
  "NFTA_CHAIN_TABLE.hook.devs": {
    name: "NftHookDevs",
    prefix: "NFTA_DEVICE_",
    doc: "Hooked devices (`NFTA_HOOK_DEVS`)",
  },
  "NFTA_CHAIN_TABLE.counters": { name: "NftCounters", prefix: "NFTA_COUNTER_", doc: "Chain counters" },
  "NFTA_SET_TABLE.desc": { name: "NftSetDesc", prefix: "NFTA_SET_DESC_", doc: "A set's description" },
  "NFTA_FLOWTABLE_TABLE.hook": {
    name: "NftFlowtableHook",
    prefix: "NFTA_FLOWTABLE_HOOK_",
    doc: "A flowtable's hook (`NFTA_FLOWTABLE_HOOK_*`)",
  },
  "NFTA_FLOWTABLE_TABLE.hook.devs": {
    name: "NftHookDevs",
    prefix: "NFTA_DEVICE_",
    doc: "Hooked devices (`NFTA_HOOK_DEVS`)",
  },
};

/** The nf_tables objects: module, table, interface, uapi prefix, doc, and whether the `nfgenmsg` family is a field. */
const NFT = "src/netfilter/nftables";
const NFT_OUT = `${NFT}/_generated/types.ts`;
/** The data interfaces the expression tables' module (`data.ts`) names: a leaf, so no cycle runs through `NftExpr`. */
const NFT_DATA_OUT = `${NFT}/_generated/data_types.ts`;
const NFT_DATA_TYPES = ["NftHeader", "NftVerdict", "NftData"];
const NFT_TARGETS = (
  [
    [
      "data",
      "NFTA_VERDICT_TABLE",
      "NftVerdict",
      "NFTA_VERDICT_",
      "A verdict: `accept`, `drop`, `jump` with a chain, ...",
      false,
    ],
    ["data", "NFTA_DATA_TABLE", "NftData", "NFTA_DATA_", "Data of an immediate, a comparison or a set element", false],
    ["set", "NFTA_SET_FIELD_TABLE", "NftSetField", "NFTA_SET_FIELD_", "One field of a concatenated set key", false],
    ["table", "NFTA_TABLE_TABLE", "NftTable", "NFTA_TABLE_", "A table as the kernel reports it", true],
    ["chain", "NFTA_CHAIN_TABLE", "NftChain", "NFTA_CHAIN_", "A chain as the kernel reports it", true],
    ["set", "NFTA_SET_TABLE", "NftSet", "NFTA_SET_", "A set or map as the kernel reports it", true],
    ["rule", "NFTA_RULE_TABLE", "NftRule", "NFTA_RULE_", "A rule as the kernel reports it", true],
    ["element", "NFTA_SET_ELEM_TABLE", "NftElement", "NFTA_SET_ELEM_", "One element of a set or map", false],
    [
      "element",
      "NFTA_SET_ELEM_LIST_TABLE",
      "NftElementList",
      "NFTA_SET_ELEM_LIST_",
      "A message's worth of elements of one set",
      true,
    ],
    [
      "flowtable",
      "NFTA_FLOWTABLE_TABLE",
      "NftFlowtable",
      "NFTA_FLOWTABLE_",
      "A flowtable as the kernel reports it",
      true,
    ],
    ["gen", "NFTA_GEN_TABLE", "NftGeneration", "NFTA_GEN_", "The generation and the process that committed it", false],
    ["trace", "NFTA_TRACE_TABLE", "NftTrace", "NFTA_TRACE_", "A packet trace event (`NFT_MSG_TRACE`)", true],
    [
      "obj",
      "NFTA_OBJ_TABLE",
      "NftObjectBase",
      "NFTA_OBJ_",
      "A stateful object's fields but its typed `type` and `data`",
      true,
    ],
    ["expr/quota", "NFTA_QUOTA_TABLE", "NftQuotaData", "NFTA_QUOTA_", "A quota object's data", false],
    ["expr/limit", "NFTA_LIMIT_TABLE", "NftLimitData", "NFTA_LIMIT_", "A limit object's data", false],
    ["obj", "NFTA_CT_HELPER_TABLE", "NftCtHelperData", "NFTA_CT_HELPER_", "A ct helper object's data", false],
    ["obj", "NFTA_CT_EXPECT_TABLE", "NftCtExpectationData", "NFTA_CT_EXPECT_", "A ct expectation object's data", false],
    ["obj", "NFTA_CT_TIMEOUT_TABLE", "NftCtTimeoutData", "NFTA_CT_TIMEOUT_", "A ct timeout object's data", false],
    ["expr/synproxy", "NFTA_SYNPROXY_TABLE", "NftSynproxyData", "NFTA_SYNPROXY_", "A synproxy object's data", false],
  ] as const
).map(([module, table, name, prefix, doc, header]) => ({ module, table, name, prefix, doc, header }));

/** uapi names of attributes whose key is not their name in camelCase. */
const ATTR_NAMES: Record<string, string> = { "NFTA_CT_TIMEOUT_TABLE.timeouts": "NFTA_CT_TIMEOUT_DATA" };

/** Keys a target leaves out (declared with their own, narrower type beside it). */
const OMIT: Record<string, string[]> = { NFTA_OBJ_TABLE: ["type", "data"] };

/** The sub-objects of a link (`IFLA_ATTRS`) that get an interface. */
const LINK_FIELDS = ["map", "stats64", "afSpec", "xdp", "devlinkPort", "dpllPin"];

/** `forwardDelay` → `FORWARD_DELAY`, `udpZeroCsum6Tx` → `UDP_ZERO_CSUM6_TX`. */
function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

function valueType(spec: AttrSpec, path: string, out: string[]): string {
  if (spec.kind === "nested") {
    const n = NESTED[path];
    if (!n) throw new Error(`${path}: a nested table needs its name in NESTED`);
    if (!out.some((o) => o.includes(`interface ${n.name} `))) emit(spec.table!, n.name, n.doc, n.prefix, path, out);
    return n.name;
  }
  if (spec.kind === "struct") {
    const fields = Object.entries(spec.struct!).filter(([, k]) => !k.startsWith("pad"));
    const n = NESTED[path];
    if (!n) return `{ ${fields.map(([k]) => `${k}: number`).join("; ")} }`;
    const lines = fields.map(([k, kind]) => `  /** \`${snake(k).toLowerCase()}\` (${kind}). */\n  ${k}: number;`);
    if (!out.some((o) => o.includes(`interface ${n.name} `))) {
      out.push(`/** ${n.doc}. */\nexport interface ${n.name} {\n${lines.join("\n")}\n}\n`);
    }
    return n.name;
  }
  if (spec.kind === "codec") {
    const t = CODEC_TYPES[path];
    if (!t) throw new Error(`${path}: a codec field needs its type in CODEC_TYPES`);
    return t;
  }
  if (spec.bits) return "string[]";
  if (spec.names) return "string";
  if (spec.kind === "flag") return "boolean";
  if (spec.kind === "bytes") return "Uint8Array";
  if (["string", "ip", "mac"].includes(spec.kind)) return "string";
  return "number";
}

function emit(
  table: AttrTable,
  name: string,
  doc: string,
  prefix: string,
  tableName: string,
  out: string[],
  base = "",
): void {
  const fields: string[] = [];
  for (const [key, spec] of Object.entries(table)) {
    const t = valueType(spec, `${tableName}.${key}`, out);
    const what = spec.names ? `${spec.kind}, by name` : spec.bits ? `${spec.kind} bits, by name` : spec.kind;
    const many = spec.repeat ? ", repeated" : "";
    const attr = ATTR_NAMES[`${tableName}.${key}`] ?? `${prefix}${snake(key)}`;
    fields.push(`  /** \`${attr}\` (${what}${many}). */\n  ${key}?: ${t}${spec.repeat ? "[]" : ""};`);
  }
  fields.push("  /** Attributes no table entry describes, kept so nothing is lost. */\n  unknown?: RawAttr[];");
  out.push(`/** ${doc}. */\nexport interface ${name}${base} {\n${fields.join("\n")}\n}\n`);
}

/** `interface NAME { kind: Interface; ... }` for the kinds of a registry map, by table identity. */
function byKind(name: string, doc: string, tables: Record<string, AttrTable>, names: Map<AttrTable, string>): string {
  const fields = Object.entries(tables).map(([kind, table]) => {
    const iface = names.get(table);
    if (!iface) throw new Error(`kind ${kind}: its table has no interface (types in its module)`);
    return `  /** Kind \`${kind}\`. */\n  ${JSON.stringify(kind)}: ${iface};`;
  });
  return `/** ${doc} */\nexport interface ${name} {\n${fields.join("\n")}\n}\n`;
}

async function generate(): Promise<string> {
  const out: string[] = [];
  const names = new Map<AttrTable, string>();
  const registry = await import(join(ROOT, KINDS, "registry.ts"));
  // Each kind module names its tables' interfaces (`types`); a table shared by kinds is written once.
  const exported = (table: AttrTable) => Object.keys(registry).find((k) => registry[k] === table)!;
  const kinds: AnyLinkKind[] = registry.LINK_KINDS;
  for (const side of ["data", "slaveData"] as const) {
    for (const kind of kinds) {
      const table = kind[side];
      if (!table || names.has(table)) continue;
      const t = kind.types?.[side];
      if (!t) throw new Error(`kind ${kind.kind}: its module declares no types.${side} for its table`);
      names.set(table, t.name);
      emit(table, t.name, `${t.doc} (\`${exported(table)}\`)`, t.prefix, exported(table), out);
    }
  }
  const { IFLA_ATTRS } = await import(join(ROOT, "src/route/link/table.ts"));
  for (const key of LINK_FIELDS) valueType(IFLA_ATTRS[key], `IFLA_ATTRS.${key}`, out);
  out.push(byKind("LinkKindDataMap", "Parsed `IFLA_INFO_DATA` by link kind.", registry.KIND_TABLES, names));
  out.push(
    byKind("LinkSlaveDataMap", "Parsed `IFLA_INFO_SLAVE_DATA` by master kind.", registry.KIND_SLAVE_TABLES, names),
  );
  const union = (tables: Record<string, AttrTable>) => [...new Set(Object.values(tables).map((t) => names.get(t)))];
  out.push(
    `/** Parsed \`IFLA_INFO_DATA\` of any kind nlkit knows ({@link LinkKindDataMap} says which for which kind). */
export type LinkData = ${union(registry.KIND_TABLES).join(" | ")};
`,
    `/** Parsed \`IFLA_INFO_SLAVE_DATA\` (a port's settings under its master) of any master kind nlkit knows. */
export type LinkPortData = ${union(registry.KIND_SLAVE_TABLES).join(" | ")};
`,
  );
  return `// Generated by scripts/gen_types.ts from the kind tables: do not edit; run \`deno run -A scripts/gen_types.ts\`.
/**
 * The parsed kind data and sub-objects of links, one interface per
 * attribute table or struct, with every field listed (the tables in each
 * kind's module and in \`link/table.ts\` are the source).
 *
 * @module
 */

import type { RawAttr } from "../../../../wire/table.ts";
import type { VethPeer } from "../veth.ts";

${out.join("\n")}`;
}

/** `ct helper` → `NftObjectCtHelper`: the interface of one object type with its typed data. */
function objectMember(type: string): string {
  return "NftObject" + type.split(" ").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

async function generateNft(): Promise<[string, string]> {
  const out: string[] = [];
  const { NFTA_COUNTER_TABLE } = await import(join(ROOT, NFT, "expr/counter.ts"));
  const names = new Map<AttrTable, string>([[NFTA_COUNTER_TABLE, "NftCounters"]]);
  for (const t of NFT_TARGETS) {
    const mod = await import(join(ROOT, NFT, `${t.module}.ts`));
    names.set(mod[t.table], t.name);
    const base = t.header ? " extends NftHeader" : "";
    const table = Object.fromEntries(
      Object.entries(mod[t.table] as AttrTable).filter(([k]) => !OMIT[t.table]?.includes(k)),
    );
    emit(table, t.name, `${t.doc} (\`${t.table}\`)`, t.prefix, t.table, out, base);
  }
  const { NFT_OBJECT_DATA } = await import(join(ROOT, NFT, "obj.ts"));
  const members = Object.entries(NFT_OBJECT_DATA as Record<string, AttrTable>).map(([type, table]) => {
    const data = names.get(table);
    if (!data) throw new Error(`object type ${type}: its table has no interface in NFT_TARGETS`);
    const name = objectMember(type);
    out.push(`/** A stateful object's type \`${type}\` and its data. */
export interface ${name} {
  /** \`NFTA_OBJ_TYPE\`. */
  type: ${JSON.stringify(type)};
  /** \`NFTA_OBJ_DATA\`, decoded by the type's table. */
  data: ${data};
}
`);
    return name;
  });
  out.push(`/** The typed \`type\` and \`data\` of each known object type. */
export type NftObjectData = ${members.join(" | ")};
`);
  const isData = (o: string) => NFT_DATA_TYPES.some((n) => o.includes(`export interface ${n} {`));
  const head = (what: string) =>
    `// Generated by scripts/gen_types.ts from the nf_tables tables: do not edit; run \`deno run -A scripts/gen_types.ts\`.
/**
 * ${what}
 *
 * @module
 */

import type { RawAttr } from "../../../wire/table.ts";
`;
  const data = `${
    head(
      "The nf_tables data interfaces (values, verdicts, the `nfgenmsg` header) other\n * interfaces and the expression tables name; imports no expression.",
    )
  }import type { NftFamily } from "../consts.ts";

/** The fields every parsed nf_tables object has from its \`nfgenmsg\`. */
export interface NftHeader {
  /** The table family. */
  family: NftFamily;
}

${out.filter(isData).join("\n")}`;
  const rest = `${
    head(
      "The nf_tables objects as the kernel reports them, one interface per\n * attribute table, with every field listed (the tables in each object's\n * module are the source).",
    )
  }import type { NftExpr } from "../expr/registry.ts";
import type { NftData, NftHeader, NftVerdict } from "./data_types.ts";

export type * from "./data_types.ts";

${out.filter((o) => !isData(o)).join("\n")}`;
  return [data, rest];
}

/** The generated text as `deno fmt` leaves it (written to `path`). */
function formatted(path: string, text: string): string {
  writeFileSync(path, text);
  execFileSync(process.execPath, ["fmt", "-q", "--config", join(ROOT, "deno.json"), path], { stdio: "inherit" });
  return readFileSync(path, "utf8");
}

const [nftData, nftRest] = await generateNft();
const outputs: [string, string][] = [[OUT, await generate()], [NFT_DATA_OUT, nftData], [NFT_OUT, nftRest]];
const check = process.argv.includes("--check");
const dir = mkdtempSync(join(tmpdir(), "gen-types-"));
let stale = false;
for (const [rel, text] of outputs) {
  const file = join(ROOT, rel);
  if (!check) {
    formatted(file, text);
    continue;
  }
  const fresh = formatted(join(dir, "types.ts"), text);
  let old = "";
  try {
    old = readFileSync(file, "utf8");
  } catch { /* missing: stale */ }
  if (old !== fresh) {
    console.error(`stale: ${rel} (run deno run -A scripts/gen_types.ts)`);
    stale = true;
  }
}
rmSync(dir, { recursive: true });
if (stale) process.exit(1);
