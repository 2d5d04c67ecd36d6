/**
 * The message builder: header, family header and attributes, with lengths
 * and alignment computed as it goes.
 *
 * @example
 * ```ts
 * import { MessageBuilder } from "./builder.ts";
 * const msg = new MessageBuilder(18, 0x300) // RTM_GETLINK, NLM_F_DUMP
 *   .struct({ family: "u8", pad: "pad3", index: "s32", flags: "u32", change: "u32" }, {})
 *   .finish();
 * console.log(msg.length); // 32
 * ```
 *
 * @module
 */

import { InvalidArgumentError, NlkitError } from "../errors.ts";
import { macLength, writeIp, writeMac } from "./addr.ts";
import type { ByteArena } from "./arena.ts";
import { align4, NLA_F_NESTED, NLA_HDRLEN } from "./constants.ts";
import {
  type Attrs,
  type AttrSpec,
  type AttrTable,
  bitsOfNames,
  type ScalarKind,
  scalarSize,
  type StructSpec,
  type StructValue,
  valueOfName,
  writeScalar,
} from "./table.ts";

const encoder = new TextEncoder();

/**
 * The buffer of the last finished builder, zeroed, for the next one: a
 * typed array costs a few hundred nanoseconds to allocate in Deno, as much
 * as encoding a whole route request. A builder abandoned by a throw keeps
 * its buffer; the next one to finish refills the spare.
 */
let spare: { buf: Uint8Array; view: DataView } | undefined;

// A table's entries, listed once: a batch of 10,000 rules walks the expression tables 100,000 times.
const entryLists = new WeakMap<AttrTable, [string, AttrSpec][]>();
function entriesOf(table: AttrTable): [string, AttrSpec][] {
  let list = entryLists.get(table);
  if (!list) entryLists.set(table, list = Object.entries(table));
  return list;
}

/**
 * Builds one netlink message: header, fixed family header, attributes.
 * Lengths are filled in as nests close and when {@link finish} is called.
 */
export class MessageBuilder {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;
  #done = false;

