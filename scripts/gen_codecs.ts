/**
 * Compiles attribute tables into specialised parse functions, written as
 * checked-in TypeScript under `_generated/` next to each table's module.
 * The runtime engine (`parseAttrs` in `src/wire/table.ts`) stays the
 * reference: `tests/codegen_test.ts` checks that both agree on random and
 * mutated attribute streams.
 *
 * Each generated parser is one loop with a `switch` on the attribute type:
 * scalars are read inline, and names, bit sets, structs, codecs and nested
 * tables reuse the table's own data, so nothing is declared twice.
 *
 * Usage: `deno run -A scripts/gen_codecs.ts` (write) or `--check` (exit 1
 * when a generated file is stale; CI runs this).
 *
 * @module
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import process from "node:process";
import { type AttrSpec, type AttrTable, type Compose, scalarSize, type StructSpec } from "../src/wire/table.ts";
import { applyDefaults } from "../src/wire/public.ts";
import { combinedInputs, headerField, headerOnly, type PublicMessage } from "../src/wire/public_message.ts";
import { requestFns, type RequestSource } from "./gen_requests.ts";

/**
 * A public object parser to generate: the table whose public keys describe
 * it, the name of the exported function, the object's type and the module
 * that declares it, and how errors name the message.
 */
export interface ObjectSource {
  table: string;
  fn: string;
  type: string;
  from: string;
  what: string;
}

/** A whole-message parser to generate from a {@link PublicMessage}: its export, function, object type and module. */
export interface MessageSource {
  message: string;
  fn: string;
  type: string;
  from: string;
}

/** One generated file: its table module, the wire parsers, public object and message parsers and builders to emit. */
export interface Source {
  module: string;
  tables: string[];
  objects?: ObjectSource[];
  builders?: string[];
  messages?: MessageSource[];
  /**
   * Records of tables (`NFT_EXPRESSIONS`: an expression's name to its
   * table) whose every table gets a builder, exported together as
   * `<RECORD>_BUILDERS` by the record's keys.
   */
  builderMaps?: string[];
  /** Request builders to compile from message declarations (see `scripts/gen_requests.ts`). */
  requests?: RequestSource[];
  /**
   * Nests compile to their cases, walked by the shared `parseNest`, rather
   * than to a loop of their own each: for objects with many nests read once
   * per message (links); dumps of 100,000 routes or conntrack entries keep
   * their nests' loops unrolled.
   */
  sharedNests?: boolean;
}

/**
 * The tables to compile, by module and export name: emit only what the
 * library uses (a wire parser, a public object parser or a builder).
 */
export const SOURCES: Source[] = [
  {
    module: "src/route/route/table.ts",
    tables: [],
    messages: [{ message: "ROUTE_MESSAGE", fn: "parseRoute", type: "Route", from: "src/route/route/table.ts" }],
    requests: [{ message: "ROUTE_MESSAGE", table: "ROUTE_ATTRS", name: "Route" }],
  },
  {
    module: "src/route/link/table.ts",
    tables: [],
    requests: [{ message: "LINK_REQUEST", table: "IFLA_ATTRS", name: "Link", public: true }],
  },
  {
    module: "src/route/link/object.ts",
    tables: [],
    messages: [{ message: "LINK_MESSAGE", fn: "parseLink", type: "Link", from: "src/route/link/object.ts" }],
    sharedNests: true,
  },
  {
    module: "src/route/addr/table.ts",
    tables: [],
    messages: [{
      message: "ADDRESS_MESSAGE",
      fn: "parseAddressMessage",
      type: "Address",
      from: "src/route/addr/table.ts",
    }],
    requests: [{ message: "ADDRESS_MESSAGE", table: "IFA_ATTRS", name: "Address", public: true }],
  },
  {
    module: "src/route/neigh/table.ts",
    tables: [],
    messages: [{
      message: "NEIGHBOUR_MESSAGE",
      fn: "parseNeighbourMessage",
      type: "Neighbour",
      from: "src/route/neigh/table.ts",
    }],
    requests: [{ message: "NEIGHBOUR_MESSAGE", table: "NDA_ATTRS", name: "Neighbour", public: true }],
  },
  {
    module: "src/route/rule/table.ts",
    tables: [],
    messages: [{ message: "RULE_MESSAGE", fn: "parseRuleMessage", type: "Rule", from: "src/route/rule/table.ts" }],
    requests: [{ message: "RULE_MESSAGE", table: "RULE_ATTRS", name: "Rule", public: true }],
  },
  { module: "src/route/nexthop/table.ts", tables: ["NHA_ATTRS"] },
  { module: "src/route/mroute/table.ts", tables: ["MROUTE_ATTRS"] },
  {
    module: "src/netfilter/conntrack/tables.ts",
    tables: [],
    builders: ["CTA_TABLE"],
    objects: [{
      table: "CTA_TABLE",
      fn: "parseConntrackEntryAttrs",
      type: "ConntrackEntry",
      from: "src/netfilter/conntrack/types.ts",
      what: "Conntrack message",
    }],
  },
  { module: "src/wire/genetlink.ts", tables: ["CTRL_ATTRS"] },
  // Every expression of a rule: a 10,000-rule batch writes some 60,000.
  { module: "src/netfilter/nftables/expr/registry.ts", tables: [], builderMaps: ["NFT_EXPRESSIONS"] },
];

