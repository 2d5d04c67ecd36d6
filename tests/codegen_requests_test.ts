/**
 * The request builders `scripts/gen_codecs.ts` compiles from the message
 * declarations agree with the runtime engine on random requests: the same
 * bytes for the same header numbers and attributes (`encodeRequest`), the
 * same verdict of the policies (`checkAttrs`, `requestHeader`), and the
 * same bytes or the same error from a public object (`buildRequest`),
 * objects made by the engine's own parser from random attributes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { outcome } from "./_fuzz.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { readMessage } from "../src/wire/message.ts";
import {
  buildRequest,
  encodeRequest,
  headerField,
  parsePublicMessage,
  type PublicMessage,
  requestHeader,
} from "../src/wire/public_message.ts";
import type { PublicObject } from "../src/wire/public.ts";
import { type Attrs, type AttrSpec, type AttrTable, checkAttrs, KIND_RANGE } from "../src/wire/table.ts";
import { ROUTE_ATTRS, ROUTE_MESSAGE } from "../src/route/route/table.ts";
import * as routeGen from "../src/route/route/_generated/table.ts";
import { IFLA_ATTRS, LINK_REQUEST } from "../src/route/link/table.ts";
import * as linkGen from "../src/route/link/_generated/table.ts";
import { ADDRESS_MESSAGE, IFA_ATTRS } from "../src/route/addr/table.ts";
import * as addrGen from "../src/route/addr/_generated/table.ts";
import { NDA_ATTRS, NEIGHBOUR_MESSAGE } from "../src/route/neigh/table.ts";
import * as neighGen from "../src/route/neigh/_generated/table.ts";
import { RULE_ATTRS, RULE_MESSAGE } from "../src/route/rule/table.ts";
import * as ruleGen from "../src/route/rule/_generated/table.ts";

type Encode = (b: MessageBuilder, h: Record<string, number>, a: never) => MessageBuilder;
type Check = (a: unknown) => unknown;
type Header = (v: Record<string, unknown>) => Record<string, number>;
type Build = (type: number, flags: number, h: Record<string, unknown>, a: PublicObject) => Uint8Array;

/** Each compiled request: its declaration, request table and generated functions. */
const CASES: [string, PublicMessage, AttrTable, Encode, Check, Header, Build | undefined][] = [
  [
    "route",
    ROUTE_MESSAGE,
    ROUTE_ATTRS,
    routeGen.encodeRouteRequest as Encode,
    routeGen.checkRouteAttrs,
    routeGen.routeRequestHeader,
    undefined,
  ],
  [
    "link",
    LINK_REQUEST,
    IFLA_ATTRS,
    linkGen.encodeLinkRequest as Encode,
    linkGen.checkLinkAttrs,
    linkGen.linkRequestHeader,
    linkGen.buildLinkRequest,
  ],
  [
    "address",
    ADDRESS_MESSAGE,
    IFA_ATTRS,
    addrGen.encodeAddressRequest as Encode,
    addrGen.checkAddressAttrs,
    addrGen.addressRequestHeader,
    addrGen.buildAddressRequest,
  ],
  [
    "neighbour",
    NEIGHBOUR_MESSAGE,
    NDA_ATTRS,
    neighGen.encodeNeighbourRequest as Encode,
    neighGen.checkNeighbourAttrs,
    neighGen.neighbourRequestHeader,
    neighGen.buildNeighbourRequest,
  ],
  [
    "rule",
    RULE_MESSAGE,
    RULE_ATTRS,
    ruleGen.encodeRuleRequest as Encode,
    ruleGen.checkRuleAttrs,
    ruleGen.ruleRequestHeader,
    ruleGen.buildRuleRequest,
  ],
];

/** A number of `kind`: mostly in its range and near the policy's bounds, sometimes past them. */
function number(kind: string, min?: number, max?: number): fc.Arbitrary<number> {
  const [lo, hi] = KIND_RANGE[kind];
  const a = min ?? lo, b = max ?? hi;
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: Math.max(a, -0x8000_0000), max: Math.min(b, 0x7fff_ffff) }) },
    { weight: 2, arbitrary: fc.constantFrom(a, b, a - 1, b + 1) },
    { weight: 1, arbitrary: fc.constantFrom(0.5, -1, NaN) },
  );
}

/** A value of one attribute as `MessageBuilder.attrs` takes it (codecs left out: both call the same one). */
function value(spec: AttrSpec, depth: number): fc.Arbitrary<unknown> | undefined {
  if (spec.kind in KIND_RANGE) {
    if (spec.bits) return fc.subarray(Object.values(spec.bits));
    if (spec.names) {
      return fc.oneof(fc.constantFrom(...Object.values(spec.names)), number(spec.kind, spec.min, spec.max));
    }
    return number(spec.kind, spec.min, spec.max);
  }
  switch (spec.kind) {
    case "string":
      return fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("eth0", "v0:a", "a".repeat(16)));
    case "flag":
      return fc.boolean();
    case "bytes":
      return fc.uint8Array({ maxLength: 12 });
    case "ip":
      return fc.oneof(fc.ipV4(), fc.ipV6());
    case "mac":
      return fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) =>
        Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":")
      );
    case "nested":
      return depth > 2 ? undefined : attrs(spec.table!, depth + 1);
    case "struct":
      return fc.record(
        Object.fromEntries(
          Object.entries(spec.struct!).filter(([, k]) => !k.startsWith("pad")).map(([f, k]) => [
            f,
            fc.integer({ min: KIND_RANGE[k][0], max: Math.min(KIND_RANGE[k][1], 0x7fff_ffff) }),
          ]),
        ),
        { requiredKeys: [] },
      );
  }
  return undefined;
}

