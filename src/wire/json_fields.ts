/**
 * An object's JSON fields, given one by one in order to a receiver that
 * either builds the object ({@link ObjectFields}) or writes its JSON text
 * straight into a {@link TextSink} ({@link JsonTextFields}). One converter
 * then serves both the public object API and a large dump's printer, which
 * builds no object per entry and runs no `JSON.stringify` (on 100,000
 * routes, `ip -j route show`'s shape as objects then text cost about 4 µs a
 * route; written as bytes, well under one).
 *
 * @example
 * ```ts
 * import { JsonTextFields, ObjectFields } from "./json_fields.ts";
 * import { TextSink } from "./text_sink.ts";
 * const o = new ObjectFields();
 * o.str("dst", "default");
 * o.num("metric", 100);
 * console.log(o.out); // { dst: "default", metric: 100 }
 * const w = new TextSink();
 * const t = new JsonTextFields(w);
 * t.begin();
 * t.str("dst", "default");
 * t.num("metric", 100);
 * t.end();
 * console.log(w.take()); // {"dst":"default","metric":100}
 * ```
 *
 * @module
 */

import { TextSink } from "./text_sink.ts";

/**
 * Receives an object's fields in order. Keys are plain ASCII names (no
 * quote, backslash or control character). Values are written exactly as
 * `JSON.stringify` writes them; a key in `omit` is left out.
 */
export interface JsonFields {
  /** A string field. */
  str(key: string, value: string): void;
  /** A number field. */
  num(key: string, value: number): void;
  /** An array of strings. */
  strs(key: string, value: readonly string[]): void;
  /** Any other JSON value (an object, an array of objects, null). */
  any(key: string, value: unknown): void;
}

/** Builds the object: each field becomes a property, in order. */
export class ObjectFields implements JsonFields {
  /** The object built so far. */
  readonly out: Record<string, unknown> = {};
  #omit: ReadonlySet<string> | undefined;

  /** Fields named in `omit` are left out. */
  constructor(omit?: ReadonlySet<string>) {
    this.#omit = omit;
  }

  /** Sets a string property. */
  str(key: string, value: string): void {
    if (!this.#omit?.has(key)) this.out[key] = value;
  }

  /** Sets a number property. */
  num(key: string, value: number): void {
    if (!this.#omit?.has(key)) this.out[key] = value;
  }

  /** Sets an array property (a copy: the caller may share its array). */
  strs(key: string, value: readonly string[]): void {
    if (!this.#omit?.has(key)) this.out[key] = value.slice();
  }

  /** Sets any property. */
  any(key: string, value: unknown): void {
    if (!this.#omit?.has(key)) this.out[key] = value;
  }
}

/**
 * Writes the fields as one JSON object's text into a sink, byte for byte
 * what `JSON.stringify` writes for the object {@link ObjectFields} builds.
 * Call {@link begin} before each object's fields and {@link end} after.
 */
export class JsonTextFields implements JsonFields {
  #w: TextSink;
  #omit: ReadonlySet<string> | undefined;
  #first = true;

  /** Writes into `w`; fields named in `omit` are left out. */
  constructor(w: TextSink, omit?: ReadonlySet<string>) {
    this.#w = w;
    this.#omit = omit;
  }

  /** Opens an object. */
  begin(): void {
    this.#w.byte(0x7b);
    this.#first = true;
  }

  /** Closes the object. */
  end(): void {
    this.#w.byte(0x7d);
  }

  /** The private methods written per field, for `noTopTier` (src/sys/jit.ts), which cannot reach them. */
  static hotMethods(): readonly unknown[] {
    const f = new JsonTextFields(new TextSink(0));
    return [f.#key, f.#string];
  }

  /** Writes `,"key":`, or returns false when the key is omitted. */
  #key(key: string): boolean {
    if (this.#omit?.has(key)) return false;
    const w = this.#w;
    if (this.#first) this.#first = false;
    else w.byte(0x2c);
    w.byte(0x22);
    w.ascii(key);
    w.byte(0x22);
    w.byte(0x3a);
    return true;
  }

  /** Writes `s` quoted: printable ASCII byte by byte in one pass, anything else through `JSON.stringify`. */
  #string(s: string): void {
    const w = this.#w, len = s.length;
    w.room(len + 2);
    const b = w.buf, start = w.at;
    let at = start;
    b[at++] = 0x22;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return w.text(JSON.stringify(s));
      b[at++] = c;
    }
    b[at++] = 0x22;
    w.at = at;
  }

  /** Writes a string field. */
  str(key: string, value: string): void {
    if (this.#key(key)) this.#string(value);
  }

  /** Writes a number field (`null` when not finite, as JSON has it). */
  num(key: string, value: number): void {
    if (!this.#key(key)) return;
    if (Number.isFinite(value)) this.#w.uint(value);
    else this.#w.ascii("null");
  }

  /** Writes an array of strings. */
  strs(key: string, value: readonly string[]): void {
    if (!this.#key(key)) return;
    const w = this.#w;
    w.byte(0x5b);
    for (let i = 0; i < value.length; i++) {
      if (i) w.byte(0x2c);
      this.#string(value[i]);
    }
    w.byte(0x5d);
  }

  /** Writes any other value through `JSON.stringify` (undefined leaves the field out, as there). */
  any(key: string, value: unknown): void {
    if (value !== undefined && this.#key(key)) this.#w.ascii(JSON.stringify(value));
  }
}