const ROOT = new URL("..", import.meta.url).pathname;

/** Inline readers of the fixed-size scalars at offset `s`; 64-bit kinds go through `readScalar`, like the engine. */
const INLINE: Record<string, [number, string]> = {
  u8: [1, "view.getUint8(s)"],
  s8: [1, "view.getInt8(s)"],
  u16: [2, "view.getUint16(s, true)"],
  s16: [2, "view.getInt16(s, true)"],
  u16be: [2, "view.getUint16(s, false)"],
  u32: [4, "view.getUint32(s, true)"],
  s32: [4, "view.getInt32(s, true)"],
  u32be: [4, "view.getUint32(s, false)"],
  u64: [8, 'readScalar(view, s, "u64")'],
  s64: [8, 'readScalar(view, s, "s64")'],
  u64be: [8, 'readScalar(view, s, "u64be")'],
};

/**
 * The attribute loop every generated parser runs over `buf[off, end)`: a
 * `switch` on the type with `cases`, and `other` for types no case takes.
 */
function attrLoop(cases: string[], other: string, off = "start"): string {
  return `  let off = ${off};
  while (off + 4 <= end) {
    const len = view.getUint16(off, true);
    const raw = view.getUint16(off + 2, true);
    if (len < 4) throw new MalformedError(\`Attribute length \${len} is shorter than its header\`, off);
    if (off + len > end) throw new TruncatedError("attribute", off, len, end - off);
    const s = off + 4, e = off + len;
    switch (raw & 0x3fff) {
${cases.join("\n")}
      default:
        ${other}
    }
    off += (len + 3) & ~3;
  }
  if (off < end) throw new TruncatedError("attribute header", off, 4, end - off);`;
}

