/**
 * The public-object engine: an attribute table whose specs carry public
 * keys (`key`, `flatten`, `hoist`, `named`, `derive`, `default`,
 * `required`, `dir`) parses straight into the object the API returns, and
 * {@link publicAttrs} turns such an object back into the table's wire
 * attributes, validating each value against its policy.
 *
 * This engine is the reference: `scripts/gen_codecs.ts` compiles the same
 * tables into specialised parsers (`_generated/`, listed as `objects` in its
 * `SOURCES`), and the property tests check that both agree.
 *
 * Fields of the family header (`nfgenmsg`, `rtmsg`, `ifaddrmsg`) are not
 * attributes: the message parser reads them and passes them in `out`
 * (`{ family }` for conntrack), and the attributes are parsed into the same
 * object; or a `PublicMessage` (`public_message.ts`) declares the header,
 * its public facts and the fields made from it, and its
 * `parsePublicMessage` reads the whole message. A `compose` makes a field
 * from several inputs (header fields, other attributes: a route's prefix
 * from its address and the header's length).
 *
 * @example
 * ```ts
 * import { parsePublicObject } from "./public.ts";
 * const T = {
 *   ip: { type: 1, kind: "nested", flatten: true, table: { v4Src: { type: 1, kind: "ip", key: "src", default: "" } } },
 *   status: { type: 2, kind: "u32", key: "statusBits", named: { key: "status", bits: { 1: "UP" } }, default: 0 },
 * } as const;
 * const bytes = new Uint8Array([12, 0, 1, 0, 8, 0, 1, 0, 10, 0, 0, 1, 8, 0, 2, 0, 1, 0, 0, 0]);
 * const o = parsePublicObject(T, bytes, new DataView(bytes.buffer), 0, bytes.length, {}, "Message");
 * console.log(o); // { src: "10.0.0.1", statusBits: 1, status: ["UP"] }
 * ```
 *
 * @module
 */

import { align4, NLA_HDRLEN, NLA_TYPE_MASK } from "./constants.ts";
import { MalformedError, TruncatedError } from "./errors.ts";
import {
  type Attrs,
  type AttrSpec,
  type AttrTable,
  bitNames,
  checkPolicy,
  type Compose,
  type Decode,
  decoderFor,
  type Named,
  type RawAttr,
} from "./table.ts";

/** A public object under construction: its fields, plus attributes no table describes. */
export interface PublicObject {
  [key: string]: unknown;
  /** Top-level attributes no table describes. */
  unknown?: RawAttr[];
  /** Attributes no table describes inside nests, by the path of table keys (`tupleOrig.proto`). */
  unknownNested?: { [path: string]: RawAttr[] };
}

interface Field {
  wkey: string;
  spec: AttrSpec;
  /** Public key, and its split at a dot (`counters.orig`: head `counters`, tail `orig`). */
  key: string;
  head: string | undefined;
  tail: string;
  decode: Decode | undefined;
  /** Attributes of the same table sharing this public key whose `when` picks them instead. */
  rivals: AttrSpec[];
}

interface Compiled {
  byType: (Field | undefined)[];
  fields: Field[];
  /** Fields made by a {@link Compose} once the table's attributes are in. */
  composed: Field[];
}

const compiled = new WeakMap<AttrTable, Compiled>();

/** A {@link Compose} function, as the engine and the generated parsers call it. */
export type Composer = (...inputs: unknown[]) => unknown;

/** The value of a {@link Compose} from the header fields and a table's wire values. */
export function composeValue(c: Compose, hdr: Record<string, unknown>, wire: Record<string, unknown>): unknown {
  const inputs = c.from.map((k) => k.startsWith("hdr.") ? hdr[k.slice(4)] : wire[k]);
  return c.fn ? (c.fn as Composer)(...inputs) : inputs[0];
}

