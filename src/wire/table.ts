/**
 * Declarative attribute tables. One table per message kind lists each
 * attribute once, with its kernel type number and wire kind; the same table
 * drives parsing ({@link parseAttrs}), building (`MessageBuilder.attrs`)
 * and the TypeScript type of the parsed object ({@link Attrs}).
 *
 * Tables are plain `as const` object literals so that their types are
 * explicit for JSR.
 *
 * @example
 * ```ts
 * import { type Attrs, parseAttrs } from "./table.ts";
 * const LINK = {
 *   mtu: { type: 4, kind: "u32" },
 *   ifname: { type: 3, kind: "string" },
 * } as const;
 * type Link = Attrs<typeof LINK>; // { mtu?: number; ifname?: string; ... }
 * const bytes = new Uint8Array([8, 0, 4, 0, 220, 5, 0, 0]);
 * const link: Link = parseAttrs(LINK, bytes, new DataView(bytes.buffer), 0, 8);
 * console.log(link.mtu); // 1500
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { formatHex, formatIp, writeIp } from "./addr.ts";
import type { MessageBuilder } from "./builder.ts";
import { align4, NLA_HDRLEN, NLA_TYPE_MASK } from "./constants.ts";
import { MalformedError, TruncatedError } from "./errors.ts";

/** Fixed-width integers: host order unless suffixed `be` (network order). */
export type ScalarKind =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "s8"
  | "s16"
  | "s32"
  | "s64"
  | "u16be"
  | "u32be"
  | "u64be";

/**
 * Wire kinds of an attribute payload:
 * - scalars (see {@link ScalarKind}); `u64` values are numbers, exact to 2^53;
 * - `flag`: no payload, parsed as `true`;
 * - `string`: NUL-terminated text; `bytes`: raw octets;
 * - `ip`: an IPv4 or IPv6 address as text; `mac`: a link-layer address as `aa:bb:..`;
 * - `nested`: attributes described by `table`; `struct`: a fixed layout in `struct`;
 * - `codec`: a hand-written {@link Codec} for payloads no table can describe.
 */
export type Kind =
  | ScalarKind
  | "flag"
  | "string"
  | "bytes"
  | "ip"
  | "mac"
  | "nested"
  | "struct"
  | "codec";

/** Number-to-name map for enumerations and flag bits. */
export type NameMap = { readonly [value: number]: string };

/** Padding bytes inside a struct, skipped when parsing and zeroed when building. */
export type PadKind = "pad1" | "pad2" | "pad3" | "pad4";

/** A fixed layout: fields in wire order, no implicit padding. */
export type StructSpec = { readonly [field: string]: ScalarKind | PadKind };

/** A hand-written payload codec for an attribute. */
export interface Codec<V> {
  /** Decodes `buf[start, end)`. */
  parse(buf: Uint8Array, view: DataView, start: number, end: number): V;
  /** Appends the payload of `value` to the builder. */
  build(b: MessageBuilder, value: V): void;
}

