/**
 * `TextSink`: the byte writer line printers write into. Its numbers and
 * text must come out exactly as `String(n)` and `TextEncoder` write them,
 * since printed lines are compared byte for byte with the kernel tools'.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { TextSink } from "../src/wire/text_sink.ts";

const enc = new TextEncoder();

function bytesOf(fill: (w: TextSink) => void, size?: number): Uint8Array {
  const w = new TextSink(size);
  fill(w);
  return w.buf.slice(0, w.at);
}

test("uint writes what String(n) writes, inexact and odd values included", () => {
  const edge = [0, 1, 9, 10, 99, 100, 4294967295, 2 ** 53 - 1, 2 ** 53, 2 ** 64, 1e21, -1, -0, 0.5, NaN, Infinity];
  for (const n of edge) assert.deepEqual(bytesOf((w) => w.uint(n)), enc.encode(String(n)), String(n));
  fc.assert(
    fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.double()), (n) => {
      assert.deepEqual(bytesOf((w) => w.uint(n)), enc.encode(String(n)));
    }),
    { numRuns: 2000 },
  );
});

test("ascii, text, byte and spaces write UTF-8 and grow the buffer as needed", () => {
  const part = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constant("\ud800"), fc.nat(300));
  fc.assert(
    fc.property(fc.array(part, { maxLength: 40 }), (parts) => {
      // A tiny start size makes every kind of write cross a growth.
      const got = bytesOf((w) => {
        for (const p of parts) {
          if (typeof p === "number") {
            w.spaces(p % 5);
            w.byte(p % 128);
          } else if (p.length % 2) w.ascii(p);
          else w.text(p);
        }
      }, 1);
      // Each part on its own: a lone surrogate is U+FFFD even next to its other half.
      const want = parts.flatMap((p) => [
        ...enc.encode(typeof p === "number" ? " ".repeat(p % 5) + String.fromCharCode(p % 128) : p),
      ]);
      assert.deepEqual(got, Uint8Array.from(want));
    }),
    { numRuns: 500 },
  );
});

test("take returns the text and empties the sink", () => {
  const w = new TextSink(2);
  w.ascii("mark=");
  w.uint(42);
  w.ascii(" zone=é");
  assert.equal(w.take(), "mark=42 zone=é");
  assert.equal(w.at, 0);
  w.ascii("x");
  assert.equal(w.take(), "x");
});