/** Random wire attributes of `table`: a few of its keys, each with a value of its kind. */
function attrs(table: AttrTable, depth = 0): fc.Arbitrary<Attrs<AttrTable>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const key in table) {
    const spec = table[key];
    const v = value(spec, depth);
    if (v) fields[key] = spec.repeat ? fc.array(v, { maxLength: 3 }) : v;
  }
  const keys = Object.keys(fields);
  return fc.subarray(keys, { maxLength: Math.min(6, keys.length) }).chain((some) =>
    fc.record(Object.fromEntries(some.map((k) => [k, fields[k]]))) as fc.Arbitrary<Attrs<AttrTable>>
  );
}

/** Random public header values of `m`: numbers in and out of range, and names where the field has them. */
function header(m: PublicMessage): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f in m.header) {
    const spec = headerField(m, f);
    if (spec.kind.startsWith("pad")) continue;
    const names = spec.named?.names ?? spec.names;
    fields[f] = names
      ? fc.oneof(fc.constantFrom(...Object.values(names)), number(spec.kind, spec.min, spec.max))
      : number(spec.kind, spec.min, spec.max);
  }
  return fc.record(fields, { requiredKeys: [] });
}

/** The verdict of a check: its error's class and message, or passing. */
function verdict(fn: () => unknown): string {
  try {
    fn();
    return "passes";
  } catch (e) {
    return `${(e as Error).constructor.name}`;
  }
}

for (const [name, m, table, encode, check, head, build] of CASES) {
  test(`generated ${name} request builders write the engine's bytes on random attributes`, () => {
    fc.assert(
      fc.property(attrs(table), header(m), (a, h) => {
        assert.equal(verdict(() => check(a)), verdict(() => checkAttrs(table, a)));
        assert.deepEqual(outcome(() => head(h)), outcome(() => requestHeader(m, h)));
        // The encoders take numbers: the header's in range, whatever the attributes' policies say.
        const nums = outcome(() => requestHeader(m, h)) as { ok?: Record<string, number> };
        const numbers = nums.ok ?? {};
        assert.deepEqual(
          outcome(() => encode(new MessageBuilder(16, 0x600), numbers, a as never).finish()),
          outcome(() => encodeRequest(m, 16, 0x600, numbers, table, a)),
        );
      }),
      { numRuns: 300 },
    );
  });

  if (build) {
    test(`generated ${name} public builder agrees with buildRequest on parsed objects`, () => {
      let compared = 0;
      fc.assert(
        fc.property(attrs(table), header(m), (a, h) => {
          const numbers = (outcome(() => requestHeader(m, h)) as { ok?: Record<string, number> }).ok ?? {};
          const wire = outcome(() => encodeRequest(m, 16, 0, numbers, table, a)) as { ok?: Uint8Array };
          if (!wire.ok) return;
          const bytes = wire.ok;
          const msg = readMessage(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.length), 0, bytes.length);
          const parsed = outcome(() => parsePublicMessage(m, msg)) as { ok?: PublicObject };
          if (!parsed.ok) return;
          // A parsed object carries its header's public fields too: the builders take them from `header`.
          compared++;
          assert.deepEqual(
            outcome(() => build(16, 0x600, numbers, parsed.ok!)),
            outcome(() => buildRequest(m, 16, 0x600, numbers, table, parsed.ok!)),
          );
        }),
        { numRuns: 300 },
      );
      // Most random requests make a message the engine parses back: the property compared something.
      assert.ok(compared > 100, `only ${compared} objects compared`);
    });
  }
}

test("generated request builders refuse a bad value with the engine's words", () => {
  assert.throws(() => linkGen.checkLinkAttrs({ mtu: 20 }), { message: /Invalid MTU|Invalid mtu/ });
  assert.deepEqual(
    outcome(() => linkGen.checkLinkAttrs({ mtu: 20 })),
    outcome(() => checkAttrs(IFLA_ATTRS, { mtu: 20 })),
  );
  assert.deepEqual(
    outcome(() => routeGen.routeRequestHeader({ protocol: "nosuch" })),
    outcome(() => requestHeader(ROUTE_MESSAGE, { protocol: "nosuch" })),
  );
  assert.deepEqual(
    outcome(() => addrGen.buildAddressRequest(20, 0, { family: 2 }, { label: "x".repeat(40) })),
    outcome(() => buildRequest(ADDRESS_MESSAGE, 20, 0, { family: 2 }, IFA_ATTRS, { label: "x".repeat(40) })),
  );
});
