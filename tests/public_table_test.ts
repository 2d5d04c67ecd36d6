/**
 * The table extension that describes public objects: the generated builder
 * agrees with `MessageBuilder.attrs`, policies are enforced when a public
 * object is turned back into attributes, and addresses parse without
 * allocation as they did with the regex parser.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../src/errors.ts";
import { formatIp, parseIp, writeIp } from "../src/wire/addr.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { parsePublicObject, publicAttrs, type PublicObject } from "../src/wire/public.ts";
import { checkPolicy, parseAttrs } from "../src/wire/table.ts";
import { CTA_TABLE } from "../src/netfilter/conntrack/tables.ts";
import { buildCtaTable } from "../src/netfilter/conntrack/_generated/tables.ts";
import { NFT_EXPRESSIONS } from "../src/netfilter/nftables/expr/registry.ts";
import { NFT_EXPRESSIONS_BUILDERS } from "../src/netfilter/nftables/expr/_generated/registry.ts";
import type { AttrTable } from "../src/wire/table.ts";

function outcome(fn: () => Uint8Array): unknown {
  try {
    return { ok: fn() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** One attribute's bytes: header, payload, padding. */
function tlv(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array((4 + payload.length + 3) & ~3);
  new DataView(out.buffer).setUint16(0, 4 + payload.length, true);
  new DataView(out.buffer).setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}

/** Random attributes of types up to `maxType`: leaves of `payload`, and nests of up to `kids` leaves. */
function attributes(maxType: number, payload: fc.Arbitrary<Uint8Array>, kids: number): fc.Arbitrary<Uint8Array> {
  const leaf = fc.record({ type: fc.integer({ min: 0, max: maxType }), payload });
  return fc.oneof(
    leaf.map((a) => tlv(a.type, a.payload)),
    fc.tuple(fc.integer({ min: 0, max: maxType }), fc.array(leaf, { maxLength: kids })).map(([t, ks]) =>
      tlv(t | 0x8000, Uint8Array.from(ks.flatMap((k) => [...tlv(k.type, k.payload)])))
    ),
  );
}

test("the generated CTA_TABLE builder writes what MessageBuilder.attrs writes", () => {
  // Attribute objects as the wire engine parses them from random nests of known and unknown types.
  const attr = attributes(28, fc.uint8Array({ maxLength: 20 }), 4);
  let built = 0;
  fc.assert(
    fc.property(fc.array(attr, { maxLength: 10 }), (attrs) => {
      const bytes = Uint8Array.from(attrs.flatMap((a) => [...a]));
      let a;
      try {
        a = parseAttrs(CTA_TABLE, bytes, new DataView(bytes.buffer), 0, bytes.length);
      } catch {
        return; // not attributes: nothing to build
      }
      const engine = outcome(() => new MessageBuilder(0x100, 0).attrs(CTA_TABLE, a).finish());
      const generated = outcome(() => buildCtaTable(new MessageBuilder(0x100, 0), a).finish());
      assert.deepEqual(generated, engine);
      if ((engine as { ok?: Uint8Array }).ok) built++;
    }),
    { numRuns: 3000 },
  );
  assert.ok(built > 500, `only ${built} built`);
  // Names and bit names are resolved, and bad ones refused, the same way.
  const tcp = { protoinfo: { tcp: { state: "ESTABLISHED" } } };
  assert.deepEqual(
    buildCtaTable(new MessageBuilder(0x100, 0), tcp).finish(),
    new MessageBuilder(0x100, 0).attrs(CTA_TABLE, tcp).finish(),
  );
  const bad = { protoinfo: { tcp: { state: "BOGUS" } } };
  assert.deepEqual(
    outcome(() => buildCtaTable(new MessageBuilder(0x100, 0), bad).finish()),
    outcome(() => new MessageBuilder(0x100, 0).attrs(CTA_TABLE, bad).finish()),
  );
});

test("each generated nf_tables expression builder writes what MessageBuilder.attrs writes", () => {
  // Payload sizes of the scalar kinds (so that most attributes parse), and nests of the same.
  const scalars = fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 20 }));
  const attr = attributes(12, scalars, 3);
  for (const [name, table] of Object.entries(NFT_EXPRESSIONS) as [keyof typeof NFT_EXPRESSIONS, AttrTable][]) {
    const build = NFT_EXPRESSIONS_BUILDERS[name] as (b: MessageBuilder, a: unknown) => MessageBuilder;
    let built = 0;
    fc.assert(
      fc.property(fc.array(attr, { maxLength: 8 }), (attrs) => {
        const bytes = Uint8Array.from(attrs.flatMap((a) => [...a]));
        let a;
        try {
          a = parseAttrs(table, bytes, new DataView(bytes.buffer), 0, bytes.length);
        } catch {
          return; // not attributes of this table: nothing to build
        }
        const engine = outcome(() => new MessageBuilder(0x100, 0).attrs(table, a).finish());
        assert.deepEqual(outcome(() => build(new MessageBuilder(0x100, 0), a).finish()), engine, name);
        if ((engine as { ok?: Uint8Array }).ok) built++;
      }),
      { numRuns: 300 },
    );
    assert.ok(built > 30, `${name}: only ${built} built`);
  }
  // Names are resolved, and bad ones refused, the same way.
  const payload = { base: "nh", offset: 12, len: 4, dreg: 1 } as const;
  assert.deepEqual(
    NFT_EXPRESSIONS_BUILDERS.payload(new MessageBuilder(0x100, 0), payload).finish(),
    new MessageBuilder(0x100, 0).attrs(NFT_EXPRESSIONS.payload, payload).finish(),
  );
  const bad = { base: "nowhere" } as unknown as { base: "nh" };
  assert.deepEqual(
    outcome(() => NFT_EXPRESSIONS_BUILDERS.payload(new MessageBuilder(0x100, 0), bad).finish()),
    outcome(() => new MessageBuilder(0x100, 0).attrs(NFT_EXPRESSIONS.payload, bad).finish()),
  );
});

