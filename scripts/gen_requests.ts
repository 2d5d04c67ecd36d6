/**
 * The request half of `scripts/gen_codecs.ts`: compiles a message
 * declaration (`PublicMessage`) and its request table into specialised
 * builders, each the runtime engine's function unrolled for that table:
 *
 * - `encode<X>Request(b, header, attrs)`: the header's numbers and the wire
 *   attributes, byte for byte what `encodeRequest` writes;
 * - `check<X>Attrs(attrs)`: `checkAttrs` of the table;
 * - `<x>RequestHeader(values)`: `requestHeader` of the message;
 * - `public<X>Attrs(obj)`: `publicAttrs` of the table (only with `public`);
 * - `build<X>Request(type, flags, header, attrs)`: `buildRequest` (only with `public`).
 *
 * Every check runs inline on the values that pass; a value that fails
 * goes to the engine's own check, so errors are the engine's word for word.
 *
 * @module
 */

import { type AttrSpec, type AttrTable, KIND_RANGE, scalarSize } from "../src/wire/table.ts";
import { headerField, type PublicMessage } from "../src/wire/public_message.ts";

/** A request to compile: the message declaration and its request table (exports of the module), and the name of its functions. */
export interface RequestSource {
  message: string;
  table: string;
  /** `Route` gives `encodeRouteRequest`, `checkRouteAttrs`, `routeRequestHeader`... */
  name: string;
  /** Also compile `publicAttrs` and `buildRequest` (tables whose public object the caller gives). */
  public?: boolean;
}

/** What the generator shares with `gen_codecs.ts`: module-level constants, and the compiled wire attribute writers. */
export interface RequestContext {
  exports: Record<string, unknown>;
  /** A module-level constant for a path from the module's exports. */
  hoist: (path: string) => string;
  /** The name of the function writing a table's wire attributes (`MessageBuilder.attrs`), compiled on demand. */
  attrWriter: (table: AttrTable, path: string) => string;
}

/** `typeof v === "number"` and in range `[min, max]`, as an expression over `v`. */
function inRange(v: string, min: number, max: number): string {
  return `typeof ${v} === "number" && Number.isInteger(${v}) && ${v} >= ${min} && ${v} <= ${max}`;
}

/**
 * The statement that checks `v` as `checkPolicy(spec, v, what)` does: the
 * passing case inline, anything else through `checkPolicy` itself (which
 * throws its own error, or passes what the inline test does not cover).
 */
