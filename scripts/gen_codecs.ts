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
import type { AttrSpec, AttrTable } from "../src/wire/table.ts";

/** The tables to compile, by module and export name. Add a table here to generate its parser. */
const SOURCES: { module: string; tables: string[] }[] = [
  { module: "src/route/route/table.ts", tables: ["ROUTE_TABLE", "NEXTHOP_TABLE"] },
  { module: "src/route/link/table.ts", tables: ["IFLA_ATTRS"] },
  { module: "src/route/addr/table.ts", tables: ["IFA_ATTRS"] },
  { module: "src/route/neigh/table.ts", tables: ["NDA_ATTRS"] },
  { module: "src/route/rule/table.ts", tables: ["RULE_ATTRS"] },
  { module: "src/route/nexthop/table.ts", tables: ["NHA_ATTRS"] },
  { module: "src/netfilter/conntrack/tables.ts", tables: ["CTA_TABLE"] },
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

/** Generates one module's file: a parser per listed table and per table nested in it. */
function generate(module: string, exports: Record<string, unknown>, names: string[]): string {
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
      let value: string;
      let check = "";
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
      else if (spec.kind === "nested") {
        const nested = add(spec.table!, `${path}.table`, `${u.fn}${key[0].toUpperCase()}${key.slice(1)}`);
        value = `${nested.fn}(buf, view, s, e)`;
      } else throw new Error(`${module}: ${path}: unknown kind ${spec.kind}`);
      const store = spec.repeat ? `(out.${key} ??= []).push(${value})` : `out.${key} = ${value}`;
      cases.push(`      case ${spec.type}:\n        ${check}${store};\n        break;`);
    }
    const exported = i < names.length ? "export " : "";
    bodies.push(
      `/** Parses \`${u.expr}\` attributes in \`buf[start, end)\`; agrees with \`parseAttrs\`. */
${exported}function ${u.fn}(buf: Uint8Array, view: DataView, start: number, end: number): Attrs<typeof ${u.expr}> {
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
import { type Attrs, bitNames, nameOf, parseStruct, readScalar, readString } from "${rel("src/wire/table.ts")}";

${consts.join("\n")}

${bodies.join("\n\n")}
`;
}

/** Module-level constant for a table path, so the hot loop does no property walk. */
function hoist(consts: string[], path: string): string {
  const name = `K${consts.length}`;
  consts.push(`const ${name} = ${path};`);
  return name;
}

const check = process.argv.includes("--check");
let stale = 0;
for (const src of SOURCES) {
  const exports = await import(join(ROOT, src.module));
  let text = generate(src.module, exports, src.tables);
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
    ]
  ) {
    const uses = text.split(new RegExp(`\\b${name}\\b`)).length - 1;
    if (uses === 1) text = text.replace(new RegExp(`(, )?\\b${name}\\b(, )?`), (_m, a, b) => (a && b ? ", " : ""));
  }
  text = text.replace(/import \{ \} from "[^"]+";\n/g, "").replace(/import \{ type Attrs \}/, "import type { Attrs }");
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