  /** Starts a message of `type` with `flags` (`NLM_F_REQUEST` is added). */
  constructor(type: number, flags: number, capacity = 256) {
    if (spare && spare.buf.length >= capacity) {
      this.#buf = spare.buf;
      this.#view = spare.view;
      spare = undefined;
    } else {
      // Views over one ArrayBuffer made first: in Bun, `.buffer` of a fresh Uint8Array copies it out of the heap.
      const ab = new ArrayBuffer(capacity);
      this.#buf = new Uint8Array(ab);
      this.#view = new DataView(ab);
    }
    this.#reserve(16);
    this.#view.setUint16(4, type, true);
    this.#view.setUint16(6, flags | 1, true);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    if (this.#done) throw new NlkitError("Cannot append to a finished message", "EINVAL", "build message");
    const at = this.#len;
    const need = at + n;
    if (need > this.#buf.length) {
      const ab = new ArrayBuffer(Math.max(need, this.#buf.length * 2));
      const next = new Uint8Array(ab);
      next.set(this.#buf.subarray(0, at));
      this.#buf = next;
      this.#view = new DataView(ab);
    }
    this.#len = need;
    return at;
  }

  #pad(): void {
    const target = align4(this.#len);
    if (target > this.#len) this.#reserve(target - this.#len);
  }

  /** Appends a fixed struct (a family header such as `ifinfomsg`). */
  struct<S extends StructSpec>(spec: S, values: Partial<StructValue<S>>): this {
    const v = values as Record<string, number | undefined>;
    for (const k in spec) {
      const kind = spec[k];
      const at = this.#reserve(scalarSize(kind));
      if (kind[0] !== "p") writeScalar(this.#view, at, kind as ScalarKind, v[k] ?? 0);
    }
    return this;
  }

  /** Opens a nested attribute (`NLA_F_NESTED` set); {@link close} ends it. Generated builders use it instead of {@link nest}. */
  open(type: number): number {
    return this.#begin(type | NLA_F_NESTED);
  }

  // An attribute's header, its length set by `close`: no callback (a closure per attribute) on the hot paths.
  #begin(type: number): number {
    this.#pad();
    const at = this.#reserve(NLA_HDRLEN);
    this.#view.setUint16(at + 2, type, true);
    return at;
  }

  /** Ends the nested attribute {@link open} started at `at`. */
  close(at: number): this {
    this.#view.setUint16(at, this.#len - at, true);
    this.#pad();
    return this;
  }

  /** Appends raw bytes (no attribute header). */
  raw(data: Uint8Array): this {
    const at = this.#reserve(data.length);
    this.#buf.set(data, at);
    return this;
  }

  /** Appends one scalar (no attribute header). */
  scalar(kind: ScalarKind, v: number): this {
    const at = this.#reserve(scalarSize(kind)); // may replace the buffer and its view
    writeScalar(this.#view, at, kind, v);
    return this;
  }

  /** Appends an attribute whose payload `fn` writes. */
  attr(type: number, fn: (b: this) => void): this {
    const at = this.#begin(type);
    fn(this);
    return this.close(at);
  }

  /** Appends an attribute holding raw bytes: `data`, or its bytes `[start, end)`. */
  bytes(type: number, data: Uint8Array, start = 0, end: number = data.length): this {
    // Inline, and short payloads copied by hand: a 100,000-element set writes this many keys.
    this.#pad();
    const n = end - start;
    const at = this.#reserve(NLA_HDRLEN + n);
    const buf = this.#buf;
    if (n <= 16) { for (let i = 0; i < n; i++) buf[at + NLA_HDRLEN + i] = data[start + i]; }
    else buf.set(start === 0 && end === data.length ? data : data.subarray(start, end), at + NLA_HDRLEN);
    this.#view.setUint16(at, NLA_HDRLEN + n, true);
    this.#view.setUint16(at + 2, type, true);
    this.#pad();
    return this;
  }

  /** Appends an attribute holding one scalar. */
  u(type: number, kind: ScalarKind, v: number): this {
    // Inline rather than through `attr`: bulk requests write millions of these.
    this.#pad();
    const size = NLA_HDRLEN + scalarSize(kind);
    const at = this.#reserve(size);
    this.#view.setUint16(at, size, true);
    this.#view.setUint16(at + 2, type, true);
    writeScalar(this.#view, at + NLA_HDRLEN, kind, v);
    this.#pad();
    return this;
  }

  /** Appends an address attribute from its text form (or its bytes), parsed straight into the message. */
  ip(type: number, v: string | Uint8Array): this {
    if (v instanceof Uint8Array) return this.bytes(type, v);
    this.#pad();
    const at = this.#reserve(NLA_HDRLEN + 16);
    const n = writeIp(v, this.#buf, at + NLA_HDRLEN);
    if (!n) throw new InvalidArgumentError(`Invalid IP address: "${v}"`);
    this.#len = at + NLA_HDRLEN + n;
    this.#view.setUint16(at, NLA_HDRLEN + n, true);
    this.#view.setUint16(at + 2, type, true);
    return this;
  }

  /** Appends a link-layer address attribute from its text (`aa:bb:cc:dd:ee:ff`) or its bytes, parsed straight into the message. */
  mac(type: number, v: string | Uint8Array): this {
    if (v instanceof Uint8Array) return this.bytes(type, v);
    const n = macLength(v);
    this.#pad();
    const at = this.#reserve(NLA_HDRLEN + n);
    writeMac(v, this.#buf, at + NLA_HDRLEN);
    this.#view.setUint16(at, NLA_HDRLEN + n, true);
    this.#view.setUint16(at + 2, type, true);
    this.#pad();
    return this;
  }

  /** Appends a NUL-terminated string attribute. */
  string(type: number, s: string): this {
    const at = this.#begin(type);
    this.#text(s);
    return this.close(at);
  }

  // Names are short ASCII: copied byte by byte, without an encoder call (a 10,000-rule batch has 100,000).
  #text(s: string): void {
    const at = this.#reserve(s.length + 1);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.#len = at;
        this.raw(encoder.encode(s)).scalar("u8", 0);
        return;
      }
      this.#buf[at + i] = c;
    }
    this.#buf[at + s.length] = 0;
  }

  /** Appends a nested attribute (`NLA_F_NESTED` set) whose children `fn` writes. */
  nest(type: number, fn: (b: this) => void): this {
    return this.attr(type | NLA_F_NESTED, fn);
  }

  /** Appends the attributes of `values` that `table` knows, in table order, then kept unknowns. */
  attrs<T extends AttrTable>(table: T, values: Attrs<T>): this {
    const v = values as Record<string, unknown>;
    const entries = entriesOf(table);
    for (let i = 0; i < entries.length; i++) {
      const [key, spec] = entries[i];
      const val = v[key];
      if (val === undefined) continue;
      if (spec.repeat) { for (const item of val as unknown[]) this.#value(spec, item, key); }
      else this.#value(spec, val, key);
    }
    const unknown = values.unknown;
    if (unknown) { for (const raw of unknown) this.bytes(raw.type, raw.data); }
    return this;
  }

  #value(spec: AttrSpec, val: unknown, key: string): void {
    const kind = spec.kind;
    switch (kind) {
      case "string":
        this.string(spec.type, val as string);
        return;
      case "flag":
        if (val) this.close(this.#begin(spec.type));
        return;
      case "bytes":
        this.bytes(spec.type, val as Uint8Array);
        return;
      case "ip":
        this.ip(spec.type, val instanceof Uint8Array ? val : String(val));
        return;
      case "mac":
        this.mac(spec.type, val instanceof Uint8Array ? val : String(val));
        return;
      case "nested": {
        const at = this.#begin(spec.type | NLA_F_NESTED);
        this.attrs(spec.table!, val as Attrs<AttrTable>);
        this.close(at);
        return;
      }
      case "struct": {
        const at = this.#begin(spec.type);
        this.struct(spec.struct!, val as Record<string, number>);
        this.close(at);
        return;
      }
      case "codec": {
        const at = this.#begin(spec.type);
        spec.codec!.build(this, val);
        this.close(at);
        return;
      }
    }
    let n: number;
    if (spec.bits) n = bitsOfNames(spec.bits, val as string[] | number, key);
    else if (spec.names) n = valueOfName(spec.names, val as string | number, key);
    else n = val as number;
    if (typeof n !== "number" || !Number.isFinite(n)) {
      throw new InvalidArgumentError(`Invalid ${key}: "${String(val)}"`);
    }
    this.u(spec.type, kind, n);
  }

  /** Returns the finished message, with its length set. */
  finish(): Uint8Array {
    const out = this.#buf.slice(0, this.#seal());
    this.#recycle();
    return out;
  }

  /**
   * Returns the finished message copied into `arena`: a view of the
   * arena's buffer (its `byteOffset` is not 0). A batch of thousands of
   * messages then allocates a buffer per arena chunk, not one per message,
   * and the runtime's collector does not run every few messages.
   */
  finishIn(arena: ByteArena): Uint8Array {
    const out = arena.copy(this.#buf, this.#seal());
    this.#recycle();
    return out;
  }

  #seal(): number {
    this.#pad();
    this.#view.setUint32(0, this.#len, true);
    this.#done = true;
    return this.#len;
  }

  #recycle(): void {
    // Handed on zeroed (padding and struct gaps are written by skipping); large buffers are not kept.
    if (!spare && this.#buf.length <= 65536) {
      // Past the end too: an address reserves 16 bytes before it knows its width.
      this.#buf.fill(0, 0, Math.min(this.#buf.length, this.#len + 16));
      spare = { buf: this.#buf, view: this.#view };
    }
  }
}