/** `ROUTE_TABLE` → `parseRouteTable`; `IFLA_ATTRS` → `parseIflaAttrs`. */
function fnName(exportName: string): string {
  return "parse" + exportName.toLowerCase().split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

interface Unit {
  /** Expression that reaches the table from the module's exports (`ROUTE_TABLE.metrics.table`). */
  expr: string;
  fn: string;
  table: AttrTable;
}

/** The bounds check and the expression that read one non-nested attribute's wire value at `s`..`e`. */
function wireValue(spec: AttrSpec, path: string, consts: string[]): { check: string; value: string } {
  let check = "";
  let value: string;
  if (spec.kind in INLINE) {
    const [size, read] = INLINE[spec.kind];
    check = `if (e - s < ${size}) throw new TruncatedError("${spec.kind} attribute", s, ${size}, e - s); `;
    if (spec.bits) value = `bitNames(${hoist(consts, `${path}.bits`)}, ${read})`;
    else if (spec.names) value = `nameOf(${hoist(consts, `${path}.names`)}, ${read})`;
    else value = read;
  } else if (spec.kind === "string") value = "readString(buf, s, e)";
  else if (spec.kind === "flag") value = "true";
  else if (spec.kind === "bytes") value = "buf.slice(s, e)";
  else if (spec.kind === "ip") value = "formatIp(buf, s, e - s)";
  else if (spec.kind === "mac") value = "formatHex(buf, s, e - s)";
  else if (spec.kind === "struct") value = `${structReader(consts, spec.struct!, path)}(view, s, e)`;
  else if (spec.kind === "codec") value = `${hoist(consts, `${path}.codec`)}.parse(buf, view, s, e)`;
  else if (spec.kind === "nested") value = "";
  else throw new Error(`${path}: unknown kind ${spec.kind}`);
  return { check, value };
}

/** Generates one module's file: a parser per listed table and per table nested in it, the public object parsers and the builders. */
export function generate(
  module: string,
  exports: Record<string, unknown>,
  names: string[],
  objects: ObjectSource[] = [],
  builders: string[] = [],
  messages: MessageSource[] = [],
  sharedNests = false,
  requests: RequestSource[] = [],
  builderMaps: string[] = [],
): string {
  const units: Unit[] = [];
  const byTable = new Map<AttrTable, Unit>();
  const consts: string[] = [];
  const add = (table: AttrTable, expr: string, fn: string): Unit => {
    let u = byTable.get(table);
    if (!u) {
      u = { expr, fn, table };
      byTable.set(table, u);
      units.push(u);
    }
    return u;
  };
  for (const name of names) add(exports[name] as AttrTable, name, fnName(name));
  const bodies: string[] = [];
  for (let i = 0; i < units.length; i++) {
    const u = units[i];
    const cases: string[] = [];
    for (const key in u.table) {
      const spec: AttrSpec = u.table[key];
      const path = `${u.expr}.${key}`;
      let { check, value } = wireValue(spec, path, consts);
      if (spec.kind === "nested") {
        const nested = add(spec.table!, `${path}.table`, `${u.fn}${key[0].toUpperCase()}${key.slice(1)}`);
        value = `${nested.fn}(buf, view, s, e)`;
      }
      const store = spec.repeat ? `(out.${key} ??= []).push(${value})` : `out.${key} = ${value}`;
      cases.push(`      case ${spec.type}:\n        ${check}${store};\n        break;`);
    }
    const exported = i < names.length ? "export " : "";
    bodies.push(
      `/** Parses \`${u.expr}\` attributes in \`buf[start, end)\`; agrees with \`parseAttrs\`. */
${exported}function ${u.fn}(buf: Uint8Array, view: DataView, start: number, end: number): Attrs<typeof ${u.expr}> {
  const out: Attrs<typeof ${u.expr}> = {};
${attrLoop(cases, "(out.unknown ??= []).push({ type: raw, data: buf.slice(s, e) });")}
  return out;
}`,
    );
  }
  const file = join(dirname(module), "_generated", basename(module));
  const rel = (p: string) => relative(dirname(file), p).replace(/^(?!\.)/, "./");
  const built = new Map<AttrTable, string>();
  for (const name of builders) bodies.push(...builderFns(exports, exports[name] as AttrTable, name, consts, built));
  for (const name of builderMaps) {
    const record = exports[name] as Record<string, AttrTable>;
    const entries: string[] = [];
    for (const key in record) {
      bodies.push(...builderFns(exports, record[key], `${name}.${key}`, consts, built));
      entries.push(`  ${key}: ${built.get(record[key])},`);
    }
    bodies.push(
      `/** A builder for each table of \`${name}\`, by its key; each writes what \`MessageBuilder.attrs\` writes. */
export const ${name}_BUILDERS: {
  readonly [K in keyof typeof ${name}]: (b: MessageBuilder, a: Attrs<(typeof ${name})[K]>) => MessageBuilder;
} = {
${entries.join("\n")}
};`,
    );
  }
  const attrWriter = (t: AttrTable, path: string): string => {
    if (!built.has(t)) bodies.push(...builderFns(exports, t, path, consts, built));
    return built.get(t)!;
  };
  for (const r of requests) bodies.push(...requestFns(r, { exports, hoist: (p) => hoist(consts, p), attrWriter }));
  const local: Record<string, string> = {};
  const u: ObjectUnits = { exports, consts, fns: new Map(), bodies, sharedNests };
  for (const o of objects) {
    objectParser(u, o);
    local[o.type] = o.from;
  }
  for (const o of messages) {
    messageParser(u, o);
    local[o.type] = o.from;
  }
  const code = `${consts.join("\n")}\n\n${bodies.join("\n\n")}`;
  return `// Generated by scripts/gen_codecs.ts from ${
    basename(module)
  }: do not edit; run \`deno run -A scripts/gen_codecs.ts\`.
// deno-fmt-ignore-file
/**
 * ${
    requests.length
      ? "Parsers and request builders compiled from the tables"
      : names.length || objects.length || messages.length
      ? "Parsers compiled from the attribute tables"
      : "Builders compiled from the attribute tables"
  } of \`${basename(module)}\`.
 *
 * @module
 */

${imports(code, module, Object.keys(exports), local, rel)}
${code}
`;
}

/** What generated code may call, by the module that exports it (`type` marks a type). */
const RUNTIME: Record<string, string[]> = {
  "src/wire/addr.ts": ["formatHex", "formatIp", "parseMac"],
  "src/wire/errors.ts": ["MalformedError", "TruncatedError"],
  "src/wire/table.ts": [
    "type Attrs",
    "bitNames",
    "bitsOfNames",
    "nameOf",
    "type NameMap",
    "parseStruct",
    "readScalar",
    "type StructValue",
    "readString",
    "valueOfName",
    "checkPolicy",
  ],
  "src/wire/public_message.ts": ["requestHeader"],
  "src/wire/public.ts": ["type Composer", "keepUnknown", "parseNest", "type PublicObject"],
  "src/errors.ts": ["InvalidArgumentError"],
  "src/wire/builder.ts": ["MessageBuilder"],
  "src/wire/message.ts": ["type NlMsg"],
};

/** The import lines of a generated file: the names `code` uses, from the table module, the runtime and `local` types. */
function imports(
  code: string,
  module: string,
  exported: string[],
  local: Record<string, string>,
  rel: (p: string) => string,
): string {
  const used = (name: string) => new RegExp(`\\b${name}\\b`).test(code);
  const from: [string, string[]][] = [[module, exported.filter(used).sort()]];
  for (const [m, names] of Object.entries(RUNTIME)) from.push([m, names.filter((n) => used(n.replace("type ", "")))]);
  // The builder is a value where a request is made, else a parameter's type.
  if (!/new MessageBuilder\b/.test(code)) {
    from.find(([m]) => m === "src/wire/builder.ts")![1] = used("MessageBuilder") ? ["type MessageBuilder"] : [];
  }
  for (const [name, m] of Object.entries(local)) from.push([m, [`type ${name}`]]);
  const lines: string[] = [];
  for (const [m, names] of from) {
    if (!names.length) continue;
    const all = names.every((n) => n.startsWith("type "));
    const list = all ? names.map((n) => n.slice(5)) : names;
    lines.push(`import ${all ? "type " : ""}{ ${list.join(", ")} } from "${rel(m)}";`);
  }
  return lines.join("\n") + "\n";
}

/** A JavaScript literal of a default value (strings, numbers, arrays and objects of them). */
function literal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  if (typeof v === "object" && v !== null) {
    const fields = Object.entries(v).map(([k, x]) => `${k}: ${literal(x)}`);
    return fields.length ? `{ ${fields.join(", ")} }` : "{}";
  }
  return JSON.stringify(v);
}

