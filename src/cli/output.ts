/**
 * Buffered, synchronous output: text is written as it is produced, so large
 * dumps stream with flat memory and the pipe's own backpressure.
 *
 * @module
 */

import { writeSome } from "./io.ts";

const enc = new TextEncoder();
const FLUSH_AT = 64 * 1024;

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

/** A line-oriented writer for one file descriptor. */
export class Output {
  /** Descriptor written to. */
  readonly fd: 1 | 2;
  #parts: string[] = [];
  #size = 0;

  /** Wraps `fd` (1 for stdout, 2 for stderr). */
  constructor(fd: 1 | 2) {
    this.fd = fd;
  }

  /** Queues text, flushing once enough is buffered. */
  write(text: string): void {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= FLUSH_AT) this.flush();
  }

  /** Queues text plus a newline. */
  line(text = ""): void {
    this.write(text + "\n");
  }

  /** Writes out everything queued. */
  flush(): void {
    if (this.#size === 0 && this.#parts.length === 0) return;
    const text = this.#parts.join("");
    this.#parts = [];
    this.#size = 0;
    writeAll(this.fd, enc.encode(text));
  }
}

/**
 * Writes a JSON array one element at a time, so a dump is never held whole.
 * `pretty` indents like `ip -j -p`.
 */
export class JsonArrayWriter {
  #out: Output;
  #pretty: boolean;
  #count = 0;

  /** Starts the array on `out`. */
  constructor(out: Output, pretty: boolean) {
    this.#out = out;
    this.#pretty = pretty;
    out.write("[");
  }

  /** Appends one element. */
  item(value: unknown): void {
    const sep = this.#count++ ? "," : "";
    if (this.#pretty) {
      this.#out.write(sep + "\n    " + JSON.stringify(value, null, 4).replaceAll("\n", "\n    "));
    } else {
      this.#out.write(sep + JSON.stringify(value));
    }
  }

  /** Closes the array. */
  end(): void {
    this.#out.write(this.#pretty && this.#count ? "\n]\n" : "]\n");
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
