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

/** Where a field goes: both outputs, JSON only, or text only. */
export type PrintMode = "any" | "json" | "fp";

/** A JSON value as the printer builds it: objects keep key order and repeated keys. */
export type JsonNode = string | number | boolean | null | JsonObject | JsonNode[];

/** A JSON object as ordered key/value pairs. */
export interface JsonObject {
  /** The pairs, in print order; a key may repeat. */
  pairs: [string, JsonNode][];
}

function isObject(n: JsonNode): n is JsonObject {
  return typeof n === "object" && n !== null && !Array.isArray(n);
}

/** Serialises a printer node as `tc -j` does (no spaces; repeated keys kept). */
export function stringifyNode(n: JsonNode): string {
  if (Array.isArray(n)) return `[${n.map(stringifyNode).join(",")}]`;
  if (isObject(n)) return `{${n.pairs.map(([k, v]) => `${JSON.stringify(k)}:${stringifyNode(v)}`).join(",")}}`;
  return JSON.stringify(n);
}

/** Turns a printer node into a plain value; a repeated key becomes an array of its values. */
export function plainNode(n: JsonNode): unknown {
  if (Array.isArray(n)) return n.map(plainNode);
  if (!isObject(n)) return n;
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [k, v] of n.pairs) {
    const val = plainNode(v);
    if (!(k in out)) out[k] = val;
    else if (seen.has(k)) (out[k] as unknown[]).push(val);
    else {
      out[k] = [out[k], val];
      seen.add(k);
    }
  }
  return out;
}

/** Prints tc objects as text or as JSON, field by field. */
export class TcPrinter {
  /** True when building JSON. */
  readonly isJson: boolean;
  #text: string[] = [];
  #stack: (JsonObject | JsonNode[])[] = [];
  #root: JsonNode | undefined;

  /** `json`: build JSON instead of text. */
  constructor(json: boolean) {
    this.isJson = json;
  }

  #put(key: string | undefined, v: JsonNode): void {
    const top = this.#stack[this.#stack.length - 1];
    if (!top) this.#root = v;
    else if (Array.isArray(top)) top.push(v);
    else top.pairs.push([key ?? "", v]);
  }

  /** Prints `value`: JSON gets `key: json`, text gets `fmt` with `%s` replaced by `text`. */
  field(mode: PrintMode, key: string | undefined, fmt: string, json: JsonNode, text: string): void {
    if (this.isJson) {
      if (mode !== "fp") this.#put(key, json);
    } else if (mode !== "json") {
      this.#text.push(fmt.replace("%s", text));
    }
  }

  /** A string field. */
  str(key: string | undefined, fmt: string, v: string, mode: PrintMode = "any"): void {
    this.field(mode, key, fmt, v, v);
  }

  /** An unsigned or signed integer field. */
  uint(key: string | undefined, fmt: string, v: number, mode: PrintMode = "any"): void {
    this.field(mode, key, fmt, v, String(v));
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
    if (!this.isJson) return;
    const o: JsonObject = { pairs: [] };
    this.#put(key, o);
    this.#stack.push(o);
  }

  /** Opens an array (named inside an object). */
  openArray(key?: string): void {
    if (!this.isJson) return;
    const a: JsonNode[] = [];
    this.#put(key, a);
    this.#stack.push(a);
  }

  /** Closes the innermost object or array. */
  close(): void {
    if (this.isJson) this.#stack.pop();
  }

  /** The JSON built so far (after the outermost close). */
  node(): JsonNode | undefined {
    return this.#root;
  }

  /** The JSON built, serialised like `tc -j`. */
  json(): string {
    return this.#root === undefined ? "" : stringifyNode(this.#root);
  }

  /** The text printed so far; clears it. */
  take(): string {
    const s = this.#text.join("");
    this.#text = [];
    return s;
  }
}