export function policyCheck(spec: AttrSpec, path: string, v: string, what: string, c: RequestContext): string {
  const call = () => `checkPolicy(${c.hoist(path)}, ${v}, ${JSON.stringify(what)});`;
  const range = KIND_RANGE[spec.kind];
  if (range) {
    const min = spec.min ?? range[0], max = spec.max ?? range[1];
    // A name or flag names fail the number test: the engine looks them up and checks the number.
    return `if (!(${inRange(v, min, max)})) ${call()}`;
  }
  if (spec.kind === "string" && (spec.maxLen !== undefined || spec.pattern)) return call();
  if (spec.kind === "bytes" && spec.maxLen !== undefined) return call();
  if (spec.kind === "ip" && spec.width !== undefined) return call();
  return "";
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

/** Compiles the functions of one request source; returns their bodies. */
export function requestFns(src: RequestSource, c: RequestContext): string[] {
  const m = c.exports[src.message] as PublicMessage;
  const table = c.exports[src.table] as AttrTable;
  const bodies: string[] = [];
  const lc = src.name[0].toLowerCase() + src.name.slice(1);
  bodies.push(checkAttrsFn(table, src.table, `check${src.name}Attrs`, c, bodies, true));
  bodies.push(headerFn(m, src.message, `${lc}RequestHeader`, c));
  const writer = c.attrWriter(table, src.table);
  const writes: string[] = [];
  for (const f in m.header) {
    const kind = headerField(m, f).kind;
    if (!kind.startsWith("pad")) writes.push(`  b.scalar("${kind}", h.${f} ?? 0);`);
    else {
      // Padding is zeros: the builder's buffer starts zeroed.
      for (let n = scalarSize(kind); n > 0;) {
        const k = n >= 4 ? "u32" : n >= 2 ? "u16" : "u8";
        writes.push(`  b.scalar("${k}", 0);`);
        n -= scalarSize(k);
      }
    }
  }
  bodies.push(
    `/** Writes a \`${m.name}\` request's header numbers \`h\` and attributes \`a\` into \`b\`; what \`encodeRequest(${src.message}, ...)\` writes. */
export function encode${src.name}Request(b: MessageBuilder, h: { readonly [field: string]: number | undefined }, a: Attrs<typeof ${src.table}>): MessageBuilder {
${writes.join("\n")}
  return ${writer}(b, a);
}`,
  );
  if (src.public) {
    const pub = publicFn(table, src.table, `public${src.name}Attrs`, c, bodies, new Map(), true);
    bodies.push(
      `/** Builds a \`${m.name}\` request from public header values and a public object; what \`buildRequest(${src.message}, type, flags, header, ${src.table}, attrs)\` builds. */
export function build${src.name}Request(type: number, flags: number, header: { readonly [field: string]: unknown }, attrs: PublicObject): Uint8Array {
  const h = ${lc}RequestHeader(header);
  return encode${src.name}Request(new MessageBuilder(type, flags), h, ${pub}(attrs, attrs, "") as Attrs<typeof ${src.table}>).finish();
}`,
    );
  }
  return bodies;
}

/** `checkAttrs` of `table`, its nests compiled once each. */
function checkAttrsFn(
  table: AttrTable,
  path: string,
  fn: string,
  c: RequestContext,
  bodies: string[],
  exported: boolean,
  done: Map<AttrTable, string> = new Map(),
): string {
  done.set(table, fn);
  const lines: string[] = [];
  for (const key in table) {
    const spec: AttrSpec = table[key];
    const at = `${path}.${key}`;
    let one: string;
    if (spec.kind === "nested") {
      let sub = done.get(spec.table!);
      if (!sub) {
        sub = `${fn}${cap(key)}`;
        bodies.push(checkAttrsFn(spec.table!, `${at}.table`, sub, c, bodies, false, done));
      }
      one = `${sub}(x as Record<string, unknown>);`;
    } else one = policyCheck(spec, at, "x", spec.what ?? spec.key ?? key, c);
    if (!one) continue;
    lines.push(
      spec.repeat
        ? `  if (a.${key} !== undefined) for (const x of a.${key} as unknown[]) { ${one} }`
        : `  if (a.${key} !== undefined) { const x: unknown = a.${key}; ${one} }`,
    );
  }
  const head = lines.length ? `_a: A): A {\n  const a = _a as Record<string, unknown>;` : "_a: A): A {";
  return `/** Checks the values of \`a\` against the policies of \`${path}\` and returns it; what \`checkAttrs\` does. */
${exported ? "export " : ""}function ${fn}<A>(${head}
${lines.join("\n")}
  return _a;
}`;
}

/** `requestHeader` of message `m`: each field's name, bits or public form to its number, checked. */
function headerFn(m: PublicMessage, path: string, fn: string, c: RequestContext): string {
  const lines: string[] = [];
  const known: string[] = [];
  for (const f in m.header) {
    const spec = headerField(m, f);
    if (spec.kind.startsWith("pad")) continue;
    known.push(f);
    const at = `${path}.header.${f}`;
    const what = JSON.stringify(spec.what ?? spec.named?.key ?? spec.key ?? f);
    const names = spec.named?.names ? `${at}.named.names` : spec.names ? `${at}.names` : undefined;
    // The engine's chain: a name, else flag names, else a public form (`derive.toWire`).
    const conv: string[] = [];
    if (names) conv.push(`if (typeof v === "string") v = valueOfName(${c.hoist(names)}, v, ${what});`);
    if (spec.named?.bits) {
      conv.push(`if (Array.isArray(v)) v = bitsOfNames(${c.hoist(`${at}.named.bits`)}, v, ${what});`);
    }
    if (spec.derive) {
      conv.push(`if (typeof v !== "number") v = (${c.hoist(`${at}.derive`)}.toWire as (p: unknown) => unknown)(v);`);
    }
    const chain = conv.join(" else ");
    const range = KIND_RANGE[spec.kind];
    const min = spec.min ?? range[0], max = spec.max ?? range[1];
    let ok = inRange("v", min, max);
    if (spec.only && spec.named?.names) ok += ` && v in ${c.hoist(`${at}.named.names`)}`;
    lines.push(
      `  if (values.${f} !== undefined) { ${chain ? "let" : "const"} v: unknown = values.${f}; ${
        chain ? chain + " " : ""
      }if (!(${ok})) requestHeader(${path}, { ${f}: values.${f} }); out.${f} = v as number; }`,
    );
  }
  const list = known.map((k) => JSON.stringify(k)).join(", ");
  return `/** The header numbers of a \`${m.name}\` request from their public values, checked; what \`requestHeader(${path}, values)\` returns. */
export function ${fn}(values: { readonly [field: string]: unknown }): Record<string, number> {
  for (const f in values) if (values[f] !== undefined && !${
    c.hoist(`new Set([${list}])`)
  }.has(f)) requestHeader(${path}, { [f]: values[f] });
  const out: Record<string, number> = {};
${lines.join("\n")}
  return out;
}`;
}

/** A JavaScript literal of a primitive default. */
const lit = (v: unknown) => (v === undefined ? "undefined" : JSON.stringify(v));

/** `publicAttrs` of `table`: a public object back to its wire attributes, checked (nests compiled once each). */
function publicFn(
  table: AttrTable,
  path: string,
  fn: string,
  c: RequestContext,
  bodies: string[],
  done: Map<AttrTable, string>,
  exported = false,
): string {
  done.set(table, fn);
  const keys = new Map<string, number>();
  for (const key in table) keys.set(table[key].key ?? key, (keys.get(table[key].key ?? key) ?? 0) + 1);
  const lines: string[] = [];
  const taken = new Set<string>();
  const sub = (wkey: string) => `path === "" ? "${wkey}" : path + ".${wkey}"`;
  const nested = (spec: AttrSpec, at: string, wkey: string) => {
    let f = done.get(spec.table!);
    if (!f) {
      f = `${fn}${cap(wkey)}`;
      publicFn(spec.table!, `${at}.table`, f, c, bodies, done);
    }
    return f;
  };
  for (const wkey in table) {
    const spec: AttrSpec = table[wkey];
    const at = `${path}.${wkey}`;
    const key = spec.key ?? wkey;
    if (spec.compose || spec.input) throw new Error(`${at}: a composed field has no inverse (no public builder)`);
    if (spec.kind === "nested" && spec.flatten) {
      lines.push(
        `  { const w = ${nested(spec, at, wkey)}(obj, root, ${
          sub(wkey)
        }); if (Object.keys(w).length) out.${wkey} = w; }`,
      );
      continue;
    }
    const src = spec.hoist ? "root" : "obj";
    const dot = key.indexOf(".");
    const read = dot < 0
      ? `${src}.${key}`
      : `(${src}.${key.slice(0, dot)} as PublicObject | undefined)?.${key.slice(dot + 1)}`;
    const conds = ["x !== undefined"];
    const shared = (keys.get(key) ?? 0) > 1;
    const flag = `t_${key.replace(/\W/g, "_")}`;
    if (shared) conds.push(`!${flag}`);
    // `fits`: a `when` picks by the root's key; a rival's `when` that holds excludes this one; a width by the address.
    if (spec.when) conds.push(`root.${spec.when.key} === ${spec.when.is}`);
    else {
      for (const wk2 in table) {
        const r = table[wk2];
        if (r !== spec && (r.key ?? wk2) === key && r.when) conds.push(`root.${r.when.key} !== ${r.when.is}`);
      }
      if (spec.width !== undefined) {
        conds.push(`typeof v === "string" && v.includes(":") === ${spec.width === 16}`);
      }
    }
    let value: string;
    if (spec.kind === "nested") value = `${nested(spec, at, wkey)}(x as PublicObject, root, ${sub(wkey)})`;
    else if (spec.derive) value = `(${c.hoist(`${at}.derive`)}.toWire as (p: unknown) => unknown)(x)`;
    else value = "x";
    const check = spec.kind === "nested" || spec.derive ? "" : policyCheck(spec, at, "x", spec.what ?? key, c);
    const store = spec.repeat
      ? `out.${wkey} = (x as unknown[]).map((x) => { ${check} return ${value}; });`
      : `${check} out.${wkey} = ${value};`;
    const skip = spec.kind !== "nested" && spec.default !== undefined && typeof spec.default !== "object";
    const body = `${shared ? `${flag} = true; ` : ""}${skip ? `if (x !== ${lit(spec.default)}) ` : ""}{ ${store} }`;
    if (shared && !taken.has(key)) {
      taken.add(key);
      lines.push(`  let ${flag} = false;`);
    }
    lines.push(`  { const x: unknown = ${read}; if (${conds.join(" && ").replace(/\bv\b/g, "x")}) { ${body} } }`);
  }
  const unknown =
    `const u = path === "" ? root.unknown : (root.unknownNested as Record<string, unknown> | undefined)?.[path]; if (u) (out as Record<string, unknown>).unknown = u;`;
  bodies.push(
    `/** A public object's \`${path}\` attributes (\`root\` the whole object, \`path\` the nest's), checked by their policies; what \`publicAttrs\` returns. */
${exported ? "export " : ""}function ${fn}(${
      lines.some((l) => /\bobj\b/.test(l)) ? "obj" : "_obj"
    }: PublicObject, root: PublicObject, path: string): PublicObject {
  const out: PublicObject = {};
${lines.join("\n")}
  ${unknown}
  return out;
}`,
  );
  return fn;
}