function fieldsOf(table: AttrTable): Compiled {
  let c = compiled.get(table);
  if (c) return c;
  const fields: Field[] = [];
  const byType: (Field | undefined)[] = [];
  for (const wkey in table) {
    const spec = table[wkey];
    const key = spec.key ?? wkey;
    const dot = key.indexOf(".");
    const f: Field = {
      wkey,
      spec,
      key,
      head: dot < 0 ? undefined : key.slice(0, dot),
      tail: key.slice(dot + 1),
      decode: spec.kind === "nested" ? undefined : decoderFor(spec),
      rivals: [],
    };
    fields.push(f);
    if (spec.dir !== "request") byType[spec.type] = f;
  }
  for (const f of fields) {
    f.rivals = fields.filter((g) => g !== f && g.key === f.key && g.spec.when && !f.spec.when).map((g) => g.spec);
  }
  c = { byType, fields, composed: fields.filter((f) => f.spec.compose) };
  compiled.set(table, c);
  return c;
}

/** The text of a number through a {@link Named} map. */
export function namedValue(n: Named, v: number): string | string[] {
  return n.bits ? bitNames(n.bits, v) : n.names?.[v] ?? n.fallback ?? String(v);
}

/** Keeps an attribute no table describes: at the top in `unknown`, in a nest under its path. */
export function keepUnknown(root: PublicObject, path: string, type: number, data: Uint8Array): void {
  const raw: RawAttr = { type, data };
  if (path === "") (root.unknown ??= []).push(raw);
  else ((root.unknownNested ??= {})[path] ??= []).push(raw);
}

/** The length of the attribute at `off`; throws when it is shorter than its header or runs past `end`. */
function attrLength(view: DataView, off: number, end: number): number {
  const len = view.getUint16(off, true);
  if (len < NLA_HDRLEN) throw new MalformedError(`Attribute length ${len} is shorter than its header`, off);
  if (off + len > end) throw new TruncatedError("attribute", off, len, end - off);
  return len;
}

/**
 * The cases of a nest, as `scripts/gen_codecs.ts` compiles them: puts the
 * attribute of `type` at `buf[s, e)` into `out` and returns true, or false
 * when the nest has no field of that type.
 */
export type NestCases = (
  buf: Uint8Array,
  view: DataView,
  type: number,
  s: number,
  e: number,
  out: PublicObject,
  root: PublicObject,
  parent: string,
  key: string,
) => boolean;

/**
 * Walks the attributes of a nest in `buf[start, end)` for a generated
 * parser: each goes through `cases`, and those it has no field for are kept
 * in `root` under the nest's path (`parent.key`). Throws `MalformedError`
 * or `TruncatedError` on bytes that cannot be attributes, as `parsePublic`.
 */
export function parseNest(
  buf: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  out: PublicObject,
  root: PublicObject,
  parent: string,
  key: string,
  cases: NestCases,
): void {
  let off = start;
  while (off + NLA_HDRLEN <= end) {
    const len = attrLength(view, off, end);
    const raw = view.getUint16(off + 2, true);
    if (!cases(buf, view, raw & NLA_TYPE_MASK, off + NLA_HDRLEN, off + len, out, root, parent, key)) {
      keepUnknown(root, parent === "" ? key : parent + "." + key, raw, buf.slice(off + NLA_HDRLEN, off + len));
    }
    off += align4(len);
  }
  if (off < end) throw new TruncatedError("attribute header", off, NLA_HDRLEN, end - off);
}

function put(target: PublicObject, f: Field, v: unknown): void {
  const t = f.head === undefined ? target : ((target[f.head] ??= {}) as PublicObject);
  if (f.spec.repeat) ((t[f.tail] ??= []) as unknown[]).push(v);
  else t[f.tail] = v;
}

function store(out: PublicObject, root: PublicObject, f: Field, v: unknown): void {
  const spec = f.spec;
  if (spec.derive) v = (spec.derive.toPublic as (w: unknown) => unknown)(v);
  const target = spec.hoist ? root : out;
  if (spec.hoist && target[f.tail] !== undefined) return; // the first nest that carries it wins
  put(target, f, v);
  if (spec.named) target[spec.named.key] = namedValue(spec.named, v as number);
}