/** One attribute of a table. */
export interface AttrSpec {
  /** Kernel attribute type number (without `NLA_F_*` bits). */
  readonly type: number;
  /** Wire kind of the payload. */
  readonly kind: Kind;
  /** Nested table, for kind `nested`. */
  readonly table?: AttrTable;
  /** Layout, for kind `struct`. */
  readonly struct?: StructSpec;
  /** Codec, for kind `codec`. */
  readonly codec?: Codec<unknown>;
  /** The attribute may appear many times; the value is an array. */
  readonly repeat?: boolean;
  /** Scalar values are given by name (unknown numbers as decimal text). */
  readonly names?: NameMap;
  /** Scalar values are flag bits, given as an array of names. */
  readonly bits?: NameMap;
  // What follows describes the public object (see `src/wire/public.ts`); the wire codec ignores it.
  /** The kernel's uapi name (`CTA_TUPLE_ORIG`): errors name the attribute with it. */
  readonly uapi?: string;
  /** Key in the public object when it differs from the table key; `a.b` puts the value in sub-object `a`. */
  readonly key?: string;
  /** A nest whose public fields go into the parent object. */
  readonly flatten?: boolean;
  /** The value belongs to the root object, from the first nest that carries it (a tuple's protocol). */
  readonly hoist?: boolean;
  /** Public value when the attribute is absent; for a nest, any object: the nest's own defaults. */
  readonly default?: unknown;
  /** The public object cannot exist without it: the parser throws `MalformedError`. */
  readonly required?: boolean;
  /** A second public field that names the number (`statusBits` → `status`). */
  readonly named?: Named;
  /** Converts the parsed wire value into its public form and back. */
  readonly derive?: Derive;
  /** Sent only by userspace (`request`: kept raw in `unknown` when a reply has it) or only by the kernel. */
  readonly dir?: "request" | "reply";
  /** Address width of an `ip` attribute: the public builder picks by the address's family. */
  readonly width?: 4 | 16;
  /** Of attributes sharing a public key, the builder picks this one when the root's `key` is `is`. */
  readonly when?: { readonly key: string; readonly is: number };
  /** Policy: smallest number accepted (the builders validate against the policies). */
  readonly min?: number;
  /** Policy: largest number accepted (default: the largest the kind holds). */
  readonly max?: number;
  /** Policy: longest string (in bytes, without the NUL) or byte array accepted. */
  readonly maxLen?: number;
  /** Policy: a string's pattern, and what the error says it must be. */
  readonly pattern?: { readonly re: RegExp; readonly what: string };
  /** Name of the value in error messages (`source port`), default the public key. */
  readonly what?: string;
  /** The public value is made once the attributes are in, from several inputs (a prefix from its address and the header's length). */
  readonly compose?: Compose;
  /** A nest whose public object keeps its unknown attributes in its own `unknown` (route metrics), not the root's. */
  readonly unknownInside?: boolean;
  /** Read only as an input of a {@link Compose} (`RTA_ENCAP_TYPE`): no public field of its own. */
  readonly input?: boolean;
}

/**
 * A public field made from several inputs once a message's attributes are
 * parsed: `from` names them in order, `hdr.X` a field of the message header
 * (`PublicMessage` in `src/wire/public_message.ts`), else a key of the same table
 * (its wire value, `undefined` when absent).
 */
export interface Compose {
  /** The inputs, in the order `fn` takes them. */
  readonly from: readonly string[];
  /** Makes the public value; `undefined` leaves the field out. Without it, the one input as it is. */
  readonly fn?: (...inputs: never) => unknown;
}

/** A public field derived from a number: its name, or the names of its bits. */
export interface Named {
  /** Key of the derived field. */
  readonly key: string;
  /** Names of the values. */
  readonly names?: NameMap;
  /** Names of the bits (the field is an array of names). */
  readonly bits?: NameMap;
  /** Text of a value without a name (default: the number as decimal text). */
  readonly fallback?: string;
}

/** A conversion between a wire value and its public form (a label bitmap and its bit numbers). */
export interface Derive {
  /** Wire value to public value. */
  toPublic(v: never): unknown;
  /** Public value back to the wire value. */
  toWire(v: never): unknown;
}

/** An attribute table: camelCase key to attribute spec. */
export type AttrTable = { readonly [key: string]: AttrSpec };

/** An attribute that no table entry describes, kept so the message round-trips. */
export interface RawAttr {
  /** Attribute type including any `NLA_F_*` flag bits. */
  type: number;
  /** The payload, copied. */
  data: Uint8Array;
}

/** Parsed value of a struct layout. */
export type StructValue<S> = { -readonly [K in keyof S as S[K] extends PadKind ? never : K]: number };