/** The expression that names number `v` through `spec.named` (its map hoisted into a constant). */
function namedExpr(spec: AttrSpec, path: string, consts: string[], v: string): string {
  const n = spec.named!;
  if (n.bits) return `bitNames(${hoist(consts, `${path}.named.bits`)}, ${v})`;
  const names = hoist(consts, `${path}.named.names`);
  return n.fallback === undefined
    ? `nameOf(${names}, ${v})`
    : `(${names} as NameMap)[${v}] ?? ${JSON.stringify(n.fallback)}`;
}

/** The statements that put public value `v` of `spec` where it belongs (see `store` in `src/wire/public.ts`). */
function storeCode(spec: AttrSpec, key: string, path: string, consts: string[], v: string): string {
  const pub = spec.key ?? key;
  const dot = pub.indexOf(".");
  const target = spec.hoist ? "root" : "out";
  const lhs = dot < 0
    ? `${target}.${pub}`
    : `((${target}.${pub.slice(0, dot)} ??= {}) as PublicObject).${pub.slice(dot + 1)}`;
  let code = spec.repeat ? `((${lhs} ??= []) as unknown[]).push(${v});` : `${lhs} = ${v};`;
  if (spec.named) code += ` ${target}.${spec.named.key} = ${namedExpr(spec, path, consts, v)};`;
  return spec.hoist ? `if (${lhs} === undefined) { ${code} }` : code;
}

/** A compose's call: its inputs (header locals `h_X`, wire locals `w_X`) through its function, hoisted. */
function composeCall(c: Compose, path: string, consts: string[]): string {
  const args = c.from.map((k) => (k.startsWith("hdr.") ? `h_${k.slice(4)}` : `w_${k}`));
  return c.fn ? `${hoist(consts, `${path}.fn as Composer`)}(${args.join(", ")})` : args[0];
}

/** The statement that sets public field `lhs` from a compose's value, when it is not `undefined`. */
function composeCode(c: Compose, path: string, consts: string[], lhs: string): string {
  return `  { const v = ${composeCall(c, path, consts)}; if (v !== undefined) ${lhs} = v; }`;
}

/**
 * Checks the composes of a table (and, at the top, of its message `m`): inputs
 * exist, `hdr.X` only at the top, every `input` attribute read by one, no
 * compose on a repeated, hoisted, named or derived attribute. Returns the
 * table keys whose wire values the composes read.
 */
function composeInputs(
  table: AttrTable,
  base: string,
  m: PublicMessage | undefined,
  extra: Compose[],
): Set<string> {
  const read = new Set<string>();
  const composes = [...extra];
  for (const key in table) {
    const spec: AttrSpec = table[key];
    if (!spec.compose) continue;
    if (spec.repeat || spec.hoist || spec.named || spec.derive || spec.default !== undefined) {
      throw new Error(`${base}.${key}: a composed attribute cannot be repeat, hoist, named, derive or default`);
    }
    composes.push(spec.compose);
  }
  for (const c of composes) {
    for (const k of c.from) {
      if (k.startsWith("hdr.")) {
        if (!m || !(k.slice(4) in m.header) || headerField(m, k.slice(4)).kind.startsWith("pad")) {
          throw new Error(`${base}: compose input "${k}" is no field of the message header`);
        }
      } else if (!(k in table)) throw new Error(`${base}: compose input "${k}" is no attribute of the table`);
      else read.add(k);
    }
    if (!c.fn && c.from.length !== 1) throw new Error(`${base}: a compose of several inputs needs a function`);
  }
  for (const key in table) {
    if (table[key].input && !read.has(key)) throw new Error(`${base}.${key}: an input attribute no compose reads`);
  }
  return read;
}

/**
 * The parts of a public object parser for one table: the attribute loop
 * writing into `out` (nests through their own functions), with the wire
 * values the composes read kept in locals, and the composes after it. At
 * the top of a message `m`, the inputs of its combined fields are read into
 * locals too (the late ones are emitted by {@link messageParser}).
 */
