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
import { type AttrSpec, type AttrTable, scalarSize } from "../src/wire/table.ts";
import { applyDefaults } from "../src/wire/public.ts";
import { combinedInputs, type PublicMessage } from "../src/wire/public_message.ts";

/**
 * A public object parser to generate: the table whose public keys describe
 * it, the name of the exported function, the object's type and the module
 * that declares it, and how errors name the message.
 */
interface ObjectSource {
  table: string;
  fn: string;
  type: string;
  from: string;
  what: string;
}

/** A whole-message parser to generate from a {@link PublicMessage}: its export, function, object type and module. */
interface MessageSource {
  message: string;
  fn: string;
  type: string;
  from: string;
}

/** The tables to compile, by module and export name. Add a table here to generate its parser. */
const SOURCES: {
  module: string;
  tables: string[];
  objects?: ObjectSource[];
  builders?: string[];
  messages?: MessageSource[];
}[] = [
  { module: "src/route/route/table.ts", tables: ["ROUTE_TABLE", "NEXTHOP_TABLE"] },
  { module: "src/route/link/table.ts", tables: ["IFLA_ATTRS"] },
  {
    module: "src/route/addr/table.ts",
    tables: [],
    messages: [{
      message: "ADDRESS_MESSAGE",
      fn: "parseAddressMessage",
      type: "Address",
      from: "src/route/addr/table.ts",
    }],
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
  },
  {
    module: "src/route/rule/table.ts",
    tables: [],
    messages: [{ message: "RULE_MESSAGE", fn: "parseRuleMessage", type: "Rule", from: "src/route/rule/table.ts" }],
  },
  { module: "src/route/nexthop/table.ts", tables: ["NHA_ATTRS"] },
  { module: "src/route/mroute/table.ts", tables: ["MROUTE_ATTRS"] },
  {
    module: "src/netfilter/conntrack/tables.ts",
    tables: ["CTA_TABLE"],
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
];

const ROOT = new URL("..", import.meta.url).pathname;

/** Inline readers of the fixed-size scalars; 64-bit kinds go through `readScalar`, like the engine. */
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
function wireValue(module: string, spec: AttrSpec, path: string, consts: string[]): { check: string; value: string } {
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
  else if (spec.kind === "struct") value = `parseStruct(${hoist(consts, `${path}.struct`)}, view, s, e)`;
  else if (spec.kind === "codec") value = `${hoist(consts, `${path}.codec`)}.parse(buf, view, s, e)`;
  else if (spec.kind === "nested") value = "";
  else throw new Error(`${module}: ${path}: unknown kind ${spec.kind}`);
  return { check, value };
}

/** Generates one module's file: a parser per listed table and per table nested in it. */
function generate(
  module: string,
  exports: Record<string, unknown>,
  names: string[],
  objects: ObjectSource[] = [],
  builders: string[] = [],
  messages: MessageSource[] = [],
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
  const exported = names.length;
  const bodies: string[] = [];
  for (let i = 0; i < units.length; i++) {
    const u = units[i];
    const cases: string[] = [];
    for (const key in u.table) {
      const spec: AttrSpec = u.table[key];
      const path = `${u.expr}.${key}`;
      let { check, value } = wireValue(module, spec, path, consts);
      if (spec.kind === "nested") {
        const nested = add(spec.table!, `${path}.table`, `${u.fn}${key[0].toUpperCase()}${key.slice(1)}`);
        value = `${nested.fn}(buf, view, s, e)`;
      }
      const store = spec.repeat ? `(out.${key} ??= []).push(${value})` : `out.${key} = ${value}`;
      cases.push(`      case ${spec.type}:\n        ${check}${store};\n        break;`);
    }
    const exportFn = i < exported ? "export " : "";
    bodies.push(
      `/** Parses \`${u.expr}\` attributes in \`buf[start, end)\`; agrees with \`parseAttrs\`. */
${exportFn}function ${u.fn}(buf: Uint8Array, view: DataView, start: number, end: number): Attrs<typeof ${u.expr}> {
  const out: Attrs<typeof ${u.expr}> = {};
  let off = start;
  while (off + 4 <= end) {
    const len = view.getUint16(off, true);
    const raw = view.getUint16(off + 2, true);
    if (len < 4) throw new MalformedError(\`Attribute length \${len} is shorter than its header\`, off);
    if (off + len > end) throw new TruncatedError("attribute", off, len, end - off);
    const s = off + 4, e = off + len;
    switch (raw & 0x3fff) {
${cases.join("\n")}
      default:
        (out.unknown ??= []).push({ type: raw, data: buf.slice(s, e) });
    }
    off += (len + 3) & ~3;
  }
  if (off < end) throw new TruncatedError("attribute header", off, 4, end - off);
  return out;
}`,
    );
  }
  const file = join(dirname(module), "_generated", basename(module));
  const rel = (p: string) => relative(dirname(file), p).replace(/^(?!\.)/, "./");
  const objectUnits = new Map<AttrTable, string>();
  const types: string[] = [];
  const built = new Map<AttrTable, string>();
  for (const name of builders) bodies.push(...builderFns(exports, exports[name] as AttrTable, name, consts, built));
  if (builders.length) {
    types.push(`import { InvalidArgumentError } from "${rel("src/errors.ts")}";`);
    types.push(`import type { MessageBuilder } from "${rel("src/wire/builder.ts")}";`);
  }
  const u: ObjectUnits = { module, exports, consts, fns: objectUnits, bodies };
  for (const o of objects) {
    objectParser(u, o);
    types.push(`import type { ${o.type} } from "${rel(o.from)}";`);
  }
  for (const o of messages) {
    messageParser(u, o);
    types.push(`import type { ${o.type} } from "${rel(o.from)}";`);
  }
  if (messages.length) {
    types.push(`import type { NlMsg } from "${rel("src/wire/message.ts")}";`);
    names = [...names, ...messages.map((o) => o.message)];
  }
  return `// Generated by scripts/gen_codecs.ts from ${
    basename(module)
  }: do not edit; run \`deno run -A scripts/gen_codecs.ts\`.
// deno-fmt-ignore-file
/**
 * Parsers compiled from the attribute tables of \`${basename(module)}\`.
 *
 * @module
 */

import { ${names.join(", ")} } from "${rel(module)}";
import { formatHex, formatIp } from "${rel("src/wire/addr.ts")}";
import { MalformedError, TruncatedError } from "${rel("src/wire/errors.ts")}";
import { type Attrs, bitNames, nameOf, type NameMap, parseStruct, readScalar, readString } from "${
    rel("src/wire/table.ts")
  }";
import { keepUnknown, type PublicObject } from "${rel("src/wire/public.ts")}";
import { bitsOfNames, valueOfName } from "${rel("src/wire/table.ts")}";
import { parseMac } from "${rel("src/wire/addr.ts")}";
${types.map((t) => t + "\n").join("")}
${consts.join("\n")}

${bodies.join("\n\n")}
`;
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

/** Where generated object parsers keep their per-table functions and bodies, shared by a module's objects. */
interface ObjectUnits {
  module: string;
  exports: Record<string, unknown>;
  consts: string[];
  fns: Map<AttrTable, string>;
  bodies: string[];
}

/** The statements of one `case` of an object parser's switch, for attribute `key` of a table at `path`. */
function objectCase(u: ObjectUnits, spec: AttrSpec, key: string, path: string): string {
  const sub = `parent === "" ? key : parent + "." + key, "${key}"`;
  if (spec.kind === "nested") {
    const child = objectUnit(u, spec.table!, `${path}.table`);
    if (spec.flatten) return `${child}(buf, view, s, e, out, root, ${sub});`;
    return `const o: PublicObject = ${
      literal(applyDefaults(spec.table!, {}))
    }; ${child}(buf, view, s, e, o, root, ${sub}); ` +
      storeCode(spec, key, path, u.consts, "o");
  }
  const { check, value } = wireValue(u.module, spec, path, u.consts);
  const v = spec.derive ? `${hoist(u.consts, `${path}.derive`)}.toPublic(${value})` : value;
  return `${check}const v = ${v}; ${storeCode(spec, key, path, u.consts, "v")}`;
}

/** The attribute loop of an object parser over `buf[start, end)`, one case per attribute (`cases`). */
function objectLoop(cases: string[], unknownPath: string): string {
  return `  let off = start;
  while (off + 4 <= end) {
    const len = view.getUint16(off, true);
    const raw = view.getUint16(off + 2, true);
    if (len < 4) throw new MalformedError(\`Attribute length \${len} is shorter than its header\`, off);
    if (off + len > end) throw new TruncatedError("attribute", off, len, end - off);
    const s = off + 4, e = off + len;
    switch (raw & 0x3fff) {
${cases.join("\n")}
      default:
        keepUnknown(root, ${unknownPath}, raw, buf.slice(s, e));
    }
    off += (len + 3) & ~3;
  }
  if (off < end) throw new TruncatedError("attribute header", off, 4, end - off);`;
}

/** The switch cases of `table` (request-only attributes fall to `default`, kept raw like any unknown one). */
function objectCases(
  u: ObjectUnits,
  table: AttrTable,
  expr: string,
  input?: (key: string) => string | undefined,
): string[] {
  const cases: string[] = [];
  for (const key in table) {
    const spec: AttrSpec = table[key];
    if (spec.dir === "request") continue;
    const path = `${expr}.${key}`;
    const local = input?.(key);
    let body: string;
    if (local) {
      const { check, value } = wireValue(u.module, spec, path, u.consts);
      body = spec.repeat ? `${check}(${local} ??= []).push(${value});` : `${check}${local} = ${value};`;
    } else body = objectCase(u, spec, key, path);
    cases.push(`      case ${spec.type}: {\n        ${body}\n        break;\n      }`);
  }
  return cases;
}

/** Compiles (once per table) the function that parses `table`'s attributes into a public object. */
function objectUnit(u: ObjectUnits, table: AttrTable, expr: string): string {
  let fn = u.fns.get(table);
  if (fn) return fn;
  const name = Object.keys(u.exports).find((k) => u.exports[k] === table);
  fn = "obj" + fnName(name ?? expr.replace(/\.table\b/g, "").replace(/\./g, "_")).slice(5);
  u.fns.set(table, fn);
  const cases = objectCases(u, table, expr);
  u.bodies.push(
    `/**
 * Parses \`${expr}\` attributes in \`buf[start, end)\` into public object \`out\`; agrees with \`parsePublic\`.
 * The nest's path (for unknown attributes) is \`parent.key\`, joined only when needed.
 */
function ${fn}(buf: Uint8Array, view: DataView, start: number, end: number, out: PublicObject, root: PublicObject, parent: string, key: string): void {
${objectLoop(cases, 'parent === "" ? key : parent + "." + key')}
}`,
  );
  return fn;
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
 * Compiles a public object parser: one function per table reached (a nest
 * shared by several attributes, such as a conntrack tuple, is compiled once),
 * writing straight into the public object, and the exported entry point.
 */
function objectParser(u: ObjectUnits, o: ObjectSource): void {
  const table = u.exports[o.table] as AttrTable;
  const top = objectUnit(u, table, o.table);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(applyDefaults(table, {}))) lines.push(`  out.${k} = ${literal(v)};`);
  lines.push(`  ${top}(buf, view, start, end, out, out, "", "");`);
  lines.push(...finishLines(table, o.what));
  u.bodies.push(`/**
 * Parses the \`${o.table}\` attributes in \`buf[start, end)\` into a \`${o.type}\`, filling \`out\`
 * (which may hold header fields already); agrees with \`parsePublicObject\`.
 */
export function ${o.fn}(buf: Uint8Array, view: DataView, start: number, end: number, out: PublicObject): ${o.type} {
${lines.join("\n")}
  return out as unknown as ${o.type};
}`);
}

/**
 * Compiles a whole-message parser from a {@link PublicMessage}: the header
 * read inline into locals, the object literal of the public header fields
 * and attribute defaults, one attribute loop (inputs of combined fields into
 * locals), then the combined fields; agrees with `parsePublicMessage`.
 */
function messageParser(u: ObjectUnits, o: MessageSource): void {
  const m = u.exports[o.message] as PublicMessage;
  const reads: string[] = [];
  const init: string[] = [];
  let at = 0;
  for (const f in m.header) {
    const spec = m.header[f];
    const size = scalarSize(spec.kind);
    if (!spec.kind.startsWith("pad")) {
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
  for (const [k, v] of Object.entries(applyDefaults(m.attrs, {}))) init.push(`${k}: ${literal(v)}`);
  const inputs = combinedInputs(m);
  const cases = objectCases(u, m.attrs, `${o.message}.attrs`, (k) => inputs.has(k) ? `a_${k}` : undefined);
  const combined: string[] = [];
  for (const key in m.combined) {
    const c = m.combined[key];
    const args = c.from.map((f) => f.startsWith("hdr.") ? `h_${f.slice(4)}` : `a_${f}`);
    const value = c.toPublic
      ? `${hoist(u.consts, `${o.message}.combined.${key}.toPublic`)}(${args.join(", ")})`
      : args[0];
    combined.push(`  const c_${key} = ${value};\n  if (c_${key} !== undefined) out.${key} = c_${key};`);
  }
  u.bodies.push(`/**
 * Parses a \`${m.name}\` message into a \`${o.type}\`, straight from the bytes; agrees with
 * \`parsePublicMessage(${o.message}, msg)\`. Throws \`TruncatedError\`/\`MalformedError\` on bad bytes.
 */
export function ${o.fn}(msg: NlMsg): ${o.type} {
  const buf = msg.buf, view = msg.view, at = msg.start + 16, end = msg.end;
  if (at + ${at} > end) throw new TruncatedError(${JSON.stringify(m.name)}, at, ${at}, end - at);
${reads.join("\n")}
  const out: PublicObject = { ${init.join(", ")} };
  const root = out, start = at + ${at};
${[...inputs].map((k) => `  let a_${k}: Attrs<typeof ${o.message}.attrs>["${k}"];`).join("\n")}
${objectLoop(cases, '""')}
${finishLines(m.attrs, m.what).join("\n")}
${combined.join("\n")}
  return out as unknown as ${o.type};
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
        put = `b.bytes(${T}, (x as unknown) instanceof Uint8Array ? x as unknown as Uint8Array : parseMac(String(x)));`;
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

/** Module-level constant for a table path, so the hot loop does no property walk. */
function hoist(consts: string[], path: string): string {
  const at = consts.findIndex((c) => c.endsWith(` = ${path};`));
  if (at >= 0) return `K${at}`;
  const name = `K${consts.length}`;
  consts.push(`const ${name} = ${path};`);
  return name;
}

const check = process.argv.includes("--check");
let stale = 0;
for (const src of SOURCES) {
  const exports = await import(join(ROOT, src.module));
  let text = generate(src.module, exports, src.tables, src.objects, src.builders, src.messages);
  // Drop imports the file does not use, so lint stays quiet.
  for (
    const name of [
      "formatHex",
      "formatIp",
      "MalformedError",
      "bitNames",
      "nameOf",
      "parseStruct",
      "readScalar",
      "readString",
      "NameMap",
      "keepUnknown",
      "PublicObject",
      "bitsOfNames",
      "valueOfName",
      "parseMac",
    ]
  ) {
    const uses = text.split(new RegExp(`\\b${name}\\b`)).length - 1;
    if (uses === 1) {
      text = text.replace(new RegExp(`(, )?(type )?\\b${name}\\b(, )?`), (_m, a, _t, b) => (a && b ? ", " : ""));
    }
  }
  text = text.replace(/import \{\s*\} from "[^"]+";\n/g, "").replace(/import \{ type Attrs \}/, "import type { Attrs }")
    .replace(/import \{ type PublicObject \}/, "import type { PublicObject }");
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