/** Parsed value of one attribute spec. */
export type ValueOf<S> = S extends { kind: "nested"; table: infer T } ? Attrs<T>
  : S extends { kind: "struct"; struct: infer L } ? StructValue<L>
  : S extends { kind: "codec"; codec: Codec<infer V> } ? V
  : S extends { bits: NameMap } ? string[]
  : S extends { names: NameMap } ? string
  : S extends { kind: ScalarKind } ? number
  : S extends { kind: "flag" } ? boolean
  : S extends { kind: "bytes" } ? Uint8Array
  : string;

/** The object a table parses to: every attribute optional, plus kept unknowns. */
export type Attrs<T> =
  & { -readonly [K in keyof T]?: T[K] extends { repeat: true } ? ValueOf<T[K]>[] : ValueOf<T[K]> }
  & { unknown?: RawAttr[] };

const SCALAR_SIZE: { readonly [k: string]: number } = {
  u8: 1,
  s8: 1,
  u16: 2,
  s16: 2,
  u16be: 2,
  u32: 4,
  s32: 4,
  u32be: 4,
  u64: 8,
  s64: 8,
  u64be: 8,
  pad1: 1,
  pad2: 2,
  pad3: 3,
  pad4: 4,
};

/** Size in bytes of a scalar or padding kind. */
export function scalarSize(kind: ScalarKind | PadKind): number {
  return SCALAR_SIZE[kind];
}

/** Size in bytes of a struct layout. */
export function structSize(spec: StructSpec): number {
  let n = 0;
  for (const k in spec) n += SCALAR_SIZE[spec[k]];
  return n;
}

/** Reads one scalar at `off`. The caller has checked the bounds. */
export function readScalar(view: DataView, off: number, kind: ScalarKind): number {
  switch (kind) {
    case "u8":
      return view.getUint8(off);
    case "s8":
      return view.getInt8(off);
    case "u16":
      return view.getUint16(off, true);
    case "s16":
      return view.getInt16(off, true);
    case "u16be":
      return view.getUint16(off, false);
    case "u32":
      return view.getUint32(off, true);
    case "s32":
      return view.getInt32(off, true);
    case "u32be":
      return view.getUint32(off, false);
    case "u64":
      return view.getUint32(off, true) + view.getUint32(off + 4, true) * 0x1_0000_0000;
    case "u64be":
      return view.getUint32(off + 4, false) + view.getUint32(off, false) * 0x1_0000_0000;
    case "s64":
      return Number(view.getBigInt64(off, true));
  }
}

/** Writes one scalar at `off`. */
export function writeScalar(view: DataView, off: number, kind: ScalarKind, v: number): void {
  switch (kind) {
    case "u8":
    case "s8":
      view.setUint8(off, v);
      return;
    case "u16":
    case "s16":
      view.setUint16(off, v, true);
      return;
    case "u16be":
      view.setUint16(off, v, false);
      return;
    case "u32":
      view.setUint32(off, v >>> 0, true);
      return;
    case "s32":
      view.setInt32(off, v, true);
      return;
    case "u32be":
      view.setUint32(off, v >>> 0, false);
      return;
    case "u64":
    case "s64":
      view.setBigInt64(off, BigInt(Math.trunc(v)), true);
      return;
    case "u64be":
      view.setBigUint64(off, BigInt(Math.trunc(v)), false);
      return;
  }
}

/** Parses a struct layout at `off`; fields past `end` are left out (older kernels send shorter structs). */
export function parseStruct<S extends StructSpec>(spec: S, view: DataView, off: number, end: number): StructValue<S> {
  const plan = structPlan(spec);
  const out: Record<string, number> = {};
  for (let i = 0; i < plan.length; i++) {
    const f = plan[i];
    if (off + f.at + f.size > end) break;
    if (f.read) out[f.key] = f.read(view, off + f.at);
  }
  return out as StructValue<S>;
}

/** One field of a struct layout: its key, offset, size and reader (none for padding). */
interface StructField {
  key: string;
  at: number;
  size: number;
  read?: (view: DataView, off: number) => number;
}