test("policies as data: ranges of the kind, min/max, max length and patterns are checked", () => {
  const port = CTA_TABLE.tupleOrig.table.proto.table.srcPort;
  assert.equal(checkPolicy(port, 65535), 65535);
  assert.throws(() => checkPolicy(port, 65536), {
    name: "InvalidArgumentError",
    message: /source port: "65536" \(must be 0 to 65535\)/,
  });
  assert.throws(() => checkPolicy(port, 1.5), InvalidArgumentError);
  assert.throws(() => checkPolicy({ type: 1, kind: "u8", min: 1, max: 9 }, 0), /must be 1 to 9/);
  assert.throws(() => checkPolicy({ type: 1, kind: "s8" }, -129), /must be -128 to 127/);
  assert.equal(checkPolicy({ type: 1, kind: "s8" }, -128), -128);
  const helper = CTA_TABLE.help.table.name;
  assert.equal(checkPolicy(helper, "ftp"), "ftp");
  assert.throws(() => checkPolicy(helper, "no spaces"), /helper name: "no spaces" \(must be 1 to 15 printable/);
  assert.throws(() => checkPolicy({ type: 1, kind: "string", maxLen: 3 }, "abcd"), /at most 3 bytes/);
  assert.throws(() => checkPolicy(CTA_TABLE.labels, new Uint8Array(17)), /length: "17" \(must be at most 16\)/);
  // The public builder validates every value from the policies before anything is built.
  const entry: PublicObject = { family: "inet", protoNum: 6, orig: { src: "10.0.0.1", dst: "10.0.0.2", sport: 70000 } };
  assert.throws(() => publicAttrs(CTA_TABLE, entry), /Invalid source port: "70000"/);
  assert.throws(() => publicAttrs(CTA_TABLE, { ...entry, orig: { src: "", dst: "" }, helper: "a b" }), /helper name/);
});

test("public keys: flatten, hoist, named, derive and defaults, and back", () => {
  const entry: PublicObject = {
    family: "inet",
    protoNum: 58,
    orig: { src: "fd00::1", dst: "fd00::2", icmpType: 128, icmpCode: 0, icmpId: 7 },
    statusBits: 0xc,
    counters: { orig: { packets: 3, bytes: 0 } },
    helper: "ftp",
    labels: { bytes: Uint8Array.of(1, 0, 0, 0x80), bits: [] },
  };
  const attrs = publicAttrs(CTA_TABLE, entry);
  assert.deepEqual(attrs.tupleOrig, {
    ip: { v6Src: "fd00::1", v6Dst: "fd00::2" },
    proto: { num: 58, icmpv6Id: 7, icmpv6Type: 128, icmpv6Code: 0 }, // `when`: the ICMPv6 forms for protocol 58
  });
  assert.deepEqual(attrs.countersOrig, { packets: 3 }); // equal to its default: left out
  assert.deepEqual(attrs.help, { name: "ftp" });
  const bytes = new MessageBuilder(0x100, 0).attrs(CTA_TABLE, attrs).finish();
  const back = parsePublicObject(
    CTA_TABLE,
    bytes,
    new DataView(bytes.buffer),
    16,
    bytes.length,
    { family: "inet" },
    "M",
  );
  assert.deepEqual(back.orig, entry.orig);
  assert.equal(back.proto, "icmpv6");
  assert.deepEqual(back.status, ["ASSURED", "CONFIRMED"]);
  assert.deepEqual(back.counters, { orig: { packets: 3, bytes: 0 } });
  assert.deepEqual(back.labels, { bytes: Uint8Array.of(1, 0, 0, 0x80), bits: [0, 31] });
  assert.deepEqual(back.reply, { src: "", dst: "" });
  assert.equal(back.helper, "ftp");
  // A required attribute missing is a MalformedError naming the uapi attribute.
  assert.throws(
    () =>
      parsePublicObject(CTA_TABLE, new Uint8Array(0), new DataView(new ArrayBuffer(0)), 0, 0, {}, "Conntrack message"),
    { name: "MalformedError", message: /Conntrack message has no CTA_TUPLE_ORIG/ },
  );
});

test("addresses parse without regex or allocation, as inet_pton does", () => {
  const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
  const v4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
  fc.assert(
    fc.property(fc.oneof(v4, v6), (b) => {
      assert.deepEqual(parseIp(formatIp(b)), b);
      const out = new Uint8Array(20);
      assert.equal(writeIp(formatIp(b), out, 2), b.length);
      assert.deepEqual(out.subarray(2, 2 + b.length), b);
    }),
    { numRuns: 3000 },
  );
  for (const good of ["::", "1::", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7::", "FD00::FfFf", "0.0.0.0"]) {
    assert.ok(parseIp(good).length, good);
  }
  for (
    const bad of [
      ":",
      ":::",
      "1::2::3",
      "12345::",
      "1:",
      ":1",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "g::",
      "::1.2.3",
      "1:2:3:4:5:6:7:1.2.3.4",
      "::1.2.3.4:5",
      "256.1.1.1",
      "1.2.3",
      "1.2.3.4.",
      "1..2.3",
      "",
      " 1.2.3.4",
      "1.2.3.0004",
    ]
  ) {
    assert.throws(() => parseIp(bad), InvalidArgumentError, bad);
    assert.equal(writeIp(bad, new Uint8Array(16), 0), 0, bad);
  }
});
