/**
 * Property tests of the wire codec: random and mutated bytes give only
 * typed errors, and built messages parse back to what was built.
 *
 * @module
 */

import { test } from "node:test";
import { isTyped } from "./_fuzz.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  forEachMessage,
  MalformedError,
  MessageBuilder,
  parseAttrs,
  parseCidr,
  parseDoneMessage,
  parseErrorMessage,
  parseIp,
  parseMac,
  readMessage,
  TruncatedError,
} from "../src/wire/mod.ts";
import { ACK, DUMP6_WITH_DONE, ERROR_CAPPED, ERROR_FULL, NEWADDR_V4, unhex, vector } from "./_vectors.ts";

/** Inputs per property; the note reports the total. */
const RUNS = 3000;

const NESTED = {
  n: { type: 1, kind: "nested", table: { s: { type: 1, kind: "string" }, v: { type: 2, kind: "u64" } } },
  ip: { type: 2, kind: "ip" },
  mac: { type: 3, kind: "mac" },
  b: { type: 4, kind: "u16be", names: { 1: "one" } },
  f: { type: 5, kind: "u32", bits: { 1: "x" }, repeat: true },
  st: { type: 6, kind: "struct", struct: { a: "u32", p: "pad4", b: "u64" } },
  s: { type: 7, kind: "s64" },
} as const;

function typed(e: unknown): boolean {
  return e instanceof TruncatedError || e instanceof MalformedError;
}

/** Parses a datagram the way the socket does: every message, every body. */
function parseAll(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  forEachMessage(bytes, view, 0, bytes.length, (m) => {
    if (m.type === 2) parseErrorMessage(m);
    else if (m.type === 3) parseDoneMessage(m);
    else parseAttrs(NESTED, m.buf, m.view, Math.min(m.start + 16, m.end), m.end);
  });
}

const seeds = [NEWADDR_V4, ERROR_FULL, ERROR_CAPPED, ACK, DUMP6_WITH_DONE].map(unhex).concat([
  vector("rtm_newlink_lo"),
]);

/** A captured frame with random bytes overwritten and maybe cut short. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    fc.option(fc.nat()),
  )
  .map(([seed, edits, cut]) => {
    const b = seed.slice();
    for (const [at, v] of edits) b[at % b.length] = v;
    return cut === null ? b : b.subarray(0, cut % (b.length + 1));
  });

test("random bytes into the message and attribute parsers give only typed errors", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      try {
        parseAll(bytes);
      } catch (e) {
        assert.ok(typed(e), `untyped error: ${e}`);
      }
    }),
    { numRuns: RUNS },
  );
});

test("mutated kernel captures give only typed errors, and always terminate", () => {
  fc.assert(
    fc.property(mutated, (bytes) => {
      try {
        parseAll(bytes);
      } catch (e) {
        assert.ok(typed(e), `untyped error: ${e}`);
      }
    }),
    { numRuns: RUNS * 2 },
  );
});

test("random attribute bodies under a rich table give only typed errors", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
      try {
        parseAttrs(NESTED, bytes, new DataView(bytes.buffer), 0, bytes.length);
      } catch (e) {
        assert.ok(typed(e), `untyped error: ${e}`);
      }
    }),
    { numRuns: RUNS },
  );
});

test("built messages parse back to what was built", () => {
  const value = fc.record(
    {
      n: fc.record({ s: fc.string({ maxLength: 20 }).filter((s) => !s.includes("\0")), v: fc.nat() }, {
        requiredKeys: [],
      }),
      ip: fc.oneof(fc.ipV4(), fc.constantFrom("::", "fe80::1", "2001:db8::1")),
      mac: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) =>
        Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":")
      ),
      b: fc.constantFrom("one", "2", "65535"),
      s: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(value, (v) => {
      const msg = new MessageBuilder(16, 0).attrs(NESTED, v).finish();
      const m = readMessage(msg, new DataView(msg.buffer), 0, msg.length);
      assert.deepEqual(parseAttrs(NESTED, m.buf, m.view, 16, m.end), structuredClone(v));
    }),
    { numRuns: RUNS },
  );
});

test("address text parsers accept or throw TypeError, never anything else", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 48 }), (s) => {
      for (const parse of [parseIp, parseMac, parseCidr]) {
        try {
          parse(s);
        } catch (e) {
          assert.ok(e instanceof InvalidArgumentError && isTyped(e), `untyped error: ${e}`);
        }
      }
    }),
    { numRuns: RUNS },
  );
});
