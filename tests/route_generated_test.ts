// The generated route and link parsers (scripts/gen_codecs.ts, from ROUTE_MESSAGE and LINK_MESSAGE) agree with
// the public table engine (parsePublicMessage) on random and mutated messages, and the generator refuses composes
// it cannot compile.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { outcome, tlv } from "./_fuzz.ts";
import { generate, SOURCES } from "../scripts/gen_codecs.ts";
import * as routeTable from "../src/route/route/table.ts";
import { ROUTE_MESSAGE, ROUTE_TABLE } from "../src/route/route/table.ts";
import { parseRouteMessage } from "../src/route/route/parse.ts";
import { LINK_MESSAGE, LINK_TABLE } from "../src/route/link/object.ts";
import { parseLinkMessage } from "../src/route/link/api.ts";
import { VETH_INFO_ATTRS } from "../src/route/link/kinds/veth.ts";
import { IFLA_BRPORT_ATTRS } from "../src/route/link/kinds/registry.ts";
import { parsePublicMessage, type PublicMessage } from "../src/wire/public_message.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";

/**
 * A family header of `hdrLen` random bytes (family from `families`) and attributes of the table's types (and a
 * few others), some nested with attributes of `nested` types, maybe cut short.
 */
function messages(hdrLen: number, families: number[], types: number[], nested: number[]): fc.Arbitrary<Uint8Array> {
  const leaf = fc.tuple(
    fc.oneof(fc.constantFrom(...nested), fc.integer({ min: 0, max: 12 })),
    fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc.constantFrom(1, 4, 8).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
    ),
  ).map(([t, p]) => tlv(t, p));
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 20 }),
    fc.constantFrom(1, 2, 4, 8, 16).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
    fc.array(leaf, { maxLength: 4 }).map((kids) => Uint8Array.from(kids.flatMap((k) => [...k]))),
  );
  return fc.tuple(
    fc.uint8Array({ minLength: hdrLen, maxLength: hdrLen }),
    fc.constantFrom(...families),
    fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...types), fc.integer({ min: 0, max: 72 })),
        fc.constantFrom(0, 0, 0x8000),
        payload,
      ),
      {
        maxLength: 12,
      },
    ),
    fc.nat(),
    fc.boolean(),
  ).map(([hdr, family, attrs, cut, doCut]) => {
    hdr[0] = family;
    const b = new MessageBuilder(24, 0).raw(hdr);
    for (const [type, flag, p] of attrs) b.raw(tlv(type | flag, p));
    const bytes = b.finish();
    if (!doCut) return bytes;
    const cutShort = bytes.slice(0, Math.max(16, cut % bytes.length));
    new DataView(cutShort.buffer).setUint32(0, cutShort.length, true); // nlmsg_len claims the cut
    return cutShort;
  });
}

const typesOf = (t: object) => Object.values(t).map((s) => (s as { type: number }).type);

/** The generated parser and the engine give the same object or the same error on every message of `arb`. */
function agrees(arb: fc.Arbitrary<Uint8Array>, generated: (m: NlMsg) => unknown, message: PublicMessage): void {
  fc.assert(
    fc.property(arb, (bytes) => {
      const view = new DataView(bytes.buffer);
      const m = readMessage(bytes, view, 0, bytes.length);
      assert.deepEqual(
        outcome(() => generated(m)),
        outcome(() => parsePublicMessage(message, m)),
      );
    }),
    { numRuns: 3000 },
  );
}

test("generated parseRouteMessage agrees with the public table engine on random messages", () => {
  const route = messages(12, [2, 10, 2, 10, 28], typesOf(ROUTE_TABLE), typesOf(ROUTE_TABLE.metrics.table));
  agrees(route, parseRouteMessage, ROUTE_MESSAGE);
});

test("generated parseLinkMessage agrees with the public table engine on random messages", () => {
  const nested = [...typesOf(LINK_TABLE.linkinfo.table), ...typesOf(VETH_INFO_ATTRS), ...typesOf(IFLA_BRPORT_ATTRS)];
  agrees(messages(16, [0, 7, 10], typesOf(LINK_TABLE), nested), parseLinkMessage, LINK_MESSAGE);
});

test("a route with every kind of field parses the same both ways, metrics' unknowns kept inside", () => {
  const hdr = Uint8Array.of(2, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0);
  const bytes = new MessageBuilder(24, 0).raw(hdr).attrs(ROUTE_TABLE, {
    table: 1000,
    dst: "10.20.30.0",
    priority: 100,
    gateway: "10.0.0.254",
    oif: 2,
    metrics: { mtu: 1400, lock: ["mtu"], unknown: [{ type: 99, data: Uint8Array.of(1, 2, 3, 4) }] },
    cacheinfo: { clntref: 0, lastuse: 0, expires: 500, error: 0, used: 0, id: 0, ts: 0, tsage: 0 },
    unknown: [{ type: 99, data: Uint8Array.of(5, 6, 7, 8) }],
  }).finish();
  const m = readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length);
  const r = parseRouteMessage(m);
  assert.deepEqual(r, parsePublicMessage(ROUTE_MESSAGE, m));
  assert.equal(r.dst, "10.20.30.0/24");
  assert.equal(r.table, 1000);
  assert.equal(r.metric, 100);
  assert.equal(r.expires, 5);
  assert.deepEqual(r.metrics, { mtu: 1400, lock: ["mtu"], unknown: [{ type: 99, data: Uint8Array.of(1, 2, 3, 4) }] });
  assert.deepEqual(r.unknown, [{ type: 99, data: Uint8Array.of(5, 6, 7, 8) }]);
});

test("the generator refuses compose inputs that do not exist and input attributes nothing reads", () => {
  const message = SOURCES.find((s) => s.module === "src/route/route/table.ts")!.messages![0];
  const gen = (table: object, combined: object = ROUTE_MESSAGE.combined) =>
    generate(
      "src/route/route/table.ts",
      {
        ...routeTable,
        ROUTE_TABLE: table,
        ROUTE_MESSAGE: { ...ROUTE_MESSAGE, attrs: table, combined },
      },
      [],
      [],
      [],
      [message],
    );
  assert.match(gen(ROUTE_TABLE), /export function parseRoute\(/);
  const { encap: _, ...noEncap } = ROUTE_TABLE;
  assert.throws(() => gen(noEncap), /encapType: an input attribute no compose reads/);
  const bad = (from: string[]) => ({ ...ROUTE_TABLE, dst: { ...ROUTE_TABLE.dst, compose: { from } } });
  assert.throws(() => gen(bad(["nosuch"])), /compose input "nosuch" is no attribute/);
  assert.throws(() => gen(bad(["hdr.nosuch"])), /"hdr.nosuch" is no field of the message header/);
  assert.throws(() => gen(bad(["dst", "table"])), /several inputs needs a function/);
  assert.throws(
    () => gen(ROUTE_TABLE, { ...ROUTE_MESSAGE.combined, x: { from: ["nosuch"] } }),
    /compose input "nosuch" is no attribute/,
  );
});