function objectBody(
  u: ObjectUnits,
  table: AttrTable,
  base: string,
  other: string,
  off: string,
  top: boolean,
  m?: PublicMessage,
): string {
  const { locals, cases, post } = objectCases(u, table, base, top, "break;", m);
  return `${locals}${attrLoop(cases, other, off)}\n${post.map((l) => l + "\n").join("")}`;
}

/**
 * The pieces of {@link objectBody}: the locals that keep wire values for
 * composes, one `case` per attribute (ending with `end`) and the composes.
 */
function objectCases(
  u: ObjectUnits,
  table: AttrTable,
  base: string,
  top: boolean,
  end: string,
  m?: PublicMessage,
): { locals: string; cases: string[]; post: string[] } {
  const late = Object.values(m?.combined ?? {}).filter((c) => !headerOnly(c));
  const read = composeInputs(table, base, m, late);
  const inputs = m ? combinedInputs(m) : new Set<string>();
  const cases: string[] = [];
  const post: string[] = [];
  for (const key in table) {
    const spec: AttrSpec = table[key];
    if (spec.dir === "request") continue; // kept raw in `unknown`, like any attribute the object has no key for
    const path = `${base}.${key}`;
    const sub = top ? `"", "${key}"` : `parent === "" ? key : parent + "." + key, "${key}"`;
    const pub = !spec.compose && !spec.input && !inputs.has(key);
    let body: string;
    if (spec.kind === "nested") {
      const child = objectUnit(u, spec.table!, `${path}.table`);
      // A nest compiled to its cases runs them through the shared attribute walk.
      const call = (args: string) =>
        child.cases ? `parseNest(buf, view, s, e, ${args}, ${child.fn});` : `${child.fn}(buf, view, s, e, ${args});`;
      if (spec.flatten) body = call(`out, root, ${sub}`);
      else {
        const within = spec.unknownInside ? `o, "", ""` : `root, ${sub}`;
        body = `const o: PublicObject = ${literal(applyDefaults(spec.table!, {}))}; ${call(`o, ${within}`)}`;
        if (read.has(key)) body += ` w_${key} = o;`;
        if (pub) body += " " + storeCode(spec, key, path, u.consts, "o");
      }
    } else {
      const { check, value } = wireValue(spec, path, u.consts);
      const v = spec.derive ? `${hoist(u.consts, `${path}.derive`)}.toPublic(${value})` : value;
      body = `${check}const v = ${v};`;
      if (read.has(key)) body += ` w_${key} = v;`;
      if (pub) body += " " + storeCode(spec, key, path, u.consts, "v");
    }
    cases.push(`      case ${spec.type}: {\n        ${body}\n        ${end}\n      }`);
    if (spec.compose) post.push(composeCode(spec.compose, `${path}.compose`, u.consts, publicLhs(spec.key ?? key)));
  }
  const locals = [...read].map((k) => `  let w_${k}: unknown;\n`).join("");
  return { locals, cases, post };
}

/** The assignment target of a public key (`a.b` in sub-object `a`). */
function publicLhs(pub: string): string {
  const dot = pub.indexOf(".");
  return dot < 0 ? `out.${pub}` : `((out.${pub.slice(0, dot)} ??= {}) as PublicObject).${pub.slice(dot + 1)}`;
}

/** What the public object parsers share while one file is generated. */
interface ObjectUnits {
  /** Nests compile to their cases for `parseNest` (see `Source.sharedNests`). */
  sharedNests: boolean;
  exports: Record<string, unknown>;
  consts: string[];
  /** The function compiled for each table reached (a nest shared by several attributes is compiled once), and whether it is a nest's cases. */
  fns: Map<AttrTable, { fn: string; cases: boolean }>;
  bodies: string[];
}

/** The expression that reaches `table`: its export's name when it has one, else `expr`. */
function exprOf(u: ObjectUnits, table: AttrTable, expr: string): string {
  return Object.keys(u.exports).find((k) => u.exports[k] === table) ?? expr;
}

/**
 * Compiles (once per table) a nest's parser: a function of its cases,
 * which `parseNest` (`src/wire/public.ts`) calls for each attribute of the
 * nest, so the attribute walk is not unrolled once per nest; a nest whose
 * composes keep wire values in locals gets its own loop instead.
 */