/** Sets the public defaults of `table` (and of the nests it flattens) on `out`, which it returns. */
export function applyDefaults(table: AttrTable, out: PublicObject): PublicObject {
  for (const f of fieldsOf(table).fields) {
    const spec = f.spec;
    if (spec.hoist || spec.compose || spec.input) continue;
    if (spec.kind === "nested" && spec.flatten) applyDefaults(spec.table!, out);
    else if (spec.default !== undefined && (f.head === undefined ? out[f.tail] : undefined) === undefined) {
      put(out, f, spec.kind === "nested" ? applyDefaults(spec.table!, {}) : spec.default);
      if (spec.named) out[spec.named.key] = namedValue(spec.named, spec.default as number);
    }
  }
  return out;
}

/**
 * Parses the attributes in `buf[start, end)` into the public object `out`:
 * each value goes to its public key, flattened nests into the same object,
 * hoisted values into `root`, unknown and request-only attributes into
 * `root.unknown`/`root.unknownNested` under `path`. Composed
 * fields are made last, from the header fields `hdr` and the wire values,
 * which are left in `wire` by table key.
 */
export function parsePublic(
  table: AttrTable,
  buf: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  out: PublicObject,
  root: PublicObject = out,
  path = "",
  hdr: Record<string, unknown> = {},
  wire: Record<string, unknown> = {},
): void {
  const { byType, composed } = fieldsOf(table);
  let off = start;
  while (off + NLA_HDRLEN <= end) {
    const len = attrLength(view, off, end);
    const raw = view.getUint16(off + 2, true);
    const s = off + NLA_HDRLEN, e = off + len;
    const f = byType[raw & NLA_TYPE_MASK];
    if (!f) keepUnknown(root, path, raw, buf.slice(s, e));
    else if (f.spec.kind === "nested") {
      const sub = path === "" ? f.wkey : `${path}.${f.wkey}`;
      if (f.spec.flatten) parsePublic(f.spec.table!, buf, view, s, e, out, root, sub, hdr);
      else {
        const o = applyDefaults(f.spec.table!, {});
        if (f.spec.unknownInside) parsePublic(f.spec.table!, buf, view, s, e, o, o, "", hdr);
        else parsePublic(f.spec.table!, buf, view, s, e, o, root, sub, hdr);
        wire[f.wkey] = o;
        if (!f.spec.compose && !f.spec.input) store(out, root, f, o);
      }
    } else {
      const v = wire[f.wkey] = f.decode!(buf, view, s, e);
      if (!f.spec.compose && !f.spec.input) store(out, root, f, v);
    }
    off += align4(len);
  }
  if (off < end) throw new TruncatedError("attribute header", off, NLA_HDRLEN, end - off);
  for (const f of composed) {
    const v = composeValue(f.spec.compose!, hdr, wire);
    if (v !== undefined) put(out, f, v);
  }
}

/** Every hoisted attribute below `table`, once per public key. */
function hoisted(table: AttrTable, out: Map<string, AttrSpec> = new Map()): Map<string, AttrSpec> {
  for (const key in table) {
    const spec = table[key];
    if (spec.hoist && !out.has(spec.key ?? key)) out.set(spec.key ?? key, spec);
    if (spec.kind === "nested") hoisted(spec.table!, out);
  }
  return out;
}

/**
 * Parses a whole public object: defaults, attributes, then the defaults of
 * hoisted values; throws `MalformedError` (`<what> has no CTA_TUPLE_ORIG`)
 * when a required attribute is missing. `out` may hold header fields already;
 * `hdr` (the header fields) and `wire` (left with the wire values) are
 * passed to {@link parsePublic}.
 */
export function parsePublicObject(
  table: AttrTable,
  buf: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  out: PublicObject,
  what: string,
  hdr?: Record<string, unknown>,
  wire?: Record<string, unknown>,
): PublicObject {
  applyDefaults(table, out);
  parsePublic(table, buf, view, start, end, out, out, "", hdr, wire);
  return finishPublic(table, out, what, start);
}

/**
 * The same public object from attributes the wire engine already parsed
 * (`parseAttrs`), for a nest inside another family's message.
 */
export function publicObjectOf(
  table: AttrTable,
  attrs: Record<string, unknown>,
  out: PublicObject,
  what: string,
): PublicObject {
  applyDefaults(table, out);
  fromAttrs(table, attrs, out, out, "");
  return finishPublic(table, out, what, 0);
}