// A layout walked once (key order, sizes, readers), not per message: dumps parse thousands of structs.
const PLANS = new WeakMap<StructSpec, StructField[]>();
function structPlan(spec: StructSpec): StructField[] {
  let plan = PLANS.get(spec);
  if (plan) return plan;
  plan = [];
  let at = 0;
  for (const key in spec) {
    const kind = spec[key];
    const size = SCALAR_SIZE[kind];
    plan.push({ key, at, size, read: kind[0] === "p" ? undefined : scalarReader(kind as ScalarKind) });
    at += size;
  }
  PLANS.set(spec, plan);
  return plan;
}

const decoder = new TextDecoder();

/** Decodes a NUL-terminated (or length-bounded) UTF-8 string. */
export function readString(buf: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === 0) return s;
    if (c >= 0x80) {
      let z = i;
      while (z < end && buf[z] !== 0) z++;
      return s + decoder.decode(buf.subarray(i, z));
    }
    s += String.fromCharCode(c);
  }
  return s;
}

/** Renders a number through a name map; unknown values become decimal text. */
export function nameOf(names: NameMap, v: number): string {
  return names[v] ?? String(v);
}

/** Renders flag bits as names; unknown bits become `0x..` text. */
export function bitNames(bits: NameMap, v: number): string[] {
  const out: string[] = [];
  let rest = v >>> 0;
  for (let bit = 1; rest !== 0 && bit !== 0; bit = (bit << 1) >>> 0) {
    if (!(rest & bit)) continue;
    rest = (rest & ~bit) >>> 0;
    out.push(bits[bit] ?? `0x${bit.toString(16)}`);
  }
  return out;
}

// Name maps turned around once each: a 10,000-rule batch looks up 100,000 names.
const reverseNames = new WeakMap<NameMap, Map<string, number>>();

/** Looks up a name in a name map (or accepts a number or decimal text). */
export function valueOfName(names: NameMap, v: string | number, what: string): number {
  if (typeof v === "number") return v;
  let byName = reverseNames.get(names);
  if (!byName) {
    byName = new Map();
    for (const k in names) if (!byName.has(names[k])) byName.set(names[k], Number(k));
    reverseNames.set(names, byName);
  }
  const n = byName.get(v);
  if (n !== undefined) return n;
  if (/^\d+$/.test(v)) return Number(v);
  throw new InvalidArgumentError(`Unknown ${what}: "${v}"`);
}

/** Combines flag names (or `0x..` text) into bits. */
export function bitsOfNames(bits: NameMap, v: readonly (string | number)[] | number, what: string): number {
  if (typeof v === "number") return v;
  let out = 0;
  for (const name of v) {
    if (typeof name === "number") out |= name;
    else if (/^0x[0-9a-f]+$/i.test(name)) out |= parseInt(name, 16);
    else out |= valueOfName(bits, name, what);
  }
  return out >>> 0;
}

/** Decodes one attribute payload `buf[start, end)`. */
export type Decode = (buf: Uint8Array, view: DataView, start: number, end: number) => unknown;

interface Entry {
  key: string;
  repeat: boolean;
  decode: Decode;
}

const compiled = new WeakMap<AttrTable, (Entry | undefined)[]>();

// Each table is compiled once into a type-indexed array of decoders, so the
// per-attribute work is one array load and one call, with no kind dispatch.
function byType(table: AttrTable): (Entry | undefined)[] {
  let idx = compiled.get(table);
  if (idx) return idx;
  idx = [];
  for (const key in table) {
    const spec = table[key];
    idx[spec.type] = { key, repeat: spec.repeat === true, decode: decoderFor(spec) };
  }
  compiled.set(table, idx);
  return idx;
}

function scalarReader(kind: ScalarKind): (view: DataView, off: number) => number {
  switch (kind) {
    case "u8":
      return (v, o) => v.getUint8(o);
    case "s8":
      return (v, o) => v.getInt8(o);
    case "u16":
      return (v, o) => v.getUint16(o, true);
    case "s16":
      return (v, o) => v.getInt16(o, true);
    case "u16be":
      return (v, o) => v.getUint16(o, false);
    case "u32":
      return (v, o) => v.getUint32(o, true);
    case "s32":
      return (v, o) => v.getInt32(o, true);
    case "u32be":
      return (v, o) => v.getUint32(o, false);
    default:
      return (v, o) => readScalar(v, o, kind);
  }
}