function objectUnit(u: ObjectUnits, table: AttrTable, expr: string): { fn: string; cases: boolean } {
  let unit = u.fns.get(table);
  if (unit) return unit;
  const name = Object.keys(u.exports).find((k) => u.exports[k] === table);
  unit = { fn: "obj" + fnName(name ?? expr.replace(/\.table\b/g, "").replace(/\./g, "_")).slice(5), cases: false };
  u.fns.set(table, unit);
  const { locals, cases, post } = objectCases(u, table, expr, false, "return true;");
  const doc = `Parses \`${expr}\` attributes`;
  if (u.sharedNests && !locals && !post.length) {
    unit.cases = true;
    const body = cases.join("\n");
    const reads = cases.length ? `type ${body}` : "";
    // Parameters a nest's cases do not read are named `_x` (a nest of unknowns only, IFLA_DEVLINK_PORT, reads none).
    const used = (v: string) => new RegExp(`\\b${v}\\b`).test(reads) ? v : `_${v}`;
    u.bodies.push(
      `/**
 * ${doc} into public object \`out\`, one attribute of type \`type\` at \`buf[s, e)\`
 * a call (\`parseNest\` walks the nest; false: no field of the nest). The nest's path is \`parent.key\`.
 */
function ${unit.fn}(${used("buf")}: Uint8Array, ${used("view")}: DataView, ${used("type")}: number, ${
        used("s")
      }: number, ${used("e")}: number, ${used("out")}: PublicObject, ${used("root")}: PublicObject, ${
        used("parent")
      }: string, ${used("key")}: string): boolean {
${cases.length ? `  switch (type) {\n${body}\n  }\n` : ""}  return false;
}`,
    );
    return unit;
  }
  const other = `keepUnknown(root, parent === "" ? key : parent + "." + key, raw, buf.slice(s, e));`;
  const body = objectBody(u, table, expr, other, "start", false);
  const out = /\bout\b/.test(body) ? "out" : "_out";
  u.bodies.push(
    `/**
 * ${doc} in \`buf[start, end)\` into public object \`out\`; agrees with \`parsePublic\`.
 * The nest's path (for unknown attributes) is \`parent.key\`, joined only when needed.
 */
function ${unit.fn}(buf: Uint8Array, view: DataView, start: number, end: number, ${out}: PublicObject, root: PublicObject, parent: string, key: string): void {
${body}}`,
  );
  return unit;
}

/**
 * Compiles the public object parser of a table (conntrack's attributes,
 * after the caller read the header into `out`): defaults, the top loop,
 * then the hoisted defaults and required checks.
 */
function objectParser(u: ObjectUnits, o: ObjectSource): void {
  const table = u.exports[o.table] as AttrTable;
  // A default that allocates (an object, an array) and that one attribute replaces whole is made only when that
  // attribute is absent; its key is still set first, so the object keeps its key order and shape.
  const whole = wholeKeys(table);
  const late: string[] = [];
  const lines = Object.entries(applyDefaults(table, {})).map(([k, v]) => {
    if (typeof v !== "object" || v === null || !whole.has(k)) return `  out.${k} = ${literal(v)};`;
    late.push(`  if (out.${k} === undefined) out.${k} = ${literal(v)};`);
    return `  out.${k} = undefined;`;
  });
  const loop = objectBody(u, table, o.table, `keepUnknown(out, "", raw, buf.slice(s, e));`, "start", true);
  if (/\broot\b/.test(loop)) lines.push("  const root = out;");
  lines.push(loop, ...late, ...finishLines(table, o.what));
  u.bodies.push(
    `/** Parses the \`${o.table}\` attributes in \`buf[start, end)\` into a \`${o.type}\`, filling \`out\` (which may hold header fields already); agrees with \`parsePublicObject\`. */
export function ${o.fn}(buf: Uint8Array, view: DataView, start: number, end: number, out: PublicObject): ${o.type} {
${lines.join("\n")}
  return out as unknown as ${o.type};
}`,
  );
}

/**
 * The keys of the object parsed from `table` that exactly one attribute sets, and sets whole (not a
 * repeated, hoisted or dotted key, nor one a nest hoists into the object).
 */
function wholeKeys(table: AttrTable): Set<string> {
  const writes = new Map<string, number>();
  const count = (k: string, n = 1) => writes.set(k, (writes.get(k) ?? 0) + n);
  const walk = (t: AttrTable, top: boolean) => {
    for (const key in t) {
      const spec: AttrSpec = t[key];
      const pub = spec.key ?? key;
      if (spec.kind === "nested" && spec.flatten) walk(spec.table!, top);
      else if (top || spec.hoist) {
        // A partial write (dotted, repeated, hoisted) counts twice: never whole.
        count(pub.split(".")[0], pub.includes(".") || spec.repeat || spec.hoist ? 2 : 1);
        if (spec.named) count(spec.named.key);
      }
      if (spec.kind === "nested" && !spec.flatten) walk(spec.table!, false);
    }
  };
  walk(table, true);
  return new Set([...writes].filter(([, n]) => n === 1).map(([k]) => k));
}

/** The lines that finish an object: defaults of hoisted values, then the required attributes' checks. */
function finishLines(table: AttrTable, what: string): string[] {
  const lines: string[] = [];
  const hoisted = new Map<string, AttrSpec>();
  const walk = (t: AttrTable) => {
    for (const key in t) {
      const spec: AttrSpec = t[key];
      if (spec.hoist && spec.default !== undefined && !hoisted.has(spec.key ?? key)) hoisted.set(spec.key ?? key, spec);
      if (spec.kind === "nested") walk(spec.table!);
    }
  };
  walk(table);
  for (const [k, spec] of hoisted) {
    const fields = applyDefaults({ [k]: { ...spec, hoist: false } }, {});
    lines.push(
      `  if (out.${k} === undefined) { ${
        Object.entries(fields).map(([f, v]) => `out.${f} = ${literal(v)};`).join(" ")
      } }`,
    );
  }
  for (const key in table) {
    const spec: AttrSpec = table[key];
    if (!spec.required) continue;
    const msg = `${what} has no ${spec.uapi ?? key}`;
    lines.push(`  if (out.${spec.key ?? key} === undefined) throw new MalformedError(${JSON.stringify(msg)}, start);`);
  }
  return lines;
}

