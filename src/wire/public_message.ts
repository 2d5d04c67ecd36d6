/**
 * Public objects of whole messages, declared once: a fixed family header
 * (`rtmsg`, `ifaddrmsg`, `ndmsg`) whose fields carry public facts, the
 * attribute table of `src/wire/public.ts` (with its own composes, inputs
 * and nests), and fields composed from header fields and attributes (a
 * prefix from an address attribute and a header length). One
 * {@link PublicMessage} declares the object; {@link parsePublicMessage} is
 * the reference parser, and `scripts/gen_codecs.ts` compiles the same
 * declaration (its `messages`) into a specialised one.
 *
 * @example
 * ```ts
 * import { parsePublicMessage, type PublicMessage } from "./public_message.ts";
 * import { readMessage } from "./message.ts";
 * const M = {
 *   name: "hdr",
 *   what: "Example message",
 *   header: { family: "u8", len: "u8", pad: "pad2" },
 *   attrs: { addr: { type: 1, kind: "ip" } },
 *   combined: { prefix: { from: ["addr", "hdr.len"], fn: (a?: string, n?: number) => `${a}/${n}` } },
 * } as const satisfies PublicMessage;
 * const bytes = new Uint8Array([28, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 24, 0, 0, 8, 0, 1, 0, 10, 0, 0, 1]);
 * console.log(parsePublicMessage(M, readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length))); // { prefix: "10.0.0.1/24" }
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { MessageBuilder } from "./builder.ts";
import { TruncatedError } from "./errors.ts";
import { type NlMsg, payloadOf } from "./message.ts";
import { composeValue, namedValue, parsePublicObject, publicAttrs, type PublicObject } from "./public.ts";
import {
  type Attrs,
  type AttrSpec,
  type AttrTable,
  bitsOfNames,
  checkPolicy,
  type Compose,
  type Derive,
  type Named,
  type NameMap,
  type PadKind,
  parseStruct,
  type ScalarKind,
  structSize,
  type StructSpec,
  valueOfName,
} from "./table.ts";

/** A field of a message's fixed header: its layout kind and public facts. */
export interface HeaderField {
  /** Layout kind (`pad*` fields are skipped). */
  readonly kind: ScalarKind | PadKind;
  /** Public key of the number, when it differs from the field name. */
  readonly key?: string;
  /** The number itself is not public: only its `named`/`derive` form, or an input of a combined field. */
  readonly private?: boolean;
  /** A public field that names the number (`scope` → `"global"`). */
  readonly named?: Named;
  /** Converts the number into its public form (`derive.toPublic`), and a request's public value back (`derive.toWire`). */
  readonly derive?: Derive;
  // Policies, which the request builder ({@link requestHeader}) checks values against.
  /** Policy: smallest number accepted. */
  readonly min?: number;
  /** Policy: largest number accepted (default: the largest the kind holds). */
  readonly max?: number;
  /** Policy: names a request may give for the number, when its public form is made elsewhere (a combined field). */
  readonly names?: NameMap;
  /** Policy: only the numbers `named.names` names are accepted (an enumeration). */
  readonly only?: boolean;
  /** Name of the value in error messages (`scope`), default the field's public key. */
  readonly what?: string;
}

/** The public object of a message kind: header, attributes and combined fields, in the object's key order. */
export interface PublicMessage {
  /** The header's C name, for `TruncatedError` (`ifaddrmsg`). */
  readonly name: string;
  /** How errors name the message (`Address message`). */
  readonly what: string;
  /** The fixed header, fields in wire order; a bare kind is a private field (a struct spec is a header without public facts). */
  readonly header: { readonly [field: string]: HeaderField | ScalarKind | PadKind };
  /** The attribute table, with the public facts of `src/wire/public.ts`. */
  readonly attrs: AttrTable;
  /**
   * Fields composed from `hdr.<field>` header numbers and top-level
   * attributes (their wire values, `undefined` when absent). Those reading
   * the header only are set before the attributes, the others after them.
   * An attribute read here is an input only (not put in the object) unless
   * it has a `compose` of its own.
   */
  readonly combined?: { readonly [key: string]: Compose };
}

/** A header field's public facts; a bare layout kind is a field without any (`header: RTMSG`). */
export function headerField(m: PublicMessage, field: string): HeaderField {
  const f = m.header[field];
  return typeof f === "string" ? { kind: f, private: true } : f;
}

const layouts = new WeakMap<PublicMessage, StructSpec>();

/** The header's layout as a struct spec. */
export function headerLayout(m: PublicMessage): StructSpec {
  let out = layouts.get(m) as Record<string, ScalarKind | PadKind> | undefined;
  if (out) return out;
  out = {};
  for (const f in m.header) out[f] = headerField(m, f).kind;
  layouts.set(m, out);
  return out;
}

/**
 * The numbers of a request's header fields from their public values (a
 * name through `named`, a public form through `derive.toWire`), each
 * checked against its field's policies (the kind's range, `min`, `max`,
 * `only`); throws `InvalidArgumentError` naming the bad value. Fields not
 * given are left out (the builder writes 0).
 */