/** The decoder of one attribute's payload, as {@link parseAttrs} uses it. */
export function decoderFor(spec: AttrSpec): Decode {
  switch (spec.kind) {
    case "string":
      return (buf, _v, s, e) => readString(buf, s, e);
    case "flag":
      return () => true;
    case "bytes":
      return (buf, _v, s, e) => buf.slice(s, e);
    case "ip":
      return (buf, _v, s, e) => formatIp(buf, s, e - s);
    case "mac":
      return (buf, _v, s, e) => formatHex(buf, s, e - s);
    case "nested": {
      const table = spec.table!;
      return (buf, v, s, e) => parseAttrs(table, buf, v, s, e);
    }
    case "struct": {
      const layout = spec.struct!;
      return (_b, v, s, e) => parseStruct(layout, v, s, e);
    }
    case "codec": {
      const codec = spec.codec!;
      return (buf, v, s, e) => codec.parse(buf, v, s, e);
    }
  }
  const kind = spec.kind;
  const size = SCALAR_SIZE[kind];
  const read = scalarReader(kind);
  const { bits, names } = spec;
  return (_b, v, s, e) => {
    if (e - s < size) throw new TruncatedError(`${kind} attribute`, s, size, e - s);
    const n = read(v, s);
    return bits ? bitNames(bits, n) : names ? nameOf(names, n) : n;
  };
}

/**
 * Parses the attributes in `buf[start, end)` with a table. Unknown
 * attributes are copied into `unknown`. Throws {@link TruncatedError} or
 * {@link MalformedError} on bytes that cannot be attributes.
 */
export function parseAttrs<T extends AttrTable>(
  table: T,
  buf: Uint8Array,
  view: DataView,
  start: number,
  end: number,
): Attrs<T> {
  const idx = byType(table);
  const out: Record<string, unknown> = {};
  let off = start;
  while (off + NLA_HDRLEN <= end) {
    const len = view.getUint16(off, true);
    const rawType = view.getUint16(off + 2, true);
    if (len < NLA_HDRLEN) throw new MalformedError(`Attribute length ${len} is shorter than its header`, off);
    if (off + len > end) throw new TruncatedError("attribute", off, len, end - off);
    const e = idx[rawType & NLA_TYPE_MASK];
    if (e) {
      const v = e.decode(buf, view, off + NLA_HDRLEN, off + len);
      if (e.repeat) {
        const arr = out[e.key] as unknown[] | undefined;
        if (arr) arr.push(v);
        else out[e.key] = [v];
      } else {
        out[e.key] = v;
      }
    } else {
      const raw: RawAttr = { type: rawType, data: buf.slice(off + NLA_HDRLEN, off + len) };
      ((out.unknown ??= []) as RawAttr[]).push(raw);
    }
    off += align4(len);
  }
  if (off < end && off + NLA_HDRLEN > end && off !== end) {
    throw new TruncatedError("attribute header", off, NLA_HDRLEN, end - off);
  }
  return out as Attrs<T>;
}

/** Calls `fn` for each attribute in `buf[start, end)`, with the payload bounds. */
export function forEachAttr(
  view: DataView,
  start: number,
  end: number,
  fn: (type: number, start: number, end: number) => void,
): void {
  let off = start;
  while (off + NLA_HDRLEN <= end) {
    const len = view.getUint16(off, true);
    if (len < NLA_HDRLEN) throw new MalformedError(`Attribute length ${len} is shorter than its header`, off);
    if (off + len > end) throw new TruncatedError("attribute", off, len, end - off);
    fn(view.getUint16(off + 2, true), off + NLA_HDRLEN, off + len);
    off += align4(len);
  }
}

