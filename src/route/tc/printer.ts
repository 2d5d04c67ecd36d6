/**
 * One printer for both of `tc`'s outputs, in the shape of iproute2's
 * `json_print`: each kind prints its fields once, and the printer either
 * writes text or builds JSON (keeping `tc -j`'s key order and its repeated
 * keys, such as u32's `match`).
 *
 * @example
 * ```ts
 * import { TcPrinter } from "./printer.ts";
 * const p = new TcPrinter(true);
 * p.open();
 * p.uint("limit", "limit %sp", 100);
 * p.close();
 * console.log(p.json()); // {"limit":100}
 * ```
 *
 * @module
 */

import { quoteJson } from "../../wire/json_quote.ts";

/** Where a field goes: both outputs, JSON only, or text only. */
export type PrintMode = "any" | "json" | "fp";

/** A JSON value a field holds. */
export type JsonScalar = string | number | boolean | null;

// Most values need no escaping: checked and quoted by hand, the rest escaped as iproute2 does.
function quoteValue(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return quoteJson(s);
  }
  return '"' + s + '"';
}

// Keys are a small fixed set: each is quoted once, then looked up.
const QUOTED = new Map<string, string>();
function quoteKey(key: string): string {
  let q = QUOTED.get(key);
  if (q === undefined) QUOTED.set(key, q = quoteJson(key) + ":");
  return q;
}

/** Prints tc objects as text or as JSON, field by field. */
export class TcPrinter {
  /** True when building JSON. */
  readonly isJson: boolean;
  /** Indented JSON, as `tc -j -p`. */
  readonly pretty: boolean;
  #text: string[] = [];
  #json = "";
  // iproute2's json_writer state: the separator due before the next value, and open containers.
  #sep = "";
  #objects: boolean[] = [];
  // The innermost container is an object (its values are named).
  #inObject = false;

  /** `json`: build JSON instead of text; `pretty`: indent it as `tc -p` does. */
  constructor(json: boolean, pretty = false) {
    this.isJson = json;
    this.pretty = pretty;
  }

  #eor(): void {
    this.#json += this.#sep;
    this.#sep = ",";
  }

  #eol(): void {
    if (this.pretty) this.#json += "\n" + "    ".repeat(this.#objects.length);
  }

  // The separator and, inside an object, the value's name; inside an array (or at the top) values have none.
  #name(key: string | undefined): void {
    if (!this.#inObject) {
      this.#json += this.#sep;
      return;
    }
    if (this.pretty) {
      this.#eor();
      this.#eol();
      this.#json += quoteJson(key ?? "") + ": ";
    } else this.#json += this.#sep + quoteKey(key ?? "");
  }

  #begin(key: string | undefined, c: string, object: boolean): void {
    this.#name(key);
    this.#json += c;
    this.#objects.push(object);
    this.#inObject = object;
    this.#sep = "";
  }

  // A JSON value, already as JSON text. The common case (compact, inside an object) is one concatenation.
  #value(mode: PrintMode, key: string | undefined, json: string): void {
    if (mode === "fp") return;
    if (this.#inObject && !this.pretty) this.#json += this.#sep + quoteKey(key ?? "") + json;
    else {
      this.#name(key);
      this.#json += json;
    }
    this.#sep = ",";
  }

  /** Prints `value`: JSON gets `key: json`, text gets `fmt` with `%s` replaced by `text`. */
  field(mode: PrintMode, key: string | undefined, fmt: string, json: JsonScalar, text: string): void {
    if (this.isJson) {
      this.#value(mode, key, typeof json === "string" ? quoteValue(json) : json === null ? "null" : String(json));
    } else if (mode !== "json") {
      this.#text.push(fmt.replace("%s", text));
    }
  }

  /** A string field. */
  str(key: string | undefined, fmt: string, v: string, mode: PrintMode = "any"): void {
    if (this.isJson) this.#value(mode, key, quoteValue(v));
    else if (mode !== "json") this.#text.push(fmt.replace("%s", v));
  }

  /** An unsigned or signed integer field. */
  uint(key: string | undefined, fmt: string, v: number, mode: PrintMode = "any"): void {
    if (this.isJson) this.#value(mode, key, String(v));
    else if (mode !== "json") this.#text.push(fmt.replace("%s", String(v)));
  }

  /** A hex field: JSON gets the hex digits as a string (`print_hex`). */
  hex(key: string, fmt: string, v: number, mode: PrintMode = "any"): void {
    const h = (v >>> 0).toString(16);
    this.field(mode, key, fmt, h, h);
  }

  /** A `0x`-prefixed hex field (`print_0xhex`, `%#x`: plain `0` for zero). */
  hex0x(key: string, fmt: string, v: number, mode: PrintMode = "any"): void {
    const h = v === 0 ? "0" : `0x${v.toString(16)}`;
    this.field(mode, key, fmt, h, h);
  }

  /** A boolean field; text prints `fmt` as is. */
  bool(key: string, fmt: string, v: boolean, mode: PrintMode = "any"): void {
    this.field(mode, key, fmt, v, String(v));
  }

  /** A JSON null with a text form (`print_null`). */
  null(key: string, fmt: string): void {
    this.field("any", key, fmt, null, "");
  }

  /** Text only. */
  text(s: string): void {
    if (!this.isJson) this.#text.push(s);
  }

  /** A line break in text (`print_nl`). */
  nl(): void {
    if (!this.isJson) this.#text.push("\n");
  }

  /** Opens an object (named inside an object). */
  open(key?: string): void {
    if (this.isJson) this.#begin(key, "{", true);
  }

  /** Opens an array (named inside an object). */
  openArray(key?: string): void {
    if (!this.isJson) return;
    this.#begin(key, "[", false);
    if (this.pretty) this.#json += " ";
  }

  /** Closes the innermost object or array. */
  close(): void {
    if (!this.isJson) return;
    const object = this.#objects[this.#objects.length - 1];
    if (!object) {
      if (this.pretty && this.#sep) this.#json += " ";
      this.#sep = "";
    }
    this.#objects.pop();
    this.#inObject = this.#objects[this.#objects.length - 1] === true;
    if (this.#sep) this.#eol();
    this.#json += object ? "}" : "]";
    this.#sep = ",";
  }

  /** The JSON written since the last call, as `tc -j` prints it (no spaces; repeated keys kept); clears it. */
  json(): string {
    const s = this.#json;
    this.#json = "";
    return s;
  }

  /** The text printed since the last call; clears it. */
  take(): string {
    const s = this.#text.join("");
    this.#text = [];
    return s;
  }
}