/**
 * Compiles a whole-message parser from a {@link PublicMessage}: the header
 * fields it uses read inline into locals, the public header fields, the
 * combined fields made from the header only and the attribute defaults, one
 * attribute loop (inputs of combined fields into locals), then the other
 * combined fields; agrees with `parsePublicMessage`.
 */
function messageParser(u: ObjectUnits, o: MessageSource): void {
  const m = u.exports[o.message] as PublicMessage;
  const combined = Object.entries(m.combined ?? {});
  const used = new Set(combined.flatMap(([, c]) => c.from));
  for (const key in m.attrs) for (const f of m.attrs[key].compose?.from ?? []) used.add(f);
  const reads: string[] = [];
  const init: string[] = [];
  let at = 0;
  for (const f in m.header) {
    const spec = headerField(m, f);
    const size = scalarSize(spec.kind);
    if (!spec.kind.startsWith("pad") && (!spec.private || spec.named || used.has(`hdr.${f}`))) {
      const read = INLINE[spec.kind][1].replace(/\bs\b/, at ? `at + ${at}` : "at");
      reads.push(`  const h_${f} = ${read};`);
      const path = `${o.message}.header.${f}`;
      if (!spec.private) {
        init.push(
          `${spec.key ?? f}: ${spec.derive ? `${hoist(u.consts, `${path}.derive`)}.toPublic(h_${f})` : `h_${f}`}`,
        );
      }
      if (spec.named) init.push(`${spec.named.key}: ${namedExpr(spec as AttrSpec, path, u.consts, `h_${f}`)}`);
    }
    at += size;
  }
  const compose = ([key, c]: [string, Compose]) =>
    composeCode(c, `${o.message}.combined.${key}`, u.consts, `out.${key}`);
  const early = combined.filter(([, c]) => headerOnly(c)).map(compose);
  const defaults = Object.entries(applyDefaults(m.attrs, {})).map(([k, v]) => [k, literal(v)]);
  // Defaults join the header fields' literal unless combined fields come between them.
  if (!early.length) init.push(...defaults.map(([k, v]) => `${k}: ${v}`));
  else early.push(...defaults.map(([k, v]) => `  out.${k} = ${v};`));
  const attrs = exprOf(u, m.attrs, `${o.message}.attrs`);
  const loop = objectBody(u, m.attrs, attrs, `keepUnknown(out, "", raw, buf.slice(s, e));`, `at + ${at}`, true, m);
  const finish = finishLines(m.attrs, m.what);
  const late = combined.filter(([, c]) => !headerOnly(c)).map(compose);
  u.bodies.push(`/**
 * Parses a \`${m.name}\` message into a \`${o.type}\`, straight from the bytes; agrees with
 * \`parsePublicMessage(${o.message}, msg)\`. Throws \`TruncatedError\`/\`MalformedError\` on bad bytes.
 */
export function ${o.fn}(msg: NlMsg): ${o.type} {
  const buf = msg.buf, view = msg.view, at = msg.start + 16, end = msg.end;
  if (at + ${at} > end) throw new TruncatedError(${JSON.stringify(m.name)}, at, ${at}, end - at);
${[...reads, `  const out: PublicObject = ${init.length ? `{ ${init.join(", ")} }` : "{}"};`, ...early].join("\n")}
${finish.some((l) => /\bstart\b/.test(l)) ? `  const start = at + ${at};\n` : ""}${
    /\broot\b/.test(loop) ? "  const root = out;\n" : ""
  }${loop}${[...finish, ...late].map((l) => l + "\n").join("")}  return out as unknown as ${o.type};
}`);
}

/** An empty payload writer, for flag attributes. */
const NOOP = "const noop = (): void => {};";

/**
 * Compiles builders: one function per table reached, writing the attributes
 * of a parsed-attributes object in table order, then its kept unknowns,
 * byte for byte what `MessageBuilder.attrs` writes (no table walk, no
 * closure per nest).
 */
