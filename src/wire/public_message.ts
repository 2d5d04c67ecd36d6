/**
 * Public objects of whole messages: a fixed family header (`ifaddrmsg`,
 * `ndmsg`, `fib_rule_hdr`) whose fields carry public keys, the attribute
 * table of `src/wire/public.ts`, and fields combined from several inputs (a
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
 *   header: { family: { kind: "u8", private: true }, len: { kind: "u8", private: true }, pad: { kind: "pad2" } },
 *   attrs: { addr: { type: 1, kind: "ip" } },
 *   combined: { prefix: { from: ["addr", "hdr.len"], toPublic: (a?: string, n?: number) => `${a}/${n}` } },
 * } as const satisfies PublicMessage;
 * const bytes = new Uint8Array([28, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 24, 0, 0, 8, 0, 1, 0, 10, 0, 0, 1]);
 * console.log(parsePublicMessage(M, readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length))); // { prefix: "10.0.0.1/24" }
 * ```
 *
 * @module
 */

import { TruncatedError } from "./errors.ts";
import { type NlMsg, payloadOf } from "./message.ts";
import { namedValue, parsePublicObject, type PublicObject } from "./public.ts";
import {
  type AttrTable,
  type Derive,
  type Named,
  type PadKind,
  parseStruct,
  type ScalarKind,
  structSize,
  type StructSpec,
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
  /** Converts the number into its public form (`derive.toPublic`). */
  readonly derive?: Derive;
}

/** A public field computed once the header and the attributes are read. */
export interface Combined {
  /**
   * Inputs, in order: `hdr.<field>` for a header number, else a top-level
   * attribute's table key, its wire value (`undefined` when absent). An
   * attribute named here is an input only: it is not put in the object.
   */
  readonly from: readonly string[];
  /** The public value from the inputs (`undefined` leaves the field out); default: the one input as it is. */
  readonly toPublic?: (...inputs: never[]) => unknown;
}

/** The public object of a message kind: header, attributes and combined fields, in the object's key order. */
export interface PublicMessage {
  /** The header's C name, for `TruncatedError` (`ifaddrmsg`). */
  readonly name: string;
  /** How errors name the message (`Address message`). */
  readonly what: string;
  /** The fixed header, fields in wire order. */
  readonly header: { readonly [field: string]: HeaderField };
  /** The attribute table, with the public facts of `src/wire/public.ts`. */
  readonly attrs: AttrTable;
  /** Fields made from several inputs. */
  readonly combined?: { readonly [key: string]: Combined };
}

/** The header's layout as a struct spec. */
export function headerLayout(m: PublicMessage): StructSpec {
  const out: Record<string, ScalarKind | PadKind> = {};
  for (const f in m.header) out[f] = m.header[f].kind;
  return out;
}

/**
 * The attributes that combined fields take as inputs (kept out of the
 * object); throws when an input is not a header field or a top-level,
 * non-nested attribute without a default.
 */
export function combinedInputs(m: PublicMessage): Set<string> {
  const out = new Set<string>();
  for (const k in m.combined) {
    for (const f of m.combined[k].from) {
      const spec = f.startsWith("hdr.") ? m.header[f.slice(4)] : m.attrs[f];
      if (!spec || ("default" in spec && spec.default !== undefined) || spec.kind === "nested") {
        throw new Error(`${m.name}: combined field "${k}" cannot take "${f}" as an input`);
      }
      if (!f.startsWith("hdr.")) out.add(f);
    }
  }
  return out;
}

/**
 * Parses a message into its public object: header fields, attribute
 * defaults and values, then combined fields. Throws `TruncatedError` when
 * the header does not fit and `MalformedError`/`TruncatedError` on bad
 * attributes. This is the reference the generated parsers agree with.
 */
export function parsePublicMessage(m: PublicMessage, msg: NlMsg): PublicObject {
  const layout = headerLayout(m);
  const size = structSize(layout);
  const at = payloadOf(msg);
  if (at + size > msg.end) throw new TruncatedError(m.name, at, size, msg.end - at);
  const h = parseStruct(layout, msg.view, at, msg.end) as Record<string, number>;
  const out: PublicObject = {};
  for (const f in m.header) {
    const spec = m.header[f];
    if (spec.kind.startsWith("pad")) continue;
    const v = spec.derive ? (spec.derive.toPublic as (n: number) => unknown)(h[f]) : h[f];
    if (!spec.private) out[spec.key ?? f] = v;
    if (spec.named) out[spec.named.key] = namedValue(spec.named, h[f]);
  }
  const inputs = new Map<string, unknown>([...combinedInputs(m)].map((k) => [k, undefined]));
  parsePublicObject(m.attrs, msg.buf, msg.view, at + size, msg.end, out, m.what, inputs);
  for (const key in m.combined) {
    const c = m.combined[key];
    const args = c.from.map((f) => f.startsWith("hdr.") ? h[f.slice(4)] : inputs.get(f));
    const v = c.toPublic ? (c.toPublic as (...a: unknown[]) => unknown)(...args) : args[0];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