/** The range of each integer kind (`u64` and `s64` as far as numbers are exact). */
export const KIND_RANGE: { readonly [k: string]: readonly [number, number] } = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u16be: [0, 0xffff],
  u32: [0, 0xffffffff],
  u32be: [0, 0xffffffff],
  u64: [0, Number.MAX_SAFE_INTEGER],
  u64be: [0, Number.MAX_SAFE_INTEGER],
  s8: [-0x80, 0x7f],
  s16: [-0x8000, 0x7fff],
  s32: [-0x8000_0000, 0x7fff_ffff],
  s64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const utf8 = new TextEncoder();

/** The UTF-8 length of `s`: its length when it is ASCII (names are; encoding one costs an allocation). */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return utf8.encode(s).length;
  return s.length;
}

/**
 * Checks each value present in `values` (wire attributes of `table`, as
 * `MessageBuilder.attrs` takes them) against its attribute's policy, nests
 * and repeated values included; returns `values`. Only the keys given are
 * visited, so a request of a few attributes of a large table is cheap.
 */
export function checkAttrs<T extends AttrTable>(table: T, values: Attrs<T>): Attrs<T> {
  const v = values as Record<string, unknown>;
  for (const key in v) {
    const spec = table[key], x = v[key];
    if (spec === undefined || x === undefined) continue;
    const one = (y: unknown) =>
      spec.kind === "nested"
        ? checkAttrs(spec.table!, y as Attrs<AttrTable>)
        : checkPolicy(spec, y, spec.what ?? spec.key ?? key);
    if (spec.repeat) { for (const y of x as unknown[]) one(y); }
    else one(x);
  }
  return values;
}

const scratch = new Uint8Array(16);

/**
 * Checks a value against its attribute's policy (the kind's range, `min`,
 * `max`, `maxLen`, `pattern`, an address's `width`; a name of `names` by its number, the names
 * of `bits`) and returns it; throws
 * {@link InvalidArgumentError} naming the value and what was expected.
 */
export function checkPolicy<V>(spec: AttrSpec, v: V, what: string = spec.what ?? spec.key ?? "value"): V {
  const range = KIND_RANGE[spec.kind];
  // A value of an enumeration is checked as its number (a name stands for one in the kind's range).
  if (range && spec.names && (typeof v === "string" || typeof v === "number")) {
    checkPolicy({ ...spec, names: undefined }, valueOfName(spec.names, v, what), what);
    return v;
  }
  // Flag names are checked as the builder will combine them (an unknown name throws).
  if (range && spec.bits && Array.isArray(v)) {
    bitsOfNames(spec.bits, v, what);
    return v;
  }
  if (range && !spec.names && !spec.bits) {
    const min = spec.min ?? range[0], max = spec.max ?? range[1];
    if (typeof v !== "number") throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be a number)`);
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be ${min} to ${max})`);
    }
    return v;
  }
  if (spec.kind === "string" && (spec.maxLen !== undefined || spec.pattern)) {
    if (typeof v !== "string") throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be text)`);
    const len = utf8Length(v);
    if (spec.maxLen !== undefined && len > spec.maxLen) {
      throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be at most ${spec.maxLen} bytes)`);
    }
    if (spec.pattern && !spec.pattern.re.test(v)) {
      throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be ${spec.pattern.what})`);
    }
  }
  if (spec.kind === "ip" && spec.width !== undefined) {
    const family = spec.width === 4 ? "IPv4" : "IPv6";
    if (typeof v !== "string" || writeIp(v, scratch, 0) !== spec.width) {
      throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be an ${family} address)`);
    }
  }
  if (spec.kind === "bytes" && v instanceof Uint8Array && spec.maxLen !== undefined && v.length > spec.maxLen) {
    throw new InvalidArgumentError(`Invalid ${what} length: "${v.length}" (must be at most ${spec.maxLen})`);
  }
  return v;
}