function builderFns(
  exports: Record<string, unknown>,
  table: AttrTable,
  expr: string,
  consts: string[],
  built: Map<AttrTable, string>,
): string[] {
  const bodies: string[] = [];
  const unit = (t: AttrTable, path: string, exported: boolean): string => {
    let fn = built.get(t);
    if (fn) return fn;
    const name = Object.keys(exports).find((k) => exports[k] === t);
    fn = "build" + fnName(name ?? path.replace(/\.table\b/g, "").replace(/\./g, "_")).slice(5);
    built.set(t, fn);
    const lines: string[] = [];
    for (const key in t) {
      const spec: AttrSpec = t[key];
      const at = `${path}.${key}`;
      const T = spec.type;
      let put: string;
      if (spec.kind === "string") put = `b.string(${T}, x);`;
      else if (spec.kind === "flag") {
        put = `if (x) b.attr(${T}, noop);`;
        if (!consts.includes(NOOP)) consts.push(NOOP);
      } else if (spec.kind === "bytes") put = `b.bytes(${T}, x);`;
      else if (spec.kind === "ip") put = `b.ip(${T}, x as string | Uint8Array);`;
      else if (spec.kind === "mac") {
        put = `b.mac(${T}, (x as unknown) instanceof Uint8Array ? x as unknown as Uint8Array : String(x));`;
      } else if (spec.kind === "nested") {
        put = `{ const at = b.open(${T}); ${unit(spec.table!, `${at}.table`, false)}(b, x); b.close(at); }`;
      } else if (spec.kind === "struct") put = `b.attr(${T}, (w) => w.struct(${hoist(consts, `${at}.struct`)}, x));`;
      else if (spec.kind === "codec") put = `b.attr(${T}, (w) => ${hoist(consts, `${at}.codec`)}.build(w, x));`;
      else {
        const n = spec.bits
          ? `bitsOfNames(${hoist(consts, `${at}.bits`)}, x, "${key}")`
          : spec.names
          ? `valueOfName(${hoist(consts, `${at}.names`)}, x, "${key}")`
          : "x";
        put =
          `const n = ${n}; if (typeof n !== "number" || !Number.isFinite(n)) throw new InvalidArgumentError(\`Invalid ${key}: "\${String(x)}"\`); b.u(${T}, "${spec.kind}", n);`;
      }
      lines.push(
        spec.repeat
          ? `  if (a.${key} !== undefined) for (const x of a.${key}) { ${put} }`
          : `  if (a.${key} !== undefined) { const x = a.${key}; ${put} }`,
      );
    }
    lines.push("  if (a.unknown) for (const r of a.unknown) b.bytes(r.type, r.data);");
    bodies.push(`/** Appends \`${path}\` attributes; writes what \`MessageBuilder.attrs\` writes. */
${exported ? "export " : ""}function ${fn}(b: MessageBuilder, a: Attrs<typeof ${path}>): MessageBuilder {
${lines.join("\n")}
  return b;
}`);
    return fn;
  };
  unit(table, expr, true);
  return bodies;
}

/**
 * The reader compiled for the struct layout at `path` (declared once among
 * `consts`): one object literal of inline reads, where `parseStruct` adds
 * key after key to an empty object; a shorter struct (an older kernel's)
 * goes to `parseStruct`, which leaves out the fields past its end.
 */
function structReader(consts: string[], spec: StructSpec, path: string): string {
  const k = hoist(consts, `${path}.struct`);
  const fn = `read${k}`;
  if (consts.some((c) => c.includes(`function ${fn}(`))) return fn;
  const fields: string[] = [];
  let at = 0;
  for (const key in spec) {
    const kind = spec[key];
    if (!kind.startsWith("pad")) fields.push(`${key}: ${INLINE[kind][1].replace(/\bs\b/, at ? `s + ${at}` : "s")}`);
    at += scalarSize(kind);
  }
  consts.push(`/** Reads struct \`${path}.struct\` at \`s\`; agrees with \`parseStruct\`. */
function ${fn}(view: DataView, s: number, e: number): StructValue<typeof ${k}> {
  if (e - s < ${at}) return parseStruct(${k}, view, s, e);
  return { ${fields.join(", ")} };
}`);
  return fn;
}

/** Module-level constant for a table path, so the hot loop does no property walk. */
function hoist(consts: string[], path: string): string {
  const at = consts.findIndex((c) => c.endsWith(` = ${path};`));
  if (at >= 0) return `K${at}`;
  const name = `K${consts.length}`;
  consts.push(`const ${name} = ${path};`);
  return name;
}

/** The text of the generated file of one `SOURCES` entry (tests check the generator's refusals with it). */
export async function generateSource(src: Source): Promise<string> {
  const exports = await import(join(ROOT, src.module));
  return generate(
    src.module,
    exports,
    src.tables,
    src.objects,
    src.builders,
    src.messages,
    src.sharedNests,
    src.requests,
    src.builderMaps,
  );
}

if (import.meta.main) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const src of SOURCES) {
    const text = await generateSource(src);
    const out = join(ROOT, dirname(src.module), "_generated", basename(src.module));
    let old = "";
    try {
      old = readFileSync(out, "utf8");
    } catch { /* new file */ }
    if (old === text) continue;
    if (check) {
      console.error(`stale: ${relative(ROOT, out)} (run deno run -A scripts/gen_codecs.ts)`);
      stale++;
    } else {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      console.log(`wrote ${relative(ROOT, out)}`);
    }
  }
  if (stale) process.exit(1);
}