function fromAttrs(
  table: AttrTable,
  attrs: Record<string, unknown>,
  out: PublicObject,
  root: PublicObject,
  path: string,
): void {
  for (const f of fieldsOf(table).fields) {
    const v = attrs[f.wkey];
    // A request-only attribute has no public key; the kernel does not send them.
    if (v === undefined || f.spec.dir === "request" || f.spec.compose || f.spec.input) continue;
    const sub = path === "" ? f.wkey : `${path}.${f.wkey}`;
    const one = (x: unknown) => {
      if (f.spec.kind !== "nested") return store(out, root, f, x);
      const nest = x as Record<string, unknown>;
      if (f.spec.flatten) return fromAttrs(f.spec.table!, nest, out, root, sub);
      const o = applyDefaults(f.spec.table!, {});
      fromAttrs(f.spec.table!, nest, o, root, sub);
      store(out, root, f, o);
    };
    if (f.spec.repeat) { for (const x of v as unknown[]) one(x); }
    else one(v);
  }
  for (const raw of (attrs.unknown ?? []) as RawAttr[]) keepUnknown(root, path, raw.type, raw.data);
  for (const f of fieldsOf(table).composed) {
    const v = composeValue(f.spec.compose!, {}, attrs);
    if (v !== undefined) put(out, f, v);
  }
}

/** Hoisted defaults and required attributes, once the attributes are in. */
function finishPublic(table: AttrTable, out: PublicObject, what: string, offset: number): PublicObject {
  for (const [key, spec] of hoisted(table)) {
    if (out[key] !== undefined || spec.default === undefined) continue;
    out[key] = spec.default;
    if (spec.named) out[spec.named.key] = namedValue(spec.named, spec.default as number);
  }
  for (const f of fieldsOf(table).fields) {
    if (f.spec.required && out[f.key] === undefined) {
      throw new MalformedError(`${what} has no ${f.spec.uapi ?? f.wkey}`, offset);
    }
  }
  return out;
}

function fits(f: Field, v: unknown, root: PublicObject): boolean {
  const { spec } = f;
  if (spec.when) return root[spec.when.key] === spec.when.is;
  if (f.rivals.some((r) => root[r.when!.key] === r.when!.is)) return false;
  if (spec.width !== undefined) return typeof v === "string" && v.includes(":") === (spec.width === 16);
  return true;
}

/**
 * The inverse of {@link parsePublic}: a public object back to the wire
 * attributes of `table` (for `MessageBuilder.attrs`), unknown attributes
 * restored in their nests. Values equal to their default are left out;
 * derived and named fields are rebuilt from their source; every value is
 * checked against its policy (`InvalidArgumentError`).
 */
export function publicAttrs<T extends AttrTable>(
  table: T,
  obj: PublicObject,
  root: PublicObject = obj,
  path = "",
): Attrs<T> {
  const out: Record<string, unknown> = {};
  const taken = new Set<string>();
  for (const f of fieldsOf(table).fields) {
    const spec = f.spec;
    const sub = path === "" ? f.wkey : `${path}.${f.wkey}`;
    if (spec.compose || spec.input) throw new Error(`Cannot build ${sub}: a composed field has no inverse`);
    if (spec.kind === "nested" && spec.flatten) {
      const a = publicAttrs(spec.table!, obj, root, sub);
      if (Object.keys(a).length) out[f.wkey] = a;
      continue;
    }
    const src = spec.hoist ? root : obj;
    const v = f.head === undefined ? src[f.tail] : (src[f.head] as PublicObject | undefined)?.[f.tail];
    if (v === undefined || taken.has(f.key) || !fits(f, v, root)) continue;
    taken.add(f.key);
    if (spec.kind !== "nested" && v === spec.default) continue; // the parser gives it back
    const one = (x: unknown): unknown =>
      spec.kind === "nested"
        ? publicAttrs(spec.table!, x as PublicObject, root, sub)
        : spec.derive
        ? (spec.derive.toWire as (p: unknown) => unknown)(x)
        : checkPolicy(spec, x, spec.what ?? f.key);
    out[f.wkey] = spec.repeat ? (v as unknown[]).map(one) : one(v);
  }
  const unknown = path === "" ? root.unknown : root.unknownNested?.[path];
  if (unknown) out.unknown = unknown;
  return out as Attrs<T>;
}
