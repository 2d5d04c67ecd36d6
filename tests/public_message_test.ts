/**
 * The generated message parsers (`scripts/gen_codecs.ts` from a
 * `PublicMessage`) agree with the reference engine (`parsePublicMessage`)
 * on random messages built from each table (payloads of the right size
 * for each kind most of the time, so the values are parsed and derived)
 * and on the same messages mutated and cut short: the same public object,
 * or the same error.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { NlMsg } from "../src/wire/message.ts";
import { combinedInputs, headerLayout, parsePublicMessage, type PublicMessage } from "../src/wire/public_message.ts";
import { type AttrSpec, type ScalarKind, scalarSize, structSize } from "../src/wire/table.ts";
import { RULE_MESSAGE } from "../src/route/rule/table.ts";
import { parseRuleMessage } from "../src/route/rule/_generated/table.ts";
import { ADDRESS_MESSAGE } from "../src/route/addr/table.ts";
import { parseAddressMessage } from "../src/route/addr/_generated/table.ts";
import { NEIGHBOUR_MESSAGE } from "../src/route/neigh/table.ts";
import { parseNeighbourMessage } from "../src/route/neigh/_generated/table.ts";
import { asMessage, concat, mutatedCaptures, outcome, tlv } from "./_fuzz.ts";

const PAIRS: [string, PublicMessage, (m: NlMsg) => unknown][] = [
  ["RULE_MESSAGE", RULE_MESSAGE, parseRuleMessage],
  ["ADDRESS_MESSAGE", ADDRESS_MESSAGE, parseAddressMessage],
  ["NEIGHBOUR_MESSAGE", NEIGHBOUR_MESSAGE, parseNeighbourMessage],
];

/** A payload for `spec`: of its kind's size (addresses of 4 or 16 bytes), or any bytes now and then. */
function payload(spec: AttrSpec | undefined): fc.Arbitrary<Uint8Array> {
  const any = fc.uint8Array({ maxLength: 20 });
  if (!spec) return any;
  let sized: fc.Arbitrary<Uint8Array>;
  if (spec.kind === "ip") {
    sized = fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 }));
  } else if (spec.kind === "mac") sized = fc.uint8Array({ minLength: 6, maxLength: 6 });
  else if (spec.kind === "string") {
    sized = fc.array(fc.integer({ min: 0x61, max: 0x7a }), { maxLength: 15 }).map((s) => Uint8Array.from([...s, 0]));
  } else if (spec.kind === "flag") sized = fc.constant(new Uint8Array(0));
  else if (spec.kind === "struct") {
    sized = fc.uint8Array({ minLength: structSize(spec.struct!), maxLength: structSize(spec.struct!) });
  } else if (spec.kind === "codec") sized = fc.uint8Array({ minLength: 16, maxLength: 16 });
  else if (spec.kind === "nested" || spec.kind === "bytes") return any;
  else {
    const n = scalarSize(spec.kind as ScalarKind);
    // All-ones often (the "unset" value of some attributes), else random.
    sized = fc.oneof(fc.uint8Array({ minLength: n, maxLength: n }), fc.constant(new Uint8Array(n).fill(0xff)));
  }
  return fc.oneof({ weight: 4, arbitrary: sized }, { weight: 1, arbitrary: any });
}

/** Whole messages: a random header, then attributes of the table (and a few unknown types). */
function messages(m: PublicMessage): fc.Arbitrary<Uint8Array> {
  const specs = Object.values(m.attrs);
  const maxType = Math.max(...specs.map((s) => s.type));
  const attr = fc.integer({ min: 0, max: maxType + 2 }).chain((type) =>
    payload(specs.find((s) => s.type === type)).map((data) => tlv(type, data))
  );
  const hdr = structSize(headerLayout(m));
  return fc.tuple(fc.uint8Array({ minLength: hdr, maxLength: hdr }), fc.array(attr, { maxLength: 12 })).map(
    ([h, attrs]) => {
      const out = concat([new Uint8Array(16), h, ...attrs]);
      new DataView(out.buffer).setUint32(0, out.length, true);
      return out;
    },
  );
}

function agree(m: PublicMessage, generated: (m: NlMsg) => unknown, msg: NlMsg): void {
  assert.deepEqual(outcome(() => generated(msg)), outcome(() => parsePublicMessage(m, msg)));
}

for (const [name, m, generated] of PAIRS) {
  test(`generated ${name} parser agrees with parsePublicMessage on random messages`, () => {
    fc.assert(fc.property(messages(m), (bytes) => agree(m, generated, asMessage(bytes))), { numRuns: 2000 });
  });

  test(`generated ${name} parser agrees with parsePublicMessage on mutated and cut messages`, () => {
    const seeds = fc.sample(messages(m), { numRuns: 50, seed: 42 }).filter((b) => b.length > 16);
    fc.assert(fc.property(mutatedCaptures(seeds), (msg) => agree(m, generated, msg)), { numRuns: 2000 });
  });
}

test("a rule message parses to its public fields", () => {
  // fib_rule_hdr inet6, dst_len 64, src_len 0, table 0, action lookup, flags invert; FRA_DST, FRA_TABLE 1000.
  const hex =
    "0a400000000000010200000014000100200100db000000000000000000000000080006000a000000080003006c6f000008000f00e8030000";
  const payload = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  const bytes = new Uint8Array(16 + payload.length);
  bytes.set(payload, 16);
  new DataView(bytes.buffer).setUint32(0, bytes.length, true);
  const want = {
    family: "inet6",
    tos: 0,
    action: "lookup",
    flags: ["invert"],
    invert: true,
    priority: 10,
    dst: "2001:db::/64",
    iif: "lo",
    table: 1000,
  };
  assert.deepEqual(parseRuleMessage(asMessage(bytes)), want);
  assert.deepEqual(parsePublicMessage(RULE_MESSAGE, asMessage(bytes)), want);
});

test("a combined field cannot take a nested, defaulted or unknown input", () => {
  const base = { name: "hdr", what: "Message", header: { len: { kind: "u8" } } } as const;
  const nest = { type: 1, kind: "nested", table: { a: { type: 1, kind: "u8" } } } as const;
  for (
    const [attrs, from] of [
      [{ n: nest }, "n"],
      [{ d: { type: 2, kind: "u8", default: 0 } }, "d"],
      [{}, "nosuch"],
      [{}, "hdr.nosuch"],
    ] as const
  ) {
    const m: PublicMessage = { ...base, attrs, combined: { x: { from: [from] } } };
    assert.throws(() => combinedInputs(m), { message: `hdr: combined field "x" cannot take "${from}" as an input` });
  }
});