export function requestHeader(m: PublicMessage, values: { readonly [field: string]: unknown }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f in values) {
    let v = values[f];
    if (v === undefined) continue;
    if (!(f in m.header)) throw new Error(`${m.name} has no field "${f}"`);
    const spec = headerField(m, f);
    const what = spec.what ?? spec.named?.key ?? spec.key ?? f;
    const named = spec.named, names = named?.names ?? spec.names;
    if (typeof v === "string" && names) v = valueOfName(names, v, what);
    else if (Array.isArray(v) && named?.bits) v = bitsOfNames(named.bits, v, what);
    else if (typeof v !== "number" && spec.derive) v = (spec.derive.toWire as (p: unknown) => unknown)(v);
    const n = checkPolicy({ type: 0, kind: spec.kind as ScalarKind, min: spec.min, max: spec.max }, v, what) as number;
    if (spec.only && named?.names && !(n in named.names)) {
      throw new InvalidArgumentError(
        `Invalid ${what}: "${n}" (must be one of ${Object.values(named.names).join(", ")})`,
      );
    }
    out[f] = n;
  }
  return out;
}

/**
 * Builds a request of message kind `m`: the header from its public values
 * ({@link requestHeader}), then the attributes of `table` (the wire table
 * of `m.attrs`, without the parser's defaults) from a public object,
 * each checked against its policy (`publicAttrs`), in table order.
 */
export function buildRequest(
  m: PublicMessage,
  type: number,
  flags: number,
  header: { readonly [field: string]: unknown },
  table: AttrTable,
  attrs: PublicObject,
): Uint8Array {
  return encodeRequest(m, type, flags, requestHeader(m, header), table, publicAttrs(table, attrs));
}

/**
 * Encodes a request of message kind `m` whose values were checked already
 * ({@link requestHeader} for the header's numbers, `publicAttrs` for the
 * attributes of `table`): the second half of {@link buildRequest}, for
 * builders that check a spec before they resolve names (devices) into it.
 */
export function encodeRequest<T extends AttrTable>(
  m: PublicMessage,
  type: number,
  flags: number,
  header: { readonly [field: string]: number },
  table: T,
  attrs: Attrs<T>,
): Uint8Array {
  return new MessageBuilder(type, flags).struct(headerLayout(m), header).attrs(table, attrs).finish();
}

/** Whether a compose reads header fields only (it runs before the attributes). */
export function headerOnly(c: Compose): boolean {
  return c.from.every((k) => k.startsWith("hdr."));
}

/**
 * The attributes that combined fields take as inputs only (kept out of the
 * object); throws when an input is not a header field or a top-level,
 * non-nested attribute, or is repeated or has a default.
 */
export function combinedInputs(m: PublicMessage): Set<string> {
  const out = new Set<string>();
  for (const k in m.combined) {
    for (const f of m.combined[k].from) {
      const spec = f.startsWith("hdr.") ? f.slice(4) in m.header && headerField(m, f.slice(4)) : m.attrs[f];
      if (
        !spec || spec.kind.startsWith("pad") || spec.kind === "nested" ||
        ("default" in spec && spec.default !== undefined) || ("repeat" in spec && spec.repeat)
      ) {
        throw new Error(`${m.name}: combined field "${k}" cannot take "${f}" as an input`);
      }
      if (!f.startsWith("hdr.") && !m.attrs[f].compose) out.add(f);
    }
  }
  return out;
}

const tables = new WeakMap<PublicMessage, AttrTable>();

/** `m.attrs` with the inputs of its combined fields marked `input` (the engine keeps their wire values only). */
function attrsOf(m: PublicMessage): AttrTable {
  let t = tables.get(m);
  if (!t) {
    const out: Record<string, AttrSpec> = { ...m.attrs };
    for (const k of combinedInputs(m)) out[k] = { ...out[k], input: true };
    tables.set(m, t = out);
  }
  return t;
}

/**
 * Parses a message into its public object: header fields and the combined
 * fields made from them, attribute defaults and values, then the other
 * combined fields. Throws `TruncatedError` when the header does not fit and
 * `MalformedError`/`TruncatedError` on bad attributes. This is the
 * reference the generated parsers agree with.
 */
export function parsePublicMessage(m: PublicMessage, msg: NlMsg): PublicObject {
  const layout = headerLayout(m);
  const size = structSize(layout);
  const at = payloadOf(msg);
  if (at + size > msg.end) throw new TruncatedError(m.name, at, size, msg.end - at);
  const h = parseStruct(layout, msg.view, at, msg.end) as Record<string, number>;
  const out: PublicObject = {};
  for (const f in m.header) {
    const spec = headerField(m, f);
    if (spec.kind.startsWith("pad")) continue;
    const v = spec.derive ? (spec.derive.toPublic as (n: number) => unknown)(h[f]) : h[f];
    if (!spec.private) out[spec.key ?? f] = v;
    if (spec.named) out[spec.named.key] = namedValue(spec.named, h[f]);
  }
  const wire: Record<string, unknown> = {};
  const late: string[] = [];
  for (const key in m.combined) {
    if (!headerOnly(m.combined[key])) late.push(key);
    else {
      const v = composeValue(m.combined[key], h, wire);
      if (v !== undefined) out[key] = v;
    }
  }
  parsePublicObject(attrsOf(m), msg.buf, msg.view, at + size, msg.end, out, m.what, h, wire);
  for (const key of late) {
    const v = composeValue(m.combined![key], h, wire);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
