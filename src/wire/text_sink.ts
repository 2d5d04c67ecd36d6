/**
 * Text written straight into a reused byte buffer: digits and ASCII words go
 * in byte by byte, so a line printer builds no JS strings and no per-line
 * encoding pass runs (on a 100,000-entry `ct -L`, building each line as a
 * string and encoding it cost about 2 µs per line; writing its bytes costs a
 * fraction of that).
 *
 * @example
 * ```ts
 * import { TextSink } from "./text_sink.ts";
 * const w = new TextSink();
 * w.ascii("mark=");
 * w.uint(42);
 * console.log(w.take()); // "mark=42"
 * ```
 *
 * @module
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Decimal digits of an int32 of at least 100,000. */
function decimalDigits(x: number): number {
  return x < 1_000_000 ? 6 : x < 10_000_000 ? 7 : x < 100_000_000 ? 8 : x < 1_000_000_000 ? 9 : 10;
}

/** A growable byte buffer that text is appended to as UTF-8. */
export class TextSink {
  /** The bytes; `buf[0, at)` is the text written so far. */
  buf: Uint8Array;
  /** Bytes written. */
  at = 0;

  /** A sink with room for `size` bytes to start with (it grows as needed). */
  constructor(size = 4096) {
    this.buf = new Uint8Array(size);
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(2 * this.buf.length, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  /** Appends one byte (an ASCII character code). */
  byte(c: number): void {
    if (this.at >= this.buf.length) this.room(1);
    this.buf[this.at++] = c;
  }

  /** Appends `n` spaces. */
  spaces(n: number): void {
    if (n <= 0) return;
    this.room(n);
    const b = this.buf;
    let at = this.at;
    for (const end = at + n; at < end; at++) b[at] = 32; // a few at a time: a loop beats fill's call
    this.at = at;
  }

  /** Appends a string that is almost always ASCII (names, addresses); anything else goes through {@link text}. */
  ascii(s: string): void {
    const len = s.length;
    if (this.at + len > this.buf.length) this.room(len);
    const b = this.buf;
    let at = this.at;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return this.text(s);
      b[at++] = c;
    }
    this.at = at;
  }

  /** Appends bytes: a word encoded once and written per line copies faster than {@link ascii} checks it. */
  bytes(b: Uint8Array): void {
    const len = b.length;
    if (this.at + len > this.buf.length) this.room(len);
    const out = this.buf;
    let at = this.at;
    for (let i = 0; i < len; i++) out[at++] = b[i];
    this.at = at;
  }

  /** Appends any string as UTF-8 (lone surrogates become U+FFFD, as `TextEncoder` writes them). */
  text(s: string): void {
    this.room(3 * s.length);
    this.at += enc.encodeInto(s, this.buf.subarray(this.at)).written;
  }

  /** Appends a number in decimal, exactly as `String(n)` writes it. */
  uint(n: number): void {
    // Integers up to 2^53 digit by digit; anything else (negative, fractional, inexact) as JS prints it.
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n)) return this.ascii(String(n));
    if (this.at + 16 > this.buf.length) this.room(16);
    const b = this.buf;
    if (n < 10) {
      b[this.at++] = 48 + n;
      return;
    }
    if (n < 0x8000_0000) {
      // Ports, marks, ids, byte values: int32 arithmetic, no Math.floor per digit.
      let x = n | 0;
      let p = this.at + (x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : x < 100000 ? 5 : decimalDigits(x));
      this.at = p;
      while (x >= 10) {
        const q = (x / 10) | 0;
        b[--p] = 48 + x - 10 * q;
        x = q;
      }
      b[--p] = 48 + x;
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let p = this.at + digits;
    this.at = p;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      b[--p] = 48 + (n - 10 * q); // the digit first: 48 + n can round above 2^53
      n = q;
    }
    b[--p] = 48 + n;
  }

  /** The text written so far as a string; the sink is then empty. */
  take(): string {
    const s = dec.decode(this.buf.subarray(0, this.at));
    this.at = 0;
    return s;
  }
}
