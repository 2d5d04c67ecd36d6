/**
 * Buffered, synchronous output: text is written as it is produced, so large
 * dumps stream with flat memory and the pipe's own backpressure.
 *
 * @module
 */

import { writeSome } from "./io.ts";
import { quoteJson } from "../wire/json_quote.ts";
import { TextSink } from "../wire/text_sink.ts";

const enc = new TextEncoder();
const FLUSH_AT = 64 * 1024;
/** Room for a flush's worth of text plus one more piece: a UTF-16 unit is at most 3 bytes of UTF-8. */
const ROOM = FLUSH_AT + 3 * 4096;

/** Writes all of `bytes` to `fd`, retrying short writes and EAGAIN on non-blocking pipes. */
function writeAll(fd: 1 | 2, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSome(fd, bytes.subarray(off));
    } catch (e) {
      const x = e as { code?: string; name?: string };
      if (x.code !== "EAGAIN" && x.name !== "WouldBlock") throw e;
    }
  }
}

/**
 * A line-oriented writer for one file descriptor. Text goes into one reused
 * buffer, {@link sink}, which printers of large dumps also write their
 * lines' bytes into directly (then call {@link endLine}).
 */
export class Output {
  /** Descriptor written to. */
  readonly fd: 1 | 2;
  #sink: TextSink | undefined;

  /** Wraps `fd` (1 for stdout, 2 for stderr). */
  constructor(fd: 1 | 2) {
    this.fd = fd;
  }

  /** The buffer a line printer writes into; end each line with {@link endLine}. */
  get sink(): TextSink {
    return this.#sink ??= new TextSink(ROOM);
  }

  /** Queues text, flushing once enough is buffered. */
  write(text: string): void {
    this.#put(text);
    if (this.sink.at >= FLUSH_AT) this.flush();
  }

  /** Queues text plus a newline. */
  line(text = ""): void {
    this.#put(text);
    this.endLine();
  }

  /** Ends the line written into {@link sink}, flushing once enough is buffered. */
  endLine(): void {
    const w = this.sink;
    w.byte(10);
    if (w.at >= FLUSH_AT) this.flush();
  }

  /** Encodes `text` into the buffer, flushing first if it may not fit (text too large is written at once). */
  #put(text: string): void {
    const w = this.sink;
    if (w.at + 3 * text.length > w.buf.length) {
      this.flush();
      if (3 * text.length > w.buf.length) return writeAll(this.fd, enc.encode(text));
    }
    w.ascii(text); // byte by byte, UTF-8 encoding only past the first non-ASCII character
  }

  /** After text was written into {@link sink} directly (no line end): flushes once enough is buffered. */
  wrote(): void {
    if (this.sink.at >= FLUSH_AT) this.flush();
  }

  /** Writes out everything queued. */
  flush(): void {
    const w = this.#sink;
    if (w === undefined || w.at === 0) return;
    const bytes = w.buf.subarray(0, w.at);
    w.at = 0;
    writeAll(this.fd, bytes);
  }
}

/**
 * `value` in the layout of `ip -j -p` (iproute2's json_writer): keys on
 * their own lines indented four spaces per level, arrays inline as
 * `[ a,b ]`, objects in an array joined as `},{`. `depth` is the nesting
 * level the value starts at.
 */
export function ipPrettyJson(value: unknown, depth: number): string {
  if (Array.isArray(value)) {
    const items = value.map((v) => ipPrettyJson(v, depth + 1));
    return `[ ${items.join(",")}${items.length ? " " : ""}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!entries.length) return "{}";
    const pad = "    ".repeat(depth + 1);
    const body = entries.map(([k, v], i) => `${i ? "," : ""}\n${pad}${quoteJson(k)}: ${ipPrettyJson(v, depth + 1)}`);
    return `{${body.join("")}\n${"    ".repeat(depth)}}`;
  }
  return typeof value === "string" ? quoteJson(value) : JSON.stringify(value) ?? "null";
}

/**
 * Writes a JSON array one element at a time, so a dump is never held whole.
 * `pretty` lays it out as `ip -j -p` does, byte for byte.
 */
export class JsonArrayWriter {
  #out: Output;
  #pretty: boolean;
  #count = 0;

  /** Prepares the array on `out`; nothing is written until the first element or the end, so a listing that fails first prints nothing, as ip does. */
  constructor(out: Output, pretty: boolean) {
    this.#out = out;
    this.#pretty = pretty;
  }

  get #open(): string {
    return this.#pretty ? "[ " : "[";
  }

  /** Appends one element. */
  item(value: unknown): void {
    const sep = this.#count++ ? "," : this.#open;
    this.#out.write(sep + (this.#pretty ? ipPrettyJson(value, 1) : JSON.stringify(value)));
  }

  /**
   * Starts the next element (not with `pretty`), written as JSON text
   * straight into the returned buffer; call {@link wrote} after it.
   */
  open(): TextSink {
    const w = this.#out.sink;
    w.ascii(this.#count++ ? "," : this.#open);
    return w;
  }

  /** Ends an element written after {@link open}. */
  wrote(): void {
    this.#out.wrote();
  }

  /** Closes the array. */
  end(): void {
    if (!this.#count) this.#out.write(this.#open);
    this.#out.write(this.#pretty && this.#count ? " ]\n" : "]\n");
  }
}

/** Writes one JSON value per line (NDJSON), flushing each line so followers see it at once. */
export function writeNdjson(out: Output, value: unknown): void {
  out.line(JSON.stringify(value));
  out.flush();
}

/** Writes one object's lines: each on its own, or with `-o` all on one line joined by `\\`, as ip does. */
export function writeObject(out: Output, lines: readonly string[], oneline: boolean): void {
  if (oneline) out.line(lines.join("\n").replaceAll("\n", "\\"));
  else for (const l of lines) out.line(l);
}
